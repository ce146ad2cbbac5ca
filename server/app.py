"""The FastAPI application factory."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio
import anyio.to_thread
from fastapi import FastAPI

from server.bench_probe import install_bench_probe
from server.docs import install_docs
from server.errors import install_error_handlers
from server.logging import configure_logging
from server.memory import return_freed_memory
from server.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from server.openapi import install_openapi
from server.routes import auth, health, notifications, tasks, users
from taskflow_core.runtime import Runtime, build_runtime
from taskflow_core.settings import Settings, get_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

DESCRIPTION = """
The TaskFlow REST API. Authenticate with `POST /auth/login`, then send
`Authorization: Bearer <accessToken>`. Every error is an RFC 9457 problem document.
"""
DOC_SECTIONS = ("auth", "users", "tasks", "notifications", "health")
# Batch operations a process runs at once; more wait their turn. One over 1,000 tasks holds a
# connection for ~40 ms and ~1.5 MB of memory, and two batches on one owner's tasks wait on
# each other's row locks anyway: with 64 clients sending batches, two at a time answered as
# many as ten (the pool) did, with 10 MB less memory kept by each worker afterwards, and left
# the other connections to the other routes.
BATCH_SLOTS = 2


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the app for the given settings (or the environment's); tests build their own."""
    settings = settings or get_settings()
    runtime = runtime or build_runtime(settings)
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        capacity = runtime.database.request_slots
        # Sync routes run in anyio's threadpool; it must never be smaller than the number
        # of requests the session gate lets through, or admitted requests would queue.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, capacity)
        app.state.db_slots = anyio.Semaphore(capacity)
        app.state.batch_slots = anyio.Semaphore(BATCH_SLOTS)
        return_freed_memory()
        await runtime.open_async()
        runtime.start_background()
        try:
            yield
        finally:
            await runtime.close_async()
            runtime.close()

    app = FastAPI(
        title="TaskFlow API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # Served by `install_docs` from bundled assets rather than FastAPI's CDN pages.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        # The docs' sections in reading order, whatever the order of matching below.
        openapi_tags=[{"name": tag} for tag in DOC_SECTIONS],
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    install_openapi(app)
    install_docs(app, openapi_url="/openapi.json")
    # Requests are matched against routes in this order, and most of them are for tasks:
    # first, the list route is found ~50 us sooner (a tenth of a cached page's CPU).
    routers = [module.router for module in (tasks, auth, users, notifications, health)]
    for router in routers:
        app.include_router(router)
    app.state.api_routes = [route for router in routers for route in router.routes]
    if settings.bench_probe:
        install_bench_probe(app, runtime)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_size)
    app.add_middleware(RequestContextMiddleware)
    return app


def create_server_app() -> FastAPI:
    """`taskflow server`'s factory: `create_app`, in a process that will serve only it.

    The 110,000 objects that imports and the app's construction made live as long as the
    process, yet the cyclic garbage collector walked them all in each of its full
    collections: 80 ms with the event loop stopped, once in 1,000 patches (in
    `bench.request_cost`). Frozen, they are left out of every later collection, and a
    full one walks the ~7,000 objects made since. (Tests build many apps in one process,
    where freezing would keep each one's cycles for good, so not there.)
    """
    app = create_app()
    gc.collect()
    gc.freeze()
    return app
