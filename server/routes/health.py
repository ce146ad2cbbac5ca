"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Response

from server.deps import RuntimeDep
from server.responses import json_response
from taskflow_core.operations.health import readiness
from taskflow_core.schemas import HealthOut, ReadinessOut
from taskflow_core.serialization import to_json

router = APIRouter(prefix="/health", tags=["health"])
_ALIVE = to_json(HealthOut())


@router.get("", response_model=HealthOut)
async def health() -> Response:
    """200 while the process runs; touches no dependency."""
    return json_response(_ALIVE)


@router.get("/ready", response_model=ReadinessOut, responses={503: {"model": ReadinessOut}})
async def ready(runtime: RuntimeDep) -> Response:
    """Whether the database (required) and Redis (optional) answer, with their latency."""
    report = await readiness(runtime.database, runtime.redis)
    return json_response(to_json(report), 503 if report.status == "down" else 200)
