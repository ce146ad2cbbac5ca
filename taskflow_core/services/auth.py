"""Register, log in, rotate refresh tokens (with reuse detection), log out, authenticate."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from taskflow_core.actor import Actor
from taskflow_core.clock import utcnow
from taskflow_core.enums import Role
from taskflow_core.errors import AuthenticationFailed, Conflict
from taskflow_core.models import RefreshToken, User
from taskflow_core.schemas import (
    LoginRequest,
    RegisterRequest,
    TokenResponse,
    UserOut,
)
from taskflow_core.security import INVALID_TOKEN, hash_refresh_token, new_refresh_token

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from taskflow_core.security import AccessClaims, Security

BAD_CREDENTIALS = "Invalid email or password"
BAD_REFRESH_TOKEN = "Invalid or expired refresh token"  # noqa: S105 - a message
EMAIL_TAKEN = "Email already registered"


def register(session: Session, *, security: Security, data: RegisterRequest) -> TokenResponse:
    """Create a user account and start its first session."""
    password_hash = security.passwords.hash(data.password)
    user = User(email=data.email, name=data.name, password_hash=password_hash, role=Role.USER)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(EMAIL_TAKEN) from error
    tokens = _start_session(session, security=security, user=user, family_id=uuid.uuid4())
    session.commit()
    return tokens


def login(session: Session, *, security: Security, data: LoginRequest) -> TokenResponse:
    """Check the credentials and start a new token family (one per device or login)."""
    user = session.scalar(select(User).where(User.email == data.email))
    # Release the connection (and SQLite's write lock) before the deliberately slow hash.
    session.commit()
    password_ok = security.passwords.verify(user.password_hash if user else None, data.password)
    if user is None or not password_ok or not user.is_active:
        raise AuthenticationFailed(BAD_CREDENTIALS)
    if security.passwords.needs_rehash(user.password_hash):
        user.password_hash = security.passwords.hash(data.password)
    tokens = _start_session(session, security=security, user=user, family_id=uuid.uuid4())
    session.commit()
    return tokens


def refresh(session: Session, *, security: Security, refresh_token: str) -> TokenResponse:
    """Trade a refresh token for a new pair; a second use of any token revokes its family."""
    now = utcnow()
    token_hash = hash_refresh_token(refresh_token)
    # Marking the token used is one conditional UPDATE, so two concurrent refreshes with
    # the same token cannot both succeed.
    claimed = session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == token_hash,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(RefreshToken.user_id, RefreshToken.family_id)
    ).one_or_none()
    if claimed is None:
        _handle_unusable_token(session, token_hash=token_hash, now=now)
        raise AuthenticationFailed(BAD_REFRESH_TOKEN)
    user = session.get(User, claimed.user_id)
    if user is None or not user.is_active:
        raise AuthenticationFailed(BAD_REFRESH_TOKEN)
    tokens = _start_session(session, security=security, user=user, family_id=claimed.family_id)
    session.commit()
    return tokens


def logout(session: Session, *, refresh_token: str) -> None:
    """Revoke the whole family of the given refresh token; unknown tokens are ignored."""
    family_id = session.scalar(
        select(RefreshToken.family_id).where(
            RefreshToken.token_hash == hash_refresh_token(refresh_token)
        )
    )
    if family_id is not None:
        _revoke(session, RefreshToken.family_id == family_id, now=utcnow())
    session.commit()


# Every authenticated request runs this; built once, and run on the Core connection, it
# costs half what a per-request ORM select does. `loop_database` runs it too.
CALLER = select(User.role, User.is_active, User.cache_version).where(
    User.id == bindparam("user_id")
)


def authenticate(session: Session, *, claims: AccessClaims) -> Actor:
    """Turn verified token claims into an `Actor`, refusing deleted or deactivated users."""
    row = session.connection().execute(CALLER, {"user_id": claims.user_id}).one_or_none()
    return actor_from_row(claims, row)


def actor_from_row(claims: AccessClaims, row: Sequence[Any] | None) -> Actor:
    """The `Actor` for a `CALLER` row (role, active, cache version); None: the user is gone."""
    if row is None or not row[1]:
        raise AuthenticationFailed(INVALID_TOKEN)
    role, _, cache_version = row
    return Actor(user_id=claims.user_id, role=Role(role), cache_version=cache_version)


def revoke_user_sessions(session: Session, *, user_id: uuid.UUID) -> None:
    """Revoke every refresh token of a user (password change, deactivation)."""
    _revoke(session, RefreshToken.user_id == user_id, now=utcnow())


def _start_session(
    session: Session, *, security: Security, user: User, family_id: uuid.UUID
) -> TokenResponse:
    now = utcnow()
    refresh_token = new_refresh_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=hash_refresh_token(refresh_token),
            created_at=now,
            expires_at=now + timedelta(seconds=security.refresh_ttl),
        )
    )
    access = security.access_tokens.issue(user_id=user.id, role=user.role, now=now)
    session.flush()
    return TokenResponse(
        access_token=access.token,
        refresh_token=refresh_token,
        expires_in=access.expires_in,
        user=UserOut.model_validate(user),
    )


def _handle_unusable_token(session: Session, *, token_hash: str, now: datetime) -> None:
    stored = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
    if stored is not None and stored.used_at is not None:
        # A used token presented again means it was copied: end every session of that
        # family. Committed here because the caller is about to raise.
        _revoke(session, RefreshToken.family_id == stored.family_id, now=now)
        session.commit()


def _revoke(session: Session, condition: ColumnElement[bool], *, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(condition, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
