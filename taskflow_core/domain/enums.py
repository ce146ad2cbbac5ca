"""The enumerations shared by models, wire schemas and clients."""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


class TaskPriority(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


class NotificationKind(StrEnum):
    TASK_OVERDUE = "task.overdue"
