"""Background jobs: the overdue scan, each task's notification, and webhook deliveries.

A job is `async def job(context, *args: str)`: the queue names it by import path and calls it
with the context of the process that runs it (a server's, in embedded mode; a `taskflow
worker`'s in services mode).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING, Protocol

from taskflow_core.adapters.webhook import post_json
from taskflow_core.domain.clock import utcnow
from taskflow_core.operations.notifications import find_newly_overdue, record_overdue
from taskflow_core.serialization import to_json

if TYPE_CHECKING:
    from taskflow_core.adapters.database import Database
    from taskflow_core.adapters.job_queue import JobQueue
    from taskflow_core.schemas import NotificationOut
    from taskflow_core.settings import Settings

log = logging.getLogger("taskflow.jobs")


class Notifier(Protocol):
    """Tells the world about a new notification (its row is already stored)."""

    async def notify(self, notification: NotificationOut) -> None: ...


class JobContext(Protocol):
    """What a job needs of the process that runs it."""

    @property
    def settings(self) -> Settings: ...

    @property
    def database(self) -> Database: ...

    @property
    def jobs(self) -> JobQueue: ...

    @property
    def notifier(self) -> Notifier: ...


class LogNotifier:
    """Records each notification as one log line."""

    async def notify(self, notification: NotificationOut) -> None:
        log.info(
            "notification id=%s type=%s task=%s",
            notification.id,
            notification.type.value,
            notification.task_id,
        )


class WebhookNotifier:
    """Logs each notification and queues its delivery to `TASKFLOW_WEBHOOK_URL`.

    The delivery is a job of its own, so a slow or failing receiver delays nothing else and
    is retried with backoff. A retry may deliver a notification twice (the first attempt may
    have arrived before its answer timed out): receivers deduplicate on the
    `X-TaskFlow-Notification-Id` header.
    """

    def __init__(self, jobs: JobQueue) -> None:
        self._jobs = jobs
        self._log = LogNotifier()

    async def notify(self, notification: NotificationOut) -> None:
        await self._log.notify(notification)
        await self._jobs.enqueue(
            deliver_webhook, str(notification.id), to_json(notification).decode()
        )


async def scan_overdue(context: JobContext) -> int:
    """Find newly overdue tasks and queue one notification job for each."""
    task_ids = await find_newly_overdue(context.database, now=utcnow())
    for task_id in task_ids:
        await context.jobs.enqueue(notify_overdue, str(task_id))
    if task_ids:
        log.info("overdue scan queued %d notification(s)", len(task_ids))
    return len(task_ids)


async def notify_overdue(context: JobContext, task_id: str) -> bool:
    """Create (once) and send the overdue notification of one task; True if created now."""
    created = await record_overdue(context.database, task_id=uuid.UUID(task_id), now=utcnow())
    if created is None:
        return False
    await context.notifier.notify(created)
    return True


async def deliver_webhook(context: JobContext, notification_id: str, body: str) -> int:
    """POST one notification (its JSON) to the webhook; raising makes the queue retry.

    Returns:
        The receiver's HTTP status, or 0 when no webhook is configured any more.
    """
    settings = context.settings
    if settings.webhook_url is None:
        return 0
    status = await asyncio.to_thread(
        post_json,
        settings.webhook_url,
        body.encode(),
        timeout=settings.webhook_timeout,
        headers={"X-TaskFlow-Notification-Id": notification_id},
    )
    log.info("webhook delivered notification id=%s status=%d", notification_id, status)
    return status
