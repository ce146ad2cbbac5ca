"""`taskflow worker`: an RQ worker, RQ's scheduler (for delayed retries) and the scan cron.

The worker runs jobs in its own process (RQ's SimpleWorker), each on one event loop that
lives as long as the process, with one `Runtime` opened in it: connections are made once and
reused by every job. When Redis goes away the worker waits for it and starts again; nothing
needs a restart.

A thread of the worker's own keeps its registration alive every few seconds, busy or idle, so
a worker that dies without a word (`kill -9`, a lost machine) and the job it held leave
`taskflow worker --status` within `WORKER_TTL`, and a worker that a restarted Redis forgot is
listed again within `HEARTBEAT_SECONDS`.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import redis
from rq import Queue, SimpleWorker, worker_registration
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.utils import now

from taskflow_core.adapters.rq_queue import QUEUE_NAME, TRAMPOLINE
from taskflow_core.cron import OverdueScanCron
from taskflow_core.job_runner import close_job_context, job_context

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from contextlib import AbstractContextManager
    from datetime import datetime

    from redis.client import Pipeline
    from rq.executions import Execution

    from taskflow_core.adapters.instruments import Instruments
    from taskflow_core.settings import Settings

    # Told each job's name and whether it succeeded (`run_worker`).
    JobListener = Callable[[str, bool], None]
    # Entered around each job as it runs (a trace's span, say).
    AroundJob = Callable[[Job], AbstractContextManager[object]]

log = logging.getLogger("taskflow.worker")

RECONNECT_MAX_DELAY = 5.0
PUBSUB_POLL_SECONDS = 1.0
MAINTENANCE_INTERVAL = 60
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
HEARTBEAT_SECONDS = 5
WORKER_TTL = 15  # three heartbeats: one late beat on a loaded machine is not a death


def worker_connection(settings: Settings) -> redis.Redis:
    """A Redis connection for RQ itself: normal timeouts (RQ stretches them for blocking pops)."""
    if not settings.redis_url:
        raise ValueError("the worker needs TASKFLOW_REDIS_URL")
    return redis.Redis.from_url(settings.redis_url, socket_connect_timeout=5, socket_timeout=10)


class _Worker(SimpleWorker):
    """RQ's in-process worker with a heartbeat thread, telling us when a signal (not a lost
    Redis) ended its loop."""

    # After an outage RQ polls Redis with exponential backoff up to a minute; a few seconds
    # gets the queue moving soon after Redis returns.
    max_connection_wait_time = RECONNECT_MAX_DELAY

    def __init__(
        self,
        *args: Any,
        on_stop: threading.Event,
        heartbeat_connection: redis.Redis,
        job_listeners: Sequence[JobListener] = (),
        around_jobs: Sequence[AroundJob] = (),
        **kwargs: Any,
    ) -> None:
        # Maintenance also restarts RQ's scheduler process (delayed retries) if a Redis
        # outage killed it: every minute rather than every ten.
        kwargs.setdefault("maintenance_interval", MAINTENANCE_INTERVAL)
        kwargs.setdefault("worker_ttl", WORKER_TTL)
        super().__init__(*args, **kwargs)
        self._on_stop = on_stop
        self._job_listeners = job_listeners
        self._around_jobs = around_jobs
        self._heartbeat_connection = heartbeat_connection
        self._stop_heartbeat = threading.Event()
        self._heartbeat_thread: threading.Thread | None = None

    @property
    def dequeue_timeout(self) -> int:
        # RQ heartbeats between blocking pops, so it pops for `worker_ttl - 15` s (1 s here);
        # our thread heartbeats, so a pop may wait until maintenance is due.
        return MAINTENANCE_INTERVAL

    def execute_job(self, job: Job, queue: Queue) -> None:
        with contextlib.ExitStack() as around:
            for wrap in self._around_jobs:
                around.enter_context(wrap(job))
            super().execute_job(job, queue)

    def handle_job_success(self, job: Job, *args: Any, **kwargs: Any) -> None:
        super().handle_job_success(job, *args, **kwargs)
        self._tell(job, succeeded=True)

    def handle_job_failure(self, job: Job, *args: Any, **kwargs: Any) -> None:
        super().handle_job_failure(job, *args, **kwargs)
        self._tell(job, succeeded=False)

    def _tell(self, job: Job, *, succeeded: bool) -> None:
        if not self._job_listeners:
            return
        name = job_name(job)
        for listener in self._job_listeners:
            listener(name, succeeded)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        # RQ gives a running job's execution the job's whole timeout (+60 s), which kept a
        # dead worker's job "started" for minutes; the heartbeat thread renews it instead.
        return self.worker_ttl

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        # RQ pads the key's TTL by 60 s; with the thread beating, that would only hide a death.
        super().heartbeat(timeout or self.worker_ttl, pipeline)

    def bootstrap(self, *args: Any, **kwargs: Any) -> None:
        super().bootstrap(*args, **kwargs)
        self._heartbeat_thread = threading.Thread(
            target=self._beat_until_stopped, name=f"rq-heartbeat-{self.name}", daemon=True
        )
        self._heartbeat_thread.start()

    def work(self, *args: Any, **kwargs: Any) -> bool:
        try:
            worked: bool = super().work(*args, **kwargs)
        finally:
            # Also when RQ fails between `bootstrap` and its loop, which skips `teardown`.
            self._end_heartbeat()
        return worked

    def teardown(self) -> None:
        # Before RQ registers the death: a later beat would list the worker again.
        self._end_heartbeat()
        super().teardown()  # type: ignore[no-untyped-call]  # rq leaves it untyped

    def _end_heartbeat(self) -> None:
        self._stop_heartbeat.set()
        if self._heartbeat_thread is not None:
            self._heartbeat_thread.join(WORKER_TTL)
            self._heartbeat_thread = None

    def _beat_until_stopped(self) -> None:
        while not self._stop_heartbeat.is_set():
            try:
                self._beat()
            except redis.RedisError as error:
                log.debug("worker heartbeat failed (%s)", error)  # RQ's loop reports outages
            except Exception:
                # A heartbeat that stopped would get a working worker's job abandoned.
                log.exception("worker heartbeat failed")
            self._stop_heartbeat.wait(HEARTBEAT_SECONDS)

    def _beat(self) -> None:
        """Renew the worker's key and its running job's execution; re-register the worker
        if Redis lost it (a restart with an empty dataset)."""
        executions: list[Execution] = list(self.executions.values())
        self.last_heartbeat = now()
        with self._heartbeat_connection.pipeline() as pipeline:
            worker_registration.register(self, pipeline)
            registrations = len(pipeline)
            pipeline.hset(self.key, mapping=self.serialize() | {"state": self.get_state()})
            pipeline.expire(self.key, self.worker_ttl)
            pipeline.expire(self.executions_key, self.worker_ttl)
            for execution in executions:
                registry = execution.job.started_job_registry
                execution.heartbeat(registry, self.worker_ttl, pipeline)
            added = pipeline.execute()[:registrations]
        if any(added):
            log.warning("Redis had lost worker %s: registered it again", self.name)

    def subscribe(self) -> None:
        # RQ's pubsub thread (worker commands) blocks up to 60 s between polls, and redis-py
        # 8.2 joins it without a timeout when the worker stops: a burst worker could take a
        # minute to exit. A 1 s poll costs nothing and ends it at once.
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=PUBSUB_POLL_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )

    def request_stop(self, signum: Any, frame: Any) -> None:
        self._on_stop.set()
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]  # rq leaves it untyped


def job_name(job: Job) -> str:
    """What a job does, for people: `notify_overdue` rather than the runner every job goes
    through (`run_job`, whose first argument names the job)."""
    name = job.func_name or ""
    if name == TRAMPOLINE and job.args:
        name = str(job.args[0])
    return name.rpartition(".")[2]


def run_worker(
    settings: Settings,
    *,
    burst: bool = False,
    job_listeners: Sequence[JobListener] = (),
    around_jobs: Sequence[AroundJob] = (),
    instruments: Instruments | None = None,
) -> bool:
    """Work the TaskFlow queue until stopped (SIGINT/SIGTERM), or until empty with `burst`.

    Must run on the main thread (RQ installs signal handlers); they are restored on return.

    Args:
        settings: Services-mode settings (`TASKFLOW_REDIS_URL` set).
        burst: Enqueue the scan if due, run the queued jobs, then return.
        job_listeners: Called with each job's name (`job_name`) and whether it succeeded,
            after each run (a failure that will be retried counts as a failure).
        around_jobs: Context managers made for each job and entered while it runs.
        instruments: What measures the jobs' runtime (`open_runtime`).

    Returns:
        Whether any job ran.
    """
    saved_handlers = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    stop = threading.Event()
    job_context(settings, instruments)
    connection = worker_connection(settings)
    # RQ stretches its connection's socket timeout for blocking pops; the cron and heartbeat
    # threads and the wait for Redis keep normal timeouts on a connection of their own.
    control = worker_connection(settings)
    queue = Queue(QUEUE_NAME, connection=connection)
    interval = settings.overdue_scan_interval
    cron = OverdueScanCron(control, interval=interval) if interval > 0 else None
    level = settings.log_level.upper()
    worked = False
    try:
        if burst:
            if cron is not None:
                cron.enqueue_due()
            worker = _Worker(
                [queue],
                connection=connection,
                on_stop=stop,
                heartbeat_connection=control,
                job_listeners=job_listeners,
                around_jobs=around_jobs,
            )
            return worker.work(burst=True, with_scheduler=True, logging_level=level)
        for sig in STOP_SIGNALS:
            signal.signal(sig, lambda *_: stop.set())
        if cron is not None:
            cron.start()
        while not stop.is_set():
            if not _wait_for_redis(control, stop):
                break
            worker = _Worker(
                [queue],
                connection=connection,
                on_stop=stop,
                heartbeat_connection=control,
                job_listeners=job_listeners,
                around_jobs=around_jobs,
            )
            try:
                worked = worker.work(with_scheduler=True, logging_level=level) or worked
            except redis.RedisError as error:
                log.warning("worker lost Redis (%s)", error)
            # RQ's handlers outlive its loop; ours let a signal end the wait for Redis.
            for sig in STOP_SIGNALS:
                signal.signal(sig, lambda *_: stop.set())
            stop.wait(1.0)
        return worked
    finally:
        if cron is not None:
            cron.stop()
        for sig, handler in saved_handlers.items():
            signal.signal(sig, handler)
        close_job_context()
        connection.close()
        control.close()


def _wait_for_redis(connection: redis.Redis, stop: threading.Event) -> bool:
    """Ping until Redis answers (True) or a stop is requested (False)."""
    delay = 0.25
    warned = False
    while not stop.is_set():
        try:
            connection.ping()
        except redis.RedisError as error:
            if not warned:
                log.warning("waiting for Redis (%s)", error)
                warned = True
            stop.wait(delay)
            delay = min(delay * 2, RECONNECT_MAX_DELAY)
            continue
        if warned:
            log.warning("Redis is back: resuming work")
        return True
    return False


@dataclass(frozen=True)
class FailedJob:
    """One job in RQ's failed registry."""

    id: str
    description: str
    ended_at: datetime | None
    error: str


@dataclass(frozen=True)
class QueueStatus:
    """What `taskflow worker --status` shows."""

    queue: str
    queued: int
    started: int
    scheduled: int
    failed: int
    workers: int
    cron_schedulers: int
    recent_failures: list[FailedJob] = field(default_factory=list)


def queue_status(connection: redis.Redis, *, recent: int = 5) -> QueueStatus:
    """Depth of the TaskFlow queue, its registries, live workers and the latest failures.

    Workers and jobs that a dead worker left behind are cleaned up first, so none is counted.

    Args:
        connection: Any Redis connection to the services-mode Redis.
        recent: How many of the newest failed jobs to describe.

    Raises:
        redis.RedisError: Redis is unreachable.
    """
    from rq.cron import CronScheduler  # noqa: PLC0415 - only the status needs it

    queue = Queue(QUEUE_NAME, connection=connection)
    # A dead worker's entries outlive it until a live worker's maintenance (or nobody, with no
    # worker left): drop the workers whose key expired and hand on the jobs whose execution
    # lapsed (queued again if they have retries left, else failed as abandoned).
    worker_registration.clean_worker_registry(queue)
    queue.started_job_registry.cleanup()
    failed = FailedJobRegistry(queue=queue)
    ids = failed.get_job_ids(0, recent - 1, desc=True) if recent > 0 else []
    jobs = [job for job in Job.fetch_many(ids, connection=connection) if job is not None]
    return QueueStatus(
        queue=QUEUE_NAME,
        queued=queue.count,
        started=queue.started_job_registry.count,
        scheduled=queue.scheduled_job_registry.count,
        failed=failed.count,
        workers=SimpleWorker.count(queue=queue),
        cron_schedulers=len(CronScheduler.all(connection)),
        recent_failures=[_failed_job(job) for job in jobs],
    )


def _failed_job(job: Job) -> FailedJob:
    result = job.latest_result()
    error = (result.exc_string or "").strip() if result is not None else ""
    return FailedJob(
        id=job.id,
        description=job.description or job.func_name or "",
        ended_at=job.ended_at,
        error=error.splitlines()[-1] if error else "",
    )
