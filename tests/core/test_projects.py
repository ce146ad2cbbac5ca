"""`runtime.projects` and `runtime.labels`: the rules, the counts, and the owner's cache
version, called directly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from taskflow_core.domain.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from taskflow_core.domain.models import Task, TaskLabel, User
from taskflow_core.runtime import Runtime
from taskflow_core.schemas import (
    LabelCreate,
    LabelList,
    LabelQuery,
    LabelUpdate,
    ProjectCreate,
    ProjectList,
    ProjectQuery,
    ProjectUpdate,
    TaskUpdate,
)
from tests.core.conftest import fetch, list_tasks, make_task, read_task, register

pytestmark = pytest.mark.anyio


async def cache_version(runtime: Runtime, person: object) -> int:
    rows = await fetch(runtime, select(User.cache_version).where(User.id == person.user_id))  # type: ignore[attr-defined]
    return int(rows[0]["cache_version"])


async def test_every_project_and_label_write_bumps_the_owners_cache_version(
    runtime: Runtime,
) -> None:
    me = await register(runtime)
    versions = [await cache_version(runtime, me)]
    project = await runtime.projects.create(me.caller, ProjectCreate(name="Home"))
    label = await runtime.labels.create(me.caller, LabelCreate(name="bills"))
    versions.append(await cache_version(runtime, me))
    await runtime.projects.update(me.caller, project.id, ProjectUpdate(archived=True))
    versions.append(await cache_version(runtime, me))
    await runtime.labels.update(me.caller, label.id, LabelUpdate(name="Bills"))
    versions.append(await cache_version(runtime, me))
    await runtime.labels.delete(me.caller, label.id)
    versions.append(await cache_version(runtime, me))
    await runtime.projects.delete(me.caller, project.id)
    versions.append(await cache_version(runtime, me))
    assert versions == sorted(set(versions))  # each one higher than the one before
    assert len(versions) == 6


async def test_a_failed_write_changes_nothing(runtime: Runtime) -> None:
    me = await register(runtime)
    await runtime.projects.create(me.caller, ProjectCreate(name="Home"))
    before = await cache_version(runtime, me)
    with pytest.raises(Conflict) as raised:
        await runtime.projects.create(me.caller, ProjectCreate(name="HOME"))
    assert [error.field for error in raised.value.errors] == ["name"]
    assert await cache_version(runtime, me) == before
    listed = ProjectList.model_validate_json(await runtime.projects.list(me.caller, ProjectQuery()))
    assert [project.name for project in listed.data] == ["Home"]


async def test_deleting_a_project_tree_releases_every_task_in_it(runtime: Runtime) -> None:
    me = await register(runtime)
    top = await runtime.projects.create(me.caller, ProjectCreate(name="Top"))
    middle = await runtime.projects.create(me.caller, ProjectCreate(name="M", parent_id=top.id))
    bottom = await runtime.projects.create(me.caller, ProjectCreate(name="B", parent_id=middle.id))
    tasks = [await make_task(runtime, me.caller, project_id=p.id) for p in (top, middle, bottom)]
    await runtime.projects.delete(me.caller, top.id)
    rows = await fetch(runtime, select(Task.id, Task.project_id, Task.version))
    assert {row["id"] for row in rows} == {task.id for task in tasks}
    assert {row["project_id"] for row in rows} == {None}
    assert {row["version"] for row in rows} == {2}


async def test_a_move_into_its_own_subtree_or_too_deep_is_refused(runtime: Runtime) -> None:
    me = await register(runtime)
    top = await runtime.projects.create(me.caller, ProjectCreate(name="Top"))
    child = await runtime.projects.create(me.caller, ProjectCreate(name="C", parent_id=top.id))
    other = await runtime.projects.create(me.caller, ProjectCreate(name="O"))
    await runtime.projects.create(me.caller, ProjectCreate(name="OC", parent_id=other.id))
    for project, parent in ((top, child.id), (top, top.id), (other, child.id)):
        with pytest.raises(InvalidInput) as raised:
            await runtime.projects.update(me.caller, project.id, ProjectUpdate(parent_id=parent))
        assert [error.field for error in raised.value.errors] == ["parentId"]
    moved = await runtime.projects.update(me.caller, other.id, ProjectUpdate(parent_id=top.id))
    assert moved.parent_id == top.id


async def test_another_users_project_and_label_are_not_found(runtime: Runtime) -> None:
    me, other = await register(runtime), await register(runtime)
    project = await runtime.projects.create(other.caller, ProjectCreate(name="Theirs"))
    label = await runtime.labels.create(other.caller, LabelCreate(name="theirs"))
    with pytest.raises(NotFound):
        await runtime.projects.get(me.caller, project.id)
    with pytest.raises(NotFound):
        await runtime.projects.update(me.caller, project.id, ProjectUpdate(name="Mine"))
    with pytest.raises(NotFound):
        await runtime.labels.delete(me.caller, label.id)
    with pytest.raises(NotFound):
        await list_tasks(runtime, me.caller, project="Theirs")
    task = await make_task(runtime, me.caller)
    with pytest.raises(InvalidInput):
        await runtime.task_writes.update(me.caller, task.id, TaskUpdate(project_id=project.id))
    assert (await read_task(runtime, me.caller, task.id)).project_id is None


async def test_a_revoked_caller_cannot_write_projects_or_labels(runtime: Runtime) -> None:
    me = await register(runtime)
    await runtime.auth.logout(me.tokens.refresh_token)
    with pytest.raises(AuthenticationFailed):
        await runtime.projects.create(me.caller, ProjectCreate(name="Home"))
    with pytest.raises(AuthenticationFailed):
        await runtime.labels.create(me.caller, LabelCreate(name="bills"))


async def test_label_counts_and_links_follow_the_tasks(runtime: Runtime) -> None:
    me = await register(runtime)
    task = await make_task(runtime, me.caller, labels=["a", "b"])
    await make_task(runtime, me.caller, labels=["b"], status="COMPLETED")
    listed = LabelList.model_validate_json(await runtime.labels.list(me.caller, LabelQuery()))
    assert [(label.name, label.open_tasks) for label in listed.data] == [("a", 1), ("b", 1)]
    await runtime.task_writes.delete(me.caller, task.id)
    links = await fetch(runtime, select(TaskLabel.task_id))
    assert len(links) == 1
