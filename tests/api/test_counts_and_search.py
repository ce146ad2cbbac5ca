"""Issue 22: search through an index with the meaning it had, stats and totals from tallies
the writes keep, exact after every kind of write, and counts that stop at a threshold.

Each test holds the API to a reference computed in Python from the tasks as listed, so a
tally a write forgot, or a text index that misses a match, fails it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from taskflow_core.operations.tasks.statements import COUNT_CAP
from taskflow_core.runtime import Runtime
from tests.conftest import bearer, make_admin, make_task, register

NOW = datetime.now(UTC)

TEXTS = [
    ("Quarterly REPORT", None),
    ("report draft", "see the Report archive"),
    ("École du soir", "CAFÉ au lait"),
    ("ΟΔΟΣ", "σοφός"),
    ("İstanbul trip", "KELVIN \u212a scale"),
    ("Straße fegen", None),
    ("Buy 100% cotton", "socks_for_winter"),
    ('say "hello" NEAR(x) AND *', "a*b OR c"),
    ("ab", "xy"),
    ("mixed Case ÉCOLE", "ÆØÅ blåbær"),
]
TERMS = [
    "report",
    "REPORT",
    "ort dr",
    "re",
    "é",
    "école",
    "ÉCOLE",
    "café",
    "οδος",
    "ΟΔΟΣ",
    "σοφός",
    "ς",
    "i̇stanbul",
    "istanbul",
    "stanbul",
    "\u212a",
    "kelvin k",
    "straße",
    "STRASSE",
    "100%",
    "%",
    "_",
    "s_f",
    "0% c",
    '"hello"',
    "near(x) and *",
    "a*b",
    "ab",
    "xyz",
    "blåbær",
    "ØÅ",
]


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def every_task(
    client: TestClient, headers: dict[str, str], query: str = ""
) -> list[dict[str, Any]]:
    """Every task a list gives, through its cursor pages (which never count)."""
    tasks: list[dict[str, Any]] = []
    url = f"/tasks?limit=100&{query}"
    cursor = None
    while True:
        page = client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        tasks += body["data"]
        cursor = body["meta"]["nextCursor"]
        if cursor is None:
            return tasks


def contains(task: dict[str, Any], term: str) -> bool:
    needle = term.lower()
    return needle in task["title"].lower() or needle in (task["description"] or "").lower()


@pytest.mark.parametrize("term", TERMS)
def test_a_search_finds_exactly_the_tasks_that_contain_the_term_in_any_case(
    client: TestClient, headers: dict[str, str], term: str
) -> None:
    created = [
        make_task(client, headers, title=title, description=description)
        for title, description in TEXTS
    ]
    expected = sorted(task["id"] for task in created if contains(task, term))
    found = client.get("/tasks", params={"search": term, "limit": 100}, headers=headers)
    assert found.status_code == 200, found.text
    assert sorted(task["id"] for task in found.json()["data"]) == expected
    assert found.json()["meta"]["total"] == len(expected)
    by_cursor = every_task(client, headers, f"search={term.replace('%', '%25')}")
    assert sorted(task["id"] for task in by_cursor) == expected


def test_a_search_sees_a_patched_title_and_forgets_a_deleted_task(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers, title="alpha beta")
    other = make_task(client, headers, title="gamma", description="alpha inside")

    def found(term: str) -> list[str]:
        answer = client.get("/tasks", params={"search": term}, headers=headers).json()
        return sorted(t["id"] for t in answer["data"])

    assert found("alpha") == sorted([task["id"], other["id"]])
    client.patch(f"/tasks/{task['id']}", json={"title": "delta"}, headers=headers)
    assert found("alpha") == [other["id"]]
    assert found("delta") == [task["id"]]
    client.patch(f"/tasks/{other['id']}", json={"description": None}, headers=headers)
    assert found("alpha") == []
    client.delete(f"/tasks/{task['id']}", headers=headers)
    assert found("delta") == []


def expected_stats(tasks: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    def overdue(task: dict[str, Any]) -> bool:
        due = task["dueDate"]
        return (
            due is not None
            and task["status"] != "COMPLETED"
            and datetime.fromisoformat(due.replace("Z", "+00:00")) < now
        )

    by_project: dict[Any, int] = {}
    for task in tasks:
        by_project[task["projectId"]] = by_project.get(task["projectId"], 0) + 1
    return {
        "total": len(tasks),
        "byStatus": {
            status: sum(t["status"] == status for t in tasks)
            for status in ("PENDING", "IN_PROGRESS", "COMPLETED")
        },
        "byPriority": {
            priority: sum(t["priority"] == priority for t in tasks)
            for priority in ("LOW", "MEDIUM", "HIGH")
        },
        "overdue": sum(overdue(t) for t in tasks),
        "byProject": by_project,
    }


def check_stats(client: TestClient, headers: dict[str, str], projects: list[str]) -> None:
    """The stats and the tallied totals against what the tasks are now."""
    # Every task, archived projects' included: each project's tasks, then those in none.
    tasks = every_task(client, headers, "noProject=true")
    for project in projects:
        tasks += every_task(client, headers, f"project={project}&includeSubprojects=false")
    stats = client.get("/tasks/stats", headers=headers).json()
    expected = expected_stats(tasks, datetime.now(UTC))
    assert {k: stats[k] for k in ("total", "byStatus", "byPriority", "overdue")} == {
        k: expected[k] for k in ("total", "byStatus", "byPriority", "overdue")
    }
    assert {p["projectId"]: p["count"] for p in stats["byProject"]} == expected["byProject"]
    visible = every_task(client, headers)
    for query in ("", "status=PENDING", "status=PENDING,IN_PROGRESS", "priority=HIGH"):
        meta = client.get(f"/tasks?{query}", headers=headers).json()["meta"]
        wanted = [t for t in visible if all(_keeps(t, part) for part in query.split("&") if part)]
        assert (meta["total"], meta["totalIsEstimate"]) == (len(wanted), False), query


def _keeps(task: dict[str, Any], part: str) -> bool:
    name, _, value = part.partition("=")
    return task[name] in value.split(",")


def test_stats_and_totals_stay_exact_through_every_kind_of_write(
    client: TestClient, headers: dict[str, str], runtime: Runtime
) -> None:
    home = client.post("/projects", json={"name": "home"}, headers=headers).json()["id"]
    work = client.post("/projects", json={"name": "work"}, headers=headers).json()["id"]
    inner = client.post(
        "/projects", json={"name": "inner", "parentId": work}, headers=headers
    ).json()["id"]
    projects = [home, work, inner]
    earlier_today = NOW.replace(hour=0, minute=0, second=1)
    tasks = [
        make_task(client, headers, title="a", dueDate=iso(NOW - timedelta(days=3))),
        make_task(client, headers, title="b", dueDate=iso(NOW - timedelta(minutes=1))),
        make_task(client, headers, title="c", dueDate=iso(NOW + timedelta(hours=1))),
        make_task(client, headers, title="d", priority="HIGH", projectId=home),
        make_task(client, headers, title="e", status="IN_PROGRESS", projectId=inner),
        make_task(client, headers, title="f", dueDate=iso(earlier_today), projectId=work),
        make_task(client, headers, title="g", status="COMPLETED", labels=["x"]),
    ]
    bulk = client.post(
        "/tasks/bulk",
        json={"tasks": [{"title": f"bulk {n}", "priority": "LOW"} for n in range(5)]},
        headers=headers,
    ).json()["data"]
    check_stats(client, headers, projects)
    ids = [task["id"] for task in tasks]
    client.patch(f"/tasks/{ids[0]}", json={"status": "COMPLETED"}, headers=headers)
    client.patch(
        f"/tasks/{ids[2]}", json={"dueDate": iso(NOW - timedelta(days=1))}, headers=headers
    )
    client.patch(f"/tasks/{ids[3]}", json={"projectId": work, "priority": "LOW"}, headers=headers)
    client.patch(f"/tasks/{ids[4]}", json={"projectId": None, "labels": ["y"]}, headers=headers)
    client.patch(f"/tasks/{ids[1]}", json={"title": "only the title"}, headers=headers)
    check_stats(client, headers, projects)
    batch = {"action": "complete", "tasks": [bulk[0]["id"], bulk[1]["id"], ids[1]]}
    client.post("/tasks/batch", json=batch, headers=headers)
    batch = {
        "action": "update",
        "tasks": [bulk[2]["id"], bulk[3]["id"]],
        "changes": {"projectId": home, "status": "IN_PROGRESS"},
    }
    client.post("/tasks/batch", json=batch, headers=headers)
    client.post(
        "/tasks/batch", json={"action": "delete", "tasks": [bulk[4]["id"]]}, headers=headers
    )
    client.delete(f"/tasks/{ids[6]}", headers=headers)
    check_stats(client, headers, projects)
    # Archiving hides a project's tasks from lists (and their totals), not from stats.
    client.patch(f"/projects/{work}", json={"archived": True}, headers=headers)
    check_stats(client, headers, projects)
    client.delete(f"/projects/{home}", headers=headers)
    check_stats(client, headers, [work, inner])
    # An admin gives a task to another user: it leaves one owner's counts for the other's.
    admin = bearer(make_admin(client, runtime))
    other = register(client)
    moved = client.patch(f"/tasks/{ids[5]}", json={"userId": other["user"]["id"]}, headers=admin)
    assert moved.status_code == 200, moved.text
    check_stats(client, headers, [work, inner])
    check_stats(client, bearer(other), [])


def test_a_list_past_the_count_threshold_says_its_total_is_a_lower_bound(
    client: TestClient, headers: dict[str, str]
) -> None:
    for start in range(0, COUNT_CAP + 30, 1000):
        tasks = [{"title": f"needle {n}"} for n in range(start, min(COUNT_CAP + 30, start + 1000))]
        assert client.post("/tasks/bulk", json={"tasks": tasks}, headers=headers).status_code == 201
    first = client.get("/tasks?search=needle&limit=20", headers=headers).json()["meta"]
    assert first["totalIsEstimate"] is True
    assert first["total"] > COUNT_CAP
    assert len(client.get("/tasks?search=needle&limit=20", headers=headers).json()["data"]) == 20
    # The last page knows how many there are.
    last_page = (COUNT_CAP + 30 + 99) // 100
    last = client.get(f"/tasks?search=needle&limit=100&page={last_page}", headers=headers).json()
    assert (last["meta"]["total"], last["meta"]["totalIsEstimate"]) == (COUNT_CAP + 30, False)
    assert len(last["data"]) == (COUNT_CAP + 30) % 100
    # Lists the tallies answer are exact however long.
    whole = client.get("/tasks?status=PENDING", headers=headers).json()["meta"]
    assert (whole["total"], whole["totalIsEstimate"]) == (COUNT_CAP + 30, False)
    # A search that matches fewer is counted exactly, and its page sorted as asked.
    few = client.get("/tasks?search=needle 99&sort=title&order=asc", headers=headers).json()
    expected = sorted(f"needle {n}" for n in range(COUNT_CAP + 30) if "needle 99" in f"needle {n}")
    assert few["meta"]["total"] == len(expected)
    assert [task["title"] for task in few["data"]] == expected[:20]
