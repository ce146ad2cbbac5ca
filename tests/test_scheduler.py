"""The embedded scheduler runs the overdue scan on its own, and survives a failing run."""

from __future__ import annotations

import asyncio

import pytest

from taskflow_core.adapters.scheduler import IntervalScheduler


@pytest.mark.anyio
async def test_runs_repeatedly_and_keeps_going_after_a_failure() -> None:
    runs: list[int] = []
    three_runs = asyncio.Event()

    async def job() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("first run fails")
        if len(runs) >= 3:
            three_runs.set()

    scheduler = IntervalScheduler(job, interval=0.01, first_delay=0)
    scheduler.start()
    try:
        await asyncio.wait_for(three_runs.wait(), 5)
    finally:
        await scheduler.stop()
    count = len(runs)
    assert count >= 3
    await asyncio.sleep(0.05)
    assert len(runs) == count  # stopped means stopped
