"""The response cache in Redis, shared by every server process.

Entries are the serialized response bodies under the keys `TaskReads` builds (owner id and
cache version included), stored with a TTL. Nothing is ever deleted by pattern: a write bumps
the owner's version in its own transaction, so older entries are never asked for again, even
those a paused Redis stores late, and they expire on their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from taskflow_core.redis_guard import RedisUnavailable

if TYPE_CHECKING:
    from taskflow_core.redis_guard import AsyncRedisGuard, RedisGuard


class RedisCache:
    """A `Cache` in Redis: one GET or one SET per call; any trouble is a miss."""

    def __init__(self, guard: RedisGuard) -> None:
        self._guard = guard
        self._async_guard: AsyncRedisGuard | None = None

    def attach_async(self, guard: AsyncRedisGuard) -> None:
        """Give `get_async` its client: the async twin of this cache's guard."""
        self._async_guard = guard

    def get(self, key: str) -> bytes | None:
        try:
            value = self._guard.run(lambda client: client.get(key))
        except RedisUnavailable:
            return None
        return value if isinstance(value, bytes) else None

    async def get_async(self, key: str) -> bytes | None:
        if self._async_guard is None:
            return None
        try:
            value = await self._async_guard.run(lambda client: client.get(key))
        except RedisUnavailable:
            return None
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl: int) -> None:
        if ttl <= 0:
            return
        try:
            self._guard.run(lambda client: client.set(key, value, ex=ttl))
        except RedisUnavailable:
            # The next read misses and goes to the database: slower, never wrong.
            return

    async def set_async(self, key: str, value: bytes, ttl: int) -> None:
        if ttl <= 0 or self._async_guard is None:
            return
        try:
            await self._async_guard.run(lambda client: client.set(key, value, ex=ttl))
        except RedisUnavailable:
            return
