"""`taskflow worker`'s own metrics, with `TASKFLOW_METRICS=1`: the jobs it ran, by job and
outcome, in Prometheus' text format on `TASKFLOW_WORKER_METRICS_HOST:PORT` (127.0.0.1:9101 by
default; a worker has no API to put them behind, so keep the port private). Notifications
created are `notify_overdue` successes; webhook deliveries are `deliver_webhook` runs.

The queue itself (depth, failures, live workers) is read from Redis by the server's
`/metrics`, which every worker shares.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from prometheus_client import Counter, start_http_server

if TYPE_CHECKING:
    from collections.abc import Callable

    from taskflow_core.settings import Settings

JOBS = Counter(
    "taskflow_worker_jobs",
    "Jobs this worker ran, by job and outcome (a failure that will be retried counts too).",
    ["job", "outcome"],
)


def serve_job_metrics(settings: Settings) -> Callable[[str, bool], None]:
    """Serve the metrics over HTTP from a thread; returns the listener that counts each job."""
    host, port = settings.worker_metrics_host, settings.worker_metrics_port
    start_http_server(port, addr=host)
    print(f"worker metrics on http://{host}:{port}/metrics", file=sys.stderr)

    def ran(job: str, succeeded: bool) -> None:
        JOBS.labels(job, "succeeded" if succeeded else "failed").inc()

    return ran
