"""The FastAPI application factory."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from server.docs import install_docs
from server.errors import install_error_handlers
from server.logging import configure_logging
from server.memory import return_freed_memory
from server.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from server.openapi import install_openapi
from server.routes import auth, health, labels, notifications, projects, tasks, users
from taskflow_core.runtime import open_runtime, overdue_scan
from taskflow_core.settings import Settings, get_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

DESCRIPTION = """
The TaskFlow REST API. Authenticate with `POST /auth/login`, then send
`Authorization: Bearer <accessToken>`. Every error is an RFC 9457 problem document.
"""
DOC_SECTIONS = ("auth", "users", "tasks", "projects", "labels", "notifications", "health")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for the given settings (or the environment's); tests build their own.

    The runtime (connections, caches, the overdue scan) opens when the app starts serving,
    in its event loop, as `app.state.runtime`.
    """
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        return_freed_memory()
        async with open_runtime(settings) as runtime:
            app.state.runtime = runtime
            scan = overdue_scan(runtime)
            if scan is not None:
                scan.start()
            try:
                yield
            finally:
                if scan is not None:
                    await scan.stop()

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
    install_error_handlers(app)
    install_openapi(app)
    install_docs(app, openapi_url="/openapi.json")
    # Requests are matched against routes in this order, and most of them are for tasks.
    routers = [
        module.router for module in (tasks, projects, labels, auth, users, notifications, health)
    ]
    for router in routers:
        app.include_router(router)
    app.state.api_routes = [route for router in routers for route in router.routes]
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_size)
    app.add_middleware(RequestContextMiddleware)
    return app


def create_server_app() -> FastAPI:
    """`taskflow server`'s factory: `create_app`, in a process that will serve only it.

    The objects of the imports and of the app's construction live as long as the process:
    frozen, the cyclic garbage collector stops walking them in every full collection, which
    stopped the event loop for tens of milliseconds (docs/performance.md). Tests build many
    apps in one process, where freezing would keep each one's cycles for good, so not there.
    """
    app = create_app()
    gc.collect()
    gc.freeze()
    return app
