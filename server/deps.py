"""Dependency wiring: the `Annotated` aliases that route signatures are declared with."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from server.net import client_address
from taskflow_core.actor import Actor
from taskflow_core.errors import AuthenticationFailed, RateLimited, ServiceUnavailable
from taskflow_core.runtime import Runtime
from taskflow_core.services import auth

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_bearer = HTTPBearer(auto_error=False, description="An access token from /auth/login")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(request: Request, runtime: RuntimeDep) -> AsyncIterator[Session]:
    """A session for this request, admitted only when a connection is sure to be free.

    At most as many requests as the pool has connections hold a session at once; the
    rest wait here, on the event loop, instead of in threads. Waiting threads holding no
    connection while connection holders wait for a thread is how a threadpool and a
    connection pool starve each other; this gate makes that impossible.
    """
    slots: anyio.Semaphore = request.app.state.db_slots
    with anyio.move_on_after(runtime.settings.db_timeout) as waited:
        await slots.acquire()
    if waited.cancelled_caught:
        raise ServiceUnavailable("Server busy, try again shortly")
    try:
        session = runtime.database.session(write=request.method not in SAFE_METHODS)
        try:
            yield session
        finally:
            if session.in_transaction():
                # Ending an open transaction talks to the database: not on the event loop.
                await anyio.to_thread.run_sync(session.close)
            else:
                session.close()
    finally:
        slots.release()


SessionDep = Annotated[Session, Depends(get_session)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def get_actor(
    request: Request, runtime: RuntimeDep, session: SessionDep, credentials: BearerDep
) -> Actor:
    """The authenticated caller: a valid access token of an active user, within budget."""
    if credentials is None:
        raise AuthenticationFailed("Not authenticated")
    claims = runtime.security.access_tokens.verify(credentials.credentials)
    rate = runtime.settings.api_rate
    if rate is not None:
        decision = runtime.limiter.hit(f"user:{claims.user_id}", rate)
        request.state.rate_limit = decision
        if not decision.allowed:
            raise RateLimited(decision.retry_seconds)
    actor = auth.authenticate(session, claims=claims)
    request.state.user_id = str(actor.user_id)
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


class AuthRateLimit:
    """The stricter budget of the auth routes: per client address and per email."""

    def __init__(self, request: Request, runtime: RuntimeDep) -> None:
        self._request = request
        self._runtime = runtime

    def check(self, *, email: str | None = None) -> None:
        """Count this attempt; RateLimited if the address or the email is out of budget."""
        rate = self._runtime.settings.auth_rate
        if rate is None:
            return
        address = client_address(self._request, self._runtime.settings.trusted_proxies)
        keys = [f"auth-ip:{address}"] + ([f"auth-email:{email}"] if email else [])
        decisions = [self._runtime.limiter.hit(key, rate) for key in keys]
        tightest = min(decisions, key=lambda decision: (decision.allowed, decision.remaining))
        self._request.state.rate_limit = tightest
        if not tightest.allowed:
            raise RateLimited(max(d.retry_seconds for d in decisions if not d.allowed))


AuthRateLimitDep = Annotated[AuthRateLimit, Depends()]
