"""The response cache: an interface and its in-process implementation.

Values are serialized response bodies. Nothing is ever invalidated by key: keys carry the
owner's cache version, which every write bumps, so stale entries are simply never asked for
again and age out (TTL, or least-recently-used eviction here).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Protocol


class Cache(Protocol):
    """A byte cache. Implementations never raise: trouble means a miss."""

    def get(self, key: str) -> bytes | None: ...

    async def get_async(self, key: str) -> bytes | None:
        """`get` for the event loop: never blocks it."""
        ...

    def set(self, key: str, value: bytes, ttl: int) -> None: ...

    async def set_async(self, key: str, value: bytes, ttl: int) -> None:
        """`set` for the event loop: never blocks it."""
        ...


class NullCache:
    """The cache when caching is off (`TASKFLOW_CACHE_TTL=0`)."""

    def get(self, key: str) -> bytes | None:
        return None

    async def get_async(self, key: str) -> bytes | None:
        return None

    def set(self, key: str, value: bytes, ttl: int) -> None:
        return None

    async def set_async(self, key: str, value: bytes, ttl: int) -> None:
        return None


class MemoryCache:
    """An LRU cache with per-entry expiry, bounded in entries and in bytes, safe across threads."""

    def __init__(self, max_entries: int = 10_000, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires_at, value = entry
            if expires_at <= now:
                del self._entries[key]
                self._bytes -= len(value)
                return None
            self._entries.move_to_end(key)
            return value

    async def get_async(self, key: str) -> bytes | None:
        # A dictionary lookup under a lock held for microseconds: fine on the loop.
        return self.get(key)

    def set(self, key: str, value: bytes, ttl: float) -> None:
        if ttl <= 0 or len(value) > self._max_bytes:
            return
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self._bytes -= len(replaced[1])
            self._entries[key] = (time.monotonic() + ttl, value)
            self._bytes += len(value)
            while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= len(evicted)

    async def set_async(self, key: str, value: bytes, ttl: int) -> None:
        self.set(key, value, ttl)
