"""Traces (OpenTelemetry), off unless the standard `OTEL_*` variables ask for them.

`OTEL_TRACES_EXPORTER=console` prints finished spans to stderr; `otlp` sends them to
`OTEL_EXPORTER_OTLP_ENDPOINT` (with `opentelemetry-exporter-otlp-proto-http` installed);
`OTEL_SERVICE_NAME` names the service. FastAPI makes a span for each request, continuing a
trace from the request's `traceparent`; `TracingInstruments` adds a span for each database
statement and each cache and rate-limit call, from wrappers around the adapters, and the
request middleware puts the request id on the request's span. Without a tracer provider none
of this is imported.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from contextlib import AbstractAsyncContextManager
    from types import TracebackType

    from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
    from opentelemetry.trace import Tracer, TracerProvider
    from rq.job import Job
    from sqlalchemy.sql import Executable

    from taskflow_core.adapters.breaker import CircuitBreaker
    from taskflow_core.adapters.cache import Cache
    from taskflow_core.adapters.database import Connection, Database, Row
    from taskflow_core.adapters.job_queue import JobQueue
    from taskflow_core.adapters.passwords import Passwords
    from taskflow_core.adapters.ratelimit import RateLimitDecision, RateLimiter
    from taskflow_core.settings import Rate

EXPORTER = "OTEL_TRACES_EXPORTER"
OTLP_PACKAGE = "opentelemetry-exporter-otlp-proto-http"


def tracer_provider_from_environment() -> SdkTracerProvider | None:
    """The provider `OTEL_TRACES_EXPORTER` asks for, or None (the default: no traces).

    Raises:
        ValueError: an exporter this server does not know, or whose package is missing.
    """
    exporter_name = os.environ.get(EXPORTER, "none").strip().lower()
    if exporter_name in ("", "none"):
        return None
    from opentelemetry.sdk.resources import Resource  # noqa: PLC0415 - only with traces on
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import (  # noqa: PLC0415
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SpanExporter,
    )

    exporter: SpanExporter
    if exporter_name == "console":
        exporter = ConsoleSpanExporter()
    elif exporter_name == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found]  # noqa: PLC0415
                OTLPSpanExporter,
            )
        except ImportError:
            needs = f"{EXPORTER}=otlp needs {OTLP_PACKAGE}: pip install {OTLP_PACKAGE}"
            raise ValueError(needs) from None
        exporter = OTLPSpanExporter()
    else:
        raise ValueError(f"{EXPORTER}={exporter_name!r}: this server knows console, otlp, none")
    provider = TracerProvider(resource=Resource.create())
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


class TracingInstruments:
    """`Instruments` that trace each database statement and each cache and rate-limit call."""

    def __init__(self, provider: TracerProvider) -> None:
        self._tracer = provider.get_tracer("taskflow")

    def database(self, database: Database) -> Database:
        return TracedDatabase(database, self._tracer)

    def cache(self, cache: Cache) -> Cache:
        return TracedCache(cache, self._tracer)

    def limiter(self, limiter: RateLimiter) -> RateLimiter:
        return TracedLimiter(limiter, self._tracer)

    def watch_breaker(self, breaker: CircuitBreaker) -> None:
        """Nothing to trace: the breaker is state, not calls."""

    def watch_passwords(self, passwords: Passwords) -> None:
        """Nothing to trace: a hash shows as the time inside its request's span."""

    def watch_jobs(self, jobs: JobQueue) -> None:
        """Jobs queued to RQ carry the trace they were queued in (`job_span` continues it);
        jobs run in this process are in it already."""
        from taskflow_core.adapters.rq_queue import RQJobQueue  # noqa: PLC0415 - services mode

        if isinstance(jobs, RQJobQueue):
            jobs.meta_providers.append(_trace_context)


def _trace_context() -> dict[str, str]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def job_span(tracer: Tracer, job: Job) -> Iterator[None]:
    """A span for one job a worker runs, continuing the trace it was queued in."""
    from taskflow_core.worker import job_name  # noqa: PLC0415 - the worker's, not the server's

    parent = propagate.extract(job.meta or {})
    with tracer.start_as_current_span(
        f"job {job_name(job)}",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={"messaging.message.id": job.id},
    ):
        yield


class TracedDatabase:
    """A `Database` whose connections make a span of each statement, named by its verb and
    carrying its SQL (placeholders, never values), as the runner hands it to its listeners."""

    def __init__(self, database: Database, tracer: Tracer) -> None:
        self._database = database
        self._tracer = tracer
        self.chains_writes = database.chains_writes
        self.searches_text_index = database.searches_text_index
        self.statement_listeners = database.statement_listeners
        self.statement_listeners.append(_name_the_span)
        self._system = "postgresql" if database.chains_writes else "sqlite"

    async def open(self) -> None:
        await self._database.open()

    async def close(self) -> None:
        await self._database.close()

    async def ping(self) -> float:
        return await self._database.ping()

    def reading(self) -> AbstractAsyncContextManager[Connection]:
        return _TracedScope(self._database.reading(), self)

    def writing(self) -> AbstractAsyncContextManager[Connection]:
        return _TracedScope(self._database.writing(), self)

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        return _TracedScope(self._database.transaction(), self)

    def span(self) -> Any:
        return self._tracer.start_as_current_span(
            "SQL", kind=SpanKind.CLIENT, attributes={"db.system.name": self._system}
        )


def _name_the_span(sql: str) -> None:
    span = trace.get_current_span()
    span.set_attribute("db.query.text", sql)
    span.update_name(sql.split(None, 1)[0].upper())


class _TracedScope:
    __slots__ = ("_database", "_scope")

    def __init__(
        self, scope: AbstractAsyncContextManager[Connection], database: TracedDatabase
    ) -> None:
        self._scope = scope
        self._database = database

    async def __aenter__(self) -> Connection:
        return _TracedConnection(await self._scope.__aenter__(), self._database)

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        return await self._scope.__aexit__(kind, error, traceback)


class _TracedConnection:
    """The scope's connection, each statement in a span of its own."""

    __slots__ = ("_connection", "_database")

    def __init__(self, connection: Connection, database: TracedDatabase) -> None:
        self._connection = connection
        self._database = database

    async def rows(
        self, statement: Executable, values: Mapping[str, Any] | None = None
    ) -> list[Row]:
        with self._database.span():
            return await self._connection.rows(statement, values)

    async def row(
        self, statement: Executable, values: Mapping[str, Any] | None = None
    ) -> Row | None:
        with self._database.span():
            return await self._connection.row(statement, values)

    async def scalar(self, statement: Executable, values: Mapping[str, Any] | None = None) -> Any:
        with self._database.span():
            return await self._connection.scalar(statement, values)

    async def execute(self, statement: Executable, values: Mapping[str, Any] | None = None) -> int:
        with self._database.span():
            return await self._connection.execute(statement, values)

    async def execute_many(self, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> None:
        with self._database.span():
            await self._connection.execute_many(statement, rows)


class TracedCache:
    """A `Cache` whose lookups and stores are spans (the key's kind, not the key)."""

    def __init__(self, cache: Cache, tracer: Tracer) -> None:
        self._cache = cache
        self._tracer = tracer

    async def get(self, key: str) -> bytes | None:
        with self._tracer.start_as_current_span("cache get", kind=SpanKind.CLIENT) as span:
            value = await self._cache.get(key)
            span.set_attribute("taskflow.cache.hit", value is not None)
            return value

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        with self._tracer.start_as_current_span("cache set", kind=SpanKind.CLIENT):
            await self._cache.set(key, value, ttl)


class TracedLimiter:
    """A `RateLimiter` whose calls are spans, named by budget (the key's first part)."""

    def __init__(self, limiter: RateLimiter, tracer: Tracer) -> None:
        self._limiter = limiter
        self._tracer = tracer

    async def hit(self, key: str, rate: Rate) -> RateLimitDecision:
        with self._span("hit", key) as span:
            decision = await self._limiter.hit(key, rate)
            span.set_attribute("taskflow.rate_limit.allowed", decision.allowed)
            return decision

    async def check(self, key: str, rate: Rate) -> RateLimitDecision:
        with self._span("check", key) as span:
            decision = await self._limiter.check(key, rate)
            span.set_attribute("taskflow.rate_limit.allowed", decision.allowed)
            return decision

    def _span(self, call: str, key: str) -> Any:
        return self._tracer.start_as_current_span(
            f"rate limit {call}",
            kind=SpanKind.CLIENT,
            attributes={"taskflow.rate_limit.budget": key.partition(":")[0]},
        )
