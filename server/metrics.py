"""Prometheus metrics of the HTTP layer, and `GET /metrics` (only with `TASKFLOW_METRICS=1`).

Measured from outside the routes and operations: an ASGI middleware counts requests by method,
route template (never the raw path: ids would make a series per task) and status class, their
latency, and the requests in flight; `PrometheusInstruments`, handed to `open_runtime`, wraps
the cache (hits and misses) and the rate limiter (refusals by budget). The app imports this
module only when metrics are on, so a server without them pays nothing.

Several worker processes report as one through prometheus_client's multi-process mode:
`taskflow server` gives them a fresh directory in `PROMETHEUS_MULTIPROC_DIR` before they start
(`server.serve`), each writes its values there, and a scrape of any worker sums them.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import time
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.responses import Response

from server.errors import problem
from server.serve import MULTIPROCESS_DIR
from taskflow_core.adapters.cache import NullCache
from taskflow_core.domain.errors import ServiceUnavailable, StatementTimedOut

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator
    from contextlib import AbstractAsyncContextManager
    from types import TracebackType

    from starlette.requests import Request
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from taskflow_core.adapters.breaker import CircuitBreaker
    from taskflow_core.adapters.cache import Cache
    from taskflow_core.adapters.database import Connection, Database
    from taskflow_core.adapters.job_queue import JobQueue
    from taskflow_core.adapters.passwords import Passwords
    from taskflow_core.adapters.ratelimit import RateLimitDecision, RateLimiter
    from taskflow_core.settings import Rate, Settings
    from taskflow_core.worker import QueueStatus

UNMATCHED = "unmatched"
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}
# Any other method a client makes up is one label, not a series each.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
# Seconds a scrape waits for Redis for the job figures.
JOBS_TIMEOUT = 1.0
# From a cached page (a millisecond) to a request waiting out the database timeout.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "taskflow_http_requests",
    "HTTP requests answered, by method, route template and status class.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "taskflow_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
CACHE_LOOKUPS = Counter(
    "taskflow_cache_lookups",
    "Reads looked up in the response cache, by whether the cache answered.",
    ["result"],
)
RATE_LIMIT_REFUSALS = Counter(
    "taskflow_rate_limit_refusals",
    "Requests a rate limit refused, by budget (user, auth-ip, login-failures, account-changes).",
    ["budget"],
)
CONNECTION_WAIT = Histogram(
    "taskflow_db_connection_wait_seconds",
    "Time an operation waited for a database connection.",
    buckets=(0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0),
)
CONNECTIONS_IN_USE = Gauge(
    "taskflow_db_connections_in_use",
    "Database connections lent to operations now, summed over the live worker processes.",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "taskflow_db_pool_size",
    "Database connections the worker processes may open, summed over the live ones.",
    multiprocess_mode="livesum",
)
DATABASE_UNAVAILABLE = Counter(
    "taskflow_db_unavailable",
    "Operations the database failed with 503: getting a connection (pool wait or connect "
    "timeout, outage) or running a statement (statement timeout, connection lost).",
    ["phase"],
)
STATEMENT_TIMEOUTS = Counter(
    "taskflow_db_statement_timeouts",
    "Statements the database stopped at TASKFLOW_STATEMENT_TIMEOUT (each also a 503).",
)
BREAKER_OPEN = Gauge(
    "taskflow_redis_breaker_open",
    "Worker processes that have stopped calling Redis for now (their circuit breaker is open).",
    multiprocess_mode="livesum",
)
BREAKER_OPENINGS = Counter(
    "taskflow_redis_breaker_openings", "Times a process's Redis circuit breaker opened."
)
HASH_WAIT = Histogram(
    "taskflow_password_hash_wait_seconds",
    "Time a password hash (login, register, password change) waited for a hashing thread.",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
# A check of whether an address is known to an account, not a budget anything is refused by.
NOT_A_BUDGET = "login-known"
IN_FLIGHT = Gauge(
    "taskflow_http_requests_in_flight",
    "Requests being answered now, summed over the live worker processes.",
    multiprocess_mode="livesum",
)


class MetricsMiddleware:
    """Counts and times every HTTP request under its route's template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Each series' child looked up once: `labels()` costs more than the count itself.
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_status)
        finally:
            IN_FLIGHT.dec()
            # The router puts the matched route in the scope; `path_format` is its template
            # without the convertors (`/tasks/{task_id}`).
            route = getattr(scope.get("route"), "path_format", UNMATCHED)
            method = scope["method"] if scope["method"] in METHODS else OTHER_METHOD
            key = (method, route, status // 100)
            if (series := self._series.get(key)) is None:
                series = self._series[key] = (
                    REQUESTS.labels(key[0], route, f"{key[2]}xx"),
                    LATENCY.labels(key[0], route),
                )
            series[0].inc()
            series[1].observe(time.perf_counter() - started)


class PrometheusInstruments:
    """`Instruments` that measure database connections, cache hits and misses, rate-limit
    refusals, the Redis breaker and the password-hash queue."""

    def __init__(self, settings: Settings) -> None:
        self._pool_size = settings.db_pool_size

    def database(self, database: Database) -> Database:
        POOL_SIZE.set(self._pool_size)
        return MeasuredDatabase(database)

    def cache(self, cache: Cache) -> Cache:
        # With caching off every read would count as a miss: nothing to measure.
        return cache if isinstance(cache, NullCache) else CountedCache(cache)

    def limiter(self, limiter: RateLimiter) -> RateLimiter:
        return CountedLimiter(limiter)

    def watch_passwords(self, passwords: Passwords) -> None:
        passwords.wait_listeners.append(HASH_WAIT.observe)

    def watch_jobs(self, jobs: JobQueue) -> None:
        """Nothing: the queue is read from Redis at each scrape, the jobs counted by workers."""

    def watch_breaker(self, breaker: CircuitBreaker) -> None:
        BREAKER_OPEN.set(0)
        breaker.listeners.append(_breaker_moved)


def _breaker_moved(opened: bool) -> None:
    BREAKER_OPEN.set(1 if opened else 0)
    if opened:
        BREAKER_OPENINGS.inc()


class MeasuredDatabase:
    """A `Database` whose scopes are timed from the request for a connection to getting one,
    counted while lent, and counted when the database fails them."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self.chains_writes = database.chains_writes
        self.searches_text_index = database.searches_text_index
        self.statement_listeners = database.statement_listeners

    async def open(self) -> None:
        await self._database.open()

    async def close(self) -> None:
        await self._database.close()

    async def ping(self) -> float:
        return await self._database.ping()

    def reading(self) -> AbstractAsyncContextManager[Connection]:
        return _MeasuredScope(self._database.reading())

    def writing(self) -> AbstractAsyncContextManager[Connection]:
        return _MeasuredScope(self._database.writing())

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        return _MeasuredScope(self._database.transaction())


_UNAVAILABLE_CONNECTING = DATABASE_UNAVAILABLE.labels("connect")
_UNAVAILABLE_RUNNING = DATABASE_UNAVAILABLE.labels("statement")


class _MeasuredScope:
    """One scope of `MeasuredDatabase` (a class rather than a generator: every request enters
    one or two, and a generator-based context manager costs several times as much)."""

    __slots__ = ("_scope",)

    def __init__(self, scope: AbstractAsyncContextManager[Connection]) -> None:
        self._scope = scope

    async def __aenter__(self) -> Connection:
        started = time.perf_counter()
        try:
            connection = await self._scope.__aenter__()
        except ServiceUnavailable:
            _UNAVAILABLE_CONNECTING.inc()
            raise
        CONNECTION_WAIT.observe(time.perf_counter() - started)
        CONNECTIONS_IN_USE.inc()
        return connection

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        CONNECTIONS_IN_USE.dec()
        try:
            suppressed = await self._scope.__aexit__(kind, error, traceback)
        except ServiceUnavailable as failure:
            # A commit the database failed, or the scope's own mapping of a driver error.
            _count_running_failure(failure)
            raise
        if isinstance(error, ServiceUnavailable) and not suppressed:
            _count_running_failure(error)
        return suppressed


def _count_running_failure(error: ServiceUnavailable) -> None:
    _UNAVAILABLE_RUNNING.inc()
    if isinstance(error, StatementTimedOut):
        STATEMENT_TIMEOUTS.inc()


class CountedCache:
    """A `Cache` that counts what its lookups found."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache
        self._hit = CACHE_LOOKUPS.labels("hit")
        self._miss = CACHE_LOOKUPS.labels("miss")

    async def get(self, key: str) -> bytes | None:
        value = await self._cache.get(key)
        (self._miss if value is None else self._hit).inc()
        return value

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        await self._cache.set(key, value, ttl)


class CountedLimiter:
    """A `RateLimiter` that counts its refusals by budget (the key's first part)."""

    def __init__(self, limiter: RateLimiter) -> None:
        self._limiter = limiter

    async def hit(self, key: str, rate: Rate) -> RateLimitDecision:
        return self._counted(key, await self._limiter.hit(key, rate))

    async def check(self, key: str, rate: Rate) -> RateLimitDecision:
        return self._counted(key, await self._limiter.check(key, rate))

    @staticmethod
    def _counted(key: str, decision: RateLimitDecision) -> RateLimitDecision:
        budget = key.partition(":")[0]
        if not decision.allowed and budget != NOT_A_BUDGET:
            RATE_LIMIT_REFUSALS.labels(budget).inc()
        return decision


def metrics_endpoint(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    """The `/metrics` endpoint: every worker's values in Prometheus' text format."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None

    async def metrics(request: Request) -> Response:
        if token is not None:
            sent = request.headers.get("authorization", "").removeprefix("Bearer ")
            if not hmac.compare_digest(sent.encode(), token.encode()):
                return problem(
                    request, 401, "Metrics need the metrics token", headers=BEARER_CHALLENGE
                )
        registry = REGISTRY
        if os.environ.get(MULTIPROCESS_DIR):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
        if settings.redis_url:
            body += await _job_metrics(settings.redis_url)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return metrics


async def _job_metrics(redis_url: str) -> bytes:
    """RQ's queue as `taskflow worker --status` sees it, read from Redis at each scrape (the
    workers keep no values of their own that a server could sum)."""
    registry = CollectorRegistry()
    registry.register(_JobsCollector(await asyncio.to_thread(_queue_status, redis_url)))
    return generate_latest(registry)


def _queue_status(redis_url: str) -> QueueStatus | None:
    import redis  # noqa: PLC0415 - services mode only

    from taskflow_core.worker import queue_status  # noqa: PLC0415 - RQ, for scrapes only

    client = redis.Redis.from_url(
        redis_url, socket_timeout=JOBS_TIMEOUT, socket_connect_timeout=JOBS_TIMEOUT
    )
    try:
        return queue_status(client, recent=0)
    except redis.RedisError:
        return None
    finally:
        client.close()


class _JobsCollector:
    """The queue's figures as gauges; `taskflow_jobs_up` 0 when Redis did not answer."""

    def __init__(self, status: QueueStatus | None) -> None:
        self._status = status

    def collect(self) -> Iterator[GaugeMetricFamily]:
        status = self._status
        up = 1 if status is not None else 0
        yield GaugeMetricFamily("taskflow_jobs_up", "Whether Redis answered for them.", value=up)
        if status is None:
            return
        for name, help_text, value in (
            ("queued", "Jobs waiting in the queue.", status.queued),
            ("running", "Jobs a live worker is running.", status.started),
            ("scheduled", "Jobs waiting for their retry time.", status.scheduled),
            ("failed", "Jobs that failed for good (kept in RQ's failed registry).", status.failed),
            ("workers", "Live workers.", status.workers),
        ):
            yield GaugeMetricFamily(f"taskflow_jobs_{name}", help_text, value=value)
