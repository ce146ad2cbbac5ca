"""Notifications POSTed to `TASKFLOW_WEBHOOK_URL`, as a job the queue retries.

Each notification is logged and stored first (the row is the record); the POST is a job of
its own, so a slow or failing receiver delays nothing else and is retried with backoff (RQ's
Retry in services mode, timers in embedded mode). A retry may deliver a notification twice
(the first attempt may have arrived before its answer timed out): receivers deduplicate on
the `X-TaskFlow-Notification-Id` header.
"""

from __future__ import annotations

import logging
import urllib.request
from typing import TYPE_CHECKING

from taskflow_core.jobs import LogNotifier
from taskflow_core.serialization import to_json

if TYPE_CHECKING:
    from taskflow_core.jobs import JobQueue
    from taskflow_core.runtime import Runtime
    from taskflow_core.schemas import NotificationOut

log = logging.getLogger("taskflow.webhook")
USER_AGENT = "taskflow-webhook/1"


class WebhookNotifier:
    """Logs each notification and queues its delivery to the webhook."""

    def __init__(self, jobs: JobQueue) -> None:
        self._jobs = jobs
        self._log = LogNotifier()

    def notify(self, notification: NotificationOut) -> None:
        self._log.notify(notification)
        self._jobs.enqueue(deliver_webhook, str(notification.id), to_json(notification).decode())


def deliver_webhook(runtime: Runtime, notification_id: str, body: str) -> int:
    """Job: POST one notification (its JSON) to the webhook; raising makes the queue retry.

    Returns:
        The receiver's HTTP status, or 0 when no webhook is configured any more.
    """
    url = runtime.settings.webhook_url
    if url is None:
        return 0
    status = post_json(
        url,
        body.encode(),
        timeout=runtime.settings.webhook_timeout,
        headers={"X-TaskFlow-Notification-Id": notification_id},
    )
    log.info("webhook delivered notification id=%s status=%d", notification_id, status)
    return status


def post_json(url: str, body: bytes, *, timeout: float, headers: dict[str, str]) -> int:
    """POST `body` as JSON; the status on 2xx, an exception otherwise.

    Args:
        url: An http(s) URL (settings refuse other schemes).
        body: The JSON document.
        timeout: Seconds for connecting and for each read.
        headers: Extra request headers.

    Returns:
        The 2xx status code.

    Raises:
        urllib.error.URLError: unreachable, timed out, or (HTTPError) answered 3xx-5xx.
    """
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked in settings
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT} | headers,
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - as above
        return int(response.status)
