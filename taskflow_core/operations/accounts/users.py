"""User accounts: admin management and self-service, with last-admin protection.

Changes that could leave no active admin lock the rows they depend on (the target and every
active admin) in one statement, in id order, so two admins acting on each other at once queue
instead of deadlocking; the one that goes second sees the first's change.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic.alias_generators import to_camel
from sqlalchemy import and_, delete, insert, or_, select, update

from taskflow_core.adapters.database import ConstraintViolation
from taskflow_core.domain.clock import utcnow
from taskflow_core.domain.enums import Role
from taskflow_core.domain.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from taskflow_core.domain.models import Task, User
from taskflow_core.operations.accounts.auth import EMAIL_TAKEN, UNIQUE_EMAIL, USER_BY_ID
from taskflow_core.operations.accounts.callers import confirm
from taskflow_core.operations.accounts.sessions import revoke_user_sessions
from taskflow_core.operations.pagination import (
    SortKey,
    by_position,
    page_meta,
    page_statement,
    split_page,
)
from taskflow_core.operations.sql import all_of, contains_text, statement_cache, typed
from taskflow_core.schemas import UserOut, UserPage

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select

    from taskflow_core.adapters.database import Connection, Database
    from taskflow_core.adapters.passwords import Passwords
    from taskflow_core.adapters.ratelimit import RateLimiter
    from taskflow_core.domain.actor import Actor, Caller
    from taskflow_core.operations.pagination import Cursors
    from taskflow_core.schemas import UserCreate, UserQuery, UserUpdate
    from taskflow_core.settings import Settings

USER_NOT_FOUND = "User not found"
ADMINS_ONLY = "Only admins can manage users"
ROLE_CHANGES = "Only admins can change role or isActive"
LAST_ADMIN = "The last active admin cannot be removed, demoted or deactivated"
TOO_MANY_CHANGES = "Too many email or password changes, try again later"

USERS = User.__table__
_TARGET = typed("user_id", USERS.c.id)
# The target and every active admin, locked in id order (see the module's docstring).
LOCK_TARGET_AND_ADMINS = (
    select(USERS.c.id, USERS.c.role, USERS.c.is_active)
    .where(or_(USERS.c.id == _TARGET, and_(USERS.c.role == Role.ADMIN.value, USERS.c.is_active)))
    .order_by(USERS.c.id)
    .with_for_update()
)
LOCK_TARGET = select(*USERS.c).where(USERS.c.id == _TARGET).with_for_update()
DELETE_TASKS_OF = delete(Task).where(Task.__table__.c.user_id == _TARGET)
DELETE_USER = delete(User).where(USERS.c.id == _TARGET)
INSERT_USER = insert(User)
_NEWEST_FIRST = by_position(
    [SortKey(USERS.c.created_at, True, datetime.fromisoformat)], USERS.c.id, "users:createdAt:desc"
)


@statement_cache
def _update_statement(fields: tuple[str, ...]) -> Any:
    values = {field: typed(field, USERS.c[field]) for field in fields}
    return update(User).where(USERS.c.id == _TARGET).values(values).returning(*USERS.c)


@statement_cache
def _page_statement(*, role: bool, search: bool, after: bool) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = []
    if role:
        conditions.append(USERS.c.role == typed("role", USERS.c.role))
    if search:
        conditions.append(contains_text("search", USERS.c.email, USERS.c.name))
    after_nulls = (False, False) if after else None
    return page_statement(USERS, all_of(conditions), _NEWEST_FIRST, after_nulls=after_nulls)


class Users:
    """Accounts: created, listed and deleted by admins; read and changed by their owner."""

    def __init__(
        self,
        *,
        database: Database,
        passwords: Passwords,
        limiter: RateLimiter,
        cursors: Cursors,
        settings: Settings,
    ) -> None:
        self._database = database
        self._passwords = passwords
        self._limiter = limiter
        self._cursors = cursors
        self._change_rate = settings.account_change_rate

    async def create(self, caller: Caller, data: UserCreate) -> UserOut:
        """Create an account with any role (admins only)."""
        await self._admin(caller)
        return await self.insert(data, role=data.role)

    async def insert(self, data: UserCreate, *, role: Role) -> UserOut:
        """Store a new account (no caller: `taskflow db create-admin` and the seed use it)."""
        now = utcnow()
        row = {
            "id": uuid.uuid4(),
            "email": data.email,
            "name": data.name,
            "password_hash": await self._passwords.hash(data.password),
            "role": role,
            "is_active": True,
            "task_seq": 0,
            "cache_version": 0,
            "created_at": now,
            "updated_at": now,
        }
        try:
            async with self._database.writing() as connection:
                await connection.execute(INSERT_USER, row)
        except ConstraintViolation as error:
            if error.constraint == UNIQUE_EMAIL:
                raise Conflict(EMAIL_TAKEN) from None
            raise
        return UserOut.model_validate(row)

    async def page(self, caller: Caller, query: UserQuery) -> UserPage:
        """Every account, newest first, filtered by role and email/name search (admins only)."""
        await self._admin(caller)
        values: dict[str, Any] = {
            "role": query.role,
            "search": query.search,
            "limit": query.limit + 1,
        }
        if query.cursor:
            position = _NEWEST_FIRST.read_position(
                self._cursors.decode(query.cursor, scope=_NEWEST_FIRST.name)
            )
            values |= {f"after_{index}": value for index, value in enumerate(position)}
        else:
            values["offset"] = (query.page - 1) * query.limit
        statement = _page_statement(
            role=query.role is not None, search=bool(query.search), after=bool(query.cursor)
        )
        async with self._database.reading() as connection:
            rows = await connection.rows(statement, values)
        rows, total, more = split_page(rows, limit=query.limit, offset_mode=not query.cursor)
        next_cursor = None
        if more:
            next_cursor = self._cursors.encode(
                scope=_NEWEST_FIRST.name, position=_NEWEST_FIRST.position(rows[-1])
            )
        return UserPage(
            data=[UserOut.model_validate(row) for row in rows],
            meta=page_meta(
                total=total,
                page=None if query.cursor else query.page,
                limit=query.limit,
                next_cursor=next_cursor,
            ),
        )

    async def get(self, caller: Caller, user_id: uuid.UUID) -> UserOut:
        """An account, for an admin or the user itself; NotFound for anyone else."""
        async with self._database.reading() as connection:
            actor = await confirm(connection, caller)
            _visible(actor, user_id)
            row = await connection.row(USER_BY_ID, {"user_id": user_id})
        if row is None:
            raise NotFound(USER_NOT_FOUND)
        return UserOut.model_validate(row)

    async def update(self, caller: Caller, user_id: uuid.UUID, data: UserUpdate) -> UserOut:
        """Change profile fields. role and isActive are for admins; a user changing their own
        email or password gives `currentPassword`, and their other sessions end."""
        fields = data.model_fields_set - {"current_password"}
        for name in fields & {"name", "email", "role", "is_active", "password"}:
            if getattr(data, name) is None:
                raise InvalidInput(errors=[FieldError(to_camel(name), "cannot be null")])
        async with self._database.reading() as connection:
            actor = await confirm(connection, caller)
            _visible(actor, user_id)
            current = await connection.row(USER_BY_ID, {"user_id": user_id})
        if current is None:
            raise NotFound(USER_NOT_FOUND)
        if fields & {"role", "is_active"} and not actor.is_admin:
            raise PermissionDenied(ROLE_CHANGES)
        if data.password is not None and data.email is None:
            _refuse_email_as_password(data.password, current["email"])
        own = user_id == actor.user_id
        sensitive = bool(fields & {"email", "password"})
        await self._check_current_password(current, data, required=own and sensitive)
        if sensitive:
            await self._count_sensitive_change(user_id)
        changes: dict[str, Any] = {name: getattr(data, name) for name in fields - {"password"}}
        if data.password is not None:
            changes["password_hash"] = await self._passwords.hash(data.password)
        changes["updated_at"] = utcnow()
        deactivates = changes.get("is_active") is False
        try:
            async with self._database.transaction() as connection:
                row = await self._store(connection, actor, user_id, changes)
                if sensitive or deactivates:
                    # A user changing their own email or password stays logged in here only.
                    keep = actor.session_id if own and not deactivates else None
                    await revoke_user_sessions(connection, user_id, keep=keep)
        except ConstraintViolation as error:
            if error.constraint == UNIQUE_EMAIL:
                raise Conflict(EMAIL_TAKEN) from None
            raise
        return UserOut.model_validate(row)

    async def _store(
        self, connection: Connection, actor: Actor, user_id: uuid.UUID, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Lock what the change depends on, then write it; the user's new row.

        A change an admin's role allows (to another account, or to a role or activity) is
        checked again under the lock: an admin demoted while this request waited is refused.
        """
        loses_admin = changes.get("role", Role.ADMIN) is not Role.ADMIN or (
            changes.get("is_active") is False
        )
        as_admin = user_id != actor.user_id or bool(changes.keys() & {"role", "is_active"})
        if loses_admin or as_admin:
            await self._lock_for_admin_change(
                connection, actor, user_id, as_admin=as_admin, loses_admin=loses_admin
            )
        else:
            await connection.row(LOCK_TARGET, {"user_id": user_id})
        row = await connection.row(
            _update_statement(tuple(sorted(changes))), changes | {"user_id": user_id}
        )
        if row is None:
            raise NotFound(USER_NOT_FOUND)
        return row

    async def _count_sensitive_change(self, user_id: uuid.UUID) -> None:
        """Email and password changes are few per account (each tells whether an email is
        taken); 429 past the budget."""
        if self._change_rate is None:
            return
        decision = await self._limiter.hit(f"account-changes:{user_id}", self._change_rate)
        if not decision.allowed:
            raise RateLimited(decision.retry_seconds, TOO_MANY_CHANGES)

    async def delete(self, caller: Caller, user_id: uuid.UUID) -> None:
        """Delete an account and its tasks, sessions and notifications."""
        async with self._database.transaction() as connection:
            actor = await confirm(connection, caller)
            _visible(actor, user_id)
            # The tasks go first, locking each as a task write does before it locks the owner:
            # a write to one of them while the account is deleted waits, never deadlocks.
            await connection.execute(DELETE_TASKS_OF, {"user_id": user_id})
            await self._lock_for_admin_change(
                connection, actor, user_id, as_admin=user_id != actor.user_id
            )
            if await connection.execute(DELETE_USER, {"user_id": user_id}) == 0:
                raise NotFound(USER_NOT_FOUND)

    async def _lock_for_admin_change(
        self,
        connection: Connection,
        actor: Actor,
        user_id: uuid.UUID,
        *,
        as_admin: bool = True,
        loses_admin: bool = True,
    ) -> None:
        """Lock the target and the active admins; refuse when the caller acts as an admin and
        is no longer an active one, or when the target is the last active admin and would
        stop being one."""
        rows = await connection.rows(LOCK_TARGET_AND_ADMINS, {"user_id": user_id})
        target = next((row for row in rows if row["id"] == user_id), None)
        if target is None:
            raise NotFound(USER_NOT_FOUND)
        admins = {row["id"] for row in rows if row["role"] is Role.ADMIN and row["is_active"]}
        if as_admin and actor.user_id not in admins:
            # Demoted or deactivated while this request waited for the locks.
            raise NotFound(USER_NOT_FOUND)
        if loses_admin and user_id in admins and not admins - {user_id}:
            raise Conflict(LAST_ADMIN)

    async def _check_current_password(
        self, current: dict[str, Any], data: UserUpdate, *, required: bool
    ) -> None:
        if data.current_password is None:
            if required:
                field = "password" if data.password is not None else "email"
                message = f"is required to change your {field}"
                raise InvalidInput(errors=[FieldError("currentPassword", message)])
            return
        if not await self._passwords.verify(current["password_hash"], data.current_password):
            raise InvalidInput(errors=[FieldError("currentPassword", "is incorrect")])

    async def _admin(self, caller: Caller) -> Actor:
        async with self._database.reading() as connection:
            actor = await confirm(connection, caller)
        if not actor.is_admin:
            raise PermissionDenied(ADMINS_ONLY)
        return actor


def _refuse_email_as_password(password: str, email: str) -> None:
    # With a new email in the same body, the schema compares the two; here, the stored one.
    if password.strip().lower() in (email, email.split("@", 1)[0]):
        message = "must not be your email address or its local part"
        raise InvalidInput(errors=[FieldError("password", message)])


def _visible(actor: Actor, user_id: uuid.UUID) -> None:
    if user_id != actor.user_id and not actor.is_admin:
        raise NotFound(USER_NOT_FOUND)
