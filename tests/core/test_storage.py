"""What the adapters leave behind: files only their owner reads, logs without users' values."""

from __future__ import annotations

import stat
import traceback
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Integer, String, bindparam, cast, select

from taskflow_core.adapters import migrate
from taskflow_core.adapters.database import StatementFailed
from taskflow_core.runtime import Runtime, open_runtime
from tests.conftest import make_settings
from tests.core.conftest import make_task, register


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.anyio
async def test_the_embedded_database_and_its_journal_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"  # as the user data dir: created by TaskFlow
    database = data / "taskflow.db"
    url = f"sqlite:///{database}"
    migrate.upgrade(url)
    async with open_runtime(make_settings(url, data_dir=data)) as runtime:
        person = await register(runtime)
        await make_task(runtime, person.caller)
        written = [
            database,
            database.with_name("taskflow.db-wal"),
            database.with_name("taskflow.db-shm"),
        ]
        assert all(path.exists() for path in written)
        assert {path.name: mode(path) for path in written} == {path.name: 0o600 for path in written}
    assert mode(data) == 0o700


@pytest.mark.anyio
async def test_a_database_file_created_readable_by_others_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    url = f"sqlite:///{database}"
    migrate.upgrade(url)
    database.chmod(0o644)
    async with open_runtime(make_settings(url, data_dir=tmp_path)):
        pass
    assert mode(database) == 0o600


@pytest.mark.anyio
@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_a_failed_statement_names_its_sql_and_never_the_values_sent(
    runtime: Runtime,
) -> None:
    # A value PostgreSQL refuses (text where a number is needed): its message quotes it.
    searched = f"alice-searched-for-{uuid4().hex}"  # not in any source line of the traceback
    broken = select(cast(bindparam("search", type_=String()), Integer).label("number"))
    async with runtime.database.reading() as connection:
        with pytest.raises(StatementFailed) as failure:
            await connection.scalar(broken, {"search": searched})
    printed = "".join(traceback.format_exception(failure.value))
    assert "CAST" in printed.upper()
    assert searched not in printed
