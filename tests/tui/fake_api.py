"""Fixed data for the snapshot tests, served at the API client's HTTP boundary.

The real `ApiClient` sends its requests to `FakeHttp`, which answers the reads the
dashboard makes (tasks, stats, notifications, projects, labels); everything else is a 404.
Times are relative to `NOW`, the app's clock.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from taskflow_cli import stores, tokens
from taskflow_cli.client import ApiClient
from taskflow_cli.http import Response

SERVER = "http://taskflow.test"
EMAIL = "ada@example.com"
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)

# number, title, status, priority, due (hours from NOW, None: no due date), description
ROWS: list[tuple[int, str, str, str, float | None, str]] = [
    (12, "Write the quarterly report", "IN_PROGRESS", "HIGH", 26, "Numbers from finance first."),
    (11, "Renew the TLS certificates", "PENDING", "HIGH", -5, "Both load balancers."),
    (10, "Book the team offsite venue", "PENDING", "MEDIUM", 24 * 9, ""),
    (9, "Review Grace's pull request", "PENDING", "MEDIUM", 3, "Pagination and cursors."),
    (8, "Pay the electricity bill", "COMPLETED", "MEDIUM", -30, ""),
    (7, "Order a new keyboard", "PENDING", "LOW", None, "Something quieter."),
    (6, "Update the on-call rota", "PENDING", "MEDIUM", -50, ""),
    (5, "Water the office plants", "COMPLETED", "LOW", None, ""),
    (4, "Plan the database upgrade to PostgreSQL 17", "PENDING", "HIGH", 24 * 20, ""),
    (3, "Call the plumber", "IN_PROGRESS", "LOW", 24 * 2, "The kitchen sink leaks."),
    (2, "Buy a birthday present for Linus", "PENDING", "MEDIUM", 24 * 4, ""),
    (1, "Read 'Architecture Patterns with Python'", "COMPLETED", "LOW", None, ""),
]

# id -> name, parent id, archived
PROJECTS: dict[int, tuple[str, int | None, bool]] = {
    101: ("Work", None, False),
    102: ("Home", None, False),
    103: ("Garden", 102, False),
    104: ("Old stuff", None, True),
}
LABELS = ("bills", "errands", "ops", "reading")
# task number -> project id, labels
GROUPING: dict[int, tuple[int | None, tuple[str, ...]]] = {
    12: (101, ()),
    11: (101, ("ops",)),
    9: (101, ("reading",)),
    8: (102, ("bills",)),
    7: (None, ("errands",)),
    6: (101, ("ops",)),
    5: (103, ()),
    3: (102, ("errands", "bills")),
    2: (None, ("errands",)),
    1: (None, ("reading",)),
}


def _id(number: int) -> str:
    return str(uuid.UUID(int=number))


def _stamp(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def tasks() -> list[dict[str, Any]]:
    """The tasks as the API returns them, newest first."""
    result = []
    for number, title, status, priority, due_hours, description in ROWS:
        created = NOW - timedelta(hours=3 * number + 1)
        updated = created + timedelta(minutes=40)
        project, labels = GROUPING.get(number, (None, ()))
        result.append(
            {
                "id": str(uuid.UUID(int=number)),
                "number": number,
                "title": title,
                "description": description or None,
                "status": status,
                "priority": priority,
                "dueDate": None if due_hours is None else _stamp(NOW + timedelta(hours=due_hours)),
                "userId": str(uuid.UUID(int=1000)),
                "createdAt": _stamp(created),
                "updatedAt": _stamp(updated),
                "completedAt": _stamp(updated) if status == "COMPLETED" else None,
                "version": 2,
                "projectId": None if project is None else _id(project),
                "labels": list(labels),
            }
        )
    return result


def stats() -> dict[str, Any]:
    by_status = {"PENDING": 0, "IN_PROGRESS": 0, "COMPLETED": 0}
    by_priority = {"LOW": 0, "MEDIUM": 0, "HIGH": 0}
    overdue = 0
    for task in tasks():
        by_status[task["status"]] += 1
        by_priority[task["priority"]] += 1
        due = task["dueDate"]
        if due and task["status"] != "COMPLETED" and datetime.fromisoformat(due) < NOW:
            overdue += 1
    return {
        "total": len(ROWS),
        "byStatus": by_status,
        "byPriority": by_priority,
        "overdue": overdue,
    }


def _overdue(task: dict[str, Any]) -> bool:
    due = task["dueDate"]
    return bool(due) and task["status"] != "COMPLETED" and datetime.fromisoformat(due) < NOW


def projects() -> list[dict[str, Any]]:
    """Every project (archived too), with the counts of its own open and overdue tasks."""
    result = []
    for position, (number, (name, parent, archived)) in enumerate(PROJECTS.items()):
        mine = [
            task
            for task in tasks()
            if task["projectId"] == _id(number) and task["status"] != "COMPLETED"
        ]
        result.append(
            {
                "id": _id(number),
                "userId": _id(1000),
                "name": name,
                "parentId": None if parent is None else _id(parent),
                "colour": None,
                "archived": archived,
                "position": position,
                "openTasks": len(mine),
                "overdueTasks": len([task for task in mine if _overdue(task)]),
            }
        )
    return result


def labels() -> list[dict[str, Any]]:
    return [{"id": _id(2000 + n), "name": name} for n, name in enumerate(LABELS)]


def _page(data: list[dict[str, Any]]) -> dict[str, Any]:
    meta = {"total": len(data), "page": 1, "limit": 50, "totalPages": 1, "nextCursor": None}
    return {"data": data, "meta": meta}


class FakeHttp:
    """Answers GET /tasks, /tasks/stats, /notifications, /projects and /labels; 404
    otherwise."""

    def request(self, method: str, path: str, **_: Any) -> Response:
        if method == "GET" and path == "/tasks":
            body: Any = _page(tasks())
        elif method == "GET" and path == "/tasks/stats":
            body = stats()
        elif method == "GET" and path == "/projects":
            body = {"data": projects()}
        elif method == "GET" and path == "/labels":
            body = {"data": labels()}
        elif method == "GET" and path == "/notifications":
            body = _page([]) | {"meta": {"total": 2, "page": 1, "limit": 1, "totalPages": 2}}
        else:
            problem = {"title": "Not Found", "status": 404, "detail": "Not found"}
            return Response(404, "Not Found", {}, json.dumps(problem).encode(), keeps_alive=True)
        return Response(200, "OK", {}, json.dumps(body).encode(), keeps_alive=True)

    def close(self) -> None:
        pass


def fake_client(server: str) -> ApiClient:
    """The real client, over the fake HTTP."""
    return ApiClient(server, http=FakeHttp())  # type: ignore[arg-type]


def store_session() -> None:
    """A login for SERVER, its access token valid far beyond the test."""
    tokens.write_login(
        SERVER, tokens.Login(email=EMAIL, role="user", storage=tokens.FILE, backend=None)
    )
    stores.FileStore().save(SERVER, "fake-refresh-token")
    expires = datetime(2100, 1, 1, tzinfo=UTC).timestamp()
    tokens.write_session(
        tokens.Session(
            SERVER, email=EMAIL, role="user", access_token="fake-access-token", expires_at=expires
        )
    )
