"""Cached reads: a response body under a key that holds its owner's cache version.

Any write to an owner's tasks bumps that owner's version in its own transaction, and every
request reads the caller's current version first (`callers.confirm`), so after a write no
read, in any process, asks for an entry from before it. Reads that span other owners (an
admin's `userId=`) pass no key and are not cached: their owners' versions are not at hand.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from taskflow_core.adapters.cache import Cache
    from taskflow_core.domain.actor import Actor


class ReadThrough:
    """Answers from the cache when it can, else loads and stores what it loaded."""

    def __init__(self, cache: Cache, *, ttl: int) -> None:
        self._cache = cache
        self._ttl = ttl

    @staticmethod
    def key(actor: Actor, kind: str, detail: str = "") -> str:
        """The key of one of `actor`'s own reads of `kind` (`detail` tells them apart)."""
        digest = hashlib.blake2b(detail.encode(), digest_size=12).hexdigest()
        return f"tf:{actor.user_id}:{actor.cache_version}:{kind}:{digest}"

    async def get(self, key: str | None, load: Callable[[], Awaitable[bytes]]) -> bytes:
        """The entry at `key`, or what `load()` returns (stored at `key`); None: no caching."""
        if key is not None and (hit := await self._cache.get(key)) is not None:
            return hit
        body = await load()
        if key is not None:
            await self._cache.set(key, body, self._ttl)
        return body

    async def peek(self, key: str) -> bytes | None:
        return await self._cache.get(key)

    async def store(self, key: str, body: bytes) -> None:
        await self._cache.set(key, body, self._ttl)
