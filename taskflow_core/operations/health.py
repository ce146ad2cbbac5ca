"""Readiness: whether the database (required) and Redis (optional) answer requests now.

Each check goes through the same pool or client that requests use, so readiness says what a
request would get.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from taskflow_core.adapters.redis_guard import RedisUnavailable
from taskflow_core.domain.errors import ServiceUnavailable
from taskflow_core.schemas import DependencyCheck, ReadinessOut

if TYPE_CHECKING:
    from taskflow_core.adapters.database import Database
    from taskflow_core.adapters.redis_guard import RedisGuard


async def readiness(database: Database, redis: RedisGuard | None) -> ReadinessOut:
    """`ok` when everything answers, `degraded` without Redis, `down` without the database."""
    checks = {"database": await _check_database(database), "redis": await _check_redis(redis)}
    if checks["database"].status == "down":
        overall = "down"
    elif checks["redis"].status == "down":
        overall = "degraded"
    else:
        overall = "ok"
    return ReadinessOut(status=overall, checks=checks)


async def _check_database(database: Database) -> DependencyCheck:
    try:
        seconds = await database.ping()
    except ServiceUnavailable:
        return DependencyCheck(status="down", detail="database not reachable")
    return DependencyCheck(status="ok", latency_ms=round(seconds * 1000, 2))


async def _check_redis(redis: RedisGuard | None) -> DependencyCheck:
    if redis is None:
        return DependencyCheck(status="disabled")
    try:
        seconds = await redis.ping()
    except RedisUnavailable:
        return DependencyCheck(status="down", detail="redis not reachable")
    return DependencyCheck(status="ok", latency_ms=round(seconds * 1000, 2))
