"""Cached reads: keyed by the owner's cache version, which every task write bumps, so a read
after a write never sees the state before it; writes that change nothing retire nothing."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

import pytest

from taskflow_core.domain.enums import TaskPriority, TaskStatus
from taskflow_core.domain.errors import NotFound
from taskflow_core.runtime import Runtime
from taskflow_core.schemas import TaskCreate, TaskOut, TaskStats, TaskUpdate
from tests.conftest import count_statements
from tests.core.conftest import (
    SignedIn,
    batch_request,
    list_tasks,
    make_admin,
    make_task,
    read_stats,
    read_task,
    register,
)

pytestmark = pytest.mark.anyio


@dataclass
class Scene:
    """An owner and someone else with two tasks each, and an admin."""

    admin: SignedIn
    owner: SignedIn
    other: SignedIn
    mine: list[TaskOut]
    theirs: list[TaskOut]


@pytest.fixture
async def scene(runtime: Runtime) -> Scene:
    admin, owner, other = (
        await make_admin(runtime),
        await register(runtime),
        await register(runtime),
    )
    mine = [await make_task(runtime, owner.caller, title=f"mine {n}") for n in range(2)]
    theirs = [await make_task(runtime, other.caller, title=f"theirs {n}") for n in range(2)]
    return Scene(admin, owner, other, mine, theirs)


@dataclass(frozen=True)
class Seen:
    """What a reader reads of one owner's tasks: their page, stats and each task asked for
    (None: not found)."""

    page: list[TaskOut]
    total: int | None
    stats: TaskStats
    tasks: list[TaskOut | None]

    def of_own(self, owner: SignedIn) -> Seen:
        """What the owner would see of the same: none of the tasks of others."""
        own = [task if task and task.user_id == owner.user_id else None for task in self.tasks]
        return replace(self, tasks=own)


async def reads(
    runtime: Runtime, reader: SignedIn, owner: SignedIn, task_ids: list[uuid.UUID]
) -> Seen:
    """`reader`'s reads of `owner`'s tasks: the owner's own are cached, an admin's of
    another owner never are."""
    scope = None if reader is owner else owner.user_id
    page = await list_tasks(runtime, reader.caller, user_id=scope)
    stats = await read_stats(runtime, reader.caller, scope)
    tasks: list[TaskOut | None] = []
    for task_id in task_ids:
        try:
            tasks.append(await read_task(runtime, reader.caller, task_id))
        except NotFound:
            tasks.append(None)
    return Seen(page.data, page.meta.total, stats, tasks)


Write = Callable[[Runtime, Scene], Awaitable[object]]
WRITES: dict[str, Write] = {
    "create": lambda rt, s: make_task(rt, s.owner.caller, title="new"),
    "bulk create": lambda rt, s: rt.task_writes.create_many(
        s.owner.caller, [TaskCreate(title="a"), TaskCreate(title="b")]
    ),
    "an admin's create for the owner": lambda rt, s: make_task(
        rt, s.admin.caller, user_id=s.owner.user_id
    ),
    "an admin's bulk create for both": lambda rt, s: rt.task_writes.create_many(
        s.admin.caller,
        [
            TaskCreate(title="x", user_id=s.owner.user_id),
            TaskCreate(title="y", user_id=s.other.user_id),
        ],
    ),
    "patch": lambda rt, s: rt.task_writes.update(
        s.owner.caller, s.mine[0].id, TaskUpdate(status=TaskStatus.COMPLETED)
    ),
    "an admin's patch": lambda rt, s: rt.task_writes.update(
        s.admin.caller, s.mine[0].id, TaskUpdate(priority=TaskPriority.HIGH)
    ),
    "delete": lambda rt, s: rt.task_writes.delete(s.owner.caller, s.mine[0].id),
    "an admin's delete": lambda rt, s: rt.task_writes.delete(s.admin.caller, s.mine[1].id),
    "batch complete": lambda rt, s: rt.task_writes.batch(
        s.owner.caller, batch_request("complete", [s.mine[0].id])
    ),
    "batch delete": lambda rt, s: rt.task_writes.batch(
        s.owner.caller, batch_request("delete", [s.mine[1].id])
    ),
    "batch update": lambda rt, s: rt.task_writes.batch(
        s.owner.caller, batch_request("update", [t.id for t in s.mine], title="Renamed")
    ),
    "an admin's batch across owners": lambda rt, s: rt.task_writes.batch(
        s.admin.caller, batch_request("complete", [s.mine[1].id, s.theirs[0].id])
    ),
    "a move away": lambda rt, s: rt.task_writes.update(
        s.admin.caller, s.mine[0].id, TaskUpdate(user_id=s.other.user_id)
    ),
    "a move in": lambda rt, s: rt.task_writes.update(
        s.admin.caller, s.theirs[1].id, TaskUpdate(user_id=s.owner.user_id, title="Moved")
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
async def test_after_any_write_each_owners_cached_reads_agree_with_uncached_ones(
    runtime: Runtime, scene: Scene, write: str
) -> None:
    task_ids = [task.id for task in scene.mine + scene.theirs]
    before = await reads(runtime, scene.owner, scene.owner, task_ids)
    await reads(runtime, scene.other, scene.other, task_ids)
    await WRITES[write](runtime, scene)
    for person in (scene.owner, scene.other):
        cached = await reads(runtime, person, person, task_ids)
        uncached = await reads(runtime, scene.admin, person, task_ids)
        assert cached == uncached.of_own(person), write
    # Every write here changes the owner's tasks: what was cached before is stale.
    assert before != await reads(runtime, scene.owner, scene.owner, task_ids)


async def test_a_repeated_read_costs_only_the_caller_check(runtime: Runtime, scene: Scene) -> None:
    owner, task_id = scene.owner.caller, scene.mine[0].id
    loads: list[Callable[[], Awaitable[object]]] = [
        lambda: list_tasks(runtime, owner, status=["PENDING"]),
        lambda: read_stats(runtime, owner),
        lambda: read_task(runtime, owner, task_id),
    ]
    for load in loads:
        with count_statements(runtime) as first:
            answer = await load()
        with count_statements(runtime) as second:
            assert await load() == answer
        assert (len(first), len(second)) == (2, 1)


async def test_writes_that_change_nothing_keep_the_cached_reads(
    runtime: Runtime, scene: Scene
) -> None:
    owner, task = scene.owner.caller, scene.mine[0]
    await list_tasks(runtime, owner)
    await runtime.task_writes.update(owner, task.id, TaskUpdate(title=task.title))
    await runtime.task_writes.batch(owner, batch_request("update", [task.id]))
    await runtime.task_writes.batch(owner, batch_request("complete", [scene.theirs[0].id]))
    with count_statements(runtime) as statements:
        await list_tasks(runtime, owner)
    assert len(statements) == 1


async def test_an_admins_reads_of_another_owner_are_never_cached(
    runtime: Runtime, scene: Scene
) -> None:
    """They would not be retired: an owner's writes bump that owner's version, not the
    admin's."""
    admin, owner = scene.admin.caller, scene.owner.user_id
    for _ in range(2):
        with count_statements(runtime) as statements:
            await list_tasks(runtime, admin, user_id=owner)
            await list_tasks(runtime, admin, user_id="*")
            await read_stats(runtime, admin, owner)
            await read_task(runtime, admin, scene.mine[0].id)
        assert len(statements) == 8
