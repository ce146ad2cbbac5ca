"""`runtime.task_writes.batch`: complete, delete and update many tasks in one statement."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from taskflow_core.domain.enums import TaskPriority, TaskStatus
from taskflow_core.domain.errors import AuthenticationFailed, ServiceUnavailable
from taskflow_core.runtime import Runtime
from taskflow_core.schemas import BatchChanges, BatchFailure, BatchRequest, TaskCreate, TaskOut
from tests.core.conftest import (
    batch_request,
    list_tasks,
    login,
    make_admin,
    make_task,
    read_task,
    register,
)

pytestmark = pytest.mark.anyio

DUE = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def by_id(tasks: list[TaskOut]) -> dict[uuid.UUID, TaskOut]:
    return {task.id: task for task in tasks}


async def test_completing_in_a_batch_changes_open_tasks_once_and_completed_ones_not_at_all(
    runtime: Runtime,
) -> None:
    me = await register(runtime)
    done = await make_task(runtime, me.caller, status=TaskStatus.COMPLETED)
    started = await make_task(runtime, me.caller, status=TaskStatus.IN_PROGRESS)
    result = await runtime.task_writes.batch(
        me.caller, BatchRequest(action="complete", tasks=[started.id, done.id, started.id])
    )
    assert (result.processed, result.succeeded, result.failed) == (2, [started.id, done.id], [])
    after = by_id((await list_tasks(runtime, me.caller)).data)
    assert after[done.id] == done
    completed = after[started.id]
    assert (completed.status, completed.version) == (TaskStatus.COMPLETED, 2)
    assert completed.completed_at == completed.updated_at > started.updated_at


async def test_a_batch_fails_the_ids_the_caller_cannot_see_and_touches_only_the_rest(
    runtime: Runtime,
) -> None:
    me, other = await register(runtime), await register(runtime)
    mine = [await make_task(runtime, me.caller) for _ in range(2)]
    theirs = await make_task(runtime, other.caller)
    unknown = uuid.uuid4()
    for action in ("complete", "delete"):
        result = await runtime.task_writes.batch(
            me.caller, BatchRequest(action=action, tasks=[theirs.id, mine[0].id, unknown])
        )
        assert result.succeeded == [mine[0].id]
        assert result.failed == [
            BatchFailure(id=theirs.id, error="not found"),
            BatchFailure(id=unknown, error="not found"),
        ]
    assert (await list_tasks(runtime, me.caller)).data == [mine[1]]
    assert await read_task(runtime, other.caller, theirs.id) == theirs


async def test_an_update_batch_sets_the_fields_sent_with_the_completed_at_rule(
    runtime: Runtime,
) -> None:
    me = await register(runtime)
    done = await make_task(runtime, me.caller, status=TaskStatus.COMPLETED, due_date=DUE)
    pending = await make_task(runtime, me.caller, description="kept", due_date=DUE)
    changes = BatchChanges(status=TaskStatus.COMPLETED, due_date=None, title="Filed")
    result = await runtime.task_writes.batch(
        me.caller, BatchRequest(action="update", tasks=[done.id, pending.id], changes=changes)
    )
    assert result.succeeded == [done.id, pending.id]
    after = by_id((await list_tasks(runtime, me.caller)).data)
    # Already completed: it keeps its completion time.
    assert after[done.id].completed_at == done.completed_at
    assert after[pending.id].completed_at == after[pending.id].updated_at
    for task in (done, pending):
        assert after[task.id] == task.model_copy(
            update={
                "title": "Filed",
                "status": TaskStatus.COMPLETED,
                "due_date": None,
                "version": 2,
                "updated_at": after[task.id].updated_at,
                "completed_at": after[task.id].completed_at,
            }
        )


async def test_an_update_batch_with_nothing_to_change_succeeds_for_visible_tasks_only(
    runtime: Runtime,
) -> None:
    me, other = await register(runtime), await register(runtime)
    mine = await make_task(runtime, me.caller)
    theirs = await make_task(runtime, other.caller)
    result = await runtime.task_writes.batch(
        me.caller, BatchRequest(action="update", tasks=[mine.id, theirs.id], changes=BatchChanges())
    )
    assert result.succeeded == [mine.id]
    assert result.failed == [BatchFailure(id=theirs.id, error="not found")]
    assert await read_task(runtime, me.caller, mine.id) == mine


async def test_an_admins_batch_reaches_every_owner(runtime: Runtime) -> None:
    admin, first, second = (
        await make_admin(runtime),
        await register(runtime),
        await register(runtime),
    )
    tasks = [await make_task(runtime, owner.caller) for owner in (first, second)]
    changes = BatchChanges(priority=TaskPriority.HIGH)
    result = await runtime.task_writes.batch(
        admin.caller,
        BatchRequest(action="update", tasks=[task.id for task in tasks], changes=changes),
    )
    assert result.failed == []
    for owner, task in zip((first, second), tasks, strict=True):
        assert (await read_task(runtime, owner.caller, task.id)).priority is TaskPriority.HIGH


@pytest.mark.parametrize("action", ["complete", "delete", "update"])
async def test_a_batch_by_a_logged_out_session_is_refused_and_changes_nothing(
    runtime: Runtime, action: str
) -> None:
    me = await register(runtime)
    task = await make_task(runtime, me.caller)
    await runtime.auth.logout(me.tokens.refresh_token)
    with pytest.raises(AuthenticationFailed):
        await runtime.task_writes.batch(me.caller, batch_request(action, [task.id], title="x"))
    again = await login(runtime, me.email)
    assert (await list_tasks(runtime, again.caller)).data == [task]


@pytest.mark.parametrize("settings_overrides", [{"db_timeout": 1.0}], indirect=True)
async def test_a_bulk_create_that_gets_no_heavy_slot_in_time_creates_nothing(
    runtime: Runtime,
) -> None:
    """Bulk creates share the batches' few slots per process; one that cannot get a turn
    within the database timeout is ServiceUnavailable, and none of its tasks is created."""
    me = await register(runtime)
    slots = runtime.task_writes.heavy_slots
    while not slots.locked():
        await slots.acquire()
    with pytest.raises(ServiceUnavailable):
        await runtime.task_writes.create_many(me.caller, [TaskCreate(title="not now")])
    slots.release()
    assert (await list_tasks(runtime, me.caller)).data == []
    [created] = await runtime.task_writes.create_many(me.caller, [TaskCreate(title="now")])
    assert (await list_tasks(runtime, me.caller)).data == [created]


async def test_an_update_batch_leaves_a_task_that_already_has_the_values_sent_as_it_was(
    runtime: Runtime,
) -> None:
    """As a PATCH of the same fields does, and as completing a completed task in a batch
    does: its version (the ETag a client holds) and updatedAt stay, and it still succeeds."""
    me = await register(runtime)
    high = await make_task(runtime, me.caller, priority=TaskPriority.HIGH)
    low = await make_task(runtime, me.caller, priority=TaskPriority.LOW)
    result = await runtime.task_writes.batch(
        me.caller, batch_request("update", [high.id, low.id], priority=TaskPriority.HIGH)
    )
    assert result.succeeded == [high.id, low.id]
    assert await read_task(runtime, me.caller, high.id) == high
    assert (await read_task(runtime, me.caller, low.id)).version == 2
