"""The statements of the task operations, each built once per shape.

A shape is what changes the SQL text (which filters a list has, its sort, which fields a patch
sets); values are always bound parameters, so each shape compiles once per database and
PostgreSQL keeps it prepared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CompoundSelect,
    Insert,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    not_,
    null,
    or_,
    select,
    table,
    union_all,
    update,
)

from taskflow_core.domain.enums import TaskPriority, TaskStatus
from taskflow_core.domain.models import (
    COMPLETED_RANK,
    NO_PROJECT_KEY,
    Task,
    TaskDueTally,
    TaskTally,
    User,
)
from taskflow_core.operations.accounts.callers import CALLER_ID, caller_is_admin, caller_is_live
from taskflow_core.operations.pagination import (
    LIMIT,
    Keyset,
    SortKey,
    by_position,
    offset_page,
    with_total,
)
from taskflow_core.operations.pagination import page_statement as paged
from taskflow_core.operations.sql import (
    all_of,
    contains_text,
    one_of,
    statement_cache,
    text_index_match,
    typed,
    unindexed,
)
from taskflow_core.operations.tasks.grouping import (
    LABEL_NAMES,
    LABELS,
    PROJECT_NAME,
    PROJECT_POSITION,
    PROJECTS,
    TASK_LABELS,
    WITH_LABELS,
    has_any_label,
    has_every_label,
    has_no_label,
    in_project,
    in_visible_project,
)

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Delete, Update
    from sqlalchemy.sql.dml import ReturningDelete

TASKS = Task.__table__
TALLIES = TaskTally.__table__
DUE_TALLIES = TaskDueTally.__table__
COLUMNS = tuple(TASKS.c)
NOW = typed("now", TASKS.c.updated_at)
OWNER = typed("owner", TASKS.c.user_id)
TASK_ID = typed("task_id", TASKS.c.id)
# Totals that are not read from the tallies count matching tasks up to this many: past it,
# `total` is a lower bound (`totalIsEstimate`), so a count never reads every match.
COUNT_CAP = 200
# SQLite: the trigram index over titles and descriptions (migration 0004).
TEXT_INDEX = table("task_search")
# Written as a constant, not a parameter, so the partial indexes on open tasks
# (`status <> 2 AND due_date IS NOT NULL`) match the statements under a generic plan.
_COMPLETED: ColumnElement[Any] = literal_column(str(COMPLETED_RANK))


def is_overdue(
    now: ColumnElement[Any] = NOW,
    *,
    due_date: ColumnElement[Any] = TASKS.c.due_date,
    status: ColumnElement[Any] = TASKS.c.status,
) -> ColumnElement[bool]:
    """Due in the past and not completed."""
    return and_(due_date.isnot(None), due_date < now, status != _COMPLETED)


def visible_to_caller() -> ColumnElement[bool]:
    """The caller's own tasks, or any task for a caller who is an admin now."""
    return or_(TASKS.c.user_id == CALLER_ID, caller_is_admin())


# --- reads ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListShape:
    """What a list's SQL depends on: the filters present, the order, and the paging mode."""

    owner: bool
    status: bool
    priority: bool
    search: bool
    # The term has a part the text index can look up (SQLite's trigrams need 3 characters).
    search_indexed: bool
    # The term folds alike in SQLite's lower case and Python's (`sql.is_plain`).
    search_plain: bool
    due_before: bool
    due_after: bool
    overdue: bool | None
    numbers: bool
    # None: no project filter (archived projects' tasks hidden); else with subprojects or not.
    project: bool | None
    no_project: bool | None
    every_label: bool
    any_label: bool
    not_label: bool
    sort: str
    descending: bool
    # None: an offset page (with its total); else a cursor page, and which of the cursor's
    # values are NULL.
    after_nulls: tuple[bool, ...] | None


def _parse_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(value)


_SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "createdAt": (SortKey(TASKS.c.created_at, False, _parse_datetime),),
    "dueDate": (SortKey(TASKS.c.due_date, False, _parse_datetime, nullable=True),),
    "priority": (SortKey(TASKS.c.priority, False, TaskPriority),),
    "status": (SortKey(TASKS.c.status, False, TaskStatus),),
    "title": (SortKey(TASKS.c.title, False, str),),
    "number": (SortKey(TASKS.c.number, False, int),),
    # What needs doing first: the earliest due (overdue ones come first), then the undated;
    # the more important first among equals, then the older.
    "urgency": (
        SortKey(TASKS.c.due_date, False, _parse_datetime, nullable=True),
        SortKey(TASKS.c.priority, True, TaskPriority),
        SortKey(TASKS.c.number, False, int),
    ),
    # Grouped by project in the projects' own order, tasks in no project last.
    "project": (
        SortKey(PROJECT_POSITION, False, int, nullable=True),
        SortKey(PROJECT_NAME, False, str, nullable=True),
        SortKey(TASKS.c.number, False, int),
    ),
}


@statement_cache
def keyset(sort: str, descending: bool) -> Keyset:
    """The order of a task list: the sort's keys then the id, reversed for `descending`."""
    keys = _SORT_KEYS[sort]
    if descending:
        keys = tuple(key.reversed() for key in keys)
    return by_position(keys, TASKS.c.id, f"tasks:{sort}:{'desc' if descending else 'asc'}")


def _filters(
    shape: ListShape, *, by_text_index: bool = False, walk: bool = False
) -> ColumnElement[bool]:
    """The list's conditions.

    `by_text_index`: SQLite finds the tasks through the text index (looking the owner's
    tasks up by their index instead would read every one of them). `walk`: the conditions
    are tested on each task the sort's index leads to, never looked up in an index of their
    own (the text indexes; on SQLite, those on status, priority and due dates), for a list
    that matches so many tasks that a walk in order finds a page sooner.
    """
    conditions: list[ColumnElement[bool]] = []

    def column(name: str) -> ColumnElement[Any]:
        return unindexed(TASKS.c[name]) if walk else TASKS.c[name]

    if shape.owner:
        owner = unindexed(TASKS.c.user_id) if by_text_index else TASKS.c.user_id
        conditions.append(owner == OWNER)
    if shape.status:
        conditions.append(one_of(column("status"), "status"))
    if shape.priority:
        conditions.append(one_of(column("priority"), "priority"))
    if shape.search:
        conditions.append(
            contains_text(
                "search",
                TASKS.c.title,
                TASKS.c.description,
                indexed=not walk,
                plain=shape.search_plain,
            )
        )
    due_date = column("due_date")
    if shape.due_before:
        conditions.append(due_date < typed("due_before", TASKS.c.due_date))
    if shape.due_after:
        conditions.append(due_date > typed("due_after", TASKS.c.due_date))
    if shape.overdue is not None:
        overdue = is_overdue(due_date=due_date, status=column("status"))
        conditions.append(overdue if shape.overdue else not_(overdue))
    if shape.numbers:
        conditions.append(one_of(TASKS.c.number, "numbers"))
    return all_of([*conditions, *_grouping_filters(shape)])


def _grouping_filters(shape: ListShape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if shape.project is None:
        conditions.append(in_visible_project())
    else:
        conditions.append(in_project(owner=shape.owner, subprojects=shape.project))
    if shape.no_project is not None:
        conditions.append(
            TASKS.c.project_id.is_(None) if shape.no_project else TASKS.c.project_id.isnot(None)
        )
    if shape.every_label:
        conditions.append(has_every_label())
    if shape.any_label:
        conditions.append(has_any_label())
    if shape.not_label:
        conditions.append(has_no_label())
    return conditions


def capped(shape: ListShape) -> bool:
    """Whether an offset page's total is counted up to COUNT_CAP + 1 (else the tallies know
    it exactly)."""
    return not _tallied(shape)


def _tallied(shape: ListShape) -> bool:
    """Whether the tallies know the list's total: filters on status, priority and project
    only."""
    return not (
        shape.search
        or shape.due_before
        or shape.due_after
        or shape.overdue is not None
        or shape.numbers
        or shape.every_label
        or shape.any_label
        or shape.not_label
    )


def _tallied_total(shape: ListShape) -> Select[Any]:
    """The list's total as the sum of the tallies its filters select."""
    project = func.nullif(TALLIES.c.project_key, _NO_PROJECT, type_=TASKS.c.project_id.type)
    conditions: list[ColumnElement[bool]] = []
    if shape.owner:
        conditions.append(TALLIES.c.user_id == OWNER)
    if shape.status:
        conditions.append(one_of(TALLIES.c.status, "status"))
    if shape.priority:
        conditions.append(one_of(TALLIES.c.priority, "priority"))
    if shape.project is None:
        conditions.append(in_visible_project(project))
    else:
        conditions.append(in_project(owner=shape.owner, subprojects=shape.project, column=project))
    if shape.no_project is not None:
        conditions.append(project.is_(None) if shape.no_project else project.isnot(None))
    return select(func.coalesce(func.sum(TALLIES.c.n), 0).label("total")).where(all_of(conditions))


def _matches(shape: ListShape) -> Select[Any]:
    """The ids of up to COUNT_CAP + 1 matching tasks; on SQLite a search's are looked up in
    the trigram index first (its MATCH is a superset; the filters then decide)."""
    if not shape.search_indexed:
        return select(TASKS.c.id).where(_filters(shape)).limit(COUNT_CAP + 1)
    found = text_index_match("search_index", index="task_search", table="tasks")
    return (
        select(TASKS.c.id)
        .select_from(TEXT_INDEX.join(TASKS, found))
        .where(_filters(shape, by_text_index=True))
        .limit(COUNT_CAP + 1)
    )


@statement_cache
def page_statement(shape: ListShape) -> Select[Any]:
    """One page of tasks, and in offset mode their total (see `pagination.page_statement`):
    read from the tallies where they know it, else counted up to COUNT_CAP + 1.

    A counted list's page comes from one of two branches, chosen as the statement runs by
    how many tasks match: up to COUNT_CAP, from those matches (found through the indexes of
    the filters: text, due dates, numbers) sorted; more, by walking the sort's index and
    testing each task, which finds a page of a list that common after a few rows.
    """
    extra = [LABEL_NAMES]
    if shape.sort == "project":
        extra += [PROJECT_POSITION, PROJECT_NAME]
    order = keyset(shape.sort, shape.descending)
    where = _filters(shape)
    if shape.after_nulls is not None:
        return paged(TASKS, where, order, after_nulls=shape.after_nulls, extra=extra)
    if _tallied(shape):
        return paged(
            TASKS, where, order, after_nulls=None, extra=extra, total=_tallied_total(shape)
        )
    matches = _matches(shape).cte("matches")
    total = select(func.count().label("total")).select_from(matches)
    # The branch not taken gets LIMIT 0, which both databases evaluate before reading a row.
    many = total.scalar_subquery() > COUNT_CAP
    found = TASKS.c.id.in_(select(matches.c.id))
    few = offset_page(
        TASKS, found, order, extra=extra, limit=case((many, 0), else_=LIMIT)
    ).subquery("few")
    walked = _filters(shape, walk=True)
    common = offset_page(
        TASKS, walked, order, extra=extra, limit=case((many, LIMIT), else_=0)
    ).subquery("common")
    either = union_all(select(*few.c), select(*common.c)).subquery("page")
    return with_total(either, total, order)


def _task_by_id(*, own: bool) -> Select[Any]:
    statement = select(*WITH_LABELS).where(TASKS.c.id == TASK_ID)
    return statement.where(TASKS.c.user_id == OWNER) if own else statement


OWN_TASK = _task_by_id(own=True)
ANY_TASK = _task_by_id(own=False)


_NO_PROJECT = literal(NO_PROJECT_KEY, TALLIES.c.project_key.type)
TODAY = bindparam("today", type_=DUE_TALLIES.c.due_day.type)
DAY_START = typed("day_start", TASKS.c.due_date)


@statement_cache
def stats_statement(*, owner: bool) -> CompoundSelect[Any]:
    """In one statement, from the tallies and not the tasks: counts by status and priority
    (`kind` 's'), tasks per project with its name (NULL: in none; 'p'), the overdue count
    ('o': open tasks due on earlier days, plus those due today before now), tasks per label
    ('l')."""
    no_id = cast(null(), TASKS.c.project_id.type).label("project_id")
    by_status = select(
        literal("s").label("kind"),
        TALLIES.c.status,
        TALLIES.c.priority,
        no_id,
        cast(null(), String()).label("name"),
        func.sum(TALLIES.c.n).label("count"),
    ).group_by(TALLIES.c.status, TALLIES.c.priority)
    project = func.nullif(TALLIES.c.project_key, _NO_PROJECT, type_=TASKS.c.project_id.type)
    by_project = (
        select(literal("p"), null(), null(), project, PROJECTS.c.name, func.sum(TALLIES.c.n))
        .select_from(TALLIES.outerjoin(PROJECTS, PROJECTS.c.id == TALLIES.c.project_key))
        # A deleted project's tally stays behind (at zero): it is not a project any more.
        .where(or_(TALLIES.c.project_key == _NO_PROJECT, PROJECTS.c.id.isnot(None)))
        .group_by(TALLIES.c.project_key, PROJECTS.c.name)
        .having(func.sum(TALLIES.c.n) > 0)
    )
    earlier = select(func.coalesce(func.sum(DUE_TALLIES.c.n), 0)).where(
        DUE_TALLIES.c.due_day < TODAY
    )
    today = select(func.count()).where(is_overdue(), TASKS.c.due_date >= DAY_START)
    by_label = (
        select(literal("l"), null(), null(), null(), LABELS.c.name, func.count())
        .select_from(TASK_LABELS.join(LABELS, LABELS.c.id == TASK_LABELS.c.label_id))
        .group_by(LABELS.c.id, LABELS.c.name)
    )
    if owner:
        by_status = by_status.where(TALLIES.c.user_id == OWNER)
        by_project = by_project.where(TALLIES.c.user_id == OWNER)
        earlier = earlier.where(DUE_TALLIES.c.user_id == OWNER)
        today = today.where(TASKS.c.user_id == OWNER)
        by_label = by_label.where(LABELS.c.user_id == OWNER)
    overdue = select(
        literal("o"),
        null(),
        null(),
        null(),
        null(),
        earlier.scalar_subquery() + today.scalar_subquery(),
    )
    return union_all(by_status, by_project, overdue, by_label)


# --- writes -----------------------------------------------------------------------------

_USERS = User.__table__
# Every task write bumps its owner's cache version in the same transaction: cached reads are
# keyed by that version, so none from before the write can be served after it.
_BUMP = update(User).values(cache_version=User.cache_version + 1)
BUMP_OWNERS = _BUMP.where(one_of(_USERS.c.id, "owners"))

# The owner's next `count` task numbers (never reused), for an owner who is an active user,
# requested by a live caller; answers the last number handed out.
ALLOCATE_NUMBERS = (
    update(User)
    .where(User.id == OWNER, User.is_active.is_(True), caller_is_live())
    .values(
        task_seq=User.task_seq + bindparam("count"),
        cache_version=User.cache_version + 1,
    )
    .returning(User.task_seq)
)
_NEW_TASK_COLUMNS = [column for column in COLUMNS if column.name != "number"]
INSERT_TASK = insert(Task)


def _insert_allocated() -> Insert:
    # PostgreSQL: the allocation and the insert as one statement; no row when the owner is not
    # an active user or the caller is not live.
    allocated = ALLOCATE_NUMBERS.cte("allocated")
    row = select(
        *(typed(column.name, column) for column in _NEW_TASK_COLUMNS), allocated.c.task_seq
    )
    return (
        insert(Task)
        .from_select([*(column.name for column in _NEW_TASK_COLUMNS), "number"], row)
        .returning(Task.number)
    )


INSERT_ALLOCATED = _insert_allocated()


def set_clause(fields: tuple[str, ...], *, status: TaskStatus | None) -> dict[str, Any]:
    """The SET of a patch of `fields` (bound by their names), with the `completedAt` rule:
    completing sets it (once: an already completed task keeps its time), leaving clears it."""
    values: dict[str, Any] = {field: typed(field, TASKS.c[field]) for field in fields}
    if status is TaskStatus.COMPLETED:
        values["completed_at"] = case(
            (TASKS.c.status == TaskStatus.COMPLETED, TASKS.c.completed_at), else_=NOW
        )
    elif status is not None:
        values["completed_at"] = None
    values["updated_at"] = NOW
    values["version"] = TASKS.c.version + 1
    return values


def _differs(fields: tuple[str, ...]) -> ColumnElement[bool]:
    """SQL: some field has a value other than the one sent."""
    return or_(*(TASKS.c[field].is_distinct_from(typed(field, TASKS.c[field])) for field in fields))


@statement_cache
def update_statement(
    fields: tuple[str, ...], *, status: TaskStatus | None, if_match: bool
) -> Update:
    """A patch of one visible task by a live caller, only when it changes something.

    No row comes back when the task is absent or not the caller's, the caller is not live,
    If-Match names another version, or every field already has the value sent.
    """
    conditions = [TASKS.c.id == TASK_ID, visible_to_caller(), caller_is_live()]
    if if_match:
        conditions.append(one_of(TASKS.c.version, "if_match"))
    conditions.append(_differs(fields))
    return (
        update(Task)
        .where(*conditions)
        .values(set_clause(fields, status=status))
        .returning(*WITH_LABELS)
    )


@statement_cache
def delete_statement(*, if_match: bool) -> ReturningDelete[Any]:
    conditions = [TASKS.c.id == TASK_ID, visible_to_caller(), caller_is_live()]
    if if_match:
        conditions.append(one_of(TASKS.c.version, "if_match"))
    return delete(Task).where(*conditions).returning(TASKS.c.id, TASKS.c.user_id)


LOCK_TASK = (
    select(TASKS.c.user_id, TASKS.c.version)
    .where(TASKS.c.id == TASK_ID, visible_to_caller())
    .with_for_update()
)
VISIBLE_TASK = select(*WITH_LABELS).where(TASKS.c.id == TASK_ID, visible_to_caller())
# A task whose labels changed gets a new version, as for any other change.
TOUCH_TASKS = (
    update(Task)
    .where(one_of(TASKS.c.id, "ids"))
    .values(updated_at=NOW, version=TASKS.c.version + 1)
)


def _batch_scope() -> list[ColumnElement[bool]]:
    return [one_of(TASKS.c.id, "ids"), visible_to_caller(), caller_is_live()]


BATCH_DELETE = delete(Task).where(*_batch_scope()).returning(TASKS.c.id, TASKS.c.user_id)
_ALREADY_DONE = TASKS.c.status == TaskStatus.COMPLETED
# Completing a completed task changes nothing (not its version, nor its completion time).
BATCH_COMPLETE = (
    update(Task)
    .where(*_batch_scope())
    .values(
        status=TaskStatus.COMPLETED,
        completed_at=case((_ALREADY_DONE, TASKS.c.completed_at), else_=NOW),
        updated_at=case((_ALREADY_DONE, TASKS.c.updated_at), else_=NOW),
        version=case((_ALREADY_DONE, TASKS.c.version), else_=TASKS.c.version + 1),
    )
    .returning(TASKS.c.id, TASKS.c.user_id)
)
BATCH_VISIBLE = select(TASKS.c.id, TASKS.c.user_id).where(*_batch_scope())
LOCK_BATCH = (
    select(TASKS.c.id, TASKS.c.user_id, TASKS.c.version)
    .where(*_batch_scope())
    .order_by(TASKS.c.id)
    .with_for_update()
)


@statement_cache
def batch_update_statement(fields: tuple[str, ...], *, status: TaskStatus | None) -> Update:
    """Every visible task gets the fields; only those it changes get a new version (a task
    that has the values already keeps its ETag, as with a PATCH)."""
    values = set_clause(fields, status=status)
    changed = _differs(fields)
    values["updated_at"] = case((changed, NOW), else_=TASKS.c.updated_at)
    values["version"] = case((changed, TASKS.c.version + 1), else_=TASKS.c.version)
    return (
        update(Task)
        .where(*_batch_scope())
        .values(values)
        .returning(TASKS.c.id, TASKS.c.user_id, TASKS.c.version)
    )


@statement_cache
def bumping(statement: Update | Delete) -> Select[Any]:
    """PostgreSQL: `statement` (which returns `user_id`) and the bump of every owner it
    touched, as one statement. The task rows are locked before their owners' rows, the order
    every task write takes them in."""
    changed = statement.cte("changed")
    owners = select(changed.c.user_id)
    bumped = _BUMP.where(_USERS.c.id.in_(owners)).cte("bumped")
    return select(changed).add_cte(bumped)
