"""Password hashing: Argon2id on threads of its own, never on the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from nacl import pwhash
from nacl.exceptions import CryptoError

if TYPE_CHECKING:
    from collections.abc import Callable

    from taskflow_core.settings import Settings

T = TypeVar("T")

# Nice value of the hashing threads (0 is normal; 19 the lowest priority): low enough that
# requests beside a burst of logins keep their latency (docs/performance.md has the runs).
HASH_THREAD_NICENESS = 4


class SodiumArgon2id:
    """Argon2id computed by libsodium (PyNaCl), with `PasswordHasher`'s `hash` and `verify`.

    libsodium picks the CPU's widest vector instructions (AVX2, AVX-512) when it loads;
    argon2-cffi's wheels are built for SSE2. The algorithm, the parameters and the PHC
    string are the same, so each library verifies the other's hashes: only the time differs
    (docs/performance.md). libsodium computes only one lane, so it serves parallelism 1.
    """

    __slots__ = ("_memory_bytes", "_time_cost")

    def __init__(self, *, time_cost: int, memory_kib: int) -> None:
        self._time_cost = time_cost
        self._memory_bytes = memory_kib * 1024

    def hash(self, password: str) -> str:
        encoded = pwhash.argon2id.str(
            password.encode(), opslimit=self._time_cost, memlimit=self._memory_bytes
        )
        return encoded.decode("ascii")

    def verify(self, password_hash: str, password: str) -> bool:
        """True on a match; raises as `PasswordHasher.verify` does otherwise."""
        try:
            return pwhash.argon2id.verify(password_hash.encode(), password.encode())
        except CryptoError as error:
            # libsodium answers a wrong password and a hash it cannot read alike.
            raise VerifyMismatchError(str(error)) from error
        except ValueError as error:  # longer than any hash libsodium writes
            raise InvalidHashError(str(error)) from error


class Passwords:
    """Argon2id hashing with the configured cost."""

    def __init__(self, settings: Settings) -> None:
        # argon2-cffi decides which stored hashes are out of date (`needs_rehash`);
        # libsodium computes them where it can, the same hashes faster.
        self._policy = PasswordHasher(
            time_cost=settings.password_hash_time_cost,
            memory_cost=settings.password_hash_memory_kib,
            parallelism=settings.password_hash_parallelism,
            type=Type.ID,
        )
        self._hasher: SodiumArgon2id | PasswordHasher = self._policy
        if settings.password_hash_parallelism == 1:
            self._hasher = SodiumArgon2id(
                time_cost=settings.password_hash_time_cost,
                memory_kib=settings.password_hash_memory_kib,
            )
        # Hashes run on threads of their own, at a lower CPU priority where the OS allows:
        # under load, a request that needs a millisecond goes before a login's hash.
        self._hashing = ThreadPoolExecutor(
            max_workers=settings.password_hash_concurrency,
            thread_name_prefix="password-hash",
            initializer=_lower_priority,
        )
        # Verified against when the email is unknown, so that answer takes as long as a
        # wrong password and timing does not reveal which emails exist.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        # Called, on the hashing thread, with each hash's wait for a thread, in seconds
        # (metrics watch it: a growing wait means logins queue behind each other).
        self.wait_listeners: list[Callable[[float], None]] = []

    async def hash(self, password: str) -> str:
        return await self._on_hashing_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; always spends one hash's worth of time."""
        try:
            matches = await self._on_hashing_thread(
                self._hasher.verify, password_hash or self._dummy_hash, password
            )
        except (VerificationError, InvalidHashError):
            return False
        return matches and password_hash is not None

    async def _on_hashing_thread(self, work: Callable[..., T], *args: str) -> T:
        queued = time.perf_counter()

        def started() -> T:
            waited = time.perf_counter() - queued
            for listener in self.wait_listeners:
                listener(waited)
            return work(*args)

        return await asyncio.wrap_future(self._hashing.submit(started))

    def needs_rehash(self, password_hash: str) -> bool:
        return self._policy.check_needs_rehash(password_hash)

    def close(self) -> None:
        """Let the hashing threads end (a hash still running finishes first)."""
        self._hashing.shutdown(wait=False)


def _lower_priority() -> None:
    # Only Linux gives a thread a nice value of its own (elsewhere this would renice the
    # whole process, or fail). A failure must not break hashing: an executor whose
    # initializer raises refuses every later hash.
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_THREAD_NICENESS)
