"""Confirming a caller: the user is active and the session of their access token is live.

Every request makes this check, so it is one primary-key lookup on each table, and writes fold
it into their own statement (`caller_is_live`) instead of spending a round trip on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, exists, select

from taskflow_core.domain.actor import Actor, Caller
from taskflow_core.domain.enums import Role
from taskflow_core.domain.errors import AuthenticationFailed, PermissionDenied
from taskflow_core.domain.models import Session, User

if TYPE_CHECKING:
    import uuid

    from sqlalchemy import ColumnElement

    from taskflow_core.adapters.database import Connection

INVALID_TOKEN = "Invalid or expired access token"  # noqa: S105 - a message

# Parameters every statement that confirms a caller binds: `caller_values(caller)`.
CALLER_ID = bindparam("caller_id", type_=User.__table__.c.id.type)
SESSION_ID = bindparam("session_id", type_=Session.__table__.c.id.type)

_CALLER = (
    select(User.role, User.cache_version)
    .join(Session, Session.user_id == User.id)
    .where(
        User.id == CALLER_ID,
        User.is_active.is_(True),
        Session.id == SESSION_ID,
        Session.revoked_at.is_(None),
    )
)


def caller_values(caller: Caller) -> dict[str, object]:
    """The values of `CALLER_ID` and `SESSION_ID` for this caller."""
    return {"caller_id": caller.user_id, "session_id": caller.session_id}


async def confirm(connection: Connection, caller: Caller) -> Actor:
    """The caller as the database has them now.

    Raises:
        AuthenticationFailed: the user is gone or deactivated, or the session was revoked.
    """
    row = await connection.row(_CALLER, caller_values(caller))
    if row is None:
        raise AuthenticationFailed(INVALID_TOKEN)
    return Actor(
        user_id=caller.user_id,
        session_id=caller.session_id,
        role=row["role"],
        cache_version=row["cache_version"],
    )


def owner_scope(actor: Actor, requested: uuid.UUID | str | None, what: str) -> uuid.UUID | None:
    """Whose `what` (tasks, projects, labels) a read covers: the caller's own, or (admins
    only) one owner's, or every owner's (None) for `userId=*`."""
    if requested is None or requested == actor.user_id:
        return actor.user_id
    if not actor.is_admin:
        raise PermissionDenied(f"Only admins can read other users' {what}")
    return requested if not isinstance(requested, str) else None


def caller_is_live() -> ColumnElement[bool]:
    """SQL: the caller bound as `CALLER_ID` is active, in the live session `SESSION_ID`.

    Aliased tables, so that inside a statement on `users` or `sessions` it never correlates
    with the outer rows.
    """
    caller = User.__table__.alias("caller")
    session = Session.__table__.alias("caller_session")
    return exists(
        select(caller.c.id)
        .join(session, session.c.user_id == caller.c.id)
        .where(
            caller.c.id == CALLER_ID,
            caller.c.is_active.is_(True),
            session.c.id == SESSION_ID,
            session.c.revoked_at.is_(None),
        )
    )


def caller_is_admin() -> ColumnElement[bool]:
    """SQL: the caller bound as `CALLER_ID` is an admin now (their token may say otherwise)."""
    caller = User.__table__.alias("caller")
    return exists(
        select(caller.c.id).where(caller.c.id == CALLER_ID, caller.c.role == Role.ADMIN.value)
    )
