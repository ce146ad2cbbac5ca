"""The in-process rate limiter: the budgets the headers report, exactly."""

from __future__ import annotations

from taskflow_core.adapters.ratelimit import MICROS, MemoryRateLimiter
from taskflow_core.settings import Rate

RATE = Rate(limit=5, period=3600)


def test_every_new_caller_sees_all_but_one_request_left() -> None:
    # Clock readings from minutes to months of uptime. In float seconds, `now + 720 - now`
    # came out a hair over 720 for some readings (one of these) and floored the count to 3.
    readings = iter(range(60 * MICROS, 10_000_000 * MICROS, 1_999_993_003))
    limiter = MemoryRateLimiter(clock=lambda: next(readings))
    remaining = {limiter.count(f"caller-{n}", RATE, charge=True).remaining for n in range(4_000)}
    assert remaining == {RATE.limit - 1}


def test_the_budget_counts_down_refuses_and_refills_one_interval_later() -> None:
    now = 123_456_789_123
    limiter = MemoryRateLimiter(clock=lambda: now)
    decisions = [limiter.count("caller", RATE, charge=True) for _ in range(RATE.limit + 1)]
    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0]
    assert [d.allowed for d in decisions] == [True] * RATE.limit + [False]
    interval = RATE.period / RATE.limit
    assert decisions[-1].retry_after == interval
    assert decisions[-1].reset_after == RATE.period

    now += int(interval * MICROS)
    refilled = limiter.count("caller", RATE, charge=True)
    assert (refilled.allowed, refilled.remaining) == (True, 0)
