"""A job every N seconds, as a task on the event loop (the embedded overdue scan)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

log = logging.getLogger("taskflow.scheduler")


class IntervalScheduler:
    """Runs `job()` shortly after start and then every `interval` seconds until stopped."""

    def __init__(
        self, job: Callable[[], Awaitable[Any]], *, interval: float, first_delay: float = 1.0
    ) -> None:
        self._job = job
        self._interval = interval
        self._first_delay = first_delay
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        delay = self._first_delay
        while True:
            await asyncio.sleep(delay)
            try:
                await self._job()
            except Exception:
                # A failing run must not end the loop: the next one may well succeed.
                log.exception("scheduled job failed")
            delay = self._interval
