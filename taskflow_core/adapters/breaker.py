"""A circuit breaker: stop calling a dependency that keeps failing, then probe it again.

Closed: calls go through, and consecutive failures are counted. After `threshold` of them
the breaker opens: calls are refused without touching the dependency for `cooldown`
seconds. Then one caller at a time is let through as a probe (half-open); a success closes
the breaker, a failure opens it for another cooldown.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger("taskflow.breaker")

BreakerState = Literal["closed", "open", "half-open"]


class CircuitBreaker:
    """Thread-safe consecutive-failure breaker; cheap to ask while closed."""

    def __init__(
        self,
        *,
        name: str,
        threshold: int,
        cooldown: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """
        Args:
            name: What is protected, for the log lines on opening and closing.
            threshold: Consecutive failures that open the breaker.
            cooldown: Seconds the breaker stays open before letting a probe through.
            clock: Monotonic seconds; tests pass their own.
        """
        self._name = name
        self._threshold = threshold
        self._cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        # None while closed; otherwise when the breaker (last) opened.
        self._opened_at: float | None = None
        self._probing = False
        # Called with True when the breaker opens and False when it closes (metrics watch it).
        self.listeners: list[Callable[[bool], None]] = []

    @property
    def state(self) -> BreakerState:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            if self._clock() - self._opened_at >= self._cooldown:
                return "half-open"
            return "open"

    def allow(self) -> bool:
        """Whether a call may go ahead now; a True while not closed makes the caller the probe.

        Returns:
            True when closed, or when the cooldown is over and no other probe is running.
        """
        # Closed is the common case: answer without the lock (reading one attribute is atomic).
        if self._opened_at is None:
            return True
        with self._lock:
            if self._opened_at is None:
                return True
            if self._probing or self._clock() - self._opened_at < self._cooldown:
                return False
            self._probing = True
            return True

    def record_success(self) -> None:
        """The dependency answered: close the breaker and forget earlier failures."""
        if self._opened_at is None and not self._failures:
            return
        with self._lock:
            closing = self._opened_at is not None
            if closing:
                log.warning("%s answers again: circuit closed", self._name)
            self._failures = 0
            self._opened_at = None
            self._probing = False
        if closing:
            self._tell(opened=False)

    def record_failure(self) -> None:
        """The dependency failed or timed out: count it, and open (again) past the threshold."""
        with self._lock:
            self._failures += 1
            was_open = self._opened_at is not None
            self._probing = False
            opening = not was_open and self._failures >= self._threshold
            if was_open or opening:
                self._opened_at = self._clock()
                if opening:
                    log.warning(
                        "%s failed %d times in a row: circuit open, retrying in %.1fs",
                        self._name,
                        self._failures,
                        self._cooldown,
                    )
        if opening:
            self._tell(opened=True)

    def _tell(self, *, opened: bool) -> None:
        # Outside the lock: a listener may ask for the state.
        for listener in self.listeners:
            listener(opened)
