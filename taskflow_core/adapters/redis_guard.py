"""Redis on the request path: one asyncio client per process, short timeouts, a circuit breaker.

The cache and the rate limiter reach Redis only through `RedisGuard.run`, so a Redis that is
down, refusing or slow costs a request at most one short timeout, and after a few such
failures nothing at all until the breaker lets a probe through again. The job queue (RQ,
which is synchronous) has its own client but the same breaker (`guarded`).
"""

from __future__ import annotations

import contextlib
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import redis
import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from taskflow_core.adapters.breaker import CircuitBreaker

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from taskflow_core.settings import Settings

T = TypeVar("T")


class RedisUnavailable(Exception):
    """Redis could not serve this call: down, refusing, slow, erroring, or the breaker is open."""


class RedisGuard:
    """An asyncio Redis client whose every call is bounded in time and guarded by a breaker.

    Build it in the event loop that will use it (its connections belong to that loop).
    """

    def __init__(self, settings: Settings) -> None:
        if not settings.redis_url:
            raise ValueError("services mode needs TASKFLOW_REDIS_URL")
        # Never retries on its own: the breaker decides when Redis is worth another try.
        self.client = redis.asyncio.Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout,
            socket_connect_timeout=settings.redis_timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self.breaker = CircuitBreaker(
            name="Redis",
            threshold=settings.redis_breaker_threshold,
            cooldown=settings.redis_breaker_cooldown,
        )

    async def run(self, operation: Callable[[redis.asyncio.Redis], Awaitable[T]]) -> T:
        """Await `operation(client)` unless the breaker is open.

        Args:
            operation: One short Redis interaction (a command, a script, a pipeline).

        Returns:
            What `operation` returned.

        Raises:
            RedisUnavailable: the breaker is open, or the call failed or timed out.
        """
        with guarded(self.breaker):
            return await operation(self.client)

    async def ping(self) -> float:
        """Ask Redis itself, breaker or not, so readiness reports the truth.

        Returns:
            The round trip in seconds. The outcome also feeds the breaker, so a successful
            probe ends an outage at once.

        Raises:
            RedisUnavailable: Redis did not answer.
        """
        started = time.perf_counter()
        try:
            await self.client.ping()
        except redis.RedisError as error:
            self.breaker.record_failure()
            raise RedisUnavailable(str(error)) from error
        self.breaker.record_success()
        return time.perf_counter() - started

    async def close(self) -> None:
        # Closing waits for Redis at most the short timeout; one that does not answer is
        # left behind (the process is going away).
        with contextlib.suppress(redis.RedisError):
            await self.client.aclose()


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
