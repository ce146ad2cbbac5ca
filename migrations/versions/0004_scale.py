"""costs that do not grow with the number of tasks: text indexes, tallies, open-due index

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

- Search: on PostgreSQL, trigram GIN indexes (pg_trgm) on the expressions the search
  compares, `lower(title COLLATE "und-x-icu")` and the same of `description`; on SQLite, an
  FTS5 table with the trigram tokenizer over `tasks` (external content, keyed by the task's
  rowid), kept in step by triggers. A later migration that rebuilds `tasks` on SQLite (batch
  mode) drops these triggers with the old table and renumbers its rowids: it must create
  them again and run `INSERT INTO task_search(task_search) VALUES ('rebuild')`.
- Counts: `task_tallies` (tasks per owner, project, status and priority) and
  `task_due_tallies` (open tasks per owner and due day), kept by triggers on `tasks` in the
  transaction of each write, filled here from the tasks there are. On PostgreSQL the trigger
  locks the owner's row before a tally row, so tallies are always locked after owners, the
  order every task write already takes.
- `ix_tasks_user_id_open_due_date`: a user's open tasks by due date (overdue lists, and the
  part of the overdue count that falls on today).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OPEN_WITH_DUE_DATE = "status <> 2 AND due_date IS NOT NULL"
TALLIED = ("user_id", "project_id", "status", "priority", "due_date")
PG_NIL = "'00000000-0000-0000-0000-000000000000'::uuid"
SQLITE_NIL = "'" + "0" * 32 + "'"
PG_SEARCHED = ("title", "description")

# Compiled from constants of this module only, never from values.
_PG_TALLY = f"""
CREATE FUNCTION tf_tally_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Owners first, then tallies: the order of every task write (no deadlock).
    IF TG_OP = 'UPDATE' THEN
        PERFORM 1 FROM users WHERE id IN (OLD.user_id, NEW.user_id)
            ORDER BY id FOR NO KEY UPDATE;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM users WHERE id = OLD.user_id FOR NO KEY UPDATE;
    ELSE
        PERFORM 1 FROM users WHERE id = NEW.user_id FOR NO KEY UPDATE;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        UPDATE task_tallies SET n = n - 1
            WHERE user_id = OLD.user_id AND project_key = coalesce(OLD.project_id, {PG_NIL})
            AND status = OLD.status AND priority = OLD.priority;
        IF OLD.status <> 2 AND OLD.due_date IS NOT NULL THEN
            UPDATE task_due_tallies SET n = n - 1
                WHERE user_id = OLD.user_id
                AND due_day = to_char(OLD.due_date AT TIME ZONE 'UTC', 'YYYY-MM-DD');
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO task_tallies AS t (user_id, project_key, status, priority, n)
            VALUES (NEW.user_id, coalesce(NEW.project_id, {PG_NIL}), NEW.status,
                    NEW.priority, 1)
            ON CONFLICT (user_id, project_key, status, priority) DO UPDATE SET n = t.n + 1;
        IF NEW.status <> 2 AND NEW.due_date IS NOT NULL THEN
            INSERT INTO task_due_tallies AS t (user_id, due_day, n)
                VALUES (NEW.user_id, to_char(NEW.due_date AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 1)
                ON CONFLICT (user_id, due_day) DO UPDATE SET n = t.n + 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""  # noqa: S608

_CHANGED = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in TALLIED)
_SQLITE_CHANGED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in TALLIED)


def _sqlite_tally(sign: str, row: str) -> str:
    """SQLite: add `sign`1 to the tallies of the task `row` (NEW or OLD)."""
    return f"""
    INSERT INTO task_tallies (user_id, project_key, status, priority, n)
        VALUES ({row}.user_id, coalesce({row}.project_id, {SQLITE_NIL}), {row}.status,
                {row}.priority, {sign}1)
        ON CONFLICT (user_id, project_key, status, priority) DO UPDATE SET n = n {sign} 1;
    INSERT INTO task_due_tallies (user_id, due_day, n)
        SELECT {row}.user_id, substr({row}.due_date, 1, 10), {sign}1
        WHERE {row}.status <> 2 AND {row}.due_date IS NOT NULL
        ON CONFLICT (user_id, due_day) DO UPDATE SET n = n {sign} 1;
"""  # noqa: S608


_SQLITE_SEARCH_ADD = (
    "INSERT INTO task_search (rowid, title, description)"
    " VALUES (NEW.rowid, NEW.title, NEW.description);"
)
_SQLITE_SEARCH_REMOVE = (
    "INSERT INTO task_search (task_search, rowid, title, description)"
    " VALUES ('delete', OLD.rowid, OLD.title, OLD.description);"
)

SQLITE_TRIGGERS = {
    "tr_tasks_tally_insert": f"AFTER INSERT ON tasks BEGIN {_sqlite_tally('+', 'NEW')} END",
    "tr_tasks_tally_delete": f"AFTER DELETE ON tasks BEGIN {_sqlite_tally('-', 'OLD')} END",
    "tr_tasks_tally_update": (
        f"AFTER UPDATE OF {', '.join(TALLIED)} ON tasks WHEN {_SQLITE_CHANGED} "
        f"BEGIN {_sqlite_tally('-', 'OLD')} {_sqlite_tally('+', 'NEW')} END"
    ),
    "tr_tasks_search_insert": f"AFTER INSERT ON tasks BEGIN {_SQLITE_SEARCH_ADD} END",
    "tr_tasks_search_delete": f"AFTER DELETE ON tasks BEGIN {_SQLITE_SEARCH_REMOVE} END",
    "tr_tasks_search_update": (
        "AFTER UPDATE OF title, description ON tasks"
        " WHEN OLD.title IS NOT NEW.title OR OLD.description IS NOT NEW.description"
        f" BEGIN {_SQLITE_SEARCH_REMOVE} {_SQLITE_SEARCH_ADD} END"
    ),
}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "task_tallies",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("project_key", sa.Uuid(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_task_tallies_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "project_key", "status", "priority", name=op.f("pk_task_tallies")
        ),
    )
    op.create_table(
        "task_due_tallies",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("due_day", sa.String(10), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_task_due_tallies_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "due_day", name=op.f("pk_task_due_tallies")),
    )
    op.create_index(
        "ix_tasks_user_id_open_due_date",
        "tasks",
        ["user_id", "due_date"],
        postgresql_where=sa.text(OPEN_WITH_DUE_DATE),
        sqlite_where=sa.text(OPEN_WITH_DUE_DATE),
    )
    nil = PG_NIL if postgres else SQLITE_NIL
    day = (
        "to_char(due_date AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        if postgres
        else "substr(due_date, 1, 10)"
    )
    project = f"coalesce(project_id, {nil})"
    op.execute(
        "INSERT INTO task_tallies (user_id, project_key, status, priority, n)"  # noqa: S608
        f" SELECT user_id, {project}, status, priority, count(*) FROM tasks"
        f" GROUP BY user_id, {project}, status, priority"
    )
    op.execute(
        "INSERT INTO task_due_tallies (user_id, due_day, n)"  # noqa: S608
        f" SELECT user_id, {day}, count(*) FROM tasks WHERE {OPEN_WITH_DUE_DATE}"
        f" GROUP BY user_id, {day}"
    )
    if postgres:
        _upgrade_postgres()
    else:
        _upgrade_sqlite()


def _upgrade_postgres() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in PG_SEARCHED:
        op.execute(
            f"CREATE INDEX ix_tasks_{column}_trgm ON tasks"
            f' USING gin (lower({column} COLLATE "und-x-icu") gin_trgm_ops)'
        )
    op.execute(_PG_TALLY)
    op.execute(
        "CREATE TRIGGER tr_tasks_tally AFTER INSERT OR DELETE ON tasks"
        " FOR EACH ROW EXECUTE FUNCTION tf_tally_tasks()"
    )
    op.execute(
        f"CREATE TRIGGER tr_tasks_tally_update AFTER UPDATE OF {', '.join(TALLIED)} ON tasks"
        f" FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION tf_tally_tasks()"
    )


def _upgrade_sqlite() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE task_search USING fts5("
        "title, description, content='tasks', content_rowid='rowid', tokenize='trigram')"
    )
    op.execute("INSERT INTO task_search (task_search) VALUES ('rebuild')")
    for name, body in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tr_tasks_tally_update ON tasks")
        op.execute("DROP TRIGGER tr_tasks_tally ON tasks")
        op.execute("DROP FUNCTION tf_tally_tasks()")
        for column in PG_SEARCHED:
            op.execute(f"DROP INDEX ix_tasks_{column}_trgm")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE task_search")
    op.drop_index("ix_tasks_user_id_open_due_date", table_name="tasks")
    op.drop_table("task_due_tallies")
    op.drop_table("task_tallies")
