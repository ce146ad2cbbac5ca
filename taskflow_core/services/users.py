"""User accounts: admin management and self-service, with last-admin protection."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic.alias_generators import to_camel
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from taskflow_core.clock import utcnow
from taskflow_core.enums import Role
from taskflow_core.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from taskflow_core.models import User
from taskflow_core.pagination import KeysetOrder, fetch_page
from taskflow_core.schemas import UserCreate, UserOut, UserPage, UserQuery, UserUpdate
from taskflow_core.services.auth import EMAIL_TAKEN, revoke_user_sessions
from taskflow_core.sql import contains_text

if TYPE_CHECKING:
    import uuid

    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

    from taskflow_core.actor import Actor
    from taskflow_core.pagination import Cursors
    from taskflow_core.security import Passwords

USER_NOT_FOUND = "User not found"
ADMINS_ONLY = "Only admins can manage users"
LAST_ADMIN = "The last active admin cannot be removed, demoted or deactivated"

_USER_ORDER = KeysetOrder(
    column=User.created_at, id_column=User.id, order="desc", parse=datetime.fromisoformat
)


def create_user(
    session: Session, *, actor: Actor, passwords: Passwords, data: UserCreate
) -> UserOut:
    """Create an account with any role (admins only)."""
    _require_admin(actor)
    user = User(
        email=data.email,
        name=data.name,
        password_hash=passwords.hash(data.password),
        role=data.role,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(EMAIL_TAKEN) from error
    result = UserOut.model_validate(user)
    session.commit()
    return result


def list_users(session: Session, *, actor: Actor, query: UserQuery, cursors: Cursors) -> UserPage:
    """Every account, newest first, filtered by role and email/name search (admins only)."""
    _require_admin(actor)
    conditions: list[ColumnElement[bool]] = []
    if query.role is not None:
        conditions.append(User.role == query.role)
    if query.search:
        conditions.append(contains_text(query.search, User.email, User.name))
    rows, meta = fetch_page(
        session,
        model=User,
        conditions=conditions,
        keyset=_USER_ORDER,
        query=query,
        cursors=cursors,
    )
    return UserPage(data=[UserOut.model_validate(user) for user in rows], meta=meta)


def get_user(session: Session, *, actor: Actor, user_id: uuid.UUID) -> UserOut:
    """An account, for an admin or the user itself; NotFound for anyone else."""
    return UserOut.model_validate(_visible_user(session, actor=actor, user_id=user_id))


def update_user(
    session: Session,
    *,
    actor: Actor,
    passwords: Passwords,
    user_id: uuid.UUID,
    data: UserUpdate,
) -> UserOut:
    """Change profile fields; role and isActive are for admins, a new password needs the old."""
    user = _visible_user(session, actor=actor, user_id=user_id, lock=True)
    fields = data.model_fields_set
    if fields & {"role", "is_active"} and not actor.is_admin:
        raise PermissionDenied("Only admins can change role or isActive")
    _check_password_change(user, actor=actor, passwords=passwords, data=data)
    for name in ("name", "email", "role", "is_active"):
        value = getattr(data, name)
        if name in fields and value is None:
            raise InvalidInput(errors=[FieldError(to_camel(name), "cannot be null")])
    loses_admin = (data.role not in (None, Role.ADMIN)) or data.is_active is False
    if loses_admin and user.role is Role.ADMIN and user.is_active:
        _ensure_another_active_admin(session, user_id=user.id)
    for name in ("name", "email", "role", "is_active"):
        if name in fields:
            setattr(user, name, getattr(data, name))
    if data.password is not None:
        user.password_hash = passwords.hash(data.password)
    if data.password is not None or data.is_active is False:
        revoke_user_sessions(session, user_id=user.id)
    user.updated_at = utcnow()
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(EMAIL_TAKEN) from error
    result = UserOut.model_validate(user)
    session.commit()
    return result


def delete_user(session: Session, *, actor: Actor, user_id: uuid.UUID) -> None:
    """Delete an account and (by cascade) its tasks, tokens and notifications."""
    user = _visible_user(session, actor=actor, user_id=user_id, lock=True)
    if user.role is Role.ADMIN and user.is_active:
        _ensure_another_active_admin(session, user_id=user.id)
    session.execute(delete(User).where(User.id == user.id))
    session.commit()


def _visible_user(
    session: Session, *, actor: Actor, user_id: uuid.UUID, lock: bool = False
) -> User:
    if user_id != actor.user_id and not actor.is_admin:
        raise NotFound(USER_NOT_FOUND)
    statement = select(User).where(User.id == user_id)
    user = session.scalar(statement.with_for_update() if lock else statement)
    if user is None:
        raise NotFound(USER_NOT_FOUND)
    return user


def _check_password_change(
    user: User, *, actor: Actor, passwords: Passwords, data: UserUpdate
) -> None:
    """A user changing their own email or password gives `currentPassword` (API.md); it may
    accompany any self-change, and is checked whenever it is given."""
    own = user.id == actor.user_id
    if data.current_password is None:
        # Someone holding a stolen access token must not be able to lock the owner out.
        if own and (data.password is not None or data.email is not None):
            field = "password" if data.password is not None else "email"
            message = f"is required to change your {field}"
            raise InvalidInput(errors=[FieldError("currentPassword", message)])
        return
    if not passwords.verify(user.password_hash, data.current_password):
        raise InvalidInput(errors=[FieldError("currentPassword", "is incorrect")])


def _ensure_another_active_admin(session: Session, *, user_id: uuid.UUID) -> None:
    # Locking the other admins' rows stops two admins demoting each other at once.
    others = session.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN, User.is_active.is_(True), User.id != user_id)
        .with_for_update()
    ).first()
    if others is None:
        raise Conflict(LAST_ADMIN)


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied(ADMINS_ONLY)
