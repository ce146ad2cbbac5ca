"""The response cache: its interface and the in-process implementation.

Values are serialized response bodies. Nothing is ever invalidated by key: keys carry the
owner's cache version, which every write bumps, so stale entries are simply never asked for
again and age out (TTL, or least-recently-used eviction here).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol


class Cache(Protocol):
    """A byte cache for the event loop. Implementations never raise: trouble means a miss."""

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: float) -> None: ...


class NullCache:
    """The cache when caching is off (`TASKFLOW_CACHE_TTL=0`)."""

    async def get(self, key: str) -> bytes | None:
        return None

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        return None


class LocalCache:
    """An LRU of entries with their own expiry, bounded in entries and in bytes.

    Synchronous and lock-free: it lives on one event loop.
    """

    def __init__(self, max_entries: int = 10_000, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0

    def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= time.monotonic():
            del self._entries[key]
            self._bytes -= len(value)
            return None
        self._entries.move_to_end(key)
        return value

    def set(self, key: str, value: bytes, ttl: float) -> None:
        if ttl <= 0 or len(value) > self._max_bytes:
            return
        replaced = self._entries.pop(key, None)
        if replaced is not None:
            self._bytes -= len(replaced[1])
        self._entries[key] = (time.monotonic() + ttl, value)
        self._bytes += len(value)
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            _, (_, evicted) = self._entries.popitem(last=False)
            self._bytes -= len(evicted)


class MemoryCache:
    """The embedded mode's cache: a `LocalCache` in this process."""

    def __init__(self, max_entries: int = 10_000, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._local = LocalCache(max_entries, max_bytes)

    async def get(self, key: str) -> bytes | None:
        return self._local.get(key)

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        self._local.set(key, value, ttl)
