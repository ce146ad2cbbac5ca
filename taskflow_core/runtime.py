"""The process's long-lived parts, built once from the settings.

This is the one place that chooses between embedded mode (SQLite, in-memory cache and
limiter, jobs on an in-process scheduler) and services mode; the rest of the code sees only
the `Cache`, `RateLimiter` and `JobQueue` interfaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from taskflow_core.cache import Cache, MemoryCache, NullCache
from taskflow_core.db import Database
from taskflow_core.jobs import InlineJobQueue, JobQueue, LogNotifier, Notifier, scan_overdue
from taskflow_core.pagination import Cursors
from taskflow_core.ratelimit import MemoryRateLimiter, RateLimiter
from taskflow_core.scheduler import IntervalScheduler
from taskflow_core.schemas import DependencyCheck
from taskflow_core.security import Security
from taskflow_core.services.task_reads import TaskReads

if TYPE_CHECKING:
    from taskflow_core.settings import Settings


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
    jobs: JobQueue = field(init=False)
    _scheduler: IntervalScheduler | None = field(default=None, init=False)

    def start_background(self) -> None:
        """Start the in-process overdue scan (embedded mode)."""
        if self._scheduler is None and self.settings.overdue_scan_interval > 0:
            self._scheduler = IntervalScheduler(
                lambda: scan_overdue(self), interval=self.settings.overdue_scan_interval
            )
            self._scheduler.start()

    def check_redis(self) -> DependencyCheck:
        """Redis's health; embedded mode has none to check."""
        return DependencyCheck(status="disabled")

    def close(self) -> None:
        if self._scheduler is not None:
            self._scheduler.stop()
            self._scheduler = None
        self.database.dispose()


def build_runtime(settings: Settings, *, database_url: str | None = None) -> Runtime:
    """Build the parts for the configured mode."""
    cache: Cache = MemoryCache() if settings.cache_ttl > 0 else NullCache()
    cursors = Cursors(settings.signing_key)
    runtime = Runtime(
        settings=settings,
        database=Database(settings, url=database_url),
        security=Security(settings),
        cursors=cursors,
        cache=cache,
        limiter=MemoryRateLimiter(),
        notifier=LogNotifier(),
        task_reads=TaskReads(cache=cache, ttl=settings.cache_ttl, cursors=cursors),
    )
    runtime.jobs = InlineJobQueue(runtime)
    return runtime
