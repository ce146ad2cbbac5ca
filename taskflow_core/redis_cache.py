"""The response cache in Redis, shared by every server process, with a small copy in each.

Entries are the serialized response bodies under the keys `TaskReads` builds (owner id and
cache version included), stored with a TTL. Nothing is ever deleted by pattern: a write bumps
the owner's version in its own transaction, so older entries are never asked for again, even
those a paused Redis stores late, and they expire on their own.

The same keys make a copy in the process's memory safe: every request reads the caller's
cache version from the database, so after a write no process asks for an older entry, its
own copy included. A hit there costs no round trip (a fifth of a cached page's CPU). An entry
the process stored itself lives as long as in Redis; one it read from Redis, whose remaining
TTL it does not know, `SHARED_COPY_SECONDS`, so nothing outlives its TTL by more than that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from taskflow_core.cache import MemoryCache
from taskflow_core.redis_guard import RedisUnavailable

if TYPE_CHECKING:
    from taskflow_core.redis_guard import AsyncRedisGuard, RedisGuard

# Room for the entries read many times a second (a page of 20 tasks is ~8 KB, a task ~0.5
# KB), which are the ones a copy pays for, in a worker that must stay within 150 MB: at 4 MiB
# the full bench left a worker at 150 MB, with thousands of copies a second old.
LOCAL_COPY_BYTES = 1024 * 1024
LOCAL_COPY_ENTRIES = 1000
SHARED_COPY_SECONDS = 1.0


class RedisCache:
    """A `Cache` in Redis, fronted by this process's copies; any trouble is a miss."""

    def __init__(self, guard: RedisGuard) -> None:
        self._guard = guard
        self._async_guard: AsyncRedisGuard | None = None
        self._local = MemoryCache(max_entries=LOCAL_COPY_ENTRIES, max_bytes=LOCAL_COPY_BYTES)

    def attach_async(self, guard: AsyncRedisGuard) -> None:
        """Give `get_async` its client: the async twin of this cache's guard."""
        self._async_guard = guard

    def get(self, key: str) -> bytes | None:
        if (copy := self._local.get(key)) is not None:
            return copy
        try:
            value = self._guard.run(lambda client: client.get(key))
        except RedisUnavailable:
            return None
        return self._copied(key, value)

    async def get_async(self, key: str) -> bytes | None:
        if (copy := self._local.get(key)) is not None:
            return copy
        if self._async_guard is None:
            return None
        try:
            value = await self._async_guard.run(lambda client: client.get(key))
        except RedisUnavailable:
            return None
        return self._copied(key, value)

    def _copied(self, key: str, value: object) -> bytes | None:
        if not isinstance(value, bytes):
            return None
        self._local.set(key, value, SHARED_COPY_SECONDS)
        return value

    def set(self, key: str, value: bytes, ttl: int) -> None:
        if ttl <= 0:
            return
        self._local.set(key, value, ttl)
        try:
            self._guard.run(lambda client: client.set(key, value, ex=ttl))
        except RedisUnavailable:
            # The next read misses and goes to the database: slower, never wrong.
            return

    async def set_async(self, key: str, value: bytes, ttl: int) -> None:
        if ttl <= 0:
            return
        self._local.set(key, value, ttl)
        if self._async_guard is None:
            return
        try:
            await self._async_guard.run(lambda client: client.set(key, value, ex=ttl))
        except RedisUnavailable:
            return
