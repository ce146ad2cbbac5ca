"""The process's long-lived parts, built once from the settings.

This is the one place that chooses between embedded mode (SQLite, in-memory cache and
limiter, jobs on an in-process scheduler) and services mode (`TASKFLOW_REDIS_URL` set: cache,
rate limits and job queue in Redis, shared by every process); the rest of the code sees only
the `Cache`, `RateLimiter` and `JobQueue` interfaces.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from taskflow_core.cache import Cache, MemoryCache, NullCache
from taskflow_core.db import Database
from taskflow_core.jobs import (
    InlineJobQueue,
    JobQueue,
    LogNotifier,
    Notifier,
    retry_delays,
    scan_overdue,
)
from taskflow_core.pagination import Cursors
from taskflow_core.ratelimit import MemoryRateLimiter, RateLimiter
from taskflow_core.scheduler import IntervalScheduler
from taskflow_core.schemas import DependencyCheck
from taskflow_core.security import Security
from taskflow_core.services.task_reads import TaskReads
from taskflow_core.webhook import WebhookNotifier

if TYPE_CHECKING:
    from taskflow_core.loop_database import LoopDatabase
    from taskflow_core.redis_guard import AsyncRedisGuard, RedisGuard
    from taskflow_core.settings import Settings

log = logging.getLogger("taskflow.runtime")


@dataclass
class Runtime:
    """Everything a request or job needs besides its own input."""

    settings: Settings
    database: Database
    security: Security
    cursors: Cursors
    cache: Cache
    limiter: RateLimiter
    notifier: Notifier
    task_reads: TaskReads
    # Services mode only: the guarded client the cache, limiter and queue share.
    redis: RedisGuard | None = None
    # Set by `open_async` (PostgreSQL with the cache on): reads answered by the cache, and
    # task creation, are served on the event loop, without a worker thread.
    loop_db: LoopDatabase | None = field(default=None, init=False)
    _async_redis: AsyncRedisGuard | None = field(default=None, init=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False)
    jobs: JobQueue = field(init=False)
    _scheduler: IntervalScheduler | None = field(default=None, init=False)

    def start_background(self) -> None:
        """Start the in-process overdue scan: always in embedded mode, and in services mode
        as a stand-in that scans only while Redis (and with it RQ's cron) is unreachable."""
        if self._scheduler is None and self.settings.overdue_scan_interval > 0:
            job = scan_overdue if self.redis is None else Runtime.scan_while_redis_is_away
            self._scheduler = IntervalScheduler(
                lambda: job(self), interval=self.settings.overdue_scan_interval
            )
            self._scheduler.start()

    def scan_while_redis_is_away(self) -> int | None:
        """Run the overdue scan here if Redis does not answer; None when RQ's cron has it.

        Several server processes may scan at once: notifications are created idempotently.
        """
        if self.redis is None or self.redis.ping().status == "ok":
            return None
        log.warning("Redis unreachable: running the overdue scan in this process")
        return scan_overdue(self)

    def check_redis(self) -> DependencyCheck:
        """Redis's health, with its latency; embedded mode has none to check."""
        if self.redis is None:
            return DependencyCheck(status="disabled")
        return self.redis.ping()

    async def open_async(self) -> None:
        """Open the event loop's clients, in the loop that will serve the requests.

        Raises:
            RuntimeError: they are open already, for another loop (they cannot be shared).
        """
        if self.database.is_sqlite or self.settings.cache_ttl <= 0:
            return
        if self.loop_db is not None:
            if self._loop is not asyncio.get_running_loop():
                raise RuntimeError("this runtime already serves another event loop")
            return
        self._loop = asyncio.get_running_loop()
        # Imported here: the CLI and embedded mode never need psycopg's pool.
        from taskflow_core.loop_database import LoopDatabase  # noqa: PLC0415

        if self.redis is not None:
            from taskflow_core.redis_cache import RedisCache  # noqa: PLC0415
            from taskflow_core.redis_ratelimit import RedisRateLimiter  # noqa: PLC0415

            self._async_redis = self.redis.async_twin()
            if isinstance(self.cache, RedisCache):
                self.cache.attach_async(self._async_redis)
            if isinstance(self.limiter, RedisRateLimiter):
                self.limiter.attach_async(self._async_redis)
        self.loop_db = LoopDatabase(self.database, self.settings)
        await self.loop_db.open()

    async def close_async(self) -> None:
        loop_db, self.loop_db = self.loop_db, None
        if loop_db is not None:
            await loop_db.close()
        if self._async_redis is not None:
            await self._async_redis.close()
            self._async_redis = None

    def close(self) -> None:
        if self._scheduler is not None:
            self._scheduler.stop()
            self._scheduler = None
        self.jobs.close()
        if self.redis is not None:
            self.redis.close()
        self.security.passwords.close()
        self.database.dispose()


def build_runtime(settings: Settings, *, database_url: str | None = None) -> Runtime:
    """Build the parts for the configured mode."""
    guard: RedisGuard | None = None
    cache: Cache = NullCache()
    limiter: RateLimiter
    if settings.redis_url:
        # Redis and RQ are imported only here, so embedded mode never loads them.
        from taskflow_core.redis_cache import RedisCache  # noqa: PLC0415
        from taskflow_core.redis_guard import RedisGuard  # noqa: PLC0415
        from taskflow_core.redis_ratelimit import RedisRateLimiter  # noqa: PLC0415

        guard = RedisGuard.from_settings(settings)
        if settings.cache_ttl > 0:
            cache = RedisCache(guard)
        limiter = RedisRateLimiter(guard, fallback=MemoryRateLimiter())
    else:
        if settings.cache_ttl > 0:
            cache = MemoryCache()
        limiter = MemoryRateLimiter()
    cursors = Cursors(settings.signing_key)
    runtime = Runtime(
        settings=settings,
        database=Database(settings, url=database_url),
        security=Security(settings),
        cursors=cursors,
        cache=cache,
        limiter=limiter,
        notifier=LogNotifier(),
        task_reads=TaskReads(cache=cache, ttl=settings.cache_ttl, cursors=cursors),
        redis=guard,
    )
    runtime.jobs = _job_queue(runtime)
    if settings.webhook_url:
        runtime.notifier = WebhookNotifier(runtime.jobs)
    return runtime


def _job_queue(runtime: Runtime) -> JobQueue:
    inline = InlineJobQueue(runtime, retry_delays=retry_delays(runtime.settings))
    if runtime.redis is None:
        return inline
    from taskflow_core.rq_jobs import RQJobQueue  # noqa: PLC0415 - as above

    return RQJobQueue(runtime.redis, settings=runtime.settings, fallback=inline)
