"""Background jobs: the overdue scan, its per-task notification job, and how jobs run.

Jobs are module-level functions `job(runtime, *args: str)`, so a queue can name them by
import path. A `JobQueue` runs them: inline here (embedded mode, or while Redis is away), or
on RQ workers in services mode (`taskflow_core.rq_jobs`).
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from taskflow_core.clock import utcnow
from taskflow_core.services.notifications import find_newly_overdue, record_overdue

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from taskflow_core.runtime import Runtime
    from taskflow_core.schemas import NotificationOut
    from taskflow_core.settings import Settings

    Job: TypeAlias = Callable[..., Any]

log = logging.getLogger("taskflow.jobs")


class JobQueue(Protocol):
    """Runs `job(runtime, *args)` now or later, somewhere, retrying it when it fails."""

    def enqueue(self, job: Job, *args: str) -> None: ...

    def close(self) -> None: ...


class Notifier(Protocol):
    """Tells the world about a new notification (its row is already stored)."""

    def notify(self, notification: NotificationOut) -> None: ...


class LogNotifier:
    """Records each notification as one log line."""

    def notify(self, notification: NotificationOut) -> None:
        log.info(
            "notification id=%s type=%s task=%s",
            notification.id,
            notification.type.value,
            notification.task_id,
        )


def retry_delays(settings: Settings) -> list[int]:
    """Seconds to wait before each retry of a failed job: exponential backoff.

    Args:
        settings: `job_retries` (how many retries) and `job_retry_backoff` (the first wait).

    Returns:
        e.g. `[10, 20, 40]` for 3 retries from 10 s; empty when retries are off.
    """
    return [settings.job_retry_backoff * 2**attempt for attempt in range(settings.job_retries)]


class InlineJobQueue:
    """Runs each job at once in the calling thread; a failed job runs again later on a timer.

    Retries wait on timers rather than in the caller, so one failing job (a dead webhook)
    never holds up the scan that queued it.
    """

    def __init__(self, runtime: Runtime, *, retry_delays: Sequence[float] = ()) -> None:
        self._runtime = runtime
        self._retry_delays = list(retry_delays)
        self._timers: set[threading.Timer] = set()
        self._lock = threading.Lock()
        self._closed = False

    def enqueue(self, job: Job, *args: str) -> None:
        self._attempt(job, args, 0, None)

    def close(self) -> None:
        """Cancel the retries still waiting."""
        with self._lock:
            self._closed = True
            timers, self._timers = self._timers, set()
        for timer in timers:
            timer.cancel()

    def _attempt(
        self, job: Job, args: tuple[str, ...], retry: int, timer: threading.Timer | None
    ) -> None:
        if timer is not None:
            with self._lock:
                self._timers.discard(timer)
                if self._closed:
                    return
        try:
            job(self._runtime, *args)
        except Exception as error:
            self._retry_later(job, args, retry, error)

    def _retry_later(self, job: Job, args: tuple[str, ...], retry: int, error: Exception) -> None:
        name = job.__name__
        if retry >= len(self._retry_delays):
            log.error("job %s failed for good", name, exc_info=error)
            return
        delay = self._retry_delays[retry]
        # One line per retry; the traceback comes once, with the final failure.
        log.warning("job %s failed (%s); retry %d in %ss", name, error, retry + 1, delay)
        timer = threading.Timer(delay, lambda: self._attempt(job, args, retry + 1, timer))
        timer.daemon = True
        with self._lock:
            if self._closed:
                return
            self._timers.add(timer)
        timer.start()


def scan_overdue(runtime: Runtime) -> int:
    """Find newly overdue tasks and queue one notification job for each."""
    with runtime.database.session() as session:
        task_ids = find_newly_overdue(session, now=utcnow())
    for task_id in task_ids:
        runtime.jobs.enqueue(notify_overdue, str(task_id))
    if task_ids:
        log.info("overdue scan queued %d notification(s)", len(task_ids))
    return len(task_ids)


def notify_overdue(runtime: Runtime, task_id: str) -> bool:
    """Create (once) and send the overdue notification of one task; True if created now."""
    with runtime.database.session(write=True) as session:
        created = record_overdue(session, task_id=uuid.UUID(task_id), now=utcnow())
    if created is None:
        return False
    runtime.notifier.notify(created)
    return True
