"""The process's parts, built for the configured mode: the one place that chooses them.

Embedded mode (no `TASKFLOW_REDIS_URL`): SQLite, a cache and rate limits in this process, jobs
on the event loop. Services mode: PostgreSQL, and Redis for the cache, the rate limits and
RQ's job queue, shared by every process. The operations see only their interfaces.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import make_url

from taskflow_core.adapters.cache import Cache, MemoryCache, NullCache
from taskflow_core.adapters.job_queue import InlineJobQueue, JobQueue, retry_delays
from taskflow_core.adapters.passwords import Passwords
from taskflow_core.adapters.ratelimit import MemoryRateLimiter, RateLimiter
from taskflow_core.adapters.redis_guard import RedisUnavailable
from taskflow_core.adapters.scheduler import IntervalScheduler
from taskflow_core.adapters.tokens import AccessTokens
from taskflow_core.operations.accounts.auth import Auth
from taskflow_core.operations.accounts.users import Users
from taskflow_core.operations.jobs import LogNotifier, Notifier, WebhookNotifier, scan_overdue
from taskflow_core.operations.notifications import Notifications
from taskflow_core.operations.pagination import Cursors
from taskflow_core.operations.projects.labels import Labels
from taskflow_core.operations.projects.projects import Projects
from taskflow_core.operations.read_through import ReadThrough
from taskflow_core.operations.tasks.reads import TaskReads
from taskflow_core.operations.tasks.writes import TaskWrites

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from taskflow_core.adapters.database import Database
    from taskflow_core.adapters.instruments import Instruments
    from taskflow_core.adapters.redis_guard import RedisGuard
    from taskflow_core.settings import Settings

log = logging.getLogger("taskflow.runtime")


@dataclass(frozen=True)
class Runtime:
    """Everything a request or a job needs besides its own input."""

    settings: Settings
    database: Database
    redis: RedisGuard | None
    cache: Cache
    limiter: RateLimiter
    access_tokens: AccessTokens
    jobs: JobQueue
    notifier: Notifier
    task_reads: TaskReads
    task_writes: TaskWrites
    projects: Projects
    labels: Labels
    auth: Auth
    users: Users
    notifications: Notifications

    async def scan_while_redis_is_away(self) -> int | None:
        """The overdue scan, run here when Redis (and with it RQ's cron) does not answer;
        None while the cron has it. Several processes may scan at once: notifications are
        created once whatever the number of scans."""
        if self.redis is not None:
            try:
                await self.redis.ping()
            except RedisUnavailable:
                log.warning("Redis unreachable: running the overdue scan in this process")
            else:
                return None
        return await scan_overdue(self)


@asynccontextmanager
async def open_runtime(
    settings: Settings, *, database_url: str | None = None, instruments: Instruments | None = None
) -> AsyncIterator[Runtime]:
    """Build and open the parts for the configured mode, in the running event loop (their
    connections belong to it); close them on the way out. `instruments` may wrap the database,
    the cache and the rate limiter, and watch the Redis breaker (the server's metrics)."""
    database = _database(settings, database_url)
    if instruments is not None:
        database = instruments.database(database)
    await database.open()
    redis = _redis(settings)
    passwords = Passwords(settings)
    cursors = Cursors(settings.signing_key)
    limiter = _limiter(settings, redis)
    cache = _cache(settings, redis)
    if instruments is not None:
        limiter = instruments.limiter(limiter)
        cache = instruments.cache(cache)
        instruments.watch_passwords(passwords)
        if redis is not None:
            instruments.watch_breaker(redis.breaker)
    read_through = ReadThrough(cache, ttl=settings.cache_ttl)
    runtime: Runtime
    inline = InlineJobQueue(
        lambda job, *args: job(runtime, *args), retry_delays=retry_delays(settings)
    )
    jobs = _job_queue(settings, redis, inline)
    if instruments is not None:
        instruments.watch_jobs(jobs)
    access_tokens = AccessTokens(settings)
    runtime = Runtime(
        settings=settings,
        database=database,
        redis=redis,
        cache=cache,
        limiter=limiter,
        access_tokens=access_tokens,
        jobs=jobs,
        notifier=WebhookNotifier(jobs) if settings.webhook_url else LogNotifier(),
        task_reads=TaskReads(database=database, cache=read_through, cursors=cursors),
        task_writes=TaskWrites(database=database, wait=settings.db_timeout),
        projects=Projects(database=database, cache=read_through),
        labels=Labels(database=database, cache=read_through),
        auth=Auth(
            database=database,
            passwords=passwords,
            tokens=access_tokens,
            limiter=limiter,
            settings=settings,
        ),
        users=Users(
            database=database,
            passwords=passwords,
            limiter=limiter,
            cursors=cursors,
            settings=settings,
        ),
        notifications=Notifications(database=database, cursors=cursors),
    )
    try:
        yield runtime
    finally:
        await jobs.close()
        if redis is not None:
            await redis.close()
        passwords.close()
        await database.close()


def overdue_scan(runtime: Runtime) -> IntervalScheduler | None:
    """The in-process overdue scan: embedded mode's only one; in services mode a stand-in
    that scans only while Redis is unreachable. None when the scan is turned off."""
    interval = runtime.settings.overdue_scan_interval
    if interval <= 0:
        return None
    return IntervalScheduler(runtime.scan_while_redis_is_away, interval=interval)


def _database(settings: Settings, url: str | None) -> Database:
    resolved = url or settings.resolved_database_url
    # Embedded mode never loads psycopg, services mode never aiosqlite.
    if make_url(resolved).get_backend_name() == "sqlite":
        from taskflow_core.adapters.sqlite import SqliteDatabase  # noqa: PLC0415

        return SqliteDatabase(resolved, settings)
    from taskflow_core.adapters.postgres import PostgresDatabase  # noqa: PLC0415

    return PostgresDatabase(resolved, settings)


def _redis(settings: Settings) -> RedisGuard | None:
    if not settings.redis_url:
        return None
    # Redis is imported only in services mode.
    from taskflow_core.adapters.redis_guard import RedisGuard  # noqa: PLC0415

    return RedisGuard(settings)


def _cache(settings: Settings, redis: RedisGuard | None) -> Cache:
    if settings.cache_ttl <= 0:
        return NullCache()
    if redis is None:
        return MemoryCache()
    from taskflow_core.adapters.redis_cache import RedisCache  # noqa: PLC0415

    return RedisCache(redis)


def _limiter(settings: Settings, redis: RedisGuard | None) -> RateLimiter:
    if redis is None:
        return MemoryRateLimiter()
    from taskflow_core.adapters.redis_ratelimit import RedisRateLimiter  # noqa: PLC0415

    return RedisRateLimiter(redis)


def _job_queue(settings: Settings, redis: RedisGuard | None, inline: JobQueue) -> JobQueue:
    if redis is None:
        return inline
    from taskflow_core.adapters.rq_queue import RQJobQueue  # noqa: PLC0415

    return RQJobQueue(settings, breaker=redis.breaker, fallback=inline)
