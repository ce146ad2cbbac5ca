"""`taskflow worker`: run background jobs (services mode), or show the queue with --status."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from taskflow_core.settings import Settings
    from taskflow_core.worker import QueueStatus


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    parser.description = (
        "Run an RQ worker with its scheduler and the overdue-scan cron (needs Redis)."
    )
    parser.add_argument(
        "--burst", action="store_true", help="run the due scan and the queued jobs, then exit"
    )
    parser.add_argument(
        "--status", action="store_true", help="show queue depth, workers and failures, then exit"
    )
    parser.add_argument("--json", action="store_true", help="with --status: print JSON")
    parser.set_defaults(handler=work)


def work(args: argparse.Namespace) -> None:
    """Run an RQ worker with its scheduler and the overdue-scan cron (needs Redis)."""
    from taskflow_cli.commands.db import load_settings, require_current_schema
    from taskflow_cli.errors import BadUsage
    from taskflow_core.domain.errors import ServiceUnavailable

    settings = load_settings()
    if not settings.redis_url:
        raise BadUsage("the worker runs in services mode: set TASKFLOW_REDIS_URL")
    if args.status:
        _show_status(settings, as_json=args.json)
        return
    import redis

    from taskflow_core.worker import run_worker

    require_current_schema(settings.resolved_database_url)
    _log_to_stderr(settings.log_level)
    mode = "burst" if args.burst else f"overdue scan every {settings.overdue_scan_interval}s"
    print(f"TaskFlow worker on {_safe_url(settings.redis_url)} ({mode})", file=sys.stderr)
    listeners = []
    if settings.metrics:
        from taskflow_cli.commands.worker_metrics import serve_job_metrics

        listeners.append(serve_job_metrics(settings))
    around = []
    provider = instruments = None
    if os.environ.get("OTEL_TRACES_EXPORTER"):
        from functools import partial

        from server.tracing import TracingInstruments, job_span, tracer_provider_from_environment

        provider = tracer_provider_from_environment()
        if provider is not None:
            around.append(partial(job_span, provider.get_tracer("taskflow.worker")))
            # The jobs' statements are spans too, and jobs they queue carry the trace on.
            instruments = TracingInstruments(provider)
    try:
        run_worker(
            settings,
            burst=args.burst,
            job_listeners=listeners,
            around_jobs=around,
            instruments=instruments,
        )
    except redis.RedisError as error:
        # Only a burst run gets here: a long-running worker waits for Redis instead.
        raise ServiceUnavailable(f"cannot reach Redis ({error})") from error
    finally:
        if provider is not None:
            provider.shutdown()  # sends the spans not sent yet


def _show_status(settings: Settings, *, as_json: bool) -> None:
    import redis

    from taskflow_core.domain.errors import ServiceUnavailable
    from taskflow_core.worker import queue_status, worker_connection

    connection = worker_connection(settings)
    try:
        report = queue_status(connection)
    except redis.RedisError as error:
        raise ServiceUnavailable(f"cannot reach Redis ({error})") from error
    finally:
        connection.close()
    if as_json:
        import json

        sys.stdout.write(json.dumps(_as_dict(report), indent=2) + "\n")
        return
    for line in _status_lines(report):
        print(line)


def _as_dict(report: QueueStatus) -> dict[str, object]:
    from dataclasses import asdict

    data = asdict(report)
    for failure in data["recent_failures"]:
        ended = failure["ended_at"]
        failure["ended_at"] = ended.isoformat() if ended else None
    return data


def _status_lines(report: QueueStatus) -> list[str]:
    lines = [
        f"queue {report.queue}: {report.queued} queued, {report.started} running, "
        f"{report.scheduled} waiting to retry, {report.failed} failed",
        f"workers: {report.workers}   cron schedulers: {report.cron_schedulers}",
    ]
    if report.recent_failures:
        lines.append("recent failures:")
        for failure in report.recent_failures:
            ended = failure.ended_at.isoformat(timespec="seconds") if failure.ended_at else "-"
            lines.append(f"  {ended}  {failure.id}  {failure.description}")
            if failure.error:
                lines.append(f"      {failure.error}")
    return lines


def _log_to_stderr(level: str) -> None:
    import logging

    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def _safe_url(url: str) -> str:
    """The Redis URL without its password, for the start-up line."""
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)
