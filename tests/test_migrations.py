"""The migrations build the schema the models describe, and come back down cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool

from taskflow_core.adapters import migrate
from taskflow_core.domain.models import Base
from tests.services import fresh_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return fresh_postgres_database("migrations")


# What the migrations build beside the models, for searches: SQLite's FTS5 table (and the
# tables it keeps its index in), PostgreSQL's trigram indexes on expressions.
TEXT_INDEX_TABLE = "task_search"
TRIGRAM_INDEXES = {"ix_tasks_title_trgm", "ix_tasks_description_trgm"}


def table_names(url: str) -> set[str]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    return {name for name in names if not name.startswith(TEXT_INDEX_TABLE)}


def text_index_tables(url: str) -> set[str]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        return {n for n in inspect(engine).get_table_names() if n.startswith(TEXT_INDEX_TABLE)}
    finally:
        engine.dispose()


def _modelled(name: str | None, kind: str, parent_names: object) -> bool:
    if kind == "table":
        return not (name or "").startswith(TEXT_INDEX_TABLE)
    return not (kind == "index" and name in TRIGRAM_INDEXES)


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    assert table_names(empty_database) == {
        "users",
        "sessions",
        "tasks",
        "refresh_tokens",
        "notifications",
        "projects",
        "labels",
        "task_labels",
        "task_tallies",
        "task_due_tallies",
    }
    assert migrate.current_revision(empty_database) == migrate.head_revision()
    if empty_database.startswith("sqlite"):
        assert TEXT_INDEX_TABLE in text_index_tables(empty_database)
    migrate.downgrade(empty_database, "base")
    assert table_names(empty_database) == set()
    assert text_index_tables(empty_database) == set()
    assert migrate.current_revision(empty_database) is None
    migrate.upgrade(empty_database)
    assert migrate.current_revision(empty_database) == migrate.head_revision()


def test_the_migrated_schema_matches_the_models(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    engine = create_engine(empty_database, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": False, "include_name": _modelled}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
