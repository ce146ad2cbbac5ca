"""How background jobs run: the `JobQueue` interface and its in-process implementation.

A job is an async function `job(context, *args: str)` at an import path under
`taskflow_core`, so a queue can name it (RQ stores the path). Embedded mode runs jobs on the
server's event loop (`InlineJobQueue`); services mode queues them for `taskflow worker`
processes (`rq_queue.RQJobQueue`), and runs them here only while Redis is away.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from taskflow_core.settings import Settings

Job: TypeAlias = "Callable[..., Awaitable[Any]]"

log = logging.getLogger("taskflow.jobs")


class JobQueue(Protocol):
    """Runs `job(context, *args)` now or later, somewhere, retrying it when it fails."""

    async def enqueue(self, job: Job, *args: str) -> None: ...

    async def close(self) -> None: ...


def retry_delays(settings: Settings) -> list[int]:
    """Seconds to wait before each retry of a failed job: exponential backoff.

    Args:
        settings: `job_retries` (how many retries) and `job_retry_backoff` (the first wait).

    Returns:
        e.g. `[10, 20, 40]` for 3 retries from 10 s; empty when retries are off.
    """
    return [settings.job_retry_backoff * 2**attempt for attempt in range(settings.job_retries)]


def job_path(job: Job) -> str:
    """The import path a queue names `job` by, e.g. `taskflow_core.operations.jobs.scan_overdue`."""
    return f"{job.__module__}.{job.__qualname__}"


class InlineJobQueue:
    """Runs each job at once, in the caller's turn; a failed one runs again later.

    Retries wait in a task of their own, so one failing job (a dead webhook) never holds up
    the scan that queued it.
    """

    def __init__(
        self, run: Callable[..., Awaitable[Any]], *, retry_delays: Sequence[float] = ()
    ) -> None:
        """
        Args:
            run: `run(job, *args)` calls the job with its context.
            retry_delays: Seconds before each retry.
        """
        self._run = run
        self._retry_delays = list(retry_delays)
        self._tasks: set[asyncio.Task[None]] = set()

    async def enqueue(self, job: Job, *args: str) -> None:
        try:
            await self._run(job, *args)
        except Exception as error:
            self._retry_later(job, args, error)

    async def close(self) -> None:
        """Cancel the jobs and retries still pending."""
        tasks, self._tasks = self._tasks, set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _retry_later(self, job: Job, args: tuple[str, ...], error: Exception) -> None:
        if not self._retry_delays:
            log.error("job %s failed for good", job.__name__, exc_info=error)
            return
        task = asyncio.get_running_loop().create_task(self._retries(job, args, error))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _retries(self, job: Job, args: tuple[str, ...], error: Exception) -> None:
        name = job.__name__
        for retry, delay in enumerate(self._retry_delays, start=1):
            # One line per retry; the traceback comes once, with the final failure.
            log.warning("job %s failed (%s); retry %d in %ss", name, error, retry, delay)
            await asyncio.sleep(delay)
            try:
                await self._run(job, *args)
            except Exception as failure:
                error = failure
            else:
                return
        log.error("job %s failed for good", name, exc_info=error)
