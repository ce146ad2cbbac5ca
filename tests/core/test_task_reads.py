"""`runtime.task_reads`: pages (filters, sorts, cursors), search, single tasks and stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from taskflow_core.domain.enums import TaskPriority, TaskStatus
from taskflow_core.domain.errors import NotFound, PermissionDenied
from taskflow_core.runtime import Runtime
from taskflow_core.schemas import TaskOut
from tests.core.conftest import (
    SignedIn,
    list_tasks,
    make_admin,
    make_task,
    read_stats,
    read_task,
    register,
)

pytestmark = pytest.mark.anyio

NOW = datetime.now(UTC).replace(microsecond=0)
# title: the task's other fields. Numbered 1 to 8 in this order.
BOARD: dict[str, dict[str, Any]] = {
    "late report": {"priority": TaskPriority.HIGH, "due_date": NOW - timedelta(days=2)},
    "late but done": {
        "priority": TaskPriority.LOW,
        "status": TaskStatus.COMPLETED,
        "due_date": NOW - timedelta(days=1),
    },
    "Buy 100% cotton": {"description": "socks_for_winter"},
    "plan trip": {
        "priority": TaskPriority.LOW,
        "status": TaskStatus.IN_PROGRESS,
        "due_date": NOW + timedelta(days=3),
        "description": "Check the REPORT archive",
    },
    "call mum": {"priority": TaskPriority.HIGH, "due_date": NOW + timedelta(days=10)},
    "Ünïcode café": {"description": "naïve"},
    "C:\\temp\\new": {"priority": TaskPriority.HIGH, "due_date": NOW + timedelta(days=3)},
    "ÉTÉ plans": {"priority": TaskPriority.HIGH, "description": "ünï in lower case"},
}


@pytest.fixture
async def me(runtime: Runtime) -> SignedIn:
    return await register(runtime)


@pytest.fixture
async def board(runtime: Runtime, me: SignedIn) -> dict[str, TaskOut]:
    return {
        title: await make_task(runtime, me.caller, title=title, **fields)
        for title, fields in BOARD.items()
    }


async def numbers(runtime: Runtime, me: SignedIn, **query: Any) -> list[int]:
    """The numbers of the tasks on the page, in order; the page's total must agree."""
    page = await list_tasks(runtime, me.caller, **query | {"limit": 100})
    assert page.meta.total == len(page.data), query
    return [task.number for task in page.data]


async def test_filters_combine_and_count_what_they_match(
    runtime: Runtime, me: SignedIn, board: dict[str, TaskOut]
) -> None:
    cases: list[tuple[dict[str, Any], set[int]]] = [
        ({"status": ["PENDING", "IN_PROGRESS"], "priority": ["HIGH"]}, {1, 5, 7, 8}),
        ({"overdue": True}, {1}),
        ({"overdue": False, "due_before": NOW + timedelta(days=5)}, {2, 4, 7}),
        ({"due_after": NOW, "due_before": NOW + timedelta(days=5)}, {4, 7}),
        ({"due_after": NOW + timedelta(days=3)}, {5}),
        ({"number": [2, 4, 99]}, {2, 4}),
        ({"number": list(range(1, 9)), "status": ["COMPLETED"]}, {2}),
        ({"search": "report", "status": ["IN_PROGRESS"]}, {4}),
        ({"search": "report", "priority": ["LOW", "MEDIUM"]}, {4}),
        ({"status": ["COMPLETED"], "overdue": True}, set()),
    ]
    for query, expected in cases:
        assert set(await numbers(runtime, me, **query)) == expected, query


async def test_search_takes_wildcards_and_backslashes_literally(
    runtime: Runtime, me: SignedIn, board: dict[str, TaskOut]
) -> None:
    cases = {"%": {3}, "100%": {3}, "_": {3}, "s_f": {3}, "\\": {7}, "\\t": {7}, "report": {1, 4}}
    for term, expected in cases.items():
        assert set(await numbers(runtime, me, search=term)) == expected, term


async def test_search_ignores_the_case_of_non_ascii_letters(
    runtime: Runtime, me: SignedIn, board: dict[str, TaskOut]
) -> None:
    # In titles and descriptions alike, whichever side is upper case.
    cases = {"ünï": {6, 8}, "ÜNÏ": {6, 8}, "CAFÉ": {6}, "été": {8}, "NAÏVE": {6}}
    for term, expected in cases.items():
        assert set(await numbers(runtime, me, search=term)) == expected, term


URGENCY = [1, 2, 7, 4, 5, 8, 3, 6]


async def test_urgency_puts_the_earliest_due_first_then_the_undated_then_the_important_then_the_old(
    runtime: Runtime, me: SignedIn, board: dict[str, TaskOut]
) -> None:
    assert await numbers(runtime, me, sort="urgency") == URGENCY
    assert await numbers(runtime, me, sort="urgency", order="asc") == URGENCY
    assert await numbers(runtime, me, sort="urgency", order="desc") == URGENCY[::-1]


@pytest.mark.parametrize(("order", "expected"), [("asc", URGENCY), ("desc", URGENCY[::-1])])
async def test_cursor_pages_by_urgency_cover_every_task_once_in_order(
    runtime: Runtime, me: SignedIn, board: dict[str, TaskOut], order: str, expected: list[int]
) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        page = await list_tasks(
            runtime, me.caller, sort="urgency", order=order, limit=3, cursor=cursor
        )
        if cursor is not None:
            assert page.meta.total is None
        seen += [task.number for task in page.data]
        cursor = page.meta.next_cursor
        if cursor is None:
            break
    assert seen == expected


async def test_an_offset_pages_next_cursor_continues_where_it_ended(
    runtime: Runtime, me: SignedIn, board: dict[str, TaskOut]
) -> None:
    first = await list_tasks(runtime, me.caller, sort="urgency", limit=3, page=1)
    assert (first.meta.total, first.meta.total_pages) == (8, 3)
    then = await list_tasks(
        runtime, me.caller, sort="urgency", limit=3, cursor=first.meta.next_cursor
    )
    by_page = await list_tasks(runtime, me.caller, sort="urgency", limit=3, page=2)
    assert then.data == by_page.data
    assert [task.number for task in first.data + then.data] == URGENCY[:6]
    last = await list_tasks(runtime, me.caller, sort="urgency", limit=3, page=3)
    assert (len(last.data), last.meta.next_cursor) == (2, None)


async def test_stats_count_every_status_and_priority_and_the_overdue(
    runtime: Runtime, me: SignedIn, board: dict[str, TaskOut]
) -> None:
    stats = await read_stats(runtime, me.caller)
    assert (stats.total, stats.overdue) == (8, 1)
    assert stats.by_status == {
        TaskStatus.PENDING: 6,
        TaskStatus.IN_PROGRESS: 1,
        TaskStatus.COMPLETED: 1,
    }
    assert stats.by_priority == {
        TaskPriority.LOW: 2,
        TaskPriority.MEDIUM: 2,
        TaskPriority.HIGH: 4,
    }


async def test_stats_of_an_empty_account_name_every_status_and_priority(
    runtime: Runtime, me: SignedIn
) -> None:
    stats = await read_stats(runtime, me.caller)
    assert (stats.total, stats.overdue) == (0, 0)
    assert stats.by_status == dict.fromkeys(TaskStatus, 0)
    assert stats.by_priority == dict.fromkeys(TaskPriority, 0)


async def test_a_users_reads_cover_their_own_tasks_and_an_admins_any_owners(
    runtime: Runtime, me: SignedIn, board: dict[str, TaskOut]
) -> None:
    admin, other = await make_admin(runtime), await register(runtime)
    theirs = await make_task(runtime, other.caller, title="their report")
    assert await numbers(runtime, me, search="report", user_id=me.user_id) == [4, 1]
    for scope in (other.user_id, "*"):
        with pytest.raises(PermissionDenied):
            await list_tasks(runtime, me.caller, user_id=scope)
        with pytest.raises(PermissionDenied):
            await read_stats(runtime, me.caller, scope)
    with pytest.raises(NotFound):
        await read_task(runtime, me.caller, theirs.id)

    everyone = await list_tasks(runtime, admin.caller, user_id="*", search="report")
    assert {task.id for task in everyone.data} == {
        board["late report"].id,
        board["plan trip"].id,
        theirs.id,
    }
    assert (await list_tasks(runtime, admin.caller)).data == []
    assert (await list_tasks(runtime, admin.caller, user_id=other.user_id)).data == [theirs]
    assert (await read_stats(runtime, admin.caller, "*")).total == 9
    assert (await read_stats(runtime, admin.caller, me.user_id)).total == 8
    assert await read_task(runtime, admin.caller, theirs.id) == theirs


async def test_search_takes_greek_final_sigma_for_the_sigma_it_is(
    runtime: Runtime, me: SignedIn
) -> None:
    """ "ΣΟΦΟΣ" in capitals is "σοφος" in lower case (a word's last sigma is written ς): each
    finds the other, on either database."""
    await make_task(runtime, me.caller, title="ΣΟΦΟΣ")
    await make_task(runtime, me.caller, title="σοφος λόγος")
    for term in ("σοφος", "ΣΟΦΟΣ", "Σοφος"):
        assert set(await numbers(runtime, me, search=term)) == {1, 2}, term
