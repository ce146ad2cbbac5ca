"""Rate limiting: an interface and an in-process GCRA implementation."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from taskflow_core.settings import Rate


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    """The outcome of one request against a budget, with what the headers report."""

    allowed: bool
    limit: int
    remaining: int
    # Seconds until the budget is whole again.
    reset_after: float
    # Seconds until a refused request would be allowed (0 when allowed).
    retry_after: float

    @property
    def reset_seconds(self) -> int:
        return max(0, math.ceil(self.reset_after))

    @property
    def retry_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after))


class RateLimiter(Protocol):
    """Budgets of requests per key, for the event loop."""

    async def hit(self, key: str, rate: Rate) -> RateLimitDecision:
        """Count one request against `key`'s budget, if it is allowed; say whether it is."""
        ...

    async def check(self, key: str, rate: Rate) -> RateLimitDecision:
        """Whether one more request would be allowed now; counts nothing."""
        ...


MICROS = 1_000_000


def monotonic_micros() -> int:
    return time.monotonic_ns() // 1_000


def gcra(tat: int, now: int, rate: Rate) -> tuple[int | None, RateLimitDecision]:
    """The generic cell rate algorithm: one stored number (the theoretical arrival time).

    Times are whole microseconds: in float seconds, `now + interval - now` can come out a hair
    over `interval` and floor a remaining count one short. Returns the new arrival time to
    store (None when refused) and the decision. The Redis limiter runs the same arithmetic
    inside a Lua script.
    """
    period = rate.period * MICROS
    interval = period / rate.limit
    start = max(tat, now)
    new_tat = start + interval
    allow_at = new_tat - period
    if now < allow_at:
        return None, RateLimitDecision(
            allowed=False,
            limit=rate.limit,
            remaining=0,
            reset_after=math.ceil(start - now) / MICROS,
            retry_after=math.ceil(allow_at - now) / MICROS,
        )
    reset_after = new_tat - now
    return round(new_tat), RateLimitDecision(
        allowed=True,
        limit=rate.limit,
        remaining=max(0, math.floor((period - reset_after) / interval)),
        reset_after=math.ceil(reset_after) / MICROS,
        retry_after=0.0,
    )


class MemoryRateLimiter:
    """Budgets kept in this process: right for one process, per-process with several."""

    def __init__(self, clock: Callable[[], int] = monotonic_micros) -> None:
        """
        Args:
            clock: Monotonic time in whole microseconds.
        """
        self._clock = clock
        self._arrivals: dict[str, int] = {}
        self._next_sweep = 0

    async def hit(self, key: str, rate: Rate) -> RateLimitDecision:
        return self.count(key, rate, charge=True)

    async def check(self, key: str, rate: Rate) -> RateLimitDecision:
        return self.count(key, rate, charge=False)

    def count(self, key: str, rate: Rate, *, charge: bool) -> RateLimitDecision:
        """`hit` (charge=True) or `check`, synchronously (it never waits on anything)."""
        now = self._clock()
        new_tat, decision = gcra(self._arrivals.get(key, now), now, rate)
        if new_tat is not None and charge:
            self._arrivals[key] = new_tat
        if now >= self._next_sweep:
            self._sweep(now)
        return decision

    def _sweep(self, now: int) -> None:
        # Keys whose budget is whole again carry no information; drop them so memory
        # stays proportional to recently active callers.
        self._arrivals = {key: tat for key, tat in self._arrivals.items() if tat > now}
        self._next_sweep = now + 60 * MICROS
