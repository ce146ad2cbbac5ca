"""The database tables, as typed SQLAlchemy 2.x models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from taskflow_core.domain.clock import utcnow
from taskflow_core.domain.enums import NotificationKind, Role, TaskPriority, TaskStatus
from taskflow_core.domain.types import RankedEnum, UTCDateTime

if TYPE_CHECKING:
    from enum import StrEnum

# Stable constraint names keep Alembic migrations identical on PostgreSQL and SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STATUS_TYPE = RankedEnum(TaskStatus)
PRIORITY_TYPE = RankedEnum(TaskPriority)
COMPLETED_RANK = STATUS_TYPE.rank(TaskStatus.COMPLETED)


def _stored_as_value(enum_type: type[StrEnum]) -> Enum:
    """A string column holding the enum's value (`admin`), checked by our own constraint."""
    return Enum(
        enum_type,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}  # noqa: RUF012 - read by SQLAlchemy


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('user', 'admin')", name="role"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_stored_as_value(Role), default=Role.USER)
    is_active: Mapped[bool] = mapped_column(default=True)
    # The last task number handed out: numbers are never reused for this owner.
    task_seq: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Bumped in the same transaction as every write to the user's tasks, so cache keys that
    # include it can never serve a read from before that write.
    cache_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("user_id", "number"),
        CheckConstraint("status IN (0, 1, 2)", name="status"),
        CheckConstraint("priority IN (0, 1, 2)", name="priority"),
        CheckConstraint(
            f"(status = {COMPLETED_RANK}) = (completed_at IS NOT NULL)", name="completed_at"
        ),
        CheckConstraint("version >= 1", name="version"),
        Index(None, "user_id", "created_at", "id"),
        Index(None, "user_id", "due_date", "id"),
        Index(None, "user_id", "priority", "id"),
        Index(None, "user_id", "status", "id"),
        Index(None, "user_id", "title", "id"),
        Index(None, "user_id", "project_id", "id"),
        Index(None, "project_id"),
        # The overdue scan looks only at open tasks with a due date.
        Index(
            "ix_tasks_open_due_date",
            "due_date",
            postgresql_where=text(f"status <> {COMPLETED_RANK} AND due_date IS NOT NULL"),
            sqlite_where=text(f"status <> {COMPLETED_RANK} AND due_date IS NOT NULL"),
        ),
        # A user's open tasks by due date: overdue lists, and the overdue count of today.
        Index(
            "ix_tasks_user_id_open_due_date",
            "user_id",
            "due_date",
            postgresql_where=text(f"status <> {COMPLETED_RANK} AND due_date IS NOT NULL"),
            sqlite_where=text(f"status <> {COMPLETED_RANK} AND due_date IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[TaskStatus] = mapped_column(STATUS_TYPE, default=TaskStatus.PENDING)
    priority: Mapped[TaskPriority] = mapped_column(PRIORITY_TYPE, default=TaskPriority.MEDIUM)
    due_date: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    # Deleting a project moves its tasks to no project first (operations/projects); the
    # foreign key's SET NULL is the backstop that never lets a task go with it.
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL")
    )


# `TaskTally.project_key` of the tasks in no project (a key column cannot be NULL).
NO_PROJECT_KEY = uuid.UUID(int=0)


class TaskTally(Base):
    """How many of an owner's tasks have one status, priority and project: kept by triggers
    on `tasks` (migration 0004) in the transaction of every write, so stats and list totals
    read a few rows instead of every task."""

    __tablename__ = "task_tallies"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # The project's id, or NO_PROJECT_KEY. No foreign key: a deleted project's row stays
    # behind at zero (and is never read), so deleting a project takes no lock here.
    project_key: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    status: Mapped[TaskStatus] = mapped_column(STATUS_TYPE, primary_key=True)
    priority: Mapped[TaskPriority] = mapped_column(PRIORITY_TYPE, primary_key=True)
    n: Mapped[int]


class TaskDueTally(Base):
    """How many of an owner's open tasks are due on one day (UTC, `YYYY-MM-DD`): the overdue
    count is the days before today plus an index range within today."""

    __tablename__ = "task_due_tallies"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    due_day: Mapped[str] = mapped_column(String(10), primary_key=True)
    n: Mapped[int]


# Nesting depth of projects: a top-level project is at depth 1.
MAX_PROJECT_DEPTH = 3
# What one account may have: enough for any person, and a bound on what a list returns.
MAX_PROJECTS = 1000
MAX_LABELS = 1000


class Project(Base):
    """A group of one owner's tasks; projects nest up to `MAX_PROJECT_DEPTH` levels."""

    __tablename__ = "projects"
    __table_args__ = (
        # `name_key` is the case-folded name: names are unique per owner in any case.
        UniqueConstraint("user_id", "name_key"),
        CheckConstraint("position >= 0", name="position"),
        Index(None, "parent_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(400))
    colour: Mapped[str | None] = mapped_column(String(7))
    archived: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Label(Base):
    """A tag on one owner's tasks."""

    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("user_id", "name_key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(400))
    colour: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TaskLabel(Base):
    """A label on a task; `position` keeps a task's labels in the order they were added."""

    __tablename__ = "task_labels"
    __table_args__ = (
        UniqueConstraint("task_id", "position"),
        # The label filters look tasks up by label.
        Index(None, "label_id", "task_id"),
    )

    task_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    label_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int]


class Session(Base):
    """One login on one device: its refresh tokens rotate within it, its access tokens name it.

    Revoking it (logout, reuse of a spent refresh token, a password or email change, the
    user's deactivation) ends its refresh tokens and its access tokens at once: every request
    checks its session in the same statement that confirms the caller.
    """

    __tablename__ = "sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    # Only a SHA-256 of the token is kept: a database leak yields no usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("kind IN ('task.overdue')", name="kind"),
        # One notification per task, owner and missed due date, however many scans run.
        UniqueConstraint("user_id", "task_id", "kind", "due_date"),
        Index(None, "user_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    task_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NotificationKind] = mapped_column(_stored_as_value(NotificationKind))
    due_date: Mapped[datetime]
    message: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
