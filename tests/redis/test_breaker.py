"""The circuit breaker's states, on a clock the test moves by hand (no Redis involved)."""

from __future__ import annotations

import pytest

from taskflow_core.adapters.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker(name="test", threshold=3, cooldown=5.0, clock=clock)


def test_it_opens_only_after_consecutive_failures(breaker: CircuitBreaker) -> None:
    for _ in range(2):
        breaker.record_failure()
    breaker.record_success()
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state == "closed"
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open"
    assert not breaker.allow()


def test_after_the_cooldown_one_probe_goes_through(breaker: CircuitBreaker, clock: Clock) -> None:
    for _ in range(3):
        breaker.record_failure()
    clock.now = 4.9
    assert not breaker.allow()
    clock.now = 5.0
    assert breaker.state == "half-open"
    assert breaker.allow()
    assert not breaker.allow()  # one probe at a time


def test_a_successful_probe_closes_it(breaker: CircuitBreaker, clock: Clock) -> None:
    for _ in range(3):
        breaker.record_failure()
    clock.now = 5.0
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == "closed"
    assert all(breaker.allow() for _ in range(3))


def test_a_failed_probe_opens_it_for_another_cooldown(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    for _ in range(3):
        breaker.record_failure()
    clock.now = 5.0
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open"
    clock.now = 9.9
    assert not breaker.allow()
    clock.now = 10.0
    assert breaker.allow()


def test_listeners_hear_each_opening_and_closing_once(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    heard: list[bool] = []
    breaker.listeners.append(heard.append)
    for _ in range(5):
        breaker.record_failure()
    assert heard == [True]
    clock.now += 6
    assert breaker.allow()
    breaker.record_failure()  # the probe failed: open again, not a new opening
    assert heard == [True]
    clock.now += 6
    assert breaker.allow()
    breaker.record_success()
    breaker.record_success()
    assert heard == [True, False]
