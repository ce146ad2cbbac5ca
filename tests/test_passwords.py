"""Password hashing: Argon2id, and never more hashes at once than the process allows."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from taskflow_core.security import Passwords
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
