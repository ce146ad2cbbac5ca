"""Readiness checks of the dependencies a request may need."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from taskflow_core.schemas import DependencyCheck, ReadinessOut

if TYPE_CHECKING:
    from taskflow_core.runtime import Runtime


def check_database(runtime: Runtime) -> DependencyCheck:
    started = time.perf_counter()
    try:
        with runtime.database.session() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return DependencyCheck(status="down", detail="database not reachable")
    return DependencyCheck(status="ok", latency_ms=round((time.perf_counter() - started) * 1000, 2))


def readiness(runtime: Runtime) -> ReadinessOut:
    """`ok` when everything answers, `degraded` without Redis, `down` without the database."""
    checks = {"database": check_database(runtime), "redis": runtime.check_redis()}
    if checks["database"].status == "down":
        overall = "down"
    elif checks["redis"].status == "down":
        overall = "degraded"
    else:
        overall = "ok"
    return ReadinessOut(status=overall, checks=checks)
