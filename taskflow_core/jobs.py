"""Background jobs: the overdue scan and its per-task notification job.

Jobs are plain functions that take the process's `Runtime` first. A `JobQueue` runs them:
inline in the embedded scheduler thread, or on RQ workers in services mode.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any, Protocol

from taskflow_core.clock import utcnow
from taskflow_core.services.notifications import find_newly_overdue, record_overdue

if TYPE_CHECKING:
    from collections.abc import Callable

    from taskflow_core.runtime import Runtime
    from taskflow_core.schemas import NotificationOut

log = logging.getLogger("taskflow.jobs")


class JobQueue(Protocol):
    """Runs `job(runtime, *args)` now or later, somewhere."""

    def enqueue(self, job: Callable[..., Any], *args: str) -> None: ...


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


class InlineJobQueue:
    """Runs each job at once, in the calling thread (the embedded scheduler's)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def enqueue(self, job: Callable[..., Any], *args: str) -> None:
        try:
            job(self._runtime, *args)
        except Exception:
            log.exception("job %s failed", job.__name__)


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
