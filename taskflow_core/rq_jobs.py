"""Jobs on RQ: the queue the core enqueues to, and the function RQ workers run.

RQ stores a job as an import path and arguments. Ours all go through one trampoline,
`run_job(path, *args)`, which resolves the job (a `taskflow_core` function) and calls it with
the worker process's `Runtime`, built once per process; the job functions themselves stay
plain `job(runtime, *args)` and run inline just as well.
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import TYPE_CHECKING, Any

from rq import Queue, Retry

from taskflow_core.jobs import retry_delays
from taskflow_core.redis_guard import RedisUnavailable

if TYPE_CHECKING:
    from taskflow_core.jobs import Job, JobQueue
    from taskflow_core.redis_guard import RedisGuard
    from taskflow_core.runtime import Runtime
    from taskflow_core.settings import Settings

log = logging.getLogger("taskflow.jobs")

QUEUE_NAME = "taskflow"
JOB_PACKAGE = "taskflow_core."
JOB_TIMEOUT = 300  # seconds; a scan of 1,000 tasks takes well under a second
DESCRIBED_ARG = 40  # characters of each argument shown in a job's description

_worker_runtime: Runtime | None = None
_worker_runtime_lock = threading.Lock()


def job_path(job: Job) -> str:
    """The import path RQ stores for `job`, e.g. `taskflow_core.jobs.notify_overdue`."""
    return f"{job.__module__}.{job.__qualname__}"


def describe(job: Job, args: tuple[str, ...]) -> str:
    """How a job shows in RQ's logs and registries: its name and (shortened) arguments."""
    shown = (arg if len(arg) <= DESCRIBED_ARG else arg[: DESCRIBED_ARG - 1] + "…" for arg in args)
    return f"{job.__name__}({', '.join(shown)})"


def run_job(path: str, *args: str) -> Any:
    """What RQ runs: the job at `path`, called with this process's Runtime and `args`.

    Args:
        path: A job function under `taskflow_core` (nothing else is resolved).
        args: The job's string arguments.

    Returns:
        The job's result (RQ keeps it for a while).
    """
    if not path.startswith(JOB_PACKAGE):
        raise ValueError(f"not a TaskFlow job: {path!r}")
    module, _, name = path.rpartition(".")
    job = getattr(importlib.import_module(module), name)
    return job(worker_runtime(), *args)


def use_worker_runtime(runtime: Runtime | None) -> None:
    """Give this process's jobs their Runtime (`taskflow worker` does, once), or forget it."""
    global _worker_runtime  # noqa: PLW0603 - one Runtime per worker process, by design
    with _worker_runtime_lock:
        _worker_runtime = runtime


def worker_runtime() -> Runtime:
    """This worker process's Runtime, built from the environment's settings on first use."""
    global _worker_runtime  # noqa: PLW0603 - as above
    with _worker_runtime_lock:
        if _worker_runtime is None:
            from taskflow_core.runtime import build_runtime  # noqa: PLC0415 - import cycle
            from taskflow_core.settings import get_settings  # noqa: PLC0415 - as above

            _worker_runtime = build_runtime(get_settings())
        return _worker_runtime


def retry_policy(settings: Settings) -> Retry | None:
    """RQ's Retry for our jobs: `job_retries` times with exponential backoff, or None."""
    delays = retry_delays(settings)
    return Retry(max=len(delays), interval=delays) if delays else None


class RQJobQueue:
    """A `JobQueue` on RQ; while Redis is unavailable jobs run inline in this process instead.

    Enqueueing goes through the guarded client (short timeout, circuit breaker). A timed-out
    enqueue may still land in Redis later, so such a job can run twice: our jobs are
    idempotent (notifications by a unique constraint, webhooks by their id header).
    """

    def __init__(
        self, guard: RedisGuard, *, settings: Settings, fallback: JobQueue, name: str = QUEUE_NAME
    ) -> None:
        self._guard = guard
        self._fallback = fallback
        self._retry = retry_policy(settings)
        self.queue = Queue(name, connection=guard.client)

    def enqueue(self, job: Job, *args: str) -> None:
        path = job_path(job)
        try:
            self._guard.run(
                lambda _client: self.queue.enqueue(
                    run_job,
                    args=(path, *args),
                    retry=self._retry,
                    job_timeout=JOB_TIMEOUT,
                    description=describe(job, args),
                )
            )
        except RedisUnavailable as error:
            log.warning("cannot queue %s (%s): running it in this process", job.__name__, error)
            self._fallback.enqueue(job, *args)

    def close(self) -> None:
        self._fallback.close()
