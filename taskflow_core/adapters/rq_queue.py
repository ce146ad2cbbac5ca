"""Jobs on RQ: the queue services mode enqueues to.

RQ stores a job as an import path and arguments. Ours all go through one trampoline,
`taskflow_core.job_runner.run_job(path, *args)`, which `taskflow worker` processes resolve and run
with their own context; the job functions stay plain `job(context, *args)` and run inline
just as well. The trampoline is named by its path, so this adapter imports no composition.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import redis
from rq import Queue, Retry

from taskflow_core.adapters.job_queue import job_path, retry_delays
from taskflow_core.adapters.redis_guard import RedisUnavailable, guarded

if TYPE_CHECKING:
    from collections.abc import Callable

    from taskflow_core.adapters.breaker import CircuitBreaker
    from taskflow_core.adapters.job_queue import Job, JobQueue
    from taskflow_core.settings import Settings

log = logging.getLogger("taskflow.jobs")

QUEUE_NAME = "taskflow"
TRAMPOLINE = "taskflow_core.job_runner.run_job"
JOB_TIMEOUT = 300  # seconds; a scan of 1,000 tasks takes well under a second
DESCRIBED_ARG = 40  # characters of each argument shown in a job's description


def describe(job: Job, args: tuple[str, ...]) -> str:
    """How a job shows in RQ's logs and registries: its name and (shortened) arguments."""
    shown = (arg if len(arg) <= DESCRIBED_ARG else arg[: DESCRIBED_ARG - 1] + "…" for arg in args)
    return f"{job.__name__}({', '.join(shown)})"


def retry_policy(settings: Settings) -> Retry | None:
    """RQ's Retry for our jobs: `job_retries` times with exponential backoff, or None."""
    delays = retry_delays(settings)
    return Retry(max=len(delays), interval=delays) if delays else None


class RQJobQueue:
    """A `JobQueue` on RQ; while Redis is unavailable jobs run in this process instead.

    Enqueueing is bounded by the Redis timeout and guarded by the process's breaker. A
    timed-out enqueue may still land in Redis later, so such a job can run twice: our jobs are
    idempotent (notifications by a unique constraint, webhooks by their id header).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        breaker: CircuitBreaker,
        fallback: JobQueue,
        name: str = QUEUE_NAME,
    ) -> None:
        self._breaker = breaker
        self._fallback = fallback
        self._retry = retry_policy(settings)
        # RQ is synchronous: its calls run on a thread, never on the event loop.
        self._client = redis.Redis.from_url(
            settings.redis_url or "",
            socket_timeout=settings.redis_timeout,
            socket_connect_timeout=settings.redis_timeout,
        )
        self.queue = Queue(name, connection=self._client)
        # Each called as a job is queued; what they return goes in the job's meta (traces
        # carry their context into the job this way).
        self.meta_providers: list[Callable[[], dict[str, str]]] = []

    async def enqueue(self, job: Job, *args: str) -> None:
        try:
            await asyncio.to_thread(self._enqueue, job, args)
        except RedisUnavailable as error:
            log.warning("cannot queue %s (%s): running it in this process", job.__name__, error)
            await self._fallback.enqueue(job, *args)

    def _enqueue(self, job: Job, args: tuple[str, ...]) -> None:
        meta: dict[str, str] = {}
        for provide in self.meta_providers:
            meta |= provide()
        with guarded(self._breaker):
            self.queue.enqueue(
                TRAMPOLINE,
                args=(job_path(job), *args),
                retry=self._retry,
                job_timeout=JOB_TIMEOUT,
                description=describe(job, args),
                meta=meta or None,
            )

    async def close(self) -> None:
        await self._fallback.close()
        self._client.close()
