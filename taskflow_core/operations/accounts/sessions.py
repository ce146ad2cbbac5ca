"""Login sessions: starting one (a session row, a refresh token, an access token), and
revoking them.

A session is one login on one device. Its refresh token rotates on every use; an access token
names it, so revoking the session ends its access tokens too (every request confirms it).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, update

from taskflow_core.adapters.tokens import hash_refresh_token, new_refresh_token
from taskflow_core.domain.clock import utcnow
from taskflow_core.domain.models import RefreshToken, Session
from taskflow_core.operations.sql import typed
from taskflow_core.schemas import TokenResponse, UserOut

if TYPE_CHECKING:
    from taskflow_core.adapters.database import Connection
    from taskflow_core.adapters.tokens import AccessTokens

SESSIONS = Session.__table__
INSERT_SESSION = insert(Session)
INSERT_REFRESH_TOKEN = insert(RefreshToken)
NOW = typed("now", SESSIONS.c.created_at)
REVOKE_SESSION = (
    update(Session)
    .where(SESSIONS.c.id == typed("session_id", SESSIONS.c.id), SESSIONS.c.revoked_at.is_(None))
    .values(revoked_at=NOW)
)
# Every session of a user but one (`keep`: the caller's own, or none).
REVOKE_OTHER_SESSIONS = (
    update(Session)
    .where(
        SESSIONS.c.user_id == typed("user_id", SESSIONS.c.user_id),
        SESSIONS.c.id != bindparam("keep", type_=SESSIONS.c.id.type),
        SESSIONS.c.revoked_at.is_(None),
    )
    .values(revoked_at=NOW)
)
NO_SESSION = uuid.UUID(int=0)


async def start_session(
    connection: Connection,
    *,
    tokens: AccessTokens,
    refresh_ttl: int,
    user: dict[str, Any],
    session_id: uuid.UUID | None = None,
) -> TokenResponse:
    """A new pair of tokens for `user` (a users row): in a new session, or rotated within
    `session_id`. Run it inside a transaction."""
    now = utcnow()
    if session_id is None:
        session_id = uuid.uuid4()
        await connection.execute(
            INSERT_SESSION,
            {"id": session_id, "user_id": user["id"], "created_at": now, "revoked_at": None},
        )
    refresh_token = new_refresh_token()
    await connection.execute(
        INSERT_REFRESH_TOKEN,
        {
            "id": uuid.uuid4(),
            "user_id": user["id"],
            "session_id": session_id,
            "token_hash": hash_refresh_token(refresh_token),
            "created_at": now,
            "expires_at": now + timedelta(seconds=refresh_ttl),
            "used_at": None,
        },
    )
    access = tokens.issue(user_id=user["id"], session_id=session_id, role=user["role"], now=now)
    return TokenResponse(
        access_token=access.token,
        refresh_token=refresh_token,
        expires_in=access.expires_in,
        user=UserOut.model_validate(user),
    )


async def revoke_session(connection: Connection, session_id: uuid.UUID) -> None:
    await connection.execute(REVOKE_SESSION, {"session_id": session_id, "now": utcnow()})


async def revoke_user_sessions(
    connection: Connection, user_id: uuid.UUID, *, keep: uuid.UUID | None = None
) -> None:
    """End every session of a user (but `keep`), and with them their access tokens."""
    await connection.execute(
        REVOKE_OTHER_SESSIONS,
        {"user_id": user_id, "keep": keep or NO_SESSION, "now": utcnow()},
    )
