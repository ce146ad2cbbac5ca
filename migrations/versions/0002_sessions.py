"""sessions: one row per login, named by its access tokens and revoked as a whole

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04

A refresh-token family becomes a `sessions` row: what was `refresh_tokens.family_id` is now
`refresh_tokens.session_id`, and revoking a login sets `sessions.revoked_at` once instead of
marking each of its tokens (their `revoked_at` column goes). Access tokens carry the session's
id, so a request can refuse one whose login was revoked in the same statement that confirms
the caller.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"])
    # Every family becomes a session; a family any of whose tokens was revoked was revoked
    # whole (revocation always marked every token of it that was still unrevoked).
    op.execute(
        """
        INSERT INTO sessions (id, user_id, created_at, revoked_at)
        SELECT family_id, user_id, MIN(created_at), MAX(revoked_at)
        FROM refresh_tokens GROUP BY family_id, user_id
        """
    )
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.drop_index("ix_refresh_tokens_family_id")
        batch.alter_column("family_id", new_column_name="session_id")
        batch.drop_column("revoked_at")
    op.create_index(op.f("ix_refresh_tokens_session_id"), "refresh_tokens", ["session_id"])
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.create_foreign_key(
            op.f("fk_refresh_tokens_session_id_sessions"),
            "sessions",
            ["session_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.drop_constraint("fk_refresh_tokens_session_id_sessions", type_="foreignkey")
        batch.drop_index("ix_refresh_tokens_session_id")
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.alter_column("session_id", new_column_name="family_id")
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])
    op.execute(
        """
        UPDATE refresh_tokens SET revoked_at = (
            SELECT revoked_at FROM sessions WHERE sessions.id = refresh_tokens.family_id
        )
        """
    )
    op.drop_table("sessions")
