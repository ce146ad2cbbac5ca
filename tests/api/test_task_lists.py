"""GET /tasks: filters, sorting, offset and cursor pagination, admin scopes, stats."""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from taskflow_core.runtime import Runtime
from tests.conftest import bearer, make_admin, make_task, register

NOW = datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()["data"]]


@pytest.fixture
def board(client: TestClient, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Five tasks covering every filter."""
    specs = {
        "late report": {"priority": "HIGH", "dueDate": iso(NOW - timedelta(days=2))},
        "late but done": {
            "priority": "LOW",
            "status": "COMPLETED",
            "dueDate": iso(NOW - timedelta(days=1)),
        },
        "Buy 100% cotton": {"priority": "MEDIUM", "description": "socks_for_winter"},
        "plan trip": {
            "priority": "LOW",
            "status": "IN_PROGRESS",
            "dueDate": iso(NOW + timedelta(days=3)),
            "description": "Check the REPORT archive",
        },
        "call mum": {"priority": "HIGH", "dueDate": iso(NOW + timedelta(days=10))},
    }
    return {title: make_task(client, headers, title=title, **spec) for title, spec in specs.items()}


def test_default_sort_is_newest_first(
    client: TestClient, headers: dict[str, str], board: Any
) -> None:
    assert titles(client.get("/tasks", headers=headers)) == list(reversed(board))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=PENDING", {"late report", "Buy 100% cotton", "call mum"}),
        ("status=PENDING,IN_PROGRESS", {"late report", "Buy 100% cotton", "call mum", "plan trip"}),
        ("status=COMPLETED&status=IN_PROGRESS", {"late but done", "plan trip"}),
        ("priority=HIGH", {"late report", "call mum"}),
        ("priority=LOW&status=COMPLETED", {"late but done"}),
        ("search=report", {"late report", "plan trip"}),
        ("search=100%25", {"Buy 100% cotton"}),
        ("search=s_f", {"Buy 100% cotton"}),
        ("search=_", {"Buy 100% cotton"}),
        ("overdue=true", {"late report"}),
        ("overdue=false", {"late but done", "Buy 100% cotton", "plan trip", "call mum"}),
        ("number=2", {"late but done"}),
        ("number=2,4", {"late but done", "plan trip"}),
        ("number=4&number=2&number=99", {"late but done", "plan trip"}),
        ("number=1, 5", {"late report", "call mum"}),
    ],
)
def test_filters(
    client: TestClient, headers: dict[str, str], board: Any, query: str, expected: set[str]
) -> None:
    response = client.get(f"/tasks?{query}", headers=headers)
    assert set(titles(response)) == expected
    assert response.json()["meta"]["total"] == len(expected)


def test_due_date_window(client: TestClient, headers: dict[str, str], board: Any) -> None:
    after, before = iso(NOW - timedelta(days=1, hours=12)), iso(NOW + timedelta(days=5))
    response = client.get(
        "/tasks", headers=headers, params={"dueAfter": after, "dueBefore": before}
    )
    assert set(titles(response)) == {"late but done", "plan trip"}


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        (
            "priority",
            "desc",
            ["call mum", "late report", "Buy 100% cotton", "plan trip", "late but done"],
        ),
        (
            "status",
            "asc",
            ["Buy 100% cotton", "call mum", "late report", "plan trip", "late but done"],
        ),
        (
            "dueDate",
            "asc",
            ["late report", "late but done", "plan trip", "call mum", "Buy 100% cotton"],
        ),
        (
            "dueDate",
            "desc",
            ["Buy 100% cotton", "call mum", "plan trip", "late but done", "late report"],
        ),
        (
            "number",
            "asc",
            ["late report", "late but done", "Buy 100% cotton", "plan trip", "call mum"],
        ),
        (
            "title",
            "asc",
            ["Buy 100% cotton", "call mum", "late but done", "late report", "plan trip"],
        ),
    ],
)
def test_sorting_follows_workflow_order_and_puts_missing_due_dates_last(
    client: TestClient,
    headers: dict[str, str],
    board: Any,
    sort: str,
    order: str,
    expected: list[str],
) -> None:
    response = client.get(f"/tasks?sort={sort}&order={order}", headers=headers)
    got = titles(response)
    if sort in ("priority", "status"):
        # Ties are broken by id, which is random: compare within each tie group.
        key = {t["title"]: t[sort] for t in response.json()["data"]}
        assert [key[t] for t in got] == [key[t] for t in expected]
    else:
        assert got == expected


@pytest.mark.parametrize(
    "query",
    [
        "sort=owner",
        "order=sideways",
        "status=DONE",
        "overdue=maybe",
        "page=0",
        "limit=0",
        "limit=101",
        "dueBefore=yesterday",
        "number=0",
        "number=1,0",
        "number=2147483648",
        "number=-3",
        "number=1,x",
        "page=abc",
    ],
)
def test_bad_query_parameters_are_rejected_not_ignored(
    client: TestClient, headers: dict[str, str], query: str
) -> None:
    response = client.get(f"/tasks?{query}", headers=headers)
    assert response.status_code in (400, 422)
    assert response.json()["errors"][0]["field"] == query.split("=", maxsplit=1)[0]


def test_more_than_100_numbers_are_refused(client: TestClient, headers: dict[str, str]) -> None:
    numbers = ",".join(str(n) for n in range(1, 102))

    response = client.get(f"/tasks?number={numbers}", headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "number"
    assert client.get(f"/tasks?number={numbers[:-4]}", headers=headers).status_code == 200


def test_numbers_select_only_the_callers_own_tasks(
    client: TestClient, headers: dict[str, str], board: Any
) -> None:
    other = bearer(register(client))
    make_task(client, other, title="theirs")

    assert titles(client.get("/tasks?number=1,2", headers=other)) == ["theirs"]
    assert set(titles(client.get("/tasks?number=1,2", headers=headers))) == {
        "late report",
        "late but done",
    }


def test_urgency_puts_the_earliest_due_first_then_the_undated_ties_by_priority_then_number(
    client: TestClient, headers: dict[str, str]
) -> None:
    soon, late = iso(NOW + timedelta(days=1)), iso(NOW - timedelta(hours=5))
    for title, fields in [
        ("undated low", {"priority": "LOW"}),
        ("undated high", {"priority": "HIGH"}),
        ("soon medium", {"priority": "MEDIUM", "dueDate": soon}),
        ("soon high", {"priority": "HIGH", "dueDate": soon}),
        ("overdue low", {"priority": "LOW", "dueDate": late}),
        ("soon high too", {"priority": "HIGH", "dueDate": soon}),
        ("undated high too", {"priority": "HIGH"}),
    ]:
        make_task(client, headers, title=title, **fields)
    expected = [
        "overdue low",
        "soon high",
        "soon high too",
        "soon medium",
        "undated high",
        "undated high too",
        "undated low",
    ]

    assert titles(client.get("/tasks?sort=urgency&order=asc", headers=headers)) == expected
    assert titles(client.get("/tasks?sort=urgency&order=desc", headers=headers)) == list(
        reversed(expected)
    )
    pages: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"sort": "urgency", "order": "asc", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/tasks", headers=headers, params=params).json()
        pages += [task["title"] for task in body["data"]]
        cursor = body["meta"]["nextCursor"]
        if cursor is None:
            break
    assert pages == expected


def test_an_urgency_cursor_is_refused_for_the_due_date_sort(
    client: TestClient, headers: dict[str, str], many: list[str]
) -> None:
    cursor = client.get("/tasks?limit=5&sort=urgency&order=asc", headers=headers).json()
    response = client.get(
        "/tasks",
        headers=headers,
        params={"cursor": cursor["meta"]["nextCursor"], "sort": "dueDate", "order": "asc"},
    )

    assert response.status_code == 400


def test_limit_over_100_is_422_not_clamped(client: TestClient, headers: dict[str, str]) -> None:
    assert client.get("/tasks?limit=101", headers=headers).status_code == 422
    assert client.get("/tasks?limit=abc", headers=headers).status_code == 400


@pytest.fixture
def many(client: TestClient, runtime: Runtime, headers: dict[str, str]) -> list[str]:
    """37 tasks with few distinct priorities, titles and due dates, so sorts have long ties."""
    rng = random.Random(7)
    ids = []
    for n in range(37):
        due = NOW + timedelta(days=rng.choice([1, 2, 3])) if n % 4 else None
        task = make_task(
            client,
            headers,
            title=rng.choice(["a", "b", "c"]),
            priority=rng.choice(["LOW", "HIGH"]),
            dueDate=iso(due) if due else None,
        )
        ids.append(task["id"])
    return ids


SORTS = [
    (s, o)
    for s in ("createdAt", "dueDate", "priority", "status", "title", "number", "urgency")
    for o in ("asc", "desc")
]


@pytest.mark.parametrize(("sort", "order"), SORTS)
def test_offset_pages_cover_every_task_once(
    client: TestClient, headers: dict[str, str], many: list[str], sort: str, order: str
) -> None:
    seen: list[str] = []
    for page in range(1, 5):
        body = client.get(
            f"/tasks?sort={sort}&order={order}&limit=10&page={page}", headers=headers
        ).json()
        assert body["meta"] | {"nextCursor": None} == {
            "total": 37,
            "page": page,
            "limit": 10,
            "totalPages": 4,
            "nextCursor": None,
            "totalIsEstimate": False,
        }
        seen += [task["id"] for task in body["data"]]
    assert sorted(seen) == sorted(many)


@pytest.mark.parametrize(("sort", "order"), SORTS)
def test_cursor_pages_cover_every_task_once_in_the_same_order_as_one_big_page(
    client: TestClient, headers: dict[str, str], many: list[str], sort: str, order: str
) -> None:
    whole = client.get(f"/tasks?sort={sort}&order={order}&limit=100", headers=headers).json()
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"sort": sort, "order": order, "limit": 8}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/tasks", headers=headers, params=params).json()
        seen += [task["id"] for task in body["data"]]
        pages += 1
        if cursor:
            assert body["meta"]["total"] is None
        cursor = body["meta"]["nextCursor"]
        if cursor is None:
            break
    assert pages == 5
    assert seen == [task["id"] for task in whole["data"]]


def test_cursor_pages_do_not_skip_or_repeat_when_tasks_are_added_meanwhile(
    client: TestClient, headers: dict[str, str], many: list[str]
) -> None:
    first = client.get("/tasks?limit=10", headers=headers).json()
    make_task(client, headers, title="newer")  # lands before the cursor: not in later pages
    rest: list[str] = []
    cursor = first["meta"]["nextCursor"]
    while cursor:
        body = client.get("/tasks", headers=headers, params={"limit": 10, "cursor": cursor}).json()
        rest += [t["id"] for t in body["data"]]
        cursor = body["meta"]["nextCursor"]
    assert sorted([t["id"] for t in first["data"]] + rest) == sorted(many)


def test_a_tampered_cursor_is_400(
    client: TestClient, headers: dict[str, str], many: list[str]
) -> None:
    cursor = client.get("/tasks?limit=5", headers=headers).json()["meta"]["nextCursor"]
    middle = len(cursor) // 2
    tampered = cursor[:middle] + ("A" if cursor[middle] != "A" else "B") + cursor[middle + 1 :]
    for bad in (tampered, "garbage", cursor + "x", cursor[:-4], ""):
        response = client.get("/tasks", headers=headers, params={"cursor": bad, "limit": 5})
        assert response.status_code == 400 or (bad == "" and response.status_code == 200)


def test_a_cursor_does_not_reveal_what_it_holds(
    client: TestClient, headers: dict[str, str], many: list[str]
) -> None:
    make_task(client, headers, title="zz the title a cursor holds")
    page = client.get("/tasks?sort=title&order=desc&limit=1", headers=headers).json()
    cursor = page["meta"]["nextCursor"]
    title = page["data"][0]["title"]
    assert title == "zz the title a cursor holds"
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert title.encode() not in raw
    assert page["data"][0]["id"].encode() not in raw


def test_a_cursor_is_bound_to_its_sort(
    client: TestClient, headers: dict[str, str], many: list[str]
) -> None:
    cursor = client.get("/tasks?limit=5&sort=title", headers=headers).json()["meta"]["nextCursor"]
    response = client.get("/tasks", headers=headers, params={"cursor": cursor, "sort": "dueDate"})
    assert response.status_code == 400
    assert "cursor" in response.json()["detail"].lower()


def test_a_page_past_the_end_is_empty(
    client: TestClient, headers: dict[str, str], board: Any
) -> None:
    body = client.get("/tasks?page=9", headers=headers).json()
    assert body["data"] == []
    assert body["meta"]["total"] == 5


def test_users_only_ever_list_their_own_tasks(
    client: TestClient, headers: dict[str, str], board: Any
) -> None:
    other = bearer(register(client))
    make_task(client, other, title="theirs")
    assert titles(client.get("/tasks", headers=other)) == ["theirs"]
    assert "theirs" not in titles(client.get("/tasks", headers=headers))


def test_a_user_cannot_list_another_users_tasks(
    client: TestClient, headers: dict[str, str], user: Any
) -> None:
    other = register(client)
    response = client.get(f"/tasks?userId={other['user']['id']}", headers=headers)
    assert response.status_code == 403
    assert client.get("/tasks?userId=*", headers=headers).status_code == 403
    own = client.get(f"/tasks?userId={user['user']['id']}", headers=headers)
    assert own.status_code == 200


def test_admin_lists_one_owner_or_everyone(
    client: TestClient, runtime: Runtime, headers: dict[str, str], user: Any, board: Any
) -> None:
    admin = bearer(make_admin(client, runtime))
    other = bearer(register(client))
    make_task(client, other, title="theirs")
    assert client.get("/tasks", headers=admin).json()["meta"]["total"] == 0
    mine = client.get(f"/tasks?userId={user['user']['id']}", headers=admin).json()
    assert mine["meta"]["total"] == 5
    everyone = client.get("/tasks?userId=*&limit=100", headers=admin).json()
    assert everyone["meta"]["total"] == 6
    assert client.get("/tasks?userId=nonsense", headers=admin).status_code == 400


def test_stats_count_by_status_priority_and_overdue(
    client: TestClient, headers: dict[str, str], board: Any
) -> None:
    assert client.get("/tasks/stats", headers=headers).json() == {
        "total": 5,
        "byStatus": {"PENDING": 3, "IN_PROGRESS": 1, "COMPLETED": 1},
        "byPriority": {"LOW": 2, "MEDIUM": 1, "HIGH": 2},
        "overdue": 1,
        "byProject": [{"projectId": None, "name": None, "count": 5}],
        "byLabel": [],
    }


def test_stats_for_an_admin_cover_one_owner_or_all(
    client: TestClient, runtime: Runtime, user: Any, board: Any
) -> None:
    admin = bearer(make_admin(client, runtime))
    assert client.get("/tasks/stats", headers=admin).json()["total"] == 0
    owner = client.get(f"/tasks/stats?userId={user['user']['id']}", headers=admin).json()
    assert owner["total"] == 5
    assert client.get("/tasks/stats?userId=*", headers=admin).json()["total"] == 5
    assert client.get("/tasks/stats?userId=*", headers=bearer(register(client))).status_code == 403


def test_a_misspelt_filter_is_refused_rather_than_ignored(
    client: TestClient, headers: dict[str, str], board: Any
) -> None:
    response = client.get("/tasks?stauts=PENDING", headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "stauts", "message": "unknown field"}]
