"""Register, log in, rotate refresh tokens (with reuse detection), log out.

Throttling, as OWASP recommends it: the server charges every auth request to its client
address before it gets here; a login charges the account only when it FAILS, per client
address (so failures from one place never lock the owner out of another) and per account
from everywhere (a cap only a distributed attack reaches). A request one budget refuses
spends nothing from another.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, exists, insert, select, update

from taskflow_core.adapters.database import ConstraintViolation
from taskflow_core.adapters.tokens import hash_refresh_token
from taskflow_core.domain.clock import utcnow
from taskflow_core.domain.enums import Role
from taskflow_core.domain.errors import AuthenticationFailed, Conflict, RateLimited
from taskflow_core.domain.models import RefreshToken, Session, User
from taskflow_core.operations.accounts.sessions import revoke_session, start_session
from taskflow_core.operations.sql import typed
from taskflow_core.settings import Rate

if TYPE_CHECKING:
    from taskflow_core.adapters.database import Database
    from taskflow_core.adapters.passwords import Passwords
    from taskflow_core.adapters.ratelimit import RateLimitDecision, RateLimiter
    from taskflow_core.adapters.tokens import AccessTokens
    from taskflow_core.schemas import LoginRequest, RegisterRequest, TokenResponse
    from taskflow_core.settings import Settings

BAD_CREDENTIALS = "Invalid email or password"
BAD_REFRESH_TOKEN = "Invalid or expired refresh token"  # noqa: S105 - a message
EMAIL_TAKEN = "Email already registered"
UNIQUE_EMAIL = "uq_users_email"

USERS = User.__table__
TOKENS = RefreshToken.__table__
SESSIONS = Session.__table__
USER_BY_EMAIL = select(*USERS.c).where(USERS.c.email == typed("email", USERS.c.email))
USER_BY_ID = select(*USERS.c).where(USERS.c.id == typed("user_id", USERS.c.id))
INSERT_USER = insert(User)
SET_PASSWORD_HASH = (
    update(User)
    .where(USERS.c.id == typed("user_id", USERS.c.id))
    .values(password_hash=bindparam("password_hash"))
)
_TOKEN_HASH = typed("token_hash", TOKENS.c.token_hash)
_NOW = typed("now", TOKENS.c.created_at)
# Marking a token used is one conditional UPDATE, so of several requests presenting it at
# once exactly one wins.
CLAIM_REFRESH_TOKEN = (
    update(RefreshToken)
    .where(
        TOKENS.c.token_hash == _TOKEN_HASH,
        TOKENS.c.used_at.is_(None),
        TOKENS.c.expires_at > _NOW,
        exists().where(SESSIONS.c.id == TOKENS.c.session_id, SESSIONS.c.revoked_at.is_(None)),
        exists().where(and_(USERS.c.id == TOKENS.c.user_id, USERS.c.is_active.is_(True))),
    )
    .values(used_at=_NOW)
    .returning(TOKENS.c.user_id, TOKENS.c.session_id)
)
TOKEN_BY_HASH = select(TOKENS.c.session_id, TOKENS.c.used_at).where(
    TOKENS.c.token_hash == _TOKEN_HASH
)


# A correct login marks its address as known to that account for this long (as a budget of one,
# spent: `RateLimiter.check` then refuses, which reads "known"). Known addresses pass the
# account-wide failure cap, so an attacker spending that cap from elsewhere never keeps the
# owner out from where they have logged in before.
KNOWN_ADDRESS = Rate(limit=1, period=30 * 86400)


class Auth:
    """Accounts' sign-in side: registration, logins, token refresh, logout."""

    def __init__(
        self,
        *,
        database: Database,
        passwords: Passwords,
        tokens: AccessTokens,
        limiter: RateLimiter,
        settings: Settings,
    ) -> None:
        self._database = database
        self._passwords = passwords
        self._tokens = tokens
        self._limiter = limiter
        self._refresh_ttl = settings.refresh_token_ttl
        self._reuse_grace = timedelta(seconds=settings.refresh_reuse_grace)
        self._failures_per_address, self._failures_per_account = settings.login_failure_rates

    async def register(self, data: RegisterRequest) -> TokenResponse:
        """Create a user account and start its first session."""
        password_hash = await self._passwords.hash(data.password)
        now = utcnow()
        user: dict[str, Any] = {
            "id": uuid.uuid4(),
            "email": data.email,
            "name": data.name,
            "password_hash": password_hash,
            "role": Role.USER,
            "is_active": True,
            "task_seq": 0,
            "cache_version": 0,
            "created_at": now,
            "updated_at": now,
        }
        try:
            async with self._database.transaction() as connection:
                await connection.execute(INSERT_USER, user)
                return await self._start(connection, user)
        except ConstraintViolation as error:
            if error.constraint == UNIQUE_EMAIL:
                raise Conflict(EMAIL_TAKEN) from None
            raise

    async def login(self, data: LoginRequest, *, client: str) -> TokenResponse:
        """Check the credentials and start a new session (one per device or login)."""
        budgets = self._failure_budgets(data.email, client)
        known = await self._is_known(data.email, client)
        for key, rate in budgets:
            if known and key == self._account_key(data.email):
                continue
            self._admit(await self._limiter.check(key, rate))
        async with self._database.reading() as connection:
            user = await connection.row(USER_BY_EMAIL, {"email": data.email})
        password_hash = user["password_hash"] if user else None
        matches = await self._passwords.verify(password_hash, data.password)
        if user is None or not matches or not user["is_active"]:
            for key, rate in budgets:
                await self._limiter.hit(key, rate)
            raise AuthenticationFailed(BAD_CREDENTIALS)
        if not known:
            await self._limiter.hit(self._known_key(data.email, client), KNOWN_ADDRESS)
        async with self._database.transaction() as connection:
            if self._passwords.needs_rehash(user["password_hash"]):
                new_hash = await self._passwords.hash(data.password)
                await connection.execute(
                    SET_PASSWORD_HASH, {"user_id": user["id"], "password_hash": new_hash}
                )
            return await self._start(connection, user)

    async def refresh(self, refresh_token: str) -> TokenResponse:
        """Trade a refresh token for a new pair; a spent token presented again ends its
        session (unless it was spent a moment ago: `Settings.refresh_reuse_grace`)."""
        now = utcnow()
        token_hash = hash_refresh_token(refresh_token)
        async with self._database.transaction() as connection:
            claimed = await connection.row(
                CLAIM_REFRESH_TOKEN, {"token_hash": token_hash, "now": now}
            )
            if claimed is not None:
                user = await connection.row(USER_BY_ID, {"user_id": claimed["user_id"]})
                if user is not None:
                    return await self._start(connection, user, session_id=claimed["session_id"])
        await self._refuse_spent_token(token_hash, now=now)
        raise AuthenticationFailed(BAD_REFRESH_TOKEN)

    async def logout(self, refresh_token: str) -> None:
        """End the session of the given refresh token; unknown tokens are ignored."""
        async with self._database.transaction() as connection:
            token = await connection.row(
                TOKEN_BY_HASH, {"token_hash": hash_refresh_token(refresh_token)}
            )
            if token is not None:
                await revoke_session(connection, token["session_id"])

    async def _start(
        self, connection: Any, user: dict[str, Any], *, session_id: uuid.UUID | None = None
    ) -> TokenResponse:
        return await start_session(
            connection,
            tokens=self._tokens,
            refresh_ttl=self._refresh_ttl,
            user=user,
            session_id=session_id,
        )

    async def _refuse_spent_token(self, token_hash: str, *, now: Any) -> None:
        async with self._database.transaction() as connection:
            token = await connection.row(TOKEN_BY_HASH, {"token_hash": token_hash})
            if token is None or token["used_at"] is None:
                return
            if now - token["used_at"] >= self._reuse_grace:
                # Spent, and presented again: it was copied. End every use of that login.
                await revoke_session(connection, token["session_id"])

    def _failure_budgets(self, email: str, client: str) -> list[tuple[str, Rate]]:
        budgets = [
            (f"login-failures:{email}:{client}", self._failures_per_address),
            (self._account_key(email), self._failures_per_account),
        ]
        return [(key, rate) for key, rate in budgets if rate is not None]

    @staticmethod
    def _account_key(email: str) -> str:
        return f"login-failures:{email}"

    @staticmethod
    def _known_key(email: str, client: str) -> str:
        return f"login-known:{email}:{client}"

    async def _is_known(self, email: str, client: str) -> bool:
        if self._failures_per_account is None:
            return False
        decision = await self._limiter.check(self._known_key(email, client), KNOWN_ADDRESS)
        return not decision.allowed

    @staticmethod
    def _admit(decision: RateLimitDecision) -> None:
        if not decision.allowed:
            raise RateLimited(decision.retry_seconds, "Too many failed logins, try again later")
