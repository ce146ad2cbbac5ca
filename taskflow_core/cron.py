"""The periodic overdue scan, registered with RQ's cron scheduler.

Every `taskflow worker` runs one `OverdueScanCron` thread, but only the worker holding the
leader lock enqueues, so N workers still scan once per interval; when the leader stops (or
dies and its lock expires) another takes over. The scan job fans out one notification job
per newly overdue task. It is not retried: the next interval is its retry.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from redis import RedisError
from redis.exceptions import LockError
from rq.cron import CronScheduler

from taskflow_core.adapters.job_queue import job_path
from taskflow_core.adapters.rq_queue import JOB_TIMEOUT, QUEUE_NAME
from taskflow_core.job_runner import run_job
from taskflow_core.operations.jobs import scan_overdue

if TYPE_CHECKING:
    from redis import Redis
    from rq.cron import CronJob

log = logging.getLogger("taskflow.cron")

SCAN_NAME = "taskflow:overdue-scan"
LEADER_KEY = "taskflow:cron-leader"
# The leader refreshes its lock at least this often (seconds); a dead leader's lock
# expires after LEADER_TTL and another worker takes over.
LEADER_REFRESH = 15.0
LEADER_TTL = 60
REDIS_RETRY = 5.0


class OverdueScanCron:
    """RQ's `CronScheduler` with the overdue scan every `interval` seconds, on a thread."""

    def __init__(self, connection: Redis, *, interval: int, queue_name: str = QUEUE_NAME) -> None:
        """
        Args:
            connection: The worker's Redis connection (normal timeouts, not the guarded one).
            interval: Seconds between scans (`TASKFLOW_OVERDUE_SCAN_INTERVAL`).
            queue_name: The RQ queue the scan job goes to.
        """
        self.scheduler = CronScheduler(connection=connection)
        self.scan: CronJob = self.scheduler.register(
            run_job,
            queue_name,
            args=(job_path(scan_overdue),),
            interval=interval,
            job_timeout=JOB_TIMEOUT,
            name=SCAN_NAME,
        )
        self._leader_lock = connection.lock(LEADER_KEY, timeout=LEADER_TTL, thread_local=False)
        self._leading = False
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def leading(self) -> bool:
        return self._leading

    def enqueue_due(self) -> int:
        """Enqueue the scan if it is due, without leadership (burst mode); how many were queued."""
        return len(self.scheduler.enqueue_jobs())

    def start(self) -> None:
        if self._thread is None:
            self._stopped.clear()
            self._thread = threading.Thread(target=self._loop, name="taskflow-cron", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and hand leadership over at once (no waiting for the lock TTL)."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._leading:
            self._leading = False
            try:
                self._leader_lock.release()
                self.scheduler.register_death()
            except (RedisError, LockError):
                log.debug("could not hand over cron leadership", exc_info=True)

    def tick(self) -> float:
        """Lead if possible and enqueue what is due; seconds until the next tick."""
        if not self._lead():
            return LEADER_REFRESH
        if self.scheduler.enqueue_jobs():
            self.scheduler.save()
        self.scheduler.heartbeat()
        return min(self.scheduler.calculate_sleep_interval(), LEADER_REFRESH)

    def _loop(self) -> None:
        delay = 0.0
        while not self._stopped.wait(delay):
            try:
                delay = self.tick()
            except (RedisError, LockError) as error:
                # Redis is away: leadership is moot until it returns (the lock may expire
                # meanwhile), and the server processes run the scan themselves.
                log.warning("cron cannot reach Redis (%s); retrying in %ss", error, REDIS_RETRY)
                self._leading = False
                delay = REDIS_RETRY

    def _lead(self) -> bool:
        if self._leading:
            try:
                self._leader_lock.reacquire()
                return True
            except LockError:
                log.info("cron leadership lost")
                self._leading = False
        if self._leader_lock.acquire(blocking=False):
            log.info("leading the cron: overdue scan every %ss", self.scan.interval)
            self._leading = True
            self.scheduler.register_birth()
        return self._leading
