"""The statements of the project and label operations, built once.

Both lists come with each item's open and overdue task counts, counted by correlated
subqueries on indexed columns (`tasks.project_id`, `task_labels` by label).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, or_, select, update

from taskflow_core.domain.enums import TaskStatus
from taskflow_core.domain.models import Label, Project, Task
from taskflow_core.operations.accounts.callers import CALLER_ID, caller_is_admin
from taskflow_core.operations.sql import one_of, statement_cache, typed
from taskflow_core.operations.tasks.grouping import LABELS, PROJECTS, TASK_LABELS, TASKS
from taskflow_core.operations.tasks.statements import NOW, is_overdue

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, FromClause, Select

OWNER = typed("owner", PROJECTS.c.user_id)
PROJECT_ID = typed("project_id", PROJECTS.c.id)
LABEL_ID = typed("label_id", LABELS.c.id)
_OPEN = TASKS.c.status != TaskStatus.COMPLETED


def _counts(link: ColumnElement[bool], *, through_labels: bool) -> list[Any]:
    """Open and overdue tasks matching `link`, as the columns `open_tasks`, `overdue_tasks`."""

    def count(condition: ColumnElement[bool]) -> Any:
        source = (
            TASKS.join(TASK_LABELS, TASK_LABELS.c.task_id == TASKS.c.id)
            if through_labels
            else TASKS
        )
        return select(func.count()).select_from(source).where(link, condition).scalar_subquery()

    return [count(_OPEN).label("open_tasks"), count(is_overdue()).label("overdue_tasks")]


def _visible(table: FromClause, key: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    """One row by id, the caller's own, or anyone's for an admin."""
    return [table.c.id == key, or_(table.c.user_id == CALLER_ID, caller_is_admin())]


_PROJECT_COLUMNS = [
    *PROJECTS.c,
    *_counts(TASKS.c.project_id == PROJECTS.c.id, through_labels=False),
]
_LABEL_COLUMNS = [*LABELS.c, *_counts(TASK_LABELS.c.label_id == LABELS.c.id, through_labels=True)]


@statement_cache
def list_projects(*, archived: bool) -> Select[Any]:
    """The owner's projects in their manual order (then by name), archived ones if asked."""
    statement = (
        select(*_PROJECT_COLUMNS)
        .where(PROJECTS.c.user_id == OWNER)
        .order_by(PROJECTS.c.position, PROJECTS.c.name_key, PROJECTS.c.id)
    )
    return statement if archived else statement.where(PROJECTS.c.archived.is_(False))


PROJECT = select(*_PROJECT_COLUMNS).where(*_visible(PROJECTS, PROJECT_ID))
# Every project of the owner, for the nesting rules (at most 1,000 rows of two columns).
PROJECT_TREE = select(PROJECTS.c.id, PROJECTS.c.parent_id).where(PROJECTS.c.user_id == OWNER)
COUNT_PROJECTS = select(func.count()).where(PROJECTS.c.user_id == OWNER)
PROJECT_NAMED = select(PROJECTS.c.id).where(
    PROJECTS.c.user_id == OWNER, PROJECTS.c.name_key == typed("name_key", PROJECTS.c.name_key)
)
INSERT_PROJECT = insert(Project)


@statement_cache
def update_project(fields: tuple[str, ...]) -> Any:
    values: dict[str, Any] = {field: typed(field, PROJECTS.c[field]) for field in fields}
    return update(Project).where(PROJECTS.c.id == PROJECT_ID).values(values | {"updated_at": NOW})


# A deleted project's tasks (and its subprojects') move to no project: a change to each.
RELEASE_TASKS = (
    update(Task)
    .where(one_of(TASKS.c.project_id, "project_ids"))
    .values(project_id=None, updated_at=NOW, version=TASKS.c.version + 1)
)
DELETE_PROJECTS = delete(Project).where(one_of(PROJECTS.c.id, "project_ids"))

LIST_LABELS = (
    select(*_LABEL_COLUMNS)
    .where(LABELS.c.user_id == OWNER)
    .order_by(LABELS.c.name_key, LABELS.c.id)
)
LABEL = select(*_LABEL_COLUMNS).where(*_visible(LABELS, LABEL_ID))
LABEL_NAMED = select(LABELS.c.id).where(
    LABELS.c.user_id == OWNER, LABELS.c.name_key == typed("name_key", LABELS.c.name_key)
)
INSERT_LABEL = insert(Label)


@statement_cache
def update_label(fields: tuple[str, ...]) -> Any:
    values: dict[str, Any] = {field: typed(field, LABELS.c[field]) for field in fields}
    return update(Label).where(LABELS.c.id == LABEL_ID).values(values | {"updated_at": NOW})


# The tasks that show a label (renamed or deleted) get a new version: they read otherwise.
TOUCH_LABELLED = (
    update(Task)
    .where(TASKS.c.id.in_(select(TASK_LABELS.c.task_id).where(TASK_LABELS.c.label_id == LABEL_ID)))
    .values(updated_at=NOW, version=TASKS.c.version + 1)
)
DELETE_LABEL = delete(Label).where(LABELS.c.id == LABEL_ID)
