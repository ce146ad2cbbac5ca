"""The response cache in Redis, shared by every server process, with a small copy in each.

Entries are serialized response bodies under keys that hold the owner's id and cache version
(`operations.read_through`), stored with a TTL. Nothing is ever deleted by pattern: a write
bumps the owner's version in its own transaction, so older entries are never asked for again,
even those a paused Redis stores late, and they expire on their own.

The same keys make a copy in the process's memory safe: every request reads the caller's
cache version from the database, so after a write no process asks for an older entry, its own
copy included. An entry the process stored itself lives as long as in Redis; one it read from
Redis, whose remaining TTL it does not know, `SHARED_COPY_SECONDS`, so nothing outlives its
TTL by more than that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from taskflow_core.adapters.cache import LocalCache
from taskflow_core.adapters.redis_guard import RedisUnavailable

if TYPE_CHECKING:
    from taskflow_core.adapters.redis_guard import RedisGuard

# Room for the entries read many times a second (a page of 20 tasks is ~8 KB, a task ~0.5 KB),
# which are the ones a copy pays for, in a worker that must stay small.
LOCAL_COPY_BYTES = 1024 * 1024
LOCAL_COPY_ENTRIES = 1000
SHARED_COPY_SECONDS = 1.0


class RedisCache:
    """A `Cache` in Redis, fronted by this process's copies; any trouble is a miss."""

    def __init__(self, guard: RedisGuard) -> None:
        self._guard = guard
        self._local = LocalCache(max_entries=LOCAL_COPY_ENTRIES, max_bytes=LOCAL_COPY_BYTES)

    async def get(self, key: str) -> bytes | None:
        if (copy := self._local.get(key)) is not None:
            return copy
        try:
            value = await self._guard.run(lambda client: client.get(key))
        except RedisUnavailable:
            return None
        if not isinstance(value, bytes):
            return None
        self._local.set(key, value, SHARED_COPY_SECONDS)
        return value

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        if ttl <= 0:
            return
        self._local.set(key, value, ttl)
        try:
            await self._guard.run(lambda client: client.set(key, value, ex=int(ttl)))
        except RedisUnavailable:
            # The next read misses and goes to the database: slower, never wrong.
            return
