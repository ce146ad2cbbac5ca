"""Task reads as ready-to-send JSON bytes, served from the cache when they can be.

A key holds the caller's id and cache version, so any write to the caller's tasks (which
bumps the version in its own transaction) makes every older entry unreachable at once.
Reads that span other owners (an admin's `userId=`) skip the cache: their owners' versions
are not at hand.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from taskflow_core.serialization import to_json
from taskflow_core.services import task_queries

if TYPE_CHECKING:
    import uuid

    from sqlalchemy.orm import Session

    from taskflow_core.actor import Actor
    from taskflow_core.cache import Cache
    from taskflow_core.loop_database import LoopDatabase
    from taskflow_core.pagination import Cursors
    from taskflow_core.schemas import OwnerScope, TaskOut, TaskQuery


class TaskReads:
    """The cached read side of tasks.

    Each read has a sync method that answers from the cache or the database, and an async
    `cached_*` twin that only asks the cache (from the event loop). A caller that got None
    from the twin passes `checked=True` so the sync method does not ask again.
    """

    def __init__(self, *, cache: Cache, ttl: int, cursors: Cursors) -> None:
        self._cache = cache
        self._ttl = ttl
        self._cursors = cursors
        # Rough counts (unsynchronised increments) for the benchmark's hit ratio.
        self.hits = 0
        self.misses = 0

    def page(
        self, session: Session, *, actor: Actor, query: TaskQuery, checked: bool = False
    ) -> bytes:
        """`GET /tasks` as JSON."""
        key = self._page_key(actor, query)
        if key and not checked and (hit := self._counted(self._cache.get(key))) is not None:
            return hit
        body = to_json(
            task_queries.list_tasks(session, actor=actor, query=query, cursors=self._cursors)
        )
        if key:
            self._cache.set(key, body, self._ttl)
        return body

    async def cached_page(self, *, actor: Actor, query: TaskQuery) -> bytes | None:
        key = self._page_key(actor, query)
        return self._counted(await self._cache.get_async(key)) if key else None

    def task(
        self, session: Session, *, actor: Actor, task_id: uuid.UUID, checked: bool = False
    ) -> tuple[bytes, int]:
        """`GET /tasks/{id}` as JSON, with the task's version for the ETag."""
        key = self._key(actor, "task", str(task_id))
        if not checked and (hit := self._counted(self._cache.get(key))) is not None:
            return _versioned(hit)
        task = task_queries.get_task(session, actor=actor, task_id=task_id)
        body, entry = _task_entry(actor, task)
        if entry is not None:
            self._cache.set(key, entry, self._ttl)
        return body, task.version

    async def cached_task(self, *, actor: Actor, task_id: uuid.UUID) -> tuple[bytes, int] | None:
        hit = self._counted(await self._cache.get_async(self._key(actor, "task", str(task_id))))
        return None if hit is None else _versioned(hit)

    async def loaded_task(
        self, loop_db: LoopDatabase, *, actor: Actor, task_id: uuid.UUID
    ) -> tuple[bytes, int]:
        """`task` after `cached_task` missed, read and cached without leaving the event loop."""
        task = await loop_db.task(actor=actor, task_id=task_id)
        body, entry = _task_entry(actor, task)
        if entry is not None:
            await self._cache.set_async(self._key(actor, "task", str(task_id)), entry, self._ttl)
        return body, task.version

    def stats(
        self,
        session: Session,
        *,
        actor: Actor,
        user_id: OwnerScope | None,
        checked: bool = False,
    ) -> bytes:
        """`GET /tasks/stats` as JSON."""
        key = self._stats_key(actor, user_id)
        if key and not checked and (hit := self._counted(self._cache.get(key))) is not None:
            return hit
        body = to_json(task_queries.task_stats(session, actor=actor, user_id=user_id))
        if key:
            self._cache.set(key, body, self._ttl)
        return body

    async def cached_stats(self, *, actor: Actor, user_id: OwnerScope | None) -> bytes | None:
        key = self._stats_key(actor, user_id)
        return self._counted(await self._cache.get_async(key)) if key else None

    def _counted(self, value: bytes | None) -> bytes | None:
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def _page_key(self, actor: Actor, query: TaskQuery) -> str | None:
        own = task_queries.owner_scope(actor, query.user_id) == actor.user_id
        return self._key(actor, "list", query.model_dump_json()) if own else None

    def _stats_key(self, actor: Actor, user_id: OwnerScope | None) -> str | None:
        own = task_queries.owner_scope(actor, user_id) == actor.user_id
        return self._key(actor, "stats", "") if own else None

    @staticmethod
    def _key(actor: Actor, kind: str, detail: str) -> str:
        digest = hashlib.blake2b(detail.encode(), digest_size=12).hexdigest()
        return f"tf:{actor.user_id}:{actor.cache_version}:{kind}:{digest}"


def _task_entry(actor: Actor, task: TaskOut) -> tuple[bytes, bytes | None]:
    """A task's JSON, and the cache entry for it (None: not to be cached)."""
    body = to_json(task)
    # Only the caller's own tasks: an admin's view of another owner's task would not be
    # retired by that owner's writes.
    if task.user_id != actor.user_id:
        return body, None
    return body, b"%d\n%b" % (task.version, body)


def _versioned(entry: bytes) -> tuple[bytes, int]:
    version, _, body = entry.partition(b"\n")
    return body, int(version)
