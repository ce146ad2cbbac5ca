"""Password hashing: Argon2id, and never more hashes at once than the process allows."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from typing import Any

import pytest
from argon2 import PasswordHasher, Type

from taskflow_core.adapters.passwords import HASH_THREAD_NICENESS, Passwords
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


def hashed(passwords: Passwords, password: str) -> str:
    return asyncio.run(passwords.hash(password))


def verified(passwords: Passwords, stored: str | None, password: str) -> bool:
    return asyncio.run(passwords.verify(stored, password))


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
    stored = hashed(passwords, "right password")
    slow = SlowHasher(passwords._hasher)
    passwords._hasher = slow  # type: ignore[assignment]

    async def verify_six_at_once() -> list[bool]:
        checks = (passwords.verify(stored, "right password") for _ in range(6))
        return list(await asyncio.gather(*checks))

    results = asyncio.run(verify_six_at_once())
    assert results == [True] * 6
    assert slow.most_at_once == concurrency


def test_hashes_are_argon2id_and_verify_only_the_right_password() -> None:
    passwords = Passwords(make_settings("sqlite://"))
    stored = hashed(passwords, "right password")
    assert stored.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert verified(passwords, stored, "right password")
    assert not verified(passwords, stored, "wrong password")
    assert not verified(passwords, None, "right password")


def test_hashing_works_where_the_thread_priority_cannot_be_lowered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object) -> None:
        raise PermissionError("not allowed here")

    monkeypatch.setattr("taskflow_core.adapters.passwords.os.setpriority", refuse)
    passwords = Passwords(make_settings("sqlite://"))
    stored = hashed(passwords, "right password")
    assert verified(passwords, stored, "right password")


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


def test_hashes_stored_by_either_argon2_library_verify_after_the_switch() -> None:
    """Hashes written by argon2-cffi (every account made before libsodium computed them)
    still log in, and hashes libsodium writes read as the same Argon2id to argon2-cffi."""
    passwords = Passwords(make_settings("sqlite://"))
    cffi = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1, type=Type.ID)
    stored_before = cffi.hash("right password")
    assert verified(passwords, stored_before, "right password")
    assert not verified(passwords, stored_before, "wrong password")
    assert not passwords.needs_rehash(stored_before)

    stored_now = hashed(passwords, "right password")
    assert cffi.verify(stored_now, "right password")
    assert not cffi.check_needs_rehash(stored_now)


def test_a_hash_with_other_parameters_verifies_and_is_due_for_a_rehash() -> None:
    passwords = Passwords(make_settings("sqlite://"))
    older = PasswordHasher(time_cost=2, memory_cost=128, parallelism=2, type=Type.ID)
    stored = older.hash("right password")
    assert verified(passwords, stored, "right password")
    assert passwords.needs_rehash(stored)
    assert not passwords.needs_rehash(hashed(passwords, "right password"))


def test_more_than_one_lane_is_hashed_with_the_configured_lanes() -> None:
    passwords = Passwords(make_settings("sqlite://", password_hash_parallelism=2))
    stored = hashed(passwords, "right password")
    assert stored.startswith("$argon2id$v=19$m=64,t=1,p=2$")
    assert verified(passwords, stored, "right password")
    assert not verified(passwords, stored, "wrong password")


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not a hash",
        "$argon2id$v=19$m=64,t=1,p=1$bm90IGJhc2U2NA$",
        "$2b$12$" + "x" * 53,  # bcrypt
        "$argon2id$" + "A" * 300,
    ],
)
def test_a_stored_hash_that_cannot_be_read_is_a_wrong_password(stored: str) -> None:
    passwords = Passwords(make_settings("sqlite://"))
    assert not verified(passwords, stored, "right password")
