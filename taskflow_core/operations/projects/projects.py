"""Projects: list (with task counts), create, rename, recolour, move, archive, delete.

Every write runs in one transaction that bumps the owner's cache version, so no cached task
read (which shows a task's project, or hides an archived project's tasks) outlives it. The
owner's row is locked by that bump first, so one owner's project writes (and the limits and
nesting rules they check) are served one after the other.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from taskflow_core.domain.clock import utcnow
from taskflow_core.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from taskflow_core.domain.models import MAX_PROJECT_DEPTH, MAX_PROJECTS
from taskflow_core.fields import name_key
from taskflow_core.operations.accounts.callers import caller_values, confirm, owner_scope
from taskflow_core.operations.projects import statements
from taskflow_core.operations.read_through import ReadThrough
from taskflow_core.operations.tasks.statements import BUMP_OWNERS
from taskflow_core.schemas import ProjectList, ProjectOut
from taskflow_core.serialization import to_json

if TYPE_CHECKING:
    from taskflow_core.adapters.database import Connection, Database
    from taskflow_core.domain.actor import Caller
    from taskflow_core.schemas import ProjectCreate, ProjectQuery, ProjectUpdate

PROJECT_NOT_FOUND = "Project not found"
NAME_TAKEN = "you have a project with this name already (names differ in more than case)"
NO_SUCH_PROJECT = "no such project"
TOO_DEEP = f"projects nest at most {MAX_PROJECT_DEPTH} deep"
INSIDE_ITSELF = "a project cannot be inside itself or a project inside it"
TOO_MANY = f"an account has at most {MAX_PROJECTS} projects"


class Projects:
    """Every operation on projects, for a caller (admins reach anyone's by id)."""

    def __init__(self, *, database: Database, cache: ReadThrough) -> None:
        self._database = database
        self._cache = cache

    async def list(self, caller: Caller, query: ProjectQuery) -> bytes:
        """`GET /projects`: the caller's projects (an admin may name another owner's) with
        their open and overdue task counts."""
        async with self._database.reading() as connection:
            actor = await confirm(connection, caller)
        owner = owner_scope(actor, query.user_id, "projects") or actor.user_id
        # Only the caller's own: another owner's writes would not retire an admin's copy.
        own = owner == actor.user_id
        key = ReadThrough.key(actor, "projects", str(query.include_archived)) if own else None
        return await self._cache.get(key, lambda: self._load(owner, query))

    async def _load(self, owner: uuid.UUID, query: ProjectQuery) -> bytes:
        statement = statements.list_projects(archived=query.include_archived)
        async with self._database.reading() as connection:
            rows = await connection.rows(statement, {"owner": owner, "now": utcnow()})
        return to_json(ProjectList(data=[ProjectOut.model_validate(row) for row in rows]))

    async def get(self, caller: Caller, project_id: uuid.UUID) -> ProjectOut:
        """One project; NotFound when absent or another user's (admins see all)."""
        async with self._database.reading() as connection:
            await confirm(connection, caller)
            return await _project(connection, caller, project_id)

    async def create(self, caller: Caller, data: ProjectCreate) -> ProjectOut:
        """A new project of the caller's."""
        now = utcnow()
        async with self._database.transaction() as connection:
            await confirm(connection, caller)
            owner = caller.user_id
            await connection.execute(BUMP_OWNERS, {"owners": [owner]})
            if await connection.scalar(statements.COUNT_PROJECTS, {"owner": owner}) >= MAX_PROJECTS:
                raise InvalidInput(TOO_MANY, errors=[FieldError("name", TOO_MANY)])
            await _name_is_free(connection, owner, data.name)
            if data.parent_id is not None:
                tree = await _tree(connection, owner)
                if data.parent_id not in tree:
                    raise InvalidInput(errors=[FieldError("parentId", NO_SUCH_PROJECT)])
                if _depth(tree, data.parent_id) + 1 > MAX_PROJECT_DEPTH:
                    raise InvalidInput(errors=[FieldError("parentId", TOO_DEEP)])
            row = {
                "id": uuid.uuid4(),
                "user_id": owner,
                "parent_id": data.parent_id,
                "name": data.name,
                "name_key": name_key(data.name),
                "colour": data.colour,
                "archived": False,
                "position": data.position,
                "created_at": now,
                "updated_at": now,
            }
            await connection.execute(statements.INSERT_PROJECT, row)
        return ProjectOut.model_validate(row | {"open_tasks": 0, "overdue_tasks": 0})

    async def update(
        self, caller: Caller, project_id: uuid.UUID, data: ProjectUpdate
    ) -> ProjectOut:
        """Rename, recolour, move or (un)archive; a change that changes nothing is fine."""
        changes = data.changes()
        async with self._database.transaction() as connection:
            await confirm(connection, caller)
            current = await _project(connection, caller, project_id)
            if not changes:
                return current
            owner = current.user_id
            await connection.execute(BUMP_OWNERS, {"owners": [owner]})
            if "name" in changes:
                changes["name_key"] = name_key(data.name or "")
                if changes["name_key"] != name_key(current.name):
                    await _name_is_free(connection, owner, data.name or "")
            if "parent_id" in changes and data.parent_id != current.parent_id:
                _check_move(await _tree(connection, owner), project_id, data.parent_id)
            values: dict[str, Any] = changes | {"project_id": project_id, "now": utcnow()}
            await connection.execute(statements.update_project(tuple(sorted(changes))), values)
            return await _project(connection, caller, project_id)

    async def delete(self, caller: Caller, project_id: uuid.UUID) -> None:
        """Delete a project and the projects inside it; their tasks move to no project."""
        async with self._database.transaction() as connection:
            await confirm(connection, caller)
            project = await _project(connection, caller, project_id)
            tree = await _tree(connection, project.user_id)
            doomed = sorted(_subtree(tree, project_id), key=str)
            values = {"project_ids": doomed, "now": utcnow()}
            # The tasks first, then the owner: the order in which task writes lock them.
            await connection.execute(statements.RELEASE_TASKS, values)
            await connection.execute(BUMP_OWNERS, {"owners": [project.user_id]})
            await connection.execute(statements.DELETE_PROJECTS, values)


async def _project(connection: Connection, caller: Caller, project_id: uuid.UUID) -> ProjectOut:
    values = caller_values(caller) | {"project_id": project_id, "now": utcnow()}
    row = await connection.row(statements.PROJECT, values)
    if row is None:
        raise NotFound(PROJECT_NOT_FOUND)
    return ProjectOut.model_validate(row)


async def _name_is_free(connection: Connection, owner: uuid.UUID, name: str) -> None:
    values = {"owner": owner, "name_key": name_key(name)}
    if await connection.row(statements.PROJECT_NAMED, values) is not None:
        raise Conflict(NAME_TAKEN, errors=[FieldError("name", NAME_TAKEN)])


async def _tree(connection: Connection, owner: uuid.UUID) -> dict[uuid.UUID, uuid.UUID | None]:
    """Each of the owner's projects and its parent."""
    rows = await connection.rows(statements.PROJECT_TREE, {"owner": owner})
    return {row["id"]: row["parent_id"] for row in rows}


def _depth(tree: dict[uuid.UUID, uuid.UUID | None], project_id: uuid.UUID) -> int:
    """1 for a top-level project, 2 for one inside it, ..."""
    depth = 0
    current: uuid.UUID | None = project_id
    while current is not None and depth <= len(tree):
        depth += 1
        current = tree.get(current)
    return depth


def _subtree(tree: dict[uuid.UUID, uuid.UUID | None], root: uuid.UUID) -> set[uuid.UUID]:
    """The project and every project inside it, at any depth."""
    found = {root}
    grew = True
    while grew:
        inside = {child for child, parent in tree.items() if parent in found}
        grew = not inside <= found
        found |= inside
    return found


def _height(tree: dict[uuid.UUID, uuid.UUID | None], root: uuid.UUID) -> int:
    """How many levels the project and those inside it take (1: none inside it)."""
    return max(_depth(tree, project) for project in _subtree(tree, root)) - _depth(tree, root) + 1


def _check_move(
    tree: dict[uuid.UUID, uuid.UUID | None], project_id: uuid.UUID, parent_id: uuid.UUID | None
) -> None:
    """InvalidInput naming `parentId` if the move makes a cycle or nests too deep."""
    if parent_id is None:
        return
    if parent_id not in tree:
        raise InvalidInput(errors=[FieldError("parentId", NO_SUCH_PROJECT)])
    if parent_id in _subtree(tree, project_id):
        raise InvalidInput(errors=[FieldError("parentId", INSIDE_ITSELF)])
    if _depth(tree, parent_id) + _height(tree, project_id) > MAX_PROJECT_DEPTH:
        raise InvalidInput(errors=[FieldError("parentId", TOO_DEEP)])
