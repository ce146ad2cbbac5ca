"""POSTing JSON to a webhook receiver (a job's work; see `operations.jobs.deliver_webhook`)."""

from __future__ import annotations

import urllib.request

USER_AGENT = "taskflow-webhook/1"


def post_json(url: str, body: bytes, *, timeout: float, headers: dict[str, str]) -> int:
    """POST `body` as JSON; the status on 2xx, an exception otherwise (blocking: run it on a
    thread).

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
