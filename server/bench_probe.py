"""Counters for the benchmarks (`TASKFLOW_BENCH_PROBE=1` only): requests, SQL, cache hits.

Each server process keeps its own; the benchmark polls until it has heard from every worker.
Never enabled in normal operation: it adds an unauthenticated route.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import event

from server.responses import json_response
from taskflow_core.serialization import to_json

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp, Receive, Scope, Send

    from taskflow_core.runtime import Runtime

PREFIX = "/_bench"


class _Counters:
    def __init__(self) -> None:
        self.requests = 0
        self.statements = 0


def install_bench_probe(app: FastAPI, runtime: Runtime) -> None:
    """Count requests and SQL statements, and serve them at /_bench/counters."""
    counters = _Counters()

    def count_statement(*_: Any) -> None:
        counters.statements += 1

    event.listen(runtime.database.engine, "before_cursor_execute", count_statement)
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    @router.get("/counters")
    async def read_counters(request: Request) -> Response:
        reads = runtime.task_reads
        # The event loop's statements (caller lookups, creates) run outside SQLAlchemy, so
        # its events miss them.
        loop_statements = runtime.loop_db.statements if runtime.loop_db else 0
        return json_response(
            to_json(
                {
                    "pid": os.getpid(),
                    "requests": counters.requests,
                    "statements": counters.statements + loop_statements,
                    "cacheHits": reads.hits,
                    "cacheMisses": reads.misses,
                }
            )
        )

    @router.post("/reset")
    async def reset(request: Request) -> Response:
        counters.requests = counters.statements = 0
        if runtime.loop_db is not None:
            runtime.loop_db.statements = 0
        runtime.task_reads.hits = runtime.task_reads.misses = 0
        return json_response(to_json({"pid": os.getpid()}))

    app.include_router(router)
    app.add_middleware(_RequestCounter, counters=counters)


class _RequestCounter:
    def __init__(self, app: ASGIApp, *, counters: _Counters) -> None:
        self.app = app
        self.counters = counters

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(PREFIX):
            self.counters.requests += 1
        await self.app(scope, receive, send)
