"""Database connection metrics, measured around a real database: waits, connections lent,
the pool's size, and 503s by where they happened."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, literal, select

from server.metrics import (
    CONNECTION_WAIT,
    CONNECTIONS_IN_USE,
    DATABASE_UNAVAILABLE,
    POOL_SIZE,
    STATEMENT_TIMEOUTS,
    PrometheusInstruments,
)
from taskflow_core.domain.errors import ServiceUnavailable, StatementTimedOut
from taskflow_core.runtime import open_runtime
from taskflow_core.settings import Settings

pytestmark = pytest.mark.anyio


def value(metric: Any, suffix: str = "", **labels: str) -> float:
    """The current value of a sample of `metric` (`_count` for a histogram's count)."""
    for family in metric.collect():
        for sample in family.samples:
            if sample.name == family.name + suffix and sample.labels == labels:
                return float(sample.value)
    return 0.0


@pytest.mark.parametrize(
    "settings_overrides", [{"db_pool_size": 1, "db_timeout": 0.2}], indirect=True
)
async def test_waits_lent_connections_and_a_pool_timeout_are_measured(settings: Settings) -> None:
    async with open_runtime(settings, instruments=PrometheusInstruments(settings)) as runtime:
        database = runtime.database
        assert value(POOL_SIZE) == 1
        waits = value(CONNECTION_WAIT, "_count")
        timeouts = value(DATABASE_UNAVAILABLE, "_total", phase="connect")
        lent = value(CONNECTIONS_IN_USE)
        async with database.reading() as connection:
            assert await connection.scalar(select(literal(1).label("one"))) == 1
            assert value(CONNECTIONS_IN_USE) == lent + 1
            # The only connection is lent: the next operation waits out the timeout, 503.
            with pytest.raises(ServiceUnavailable):
                async with database.reading():
                    pass
        assert value(CONNECTIONS_IN_USE) == lent
        assert value(CONNECTION_WAIT, "_count") == waits + 1
        assert value(DATABASE_UNAVAILABLE, "_total", phase="connect") == timeouts + 1


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
@pytest.mark.parametrize("settings_overrides", [{"statement_timeout": 0.1}], indirect=True)
async def test_a_statement_timeout_is_counted_as_a_statement_failure(settings: Settings) -> None:
    async with open_runtime(settings, instruments=PrometheusInstruments(settings)) as runtime:
        database = runtime.database
        failed = value(DATABASE_UNAVAILABLE, "_total", phase="statement")
        timeouts = value(STATEMENT_TIMEOUTS, "_total")
        lent = value(CONNECTIONS_IN_USE)
        with pytest.raises(StatementTimedOut):
            async with database.reading() as connection:
                await connection.scalar(select(func.pg_sleep(2).label("slept")))
        assert value(DATABASE_UNAVAILABLE, "_total", phase="statement") == failed + 1
        assert value(STATEMENT_TIMEOUTS, "_total") == timeouts + 1
        assert value(CONNECTIONS_IN_USE) == lent
