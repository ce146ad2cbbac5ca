"""The server's `Instruments`: metrics, traces, both or neither, as configured."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from opentelemetry.trace import TracerProvider

    from taskflow_core.adapters.breaker import CircuitBreaker
    from taskflow_core.adapters.cache import Cache
    from taskflow_core.adapters.database import Database
    from taskflow_core.adapters.instruments import Instruments
    from taskflow_core.adapters.job_queue import JobQueue
    from taskflow_core.adapters.passwords import Passwords
    from taskflow_core.adapters.ratelimit import RateLimiter
    from taskflow_core.settings import Settings


def server_instruments(
    settings: Settings, tracer_provider: TracerProvider | None
) -> Instruments | None:
    """What measures the runtime's adapters; None when neither metrics nor traces are on."""
    chosen: list[Instruments] = []
    if settings.metrics:
        # Only a server with metrics on loads prometheus_client.
        from server.metrics import PrometheusInstruments  # noqa: PLC0415

        chosen.append(PrometheusInstruments(settings))
    if tracer_provider is not None:
        from server.tracing import TracingInstruments  # noqa: PLC0415

        chosen.append(TracingInstruments(tracer_provider))
    if len(chosen) > 1:
        return Both(chosen)
    return chosen[0] if chosen else None


class Both:
    """Several `Instruments`, each wrapping what the one before it returned."""

    def __init__(self, instruments: Sequence[Instruments]) -> None:
        self._instruments = instruments

    def database(self, database: Database) -> Database:
        for instruments in self._instruments:
            database = instruments.database(database)
        return database

    def cache(self, cache: Cache) -> Cache:
        for instruments in self._instruments:
            cache = instruments.cache(cache)
        return cache

    def limiter(self, limiter: RateLimiter) -> RateLimiter:
        for instruments in self._instruments:
            limiter = instruments.limiter(limiter)
        return limiter

    def watch_breaker(self, breaker: CircuitBreaker) -> None:
        for instruments in self._instruments:
            instruments.watch_breaker(breaker)

    def watch_passwords(self, passwords: Passwords) -> None:
        for instruments in self._instruments:
            instruments.watch_passwords(passwords)

    def watch_jobs(self, jobs: JobQueue) -> None:
        for instruments in self._instruments:
            instruments.watch_jobs(jobs)
