"""`runtime.task_writes`: create, create_many, update (If-Match, no-op patches, moves), delete."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from taskflow_core.domain.enums import Role, TaskPriority, TaskStatus
from taskflow_core.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
)
from taskflow_core.domain.models import User
from taskflow_core.runtime import Runtime
from taskflow_core.schemas import TaskCreate, TaskUpdate, UserUpdate
from tests.core.conftest import (
    fetch,
    list_tasks,
    login,
    make_admin,
    make_task,
    read_task,
    register,
)

pytestmark = pytest.mark.anyio

DUE = datetime(2030, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)


async def cache_version(runtime: Runtime, user_id: uuid.UUID) -> int:
    [row] = await fetch(runtime, select(User.cache_version).where(User.id == user_id))
    version: int = row["cache_version"]
    return version


# --- create -----------------------------------------------------------------------------


async def test_a_refused_create_uses_up_no_task_number(runtime: Runtime) -> None:
    owner = await register(runtime)
    await runtime.auth.logout(owner.tokens.refresh_token)
    with pytest.raises(AuthenticationFailed):
        await make_task(runtime, owner.caller)
    again = await login(runtime, owner.email)
    assert (await make_task(runtime, again.caller)).number == 1
    assert (await list_tasks(runtime, again.caller)).meta.total == 1


async def test_a_user_creating_for_someone_else_is_refused_and_their_numbers_stay_unused(
    runtime: Runtime,
) -> None:
    me, other = await register(runtime), await register(runtime)
    with pytest.raises(PermissionDenied):
        await make_task(runtime, me.caller, user_id=other.user_id)
    assert (await make_task(runtime, other.caller)).number == 1


async def test_an_admin_creates_for_an_active_user_only(runtime: Runtime) -> None:
    admin, owner, gone = await make_admin(runtime), await register(runtime), await register(runtime)
    await runtime.users.update(admin.caller, gone.user_id, UserUpdate(is_active=False))
    created = await make_task(runtime, admin.caller, user_id=owner.user_id, title="For you")
    assert (created.user_id, created.number) == (owner.user_id, 1)
    assert await read_task(runtime, owner.caller, created.id) == created
    for missing in (gone.user_id, uuid.uuid4()):
        with pytest.raises(InvalidInput) as refused:
            await make_task(runtime, admin.caller, user_id=missing)
        assert [error.field for error in refused.value.errors] == ["userId"]
    assert (await list_tasks(runtime, admin.caller, user_id="*")).meta.total == 1


async def test_a_user_may_name_themselves_as_the_owner(runtime: Runtime) -> None:
    me = await register(runtime)
    task = await make_task(runtime, me.caller, user_id=me.user_id)
    assert (task.user_id, task.number) == (me.user_id, 1)


# --- create_many ------------------------------------------------------------------------


async def test_a_bulk_create_numbers_each_owners_tasks_in_the_order_given(
    runtime: Runtime,
) -> None:
    admin, first, second = (
        await make_admin(runtime),
        await register(runtime),
        await register(runtime),
    )
    await make_task(runtime, first.caller)  # first's number 1 is taken
    owners = [first, second, admin, first, second, first]
    tasks = [
        TaskCreate(title=f"t{index}", user_id=owner.user_id) for index, owner in enumerate(owners)
    ]
    created = await runtime.task_writes.create_many(admin.caller, tasks)
    assert [task.title for task in created] == [f"t{index}" for index in range(6)]
    assert [(task.user_id, task.number) for task in created] == [
        (first.user_id, 2),
        (second.user_id, 1),
        (admin.user_id, 1),
        (first.user_id, 3),
        (second.user_id, 2),
        (first.user_id, 4),
    ]
    listed = await list_tasks(runtime, first.caller, sort="number", order="asc")
    assert listed.data[1:] == [created[0], created[3], created[5]]


async def test_a_bulk_create_with_one_unknown_owner_creates_nothing_and_uses_no_numbers(
    runtime: Runtime,
) -> None:
    admin, owner = await make_admin(runtime), await register(runtime)
    tasks = [
        TaskCreate(title="kept back", user_id=owner.user_id),
        TaskCreate(title="mine"),
        TaskCreate(title="nobody's", user_id=uuid.uuid4()),
    ]
    with pytest.raises(InvalidInput) as refused:
        await runtime.task_writes.create_many(admin.caller, tasks)
    assert [error.field for error in refused.value.errors] == ["tasks.2.userId"]
    assert (await list_tasks(runtime, admin.caller, user_id="*")).meta.total == 0
    # The numbers the first owners were given in the failed transaction went back with it.
    assert (await make_task(runtime, owner.caller)).number == 1
    assert (await make_task(runtime, admin.caller)).number == 1


async def test_a_user_cannot_bulk_create_for_someone_else(runtime: Runtime) -> None:
    me, other = await register(runtime), await register(runtime)
    tasks = [TaskCreate(title="mine"), TaskCreate(title="theirs", user_id=other.user_id)]
    with pytest.raises(PermissionDenied):
        await runtime.task_writes.create_many(me.caller, tasks)
    assert (await list_tasks(runtime, me.caller)).data == []


# --- update -----------------------------------------------------------------------------


async def test_if_match_naming_any_current_version_applies_the_patch(runtime: Runtime) -> None:
    me = await register(runtime)
    task = await make_task(runtime, me.caller)
    patched = await runtime.task_writes.update(
        me.caller, task.id, TaskUpdate(title="First"), if_match={7, 1}
    )
    assert (patched.title, patched.version) == ("First", 2)
    for stale in ({1}, set()):
        with pytest.raises(PreconditionFailed):
            await runtime.task_writes.update(
                me.caller, task.id, TaskUpdate(title="Second"), if_match=stale
            )
    assert await read_task(runtime, me.caller, task.id) == patched


async def test_why_a_patch_did_nothing_is_told_in_order_session_then_task_then_version(
    runtime: Runtime,
) -> None:
    me, intruder = await register(runtime), await register(runtime)
    task = await make_task(runtime, me.caller)
    patch = TaskUpdate(title="x")
    with pytest.raises(NotFound):
        await runtime.task_writes.update(intruder.caller, task.id, patch, if_match={9})
    with pytest.raises(NotFound):
        await runtime.task_writes.update(me.caller, uuid.uuid4(), patch, if_match={9})
    await runtime.auth.logout(me.tokens.refresh_token)
    for if_match in ({9}, None):
        with pytest.raises(AuthenticationFailed):
            await runtime.task_writes.update(me.caller, task.id, patch, if_match=if_match)
    again = await login(runtime, me.email)
    assert await read_task(runtime, again.caller, task.id) == task


async def test_a_patch_that_sends_the_current_values_changes_nothing(runtime: Runtime) -> None:
    me = await register(runtime)
    task = await make_task(
        runtime,
        me.caller,
        title="Same",
        priority=TaskPriority.HIGH,
        status=TaskStatus.COMPLETED,
        due_date=DUE,
    )
    before = await cache_version(runtime, me.user_id)
    same_instant_elsewhere = DUE.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat()
    unchanged = await runtime.task_writes.update(
        me.caller,
        task.id,
        TaskUpdate.model_validate(
            {
                "title": "Same",
                "priority": "HIGH",
                "status": "COMPLETED",
                "description": None,
                "dueDate": same_instant_elsewhere,
            }
        ),
        if_match={1},
    )
    assert unchanged == task
    assert await cache_version(runtime, me.user_id) == before
    # Changing nothing does not excuse a stale If-Match.
    with pytest.raises(PreconditionFailed):
        await runtime.task_writes.update(me.caller, task.id, TaskUpdate(title="Same"), if_match={2})
    with pytest.raises(PreconditionFailed):
        await runtime.task_writes.update(me.caller, task.id, TaskUpdate(), if_match={2})


async def test_a_patch_of_one_field_to_a_new_value_sets_the_others_as_they_were(
    runtime: Runtime,
) -> None:
    me = await register(runtime)
    task = await make_task(runtime, me.caller, description="keep", due_date=DUE)
    patched = await runtime.task_writes.update(
        me.caller, task.id, TaskUpdate(title="A task", status=TaskStatus.IN_PROGRESS)
    )
    assert patched == task.model_copy(
        update={
            "status": TaskStatus.IN_PROGRESS,
            "version": 2,
            "updated_at": patched.updated_at,
        }
    )
    assert patched.updated_at > task.updated_at


async def test_completing_sets_completed_at_once_and_reopening_clears_it(runtime: Runtime) -> None:
    me = await register(runtime)
    task = await make_task(runtime, me.caller)
    done = await runtime.task_writes.update(
        me.caller, task.id, TaskUpdate(status=TaskStatus.COMPLETED)
    )
    assert done.completed_at == done.updated_at
    renamed = await runtime.task_writes.update(
        me.caller, task.id, TaskUpdate(status=TaskStatus.COMPLETED, title="Renamed")
    )
    assert renamed.completed_at == done.completed_at
    assert renamed.version == 3
    reopened = await runtime.task_writes.update(
        me.caller, task.id, TaskUpdate(status=TaskStatus.PENDING)
    )
    assert reopened.completed_at is None


# --- moves ------------------------------------------------------------------------------


async def test_a_moved_task_takes_the_new_owners_next_number_and_its_old_one_stays_spent(
    runtime: Runtime,
) -> None:
    admin, old, new = await make_admin(runtime), await register(runtime), await register(runtime)
    task = await make_task(runtime, old.caller, description="kept")
    await make_task(runtime, new.caller)
    moved = await runtime.task_writes.update(
        admin.caller,
        task.id,
        TaskUpdate(user_id=new.user_id, priority=TaskPriority.LOW),
        if_match={1},
    )
    assert moved == task.model_copy(
        update={
            "user_id": new.user_id,
            "number": 2,
            "priority": TaskPriority.LOW,
            "version": 2,
            "updated_at": moved.updated_at,
        }
    )
    assert await read_task(runtime, new.caller, task.id) == moved
    with pytest.raises(NotFound):
        await read_task(runtime, old.caller, task.id)
    assert (await make_task(runtime, old.caller)).number == 2
    assert (await make_task(runtime, new.caller)).number == 3


async def test_moving_a_task_to_its_own_owner_keeps_its_number(runtime: Runtime) -> None:
    admin, owner = await make_admin(runtime), await register(runtime)
    task = await make_task(runtime, owner.caller)
    same = await runtime.task_writes.update(
        admin.caller, task.id, TaskUpdate(user_id=owner.user_id)
    )
    assert same == task
    renamed = await runtime.task_writes.update(
        admin.caller, task.id, TaskUpdate(user_id=owner.user_id, title="Renamed")
    )
    assert (renamed.number, renamed.title, renamed.version) == (1, "Renamed", 2)


async def test_a_move_that_is_refused_leaves_the_task_and_both_owners_as_they_were(
    runtime: Runtime,
) -> None:
    admin, owner = await make_admin(runtime), await register(runtime)
    inactive, target = await register(runtime), await register(runtime)
    await runtime.users.update(admin.caller, inactive.user_id, UserUpdate(is_active=False))
    task = await make_task(runtime, owner.caller)
    with pytest.raises(InvalidInput) as refused:
        await runtime.task_writes.update(
            admin.caller, task.id, TaskUpdate(user_id=inactive.user_id)
        )
    assert [error.field for error in refused.value.errors] == ["userId"]
    with pytest.raises(PreconditionFailed):
        await runtime.task_writes.update(
            admin.caller, task.id, TaskUpdate(user_id=target.user_id), if_match={2}
        )
    with pytest.raises(NotFound):
        await runtime.task_writes.update(
            admin.caller, uuid.uuid4(), TaskUpdate(user_id=target.user_id)
        )
    with pytest.raises(PermissionDenied):
        await runtime.task_writes.update(owner.caller, task.id, TaskUpdate(user_id=target.user_id))
    assert await read_task(runtime, owner.caller, task.id) == task
    assert (await make_task(runtime, target.caller)).number == 1


async def test_an_admin_demoted_since_their_token_was_issued_cannot_move_tasks(
    runtime: Runtime,
) -> None:
    admin, demoted = await make_admin(runtime), await make_admin(runtime)
    owner, target = await register(runtime), await register(runtime)
    task = await make_task(runtime, owner.caller)
    await runtime.users.update(admin.caller, demoted.user_id, UserUpdate(role=Role.USER))
    with pytest.raises(PermissionDenied):
        await runtime.task_writes.update(
            demoted.caller, task.id, TaskUpdate(user_id=target.user_id)
        )
    assert await read_task(runtime, owner.caller, task.id) == task


# --- delete -----------------------------------------------------------------------------


async def test_a_delete_is_refused_for_a_stale_version_a_foreign_task_or_a_dead_session(
    runtime: Runtime,
) -> None:
    me, intruder = await register(runtime), await register(runtime)
    task = await make_task(runtime, me.caller)
    with pytest.raises(PreconditionFailed):
        await runtime.task_writes.delete(me.caller, task.id, if_match={2})
    with pytest.raises(NotFound):
        await runtime.task_writes.delete(intruder.caller, task.id)
    await runtime.auth.logout(intruder.tokens.refresh_token)
    with pytest.raises(AuthenticationFailed):
        await runtime.task_writes.delete(intruder.caller, task.id)
    assert await read_task(runtime, me.caller, task.id) == task
    await runtime.task_writes.delete(me.caller, task.id, if_match={1})
    with pytest.raises(NotFound):
        await runtime.task_writes.delete(me.caller, task.id)


async def test_an_admin_deletes_any_owners_task(runtime: Runtime) -> None:
    admin, owner = await make_admin(runtime), await register(runtime)
    task = await make_task(runtime, owner.caller)
    await runtime.task_writes.delete(admin.caller, task.id)
    assert (await list_tasks(runtime, owner.caller)).data == []


@pytest.mark.parametrize("settings_overrides", [{"db_pool_size": 1}], indirect=True)
async def test_a_bulk_create_naming_an_unknown_owner_is_refused_as_such_on_one_connection(
    runtime: Runtime,
) -> None:
    """Why the bulk create failed is worked out while its transaction still holds its
    connection: it must not need a second one (with a pool of one, or all of a pool's
    connections held by such requests, that wait lasts until the database timeout)."""
    admin = await make_admin(runtime)
    tasks = [TaskCreate(title="nobody's", user_id=uuid.uuid4())]
    with pytest.raises(InvalidInput):
        await runtime.task_writes.create_many(admin.caller, tasks)
