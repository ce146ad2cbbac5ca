"""Which tasks the dashboard shows: filters, sort and page, and the cycles the keys step through."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from taskflow_core.domain.enums import TaskPriority, TaskStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

PAGE_SIZE = 50
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Choice:
    """One step of a filter cycle: a label and the API values it selects (none = all)."""

    label: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sort:
    label: str
    field: str
    order: str


STATUS_CHOICES = (
    Choice("all"),
    Choice("open", (TaskStatus.PENDING, TaskStatus.IN_PROGRESS)),
    Choice("pending", (TaskStatus.PENDING,)),
    Choice("in progress", (TaskStatus.IN_PROGRESS,)),
    Choice("done", (TaskStatus.COMPLETED,)),
)
PRIORITY_CHOICES = (
    Choice("all"),
    Choice("high", (TaskPriority.HIGH,)),
    Choice("medium", (TaskPriority.MEDIUM,)),
    Choice("low", (TaskPriority.LOW,)),
)
SORTS = (
    Sort("newest", "createdAt", "desc"),
    Sort("due", "dueDate", "asc"),
    Sort("priority", "priority", "desc"),
    Sort("status", "status", "asc"),
    Sort("title", "title", "asc"),
    Sort("number", "number", "asc"),
    Sort("urgent", "urgency", "asc"),
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which projects' tasks the sidebar selects: all, those in no project, or one project
    and the projects inside it. Two scopes are equal when they select the same tasks."""

    label: str = field(compare=False)
    project_id: str | None = None
    no_project: bool = False


ALL_TASKS = Scope("All tasks")
NO_PROJECT = Scope("No project", no_project=True)


def following(options: Sequence[T], current: T) -> T:
    """The option after `current`, wrapping around."""
    return options[(options.index(current) + 1) % len(options)]


@dataclass(frozen=True, slots=True)
class TaskFilters:
    """What the filter bar selects."""

    status: Choice = STATUS_CHOICES[0]
    priority: Choice = PRIORITY_CHOICES[0]
    sort: Sort = SORTS[0]
    search: str = ""
    scope: Scope = ALL_TASKS
    labels: tuple[str, ...] = ()
    not_labels: tuple[str, ...] = ()

    def next_status(self) -> TaskFilters:
        return replace(self, status=following(STATUS_CHOICES, self.status))

    def next_priority(self) -> TaskFilters:
        return replace(self, priority=following(PRIORITY_CHOICES, self.priority))

    def next_sort(self) -> TaskFilters:
        return replace(self, sort=following(SORTS, self.sort))

    def described(self) -> str:
        """The project and label filters in words (`home · +bills -later`), empty for none."""
        parts = [] if self.scope == ALL_TASKS else [self.scope.label]
        words = [f"+{name}" for name in self.labels] + [f"-{name}" for name in self.not_labels]
        if words:
            parts.append(" ".join(words))
        return " · ".join(parts)

    def params(self, *, page: int, limit: int = PAGE_SIZE) -> dict[str, Any]:
        """The `GET /tasks` query for one page."""
        return {
            "status": list(self.status.values),
            "priority": list(self.priority.values),
            "search": self.search.strip() or None,
            "project": self.scope.project_id,
            "noProject": "true" if self.scope.no_project else None,
            "label": list(self.labels),
            "notLabel": list(self.not_labels),
            "sort": self.sort.field,
            "order": self.sort.order,
            "page": page,
            "limit": limit,
        }
