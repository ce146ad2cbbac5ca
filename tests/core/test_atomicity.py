"""An operation that fails part-way leaves nothing half-applied.

Each test makes one statement of an operation fail (as a dropped connection would), after
the operation's earlier statements have run in the same transaction, and checks that none of
them took effect. On PostgreSQL some of these operations are a single statement, which then
fails before anything runs; on SQLite every write is several statements in a transaction.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from taskflow_core.domain.enums import TaskStatus
from taskflow_core.domain.errors import AuthenticationFailed
from taskflow_core.domain.models import Session
from taskflow_core.runtime import Runtime
from taskflow_core.schemas import TaskCreate, TaskUpdate, UserUpdate
from tests.conftest import TEST_PASSWORD, random_email
from tests.core.conftest import (
    batch_request,
    fetch,
    list_tasks,
    login,
    make_admin,
    make_task,
    read_task,
    register,
    signed_in,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.anyio


class DatabaseWentAway(Exception):
    """What the statement chosen to fail raises."""


@contextmanager
def failing_at(runtime: Runtime, sql: str) -> Iterator[None]:
    """Make every statement whose SQL contains `sql` fail before it runs."""

    def fail(statement: str) -> None:
        if sql in statement:
            raise DatabaseWentAway(sql)

    runtime.database.statement_listeners.append(fail)
    try:
        with pytest.raises(DatabaseWentAway):
            yield
    finally:
        runtime.database.statement_listeners.remove(fail)


async def sessions_of(runtime: Runtime, user_id: uuid.UUID) -> int:
    statement = select(func.count().label("n")).where(Session.user_id == user_id)
    [row] = await fetch(runtime, statement)
    count: int = row["n"]
    return count


# --- tasks ------------------------------------------------------------------------------


async def test_a_create_whose_insert_fails_uses_up_no_number(runtime: Runtime) -> None:
    me = await register(runtime)
    with failing_at(runtime, "INSERT INTO tasks"):
        await make_task(runtime, me.caller)
    assert (await make_task(runtime, me.caller)).number == 1


async def test_a_bulk_create_whose_insert_fails_gives_every_number_back(runtime: Runtime) -> None:
    admin, owner = await make_admin(runtime), await register(runtime)
    tasks = [TaskCreate(title="mine"), TaskCreate(title="yours", user_id=owner.user_id)]
    with failing_at(runtime, "INSERT INTO tasks"):
        await runtime.task_writes.create_many(admin.caller, tasks)
    assert (await list_tasks(runtime, admin.caller, user_id="*")).data == []
    assert (await make_task(runtime, admin.caller)).number == 1
    assert (await make_task(runtime, owner.caller)).number == 1


async def test_a_patch_whose_cache_bump_fails_leaves_the_task_as_it_was(runtime: Runtime) -> None:
    me = await register(runtime)
    task = await make_task(runtime, me.caller)
    with failing_at(runtime, "UPDATE users"):
        await runtime.task_writes.update(me.caller, task.id, TaskUpdate(title="Changed"))
    assert await read_task(runtime, me.caller, task.id) == task


async def test_a_move_whose_patch_fails_keeps_the_task_and_gives_the_number_back(
    runtime: Runtime,
) -> None:
    admin, old, new = await make_admin(runtime), await register(runtime), await register(runtime)
    task = await make_task(runtime, old.caller)
    with failing_at(runtime, "UPDATE tasks"):
        await runtime.task_writes.update(admin.caller, task.id, TaskUpdate(user_id=new.user_id))
    assert await read_task(runtime, old.caller, task.id) == task
    assert (await make_task(runtime, new.caller)).number == 1


@pytest.mark.parametrize("action", ["complete", "delete", "update"])
async def test_a_batch_whose_cache_bump_fails_changes_no_task(
    runtime: Runtime, action: str
) -> None:
    me = await register(runtime)
    tasks = [await make_task(runtime, me.caller, title=f"t{n}") for n in range(3)]
    request = batch_request(action, [task.id for task in tasks], status=TaskStatus.IN_PROGRESS)
    with failing_at(runtime, "UPDATE users"):
        await runtime.task_writes.batch(me.caller, request)
    assert (await list_tasks(runtime, me.caller, sort="number", order="asc")).data == tasks


# --- accounts ---------------------------------------------------------------------------


async def test_a_registration_that_fails_at_its_refresh_token_leaves_no_account(
    runtime: Runtime,
) -> None:
    email = random_email()
    with failing_at(runtime, "INSERT INTO refresh_tokens"):
        await register(runtime, email=email)
    # Neither a half-made account (login) nor a taken email (registering again) is left.
    with pytest.raises(AuthenticationFailed):
        await login(runtime, email)
    again = await register(runtime, email=email)
    assert await sessions_of(runtime, again.user_id) == 1


async def test_a_login_that_fails_at_its_refresh_token_leaves_no_session(runtime: Runtime) -> None:
    me = await register(runtime)
    with failing_at(runtime, "INSERT INTO refresh_tokens"):
        await login(runtime, me.email)
    assert await sessions_of(runtime, me.user_id) == 1


async def test_a_refresh_that_fails_at_its_new_token_leaves_the_old_one_unspent(
    runtime: Runtime,
) -> None:
    me = await register(runtime)
    with failing_at(runtime, "INSERT INTO refresh_tokens"):
        await runtime.auth.refresh(me.tokens.refresh_token)
    # Spent, the token would be refused now (and, the grace aside, end its session).
    rotated = signed_in(runtime, await runtime.auth.refresh(me.tokens.refresh_token))
    assert rotated.caller == me.caller
    assert (await runtime.users.get(me.caller, me.user_id)).email == me.email


async def test_an_email_change_that_fails_at_ending_the_other_sessions_changes_no_email(
    runtime: Runtime,
) -> None:
    me = await register(runtime)
    elsewhere = await login(runtime, me.email)
    change = UserUpdate(email=random_email(), current_password=TEST_PASSWORD)
    with failing_at(runtime, "UPDATE sessions"):
        await runtime.users.update(me.caller, me.user_id, change)
    assert (await runtime.users.get(elsewhere.caller, me.user_id)).email == me.email


async def test_an_account_deletion_that_fails_at_the_account_keeps_its_tasks(
    runtime: Runtime,
) -> None:
    admin, owner = await make_admin(runtime), await register(runtime)
    task = await make_task(runtime, owner.caller)
    with failing_at(runtime, "DELETE FROM users"):
        await runtime.users.delete(admin.caller, owner.user_id)
    assert (await list_tasks(runtime, owner.caller)).data == [task]
