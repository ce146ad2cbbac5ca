"""How a host process measures the adapters without the operations knowing: it hands
`open_runtime` an `Instruments`, which may wrap the database, the cache and the rate limiter
it is given, and watch the Redis circuit breaker, the password-hashing threads and the job
queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from taskflow_core.adapters.breaker import CircuitBreaker
    from taskflow_core.adapters.cache import Cache
    from taskflow_core.adapters.database import Database
    from taskflow_core.adapters.job_queue import JobQueue
    from taskflow_core.adapters.passwords import Passwords
    from taskflow_core.adapters.ratelimit import RateLimiter


class Instruments(Protocol):
    """Wrappers around the adapters the operations use; each returns what it was given, or
    a stand-in with the same interface that also measures."""

    def database(self, database: Database) -> Database: ...

    def cache(self, cache: Cache) -> Cache: ...

    def limiter(self, limiter: RateLimiter) -> RateLimiter: ...

    def watch_breaker(self, breaker: CircuitBreaker) -> None: ...

    def watch_passwords(self, passwords: Passwords) -> None: ...

    def watch_jobs(self, jobs: JobQueue) -> None: ...
