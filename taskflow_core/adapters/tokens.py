"""Access tokens (JWT, naming their login session) and opaque refresh tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import jwt

from taskflow_core.domain.actor import Caller
from taskflow_core.domain.errors import AuthenticationFailed

if TYPE_CHECKING:
    from taskflow_core.domain.enums import Role
    from taskflow_core.settings import Settings

INVALID_TOKEN = "Invalid or expired access token"  # noqa: S105 - a message
VERIFIED_TOKENS_KEPT = 4096


@dataclass(frozen=True, slots=True)
class IssuedAccessToken:
    token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class _Verified:
    caller: Caller
    expires_at: datetime


class AccessTokens:
    """Signs and verifies the short-lived JWT access tokens."""

    def __init__(self, settings: Settings) -> None:
        self._key = settings.signing_key
        self._algorithm = settings.jwt_algorithm
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self.ttl = settings.access_token_ttl
        # A client presents the same token on every request until it expires: its signature
        # is checked once, not every time. Only tokens that verified are kept; expiry is
        # checked on every use, and revocation by the caller check every request makes.
        self._verified = functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)(self._decode)

    def issue(
        self, *, user_id: uuid.UUID, session_id: uuid.UUID, role: Role, now: datetime
    ) -> IssuedAccessToken:
        payload = {
            "sub": str(user_id),
            "sid": str(session_id),
            "role": role.value,
            "type": "access",
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=self.ttl)).timestamp()),
            "jti": uuid.uuid4().hex,
            "iss": self._issuer,
            "aud": self._audience,
        }
        token = jwt.encode(payload, self._key, algorithm=self._algorithm)
        return IssuedAccessToken(token=token, expires_in=self.ttl)

    def verify(self, token: str) -> Caller:
        """Check algorithm, signature, type, issuer, audience and expiry; raise on any doubt.

        Raises:
            AuthenticationFailed: the token is not one of ours, or has expired.
        """
        verified = self._verified(token)
        if verified.expires_at <= datetime.now(UTC):
            raise AuthenticationFailed(INVALID_TOKEN)
        return verified.caller

    def _decode(self, token: str) -> _Verified:
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["sub", "sid", "exp", "iat", "jti", "iss", "aud", "type"]},
            )
            if payload["type"] != "access":
                raise AuthenticationFailed(INVALID_TOKEN)
            caller = Caller(user_id=uuid.UUID(payload["sub"]), session_id=uuid.UUID(payload["sid"]))
            return _Verified(caller, datetime.fromtimestamp(payload["exp"], tz=UTC))
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as error:
            raise AuthenticationFailed(INVALID_TOKEN) from error


def new_refresh_token() -> str:
    """An opaque refresh token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """The form a refresh token is stored and looked up in."""
    return hashlib.sha256(token.encode()).hexdigest()
