"""The embedded scheduler: a daemon thread that runs a job every N seconds."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger("taskflow.scheduler")


class IntervalScheduler:
    """Runs `job` shortly after start and then every `interval` seconds until stopped."""

    def __init__(
        self, job: Callable[[], object], *, interval: float, first_delay: float = 1.0
    ) -> None:
        self._job = job
        self._interval = interval
        self._first_delay = first_delay
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop, name="taskflow-scheduler", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        delay = self._first_delay
        while not self._stopped.wait(delay):
            try:
                self._job()
            except Exception:
                # A failing run must not end the loop: the next one may well succeed.
                log.exception("scheduled job failed")
            delay = self._interval
