"""Traces across RQ: a job continues the trace it was queued in, and the jobs it queues
continue it in turn (the overdue scan, then a notification job for each overdue task)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from server.tracing import TracingInstruments, job_span
from taskflow_core.operations.jobs import scan_overdue
from taskflow_core.runtime import open_runtime
from taskflow_core.worker import run_worker
from tests.conftest import make_task

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from taskflow_core.runtime import Runtime
    from taskflow_core.settings import Settings

pytestmark = pytest.mark.redis


async def queue_a_scan(settings: Settings, instruments: TracingInstruments) -> None:
    """What a traced server process does when it queues a job."""
    async with open_runtime(settings, instruments=instruments) as runtime:
        await runtime.jobs.enqueue(scan_overdue)


def test_jobs_continue_the_trace_they_were_queued_in(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    for n in range(2):
        make_task(client, headers, title=f"late {n}", dueDate=past)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instruments = TracingInstruments(provider)
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("operator") as root:
        asyncio.run(queue_a_scan(runtime.settings, instruments))
    run_worker(
        runtime.settings,
        burst=True,
        around_jobs=[partial(job_span, tracer)],
        instruments=instruments,
    )
    spans = exporter.get_finished_spans()
    jobs = {span.name: [] for span in spans if span.name.startswith("job ")}
    for span in spans:
        if span.name in jobs:
            jobs[span.name].append(span)
    assert {name: len(found) for name, found in jobs.items()} == {
        "job scan_overdue": 1,
        "job notify_overdue": 2,
    }
    trace_id = root.get_span_context().trace_id
    [scan] = jobs["job scan_overdue"]
    assert scan.context.trace_id == trace_id
    assert scan.parent is not None
    assert scan.parent.span_id == root.get_span_context().span_id
    for notify in jobs["job notify_overdue"]:
        assert notify.context.trace_id == trace_id
        assert notify.parent is not None
        assert notify.parent.span_id == scan.context.span_id
    # Inside the jobs, their statements are spans of the same trace.
    statements = [s for s in spans if "db.query.text" in dict(s.attributes or {})]
    assert statements
    assert all(s.context.trace_id == trace_id for s in statements)
    provider.shutdown()
