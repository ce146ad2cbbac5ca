"""projects and labels: nested projects, labels in the order added, and tasks' links to both

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05

`projects` (nested through `parent_id`) and `labels` belong to one owner each; their names
are unique per owner in any case (`name_key` holds the case-folded name). A task gains
`project_id` (deleting a project sets it to NULL, never deletes the task) and labels through
`task_labels`, whose `position` keeps them in the order they were added.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _owned(table: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        *columns,
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=400), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("user_id", "name_key", name=op.f(f"uq_{table}_user_id_name_key")),
    )


def upgrade() -> None:
    _owned("labels")
    _owned(
        "projects",
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_projects_position")),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["projects.id"],
            name=op.f("fk_projects_parent_id_projects"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_projects_parent_id"), "projects", ["parent_id"])
    op.create_table(
        "task_labels",
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("label_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["labels.id"],
            name=op.f("fk_task_labels_label_id_labels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_labels_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_id", "label_id", name=op.f("pk_task_labels")),
        sa.UniqueConstraint("task_id", "position", name=op.f("uq_task_labels_task_id_position")),
    )
    op.create_index(op.f("ix_task_labels_label_id_task_id"), "task_labels", ["label_id", "task_id"])
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("project_id", sa.Uuid(), nullable=True))
        batch.create_index(batch.f("ix_tasks_project_id"), ["project_id"])
        batch.create_index(
            batch.f("ix_tasks_user_id_project_id_id"), ["user_id", "project_id", "id"]
        )
        batch.create_foreign_key(
            batch.f("fk_tasks_project_id_projects"),
            "projects",
            ["project_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_constraint("fk_tasks_project_id_projects", type_="foreignkey")
        batch.drop_index("ix_tasks_user_id_project_id_id")
        batch.drop_index("ix_tasks_project_id")
        batch.drop_column("project_id")
    op.drop_index("ix_task_labels_label_id_task_id", table_name="task_labels")
    op.drop_table("task_labels")
    op.drop_index("ix_projects_parent_id", table_name="projects")
    op.drop_table("projects")
    op.drop_table("labels")
