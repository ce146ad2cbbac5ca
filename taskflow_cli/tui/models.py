"""What the dashboard shows, parsed once from the API's JSON (camelCase) into typed values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from taskflow_cli.dates import is_overdue, parse_instant
from taskflow_core.domain.enums import TaskPriority, TaskStatus

if TYPE_CHECKING:
    from datetime import datetime

Json = dict[str, Any]


def _instant(value: str | None) -> datetime | None:
    return parse_instant(value) if value else None


@dataclass(frozen=True, slots=True)
class Account:
    """Who is logged in, and where."""

    server: str
    email: str
    role: str


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    number: int
    title: str
    description: str
    status: TaskStatus
    priority: TaskPriority
    due: datetime | None
    created: datetime
    updated: datetime
    completed_at: datetime | None
    version: int
    project_id: str | None = None
    labels: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, body: Json) -> Task:
        created = parse_instant(body["createdAt"])
        return cls(
            id=body["id"],
            number=int(body["number"]),
            title=body["title"],
            description=body.get("description") or "",
            status=TaskStatus(body["status"]),
            priority=TaskPriority(body["priority"]),
            due=_instant(body.get("dueDate")),
            created=created,
            updated=_instant(body.get("updatedAt")) or created,
            completed_at=_instant(body.get("completedAt")),
            version=int(body["version"]),
            project_id=body.get("projectId"),
            labels=tuple(body.get("labels") or ()),
        )

    @property
    def done(self) -> bool:
        return self.status is TaskStatus.COMPLETED

    def overdue(self, now: datetime) -> bool:
        return is_overdue(self.due, now=now, completed=self.done)


@dataclass(frozen=True, slots=True)
class Project:
    """One of `GET /projects`: its counts are of its own tasks, not its subprojects'."""

    id: str
    name: str
    parent_id: str | None
    archived: bool
    open: int
    overdue: int

    @classmethod
    def from_json(cls, body: Json) -> Project:
        return cls(
            id=body["id"],
            name=body["name"],
            parent_id=body.get("parentId"),
            archived=bool(body.get("archived")),
            open=int(body.get("openTasks") or 0),
            overdue=int(body.get("overdueTasks") or 0),
        )


@dataclass(frozen=True, slots=True)
class TaskPage:
    """One page of `GET /tasks`."""

    tasks: tuple[Task, ...]
    page: int
    pages: int
    total: int
    limit: int

    @classmethod
    def from_json(cls, body: Json) -> TaskPage:
        meta = body["meta"]
        tasks = tuple(Task.from_json(item) for item in body["data"])
        total = meta.get("total")
        return cls(
            tasks=tasks,
            page=int(meta.get("page") or 1),
            pages=max(1, int(meta.get("totalPages") or 1)),
            total=len(tasks) if total is None else int(total),
            limit=int(meta.get("limit") or len(tasks) or 1),
        )

    @property
    def first_index(self) -> int:
        """The 1-based position of the page's first task in the whole list."""
        return (self.page - 1) * self.limit + 1


@dataclass(frozen=True, slots=True)
class Stats:
    """`GET /tasks/stats`, plus the unread notification count."""

    total: int
    pending: int
    in_progress: int
    completed: int
    overdue: int
    unread: int

    @classmethod
    def from_json(cls, body: Json, *, unread: int) -> Stats:
        by_status = body.get("byStatus", {})
        return cls(
            total=int(body["total"]),
            pending=int(by_status.get(TaskStatus.PENDING, 0)),
            in_progress=int(by_status.get(TaskStatus.IN_PROGRESS, 0)),
            completed=int(by_status.get(TaskStatus.COMPLETED, 0)),
            overdue=int(body.get("overdue", 0)),
            unread=unread,
        )


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    task_id: str
    message: str
    created: datetime
    read: bool

    @classmethod
    def from_json(cls, body: Json) -> Notification:
        return cls(
            id=body["id"],
            task_id=body.get("taskId") or "",
            message=body["message"],
            created=parse_instant(body["createdAt"]),
            read=bool(body.get("readAt")),
        )
