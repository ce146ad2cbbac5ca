"""Password hashing: Argon2id, and never more hashes at once than the process allows."""

from __future__ import annotations

import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from taskflow_core.security import HASH_THREAD_NICENESS, Passwords
from tests.conftest import make_settings


class SlowHasher:
    """Stands in for argon2 so the test can see how many hashes overlap."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self._lock = threading.Lock()
        self.running = 0
        self.most_at_once = 0

    def verify(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        time.sleep(0.05)
        with self._lock:
            self.running -= 1
        return bool(self._real.verify(password_hash, password))


@pytest.mark.parametrize("concurrency", [1, 2])
def test_no_more_hashes_at_once_than_configured(concurrency: int) -> None:
    passwords = Passwords(
        make_settings(
            "sqlite://",
            password_hash_concurrency=concurrency,
            password_hash_memory_kib=64,
            password_hash_time_cost=1,
        )
    )
    stored = passwords.hash("right password")
    slow = SlowHasher(passwords._hasher)
    passwords._hasher = slow  # type: ignore[assignment]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda p: passwords.verify(stored, p), ["right password"] * 6))
    assert results == [True] * 6
    assert slow.most_at_once == concurrency


def test_hashes_are_argon2id_and_verify_only_the_right_password() -> None:
    passwords = Passwords(make_settings("sqlite://"))
    stored = passwords.hash("right password")
    assert stored.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert passwords.verify(stored, "right password")
    assert not passwords.verify(stored, "wrong password")
    assert not passwords.verify(None, "right password")


def test_hashing_works_where_the_thread_priority_cannot_be_lowered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object) -> None:
        raise PermissionError("not allowed here")

    monkeypatch.setattr("taskflow_core.security.os.setpriority", refuse)
    passwords = Passwords(make_settings("sqlite://"))
    stored = passwords.hash("right password")
    assert passwords.verify(stored, "right password")


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux has per-thread nice values")
def test_hashes_run_at_a_lower_priority_than_the_requests() -> None:
    def nice_of_this_thread() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = nice_of_this_thread()
    passwords = Passwords(make_settings("sqlite://"))
    hashing_nice = passwords._hashing.submit(nice_of_this_thread).result()
    assert hashing_nice >= HASH_THREAD_NICENESS
    assert hashing_nice > before or before >= HASH_THREAD_NICENESS
    assert nice_of_this_thread() == before
