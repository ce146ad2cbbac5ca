"""Traces: a request's span continues the caller's `traceparent` and carries the request id;
its database statements, cache and rate-limit calls are child spans, with SQL but no values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from server.app import create_app
from server.tracing import tracer_provider_from_environment
from tests.conftest import bearer, register

if TYPE_CHECKING:
    from collections.abc import Iterator

    from opentelemetry.sdk.trace import ReadableSpan

    from taskflow_core.settings import Settings

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
SECRET = "a-search-no-span-may-show"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def traced(settings: Settings, exporter: InMemorySpanExporter) -> Iterator[TestClient]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with TestClient(create_app(settings, tracer_provider=provider)) as client:
        yield client
    provider.shutdown()


def attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def test_a_request_continues_the_caller_s_trace_with_its_statements_inside(
    traced: TestClient, exporter: InMemorySpanExporter
) -> None:
    headers = bearer(register(traced))
    exporter.clear()
    answer = traced.get(
        "/tasks",
        params={"search": SECRET},
        headers=headers | {"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"},
    )
    assert answer.status_code == 200
    spans = exporter.get_finished_spans()
    request = next(
        s for s in spans if s.parent is not None and s.parent.span_id == int(PARENT_ID, 16)
    )
    assert f"{request.context.trace_id:032x}" == TRACE_ID
    assert attributes(request)["taskflow.request_id"] == answer.headers["x-request-id"]
    inside = [s for s in spans if s is not request]
    assert all(f"{s.context.trace_id:032x}" == TRACE_ID for s in inside)
    statements = [s for s in inside if "db.query.text" in attributes(s)]
    # The caller check, then the page with its total (a search's starts with its matches).
    assert [s.name for s in statements] == ["SELECT", "WITH"]
    assert {s.name for s in inside} >= {"cache get", "cache set"}
    # SQL with placeholders: the values sent appear in no span.
    assert not any(SECRET in str(attributes(s)) for s in spans)


def test_rate_limit_calls_are_spans_named_by_budget(
    settings: Settings, exporter: InMemorySpanExporter
) -> None:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    limited = settings.model_copy(update={"rate_limit": "100/minute"})
    with TestClient(create_app(limited, tracer_provider=provider)) as client:
        headers = bearer(register(client))
        exporter.clear()
        assert client.get("/tasks", headers=headers).status_code == 200
    budgets = [
        attributes(s)["taskflow.rate_limit.budget"]
        for s in exporter.get_finished_spans()
        if s.name.startswith("rate limit")
    ]
    assert budgets == ["user"]


def test_without_a_provider_nothing_is_traced(client: TestClient) -> None:
    assert client.get("/health").status_code == 200


@pytest.mark.parametrize(
    ("exporter_name", "made"), [("", False), ("none", False), ("console", True)]
)
def test_the_standard_variable_turns_traces_on(
    monkeypatch: pytest.MonkeyPatch, exporter_name: str, made: bool
) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", exporter_name)
    provider = tracer_provider_from_environment()
    assert (provider is not None) == made
    if provider is not None:
        provider.shutdown()


def test_an_exporter_it_cannot_use_is_refused_saying_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin")
    with pytest.raises(ValueError, match="console, otlp, none"):
        tracer_provider_from_environment()
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    with pytest.raises(ValueError, match="opentelemetry-exporter-otlp-proto-http"):
        tracer_provider_from_environment()
