"""What task statements need of projects and labels: a task's label names, the project and
label filters, and the statements that link a task to its project and labels.

A page of tasks gets its labels in its own statement (a correlated subquery per row of the
page, by the `task_labels` primary key), so its statement count does not grow with its size.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Integer,
    String,
    bindparam,
    delete,
    exists,
    false,
    func,
    insert,
    not_,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import TypeDecorator

from taskflow_core.domain.models import Label, Project, Task, TaskLabel
from taskflow_core.operations.sql import one_of, statement_cache, typed

if TYPE_CHECKING:
    from sqlalchemy import Dialect, Select
    from sqlalchemy.sql.compiler import SQLCompiler

TASKS = Task.__table__
PROJECTS = Project.__table__
LABELS = Label.__table__
TASK_LABELS = TaskLabel.__table__
OWNER = typed("owner", TASKS.c.user_id)


class _NameList(TypeDecorator[list[str]]):
    """Label names as the database aggregates them: an array (PostgreSQL) or JSON (SQLite)."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            names: list[str] = json.loads(value)
            return names
        return list(value)


class _LabelNames(ColumnElement[list[str]]):
    inherit_cache = True
    type = _NameList()


_LINKED_NAMES = (
    "FROM task_labels JOIN labels ON labels.id = task_labels.label_id "
    "WHERE task_labels.task_id = {task_id}"
)


@compiles(_LabelNames, "postgresql")
def _label_names_postgresql(element: _LabelNames, compiler: SQLCompiler, **kw: Any) -> str:
    # Compiled SQL only (a column reference), never a value.
    linked = _LINKED_NAMES.format(task_id=compiler.process(TASKS.c.id, **kw))
    names = "coalesce(array_agg(labels.name ORDER BY task_labels.position), '{}')"
    return f"(SELECT {names} {linked})"


@compiles(_LabelNames)
def _label_names_sqlite(element: _LabelNames, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite's aggregates take no ORDER BY before 3.44: the names come ordered from a subquery.
    linked = _LINKED_NAMES.format(task_id=compiler.process(TASKS.c.id, **kw))
    ordered = f"SELECT labels.name AS name {linked} ORDER BY task_labels.position"
    return f"(SELECT json_group_array(name) FROM ({ordered}))"  # noqa: S608


# A task's label names in the order they were added, as the column `labels`.
LABEL_NAMES = _LabelNames().label("labels")
WITH_LABELS = (*TASKS.c, LABEL_NAMES)


def _lineage() -> tuple[Any, Any, Any, Select[Any]]:
    """A project joined to its parent and grandparent (the deepest nesting allowed)."""
    project = PROJECTS.alias("p")
    parent = PROJECTS.alias("pp")
    grandparent = PROJECTS.alias("ppp")
    joined = project.outerjoin(parent, parent.c.id == project.c.parent_id).outerjoin(
        grandparent, grandparent.c.id == parent.c.parent_id
    )
    return project, parent, grandparent, select(project.c.id).select_from(joined)


def in_project(
    *, owner: bool, subprojects: bool, column: ColumnElement[Any] = TASKS.c.project_id
) -> ColumnElement[bool]:
    """SQL: the task (whose project is `column`) is in the project bound as `project_id` or
    `project_key` (its case-folded name), or (`subprojects`) in one inside it."""
    root = PROJECTS.alias("root")
    roots = select(root.c.id).where(
        or_(
            root.c.id == bindparam("project_id", type_=root.c.id.type),
            root.c.name_key == bindparam("project_key", type_=String()),
        )
    )
    if owner:
        roots = roots.where(root.c.user_id == OWNER)
    if not subprojects:
        return column.in_(roots)
    project, parent, grandparent, lineage = _lineage()
    subtree = lineage.where(
        or_(project.c.id.in_(roots), parent.c.id.in_(roots), grandparent.c.id.in_(roots))
    )
    return column.in_(subtree)


def in_visible_project(column: ColumnElement[Any] = TASKS.c.project_id) -> ColumnElement[bool]:
    """SQL: the task (whose project is `column`) is in no project, or in one that neither it
    nor a project it is inside is archived (what default lists show)."""
    project, parent, grandparent, lineage = _lineage()
    archived = lineage.where(
        project.c.id == column,
        or_(
            project.c.archived,
            func.coalesce(parent.c.archived, false()),
            func.coalesce(grandparent.c.archived, false()),
        ),
    )
    return or_(column.is_(None), not_(exists(archived)))


def _labelled(name: str) -> Select[Any]:
    """The task's links to the labels whose case-folded names are bound as the list `name`."""
    return (
        select(TASK_LABELS.c.label_id)
        .join(LABELS, LABELS.c.id == TASK_LABELS.c.label_id)
        .where(TASK_LABELS.c.task_id == TASKS.c.id, one_of(LABELS.c.name_key, name))
    )


def has_every_label() -> ColumnElement[bool]:
    """SQL: the task has every label of the list `labels` (`label_count` of them)."""
    matched = _labelled("labels").with_only_columns(func.count()).scalar_subquery()
    return matched == bindparam("label_count", type_=Integer())


def has_any_label() -> ColumnElement[bool]:
    return exists(_labelled("any_labels"))


def has_no_label() -> ColumnElement[bool]:
    return not_(exists(_labelled("not_labels")))


def _project_of_task(column: ColumnElement[Any], name: str) -> Any:
    return select(column).where(PROJECTS.c.id == TASKS.c.project_id).scalar_subquery().label(name)


# `sort=project`: a task's project's position and case-folded name (NULL in no project).
PROJECT_POSITION = _project_of_task(PROJECTS.c.position, "project_position")
PROJECT_NAME = _project_of_task(PROJECTS.c.name_key, "project_name")


# --- links --------------------------------------------------------------------------------

LABEL_OWNER = typed("owner", LABELS.c.user_id)

# The owner's project `project_id`, when they have it.
OWNED_PROJECT = select(PROJECTS.c.id).where(
    PROJECTS.c.id == typed("project_id", PROJECTS.c.id), PROJECTS.c.user_id == LABEL_OWNER
)
# The owner's labels among the case-folded names of the list `keys`.
OWNED_LABELS = select(LABELS.c.id, LABELS.c.name, LABELS.c.name_key).where(
    LABELS.c.user_id == LABEL_OWNER, one_of(LABELS.c.name_key, "keys")
)
COUNT_LABELS = select(func.count()).where(LABELS.c.user_id == LABEL_OWNER)
INSERT_LABEL = insert(Label)
# The links of the tasks of the list `task_ids`, in order.
TASK_LINKS = (
    select(TASK_LABELS.c.task_id, TASK_LABELS.c.label_id, TASK_LABELS.c.position)
    .where(one_of(TASK_LABELS.c.task_id, "task_ids"))
    .order_by(TASK_LABELS.c.task_id, TASK_LABELS.c.position)
)
UNLINK_TASK = delete(TaskLabel).where(
    TASK_LABELS.c.task_id == typed("task_id", TASK_LABELS.c.task_id)
)
UNLINK = delete(TaskLabel).where(
    TASK_LABELS.c.task_id == typed("task_id", TASK_LABELS.c.task_id),
    one_of(TASK_LABELS.c.label_id, "label_ids"),
)
LINK = insert(TaskLabel)


@statement_cache
def named_project(*, owner: bool) -> Select[Any]:
    """The project bound as `project_id` or `project_key` (of `owner`, if given)."""
    statement = select(PROJECTS.c.id).where(
        or_(
            PROJECTS.c.id == bindparam("project_id", type_=PROJECTS.c.id.type),
            PROJECTS.c.name_key == bindparam("project_key", type_=String()),
        )
    )
    return statement.where(PROJECTS.c.user_id == OWNER) if owner else statement.limit(1)


@statement_cache
def named_labels(*, owner: bool) -> Select[Any]:
    """The case-folded names among the list `keys` that are labels (of `owner`, if given)."""
    statement = select(LABELS.c.name_key).where(one_of(LABELS.c.name_key, "keys")).distinct()
    return statement.where(LABELS.c.user_id == OWNER) if owner else statement


UNLINK_MANY = (
    delete(TaskLabel)
    .where(one_of(TASK_LABELS.c.task_id, "task_ids"), one_of(TASK_LABELS.c.label_id, "label_ids"))
    .returning(TASK_LABELS.c.task_id)
)
PROJECT_OWNER = select(PROJECTS.c.user_id).where(
    PROJECTS.c.id == typed("project_id", PROJECTS.c.id)
)
