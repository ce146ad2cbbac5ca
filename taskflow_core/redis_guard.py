"""Redis on the request path: one client per process, short timeouts, a circuit breaker.

The cache, the rate limiter and job enqueueing reach Redis only through `RedisGuard.run`, so
a Redis that is down, refusing or slow costs a request at most one short timeout, and after
a few such failures nothing at all until the breaker lets a probe through again.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import redis
import redis.asyncio
from redis.backoff import NoBackoff
from redis.retry import Retry

from taskflow_core.breaker import CircuitBreaker
from taskflow_core.schemas import DependencyCheck

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from taskflow_core.settings import Settings

T = TypeVar("T")
R = TypeVar("R", redis.Redis, redis.asyncio.Redis)


class RedisUnavailable(Exception):
    """Redis could not serve this call: down, refusing, slow, erroring, or the breaker is open."""


class RedisGuard:
    """A Redis client whose every call is bounded in time and guarded by a circuit breaker."""

    def __init__(self, settings: Settings, breaker: CircuitBreaker) -> None:
        self._settings = settings
        self.client = _connect(redis.Redis, settings)
        self.breaker = breaker

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisGuard:
        """The process's guarded client for `TASKFLOW_REDIS_URL` (connections open lazily).

        Args:
            settings: Needs `redis_url`, `redis_timeout` and the breaker settings.

        Returns:
            A guard whose client times out after `redis_timeout` seconds and never retries
            on its own (the breaker decides when Redis is worth another try).
        """
        if not settings.redis_url:
            raise ValueError("services mode needs TASKFLOW_REDIS_URL")
        breaker = CircuitBreaker(
            name="Redis",
            threshold=settings.redis_breaker_threshold,
            cooldown=settings.redis_breaker_cooldown,
        )
        return cls(settings, breaker)

    def run(self, operation: Callable[[redis.Redis], T]) -> T:
        """Call `operation(client)` unless the breaker is open.

        Args:
            operation: One short Redis interaction (a command, a script, a pipeline).

        Returns:
            What `operation` returned.

        Raises:
            RedisUnavailable: the breaker is open, or the call failed or timed out.
        """
        with guarded(self.breaker):
            return operation(self.client)

    def async_twin(self) -> AsyncRedisGuard:
        """A client for the event loop with the same settings, sharing this guard's breaker.

        Call it in the loop that will use the client (its connections belong to that loop).
        """
        return AsyncRedisGuard(_connect(redis.asyncio.Redis, self._settings), self.breaker)

    def ping(self) -> DependencyCheck:
        """Ask Redis itself, breaker or not: readiness reports the truth, with the latency.

        Returns:
            `ok` with the round trip in milliseconds, or `down`. The outcome also feeds the
            breaker, so a successful probe ends an outage at once.
        """
        started = time.perf_counter()
        try:
            self.client.ping()
        except redis.RedisError:
            self.breaker.record_failure()
            return DependencyCheck(status="down", detail="redis not reachable")
        self.breaker.record_success()
        latency = round((time.perf_counter() - started) * 1000, 2)
        return DependencyCheck(status="ok", latency_ms=latency)

    def close(self) -> None:
        self.client.close()


class AsyncRedisGuard:
    """`RedisGuard` for the event loop: the same breaker, an asyncio client."""

    def __init__(self, client: redis.asyncio.Redis, breaker: CircuitBreaker) -> None:
        self.client = client
        self.breaker = breaker

    async def run(self, operation: Callable[[redis.asyncio.Redis], Awaitable[T]]) -> T:
        """Await `operation(client)` unless the breaker is open; as `RedisGuard.run`."""
        with guarded(self.breaker):
            return await operation(self.client)

    async def close(self) -> None:
        await self.client.aclose()


def _connect(client_class: type[R], settings: Settings) -> R:
    # Never retries on its own: the breaker decides when Redis is worth another try.
    return client_class.from_url(
        settings.redis_url or "",
        socket_timeout=settings.redis_timeout,
        socket_connect_timeout=settings.redis_timeout,
        retry=Retry(NoBackoff(), 0),
    )


@contextmanager
def guarded(breaker: CircuitBreaker) -> Iterator[None]:
    """Refuse at once while `breaker` is open; report the call's outcome to it.

    Raises:
        RedisUnavailable: the breaker is open, or the call failed or timed out.
    """
    if not breaker.allow():
        raise RedisUnavailable("Redis circuit is open")
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as error:
        breaker.record_failure()
        raise RedisUnavailable(str(error)) from error
    except redis.RedisError as error:
        # Redis answered, with an error (out of memory, read-only replica): it is up,
        # so this call fails alone and the breaker stays as it is.
        breaker.record_success()
        raise RedisUnavailable(str(error)) from error
    breaker.record_success()
