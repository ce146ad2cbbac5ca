"""The FastAPI application factory."""

from __future__ import annotations

import gc
import os
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from server.docs import install_docs
from server.errors import install_error_handlers
from server.instrumentation import server_instruments
from server.logging import configure_logging
from server.memory import return_freed_memory
from server.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from server.openapi import install_openapi
from server.refresh_cookie import CSRF_HEADER
from server.routes import auth, health, labels, notifications, projects, tasks, users
from taskflow_core.runtime import open_runtime, overdue_scan
from taskflow_core.settings import Settings, get_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from opentelemetry.trace import TracerProvider

DESCRIPTION = """
The TaskFlow REST API. Authenticate with `POST /auth/login`, then send
`Authorization: Bearer <accessToken>`. Every error is an RFC 9457 problem document.
"""
# The standard variable that turns traces on (`server.tracing`).
EXPORTER = "OTEL_TRACES_EXPORTER"
DOC_SECTIONS = ("auth", "users", "tasks", "projects", "labels", "notifications", "health")
ALLOWED_HEADERS = ("Authorization", "Content-Type", "If-Match", "X-Request-ID", CSRF_HEADER)
# What a browser client may read of a cross-origin answer, beyond the basic headers.
EXPOSED_HEADERS = (
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)


def create_app(
    settings: Settings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    """Build the app for the given settings (or the environment's); tests build their own.

    The runtime (connections, caches, the overdue scan) opens when the app starts serving,
    in its event loop, as `app.state.runtime`. Traces go to `tracer_provider`, else to what
    the `OTEL_*` variables configure (`server.tracing`); by default there are none.
    """
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    if tracer_provider is None:
        tracer_provider = _tracer_provider()
    instruments = server_instruments(settings, tracer_provider)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        return_freed_memory()
        async with open_runtime(settings, instruments=instruments) as runtime:
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
        # Request spans, continuing a `traceparent`, only when there is a provider; no spans
        # for FastAPI's own steps inside a request.
        telemetry={"tracer_provider": tracer_provider, "operation_spans": False},
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
    if settings.metrics:
        from server.metrics import MetricsMiddleware, metrics_endpoint  # noqa: PLC0415

        app.add_route("/metrics", metrics_endpoint(settings), include_in_schema=False)
        app.add_middleware(MetricsMiddleware)
    if settings.cors_origins:
        # Outermost, so preflights and every answer, errors included, carry its headers.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=[*ALLOWED_HEADERS],
            expose_headers=[*EXPOSED_HEADERS],
            max_age=600,
        )
    return app


def _tracer_provider() -> TracerProvider | None:
    if not os.environ.get(EXPORTER):
        return None
    from server.tracing import tracer_provider_from_environment  # noqa: PLC0415

    return tracer_provider_from_environment()


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
