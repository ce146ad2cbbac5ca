"""initial schema: users, tasks, refresh tokens, notifications

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Plain column types on purpose: a migration must keep meaning the same thing after the
models move on. Task status and priority are stored as ranks (0, 1, 2) so that sorting
by them follows workflow order; see taskflow_core.types.RankedEnum.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

OPEN_WITH_DUE_DATE = "status <> 2 AND due_date IS NOT NULL"


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("task_seq", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("cache_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint("role IN ('user', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        _timestamp("used_at", nullable=True),
        _timestamp("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_refresh_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    op.create_index(op.f("ix_refresh_tokens_family_id"), "refresh_tokens", ["family_id"])
    op.create_index(op.f("ix_refresh_tokens_user_id"), "refresh_tokens", ["user_id"])

    op.create_table(
        "tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        _timestamp("due_date", nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _timestamp("completed_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 2) = (completed_at IS NOT NULL)", name=op.f("ck_tasks_completed_at")
        ),
        sa.CheckConstraint("priority IN (0, 1, 2)", name=op.f("ck_tasks_priority")),
        sa.CheckConstraint("status IN (0, 1, 2)", name=op.f("ck_tasks_status")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_tasks_version")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tasks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint("user_id", "number", name=op.f("uq_tasks_user_id_number")),
    )
    for column in ("created_at", "due_date", "priority", "status", "title"):
        op.create_index(op.f(f"ix_tasks_user_id_{column}_id"), "tasks", ["user_id", column, "id"])
    op.create_index(
        "ix_tasks_open_due_date",
        "tasks",
        ["due_date"],
        postgresql_where=sa.text(OPEN_WITH_DUE_DATE),
        sqlite_where=sa.text(OPEN_WITH_DUE_DATE),
    )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        _timestamp("due_date"),
        sa.Column("message", sa.String(500), nullable=False),
        _timestamp("created_at"),
        _timestamp("read_at", nullable=True),
        sa.CheckConstraint("kind IN ('task.overdue')", name=op.f("ck_notifications_kind")),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_notifications_task_id_tasks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "user_id",
            "task_id",
            "kind",
            "due_date",
            name=op.f("uq_notifications_user_id_task_id_kind_due_date"),
        ),
    )
    op.create_index(op.f("ix_notifications_task_id"), "notifications", ["task_id"])
    op.create_index(
        op.f("ix_notifications_user_id_created_at_id"),
        "notifications",
        ["user_id", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_table("notifications")
    op.drop_table("tasks")
    op.drop_table("refresh_tokens")
    op.drop_table("users")
