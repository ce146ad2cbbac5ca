"""Dependency wiring: how a route reaches the runtime, the database and its caller.

Routes are `async def` and hand their database work to `Db`, which runs it whole (session,
authentication, rate limit, the service call, the end of the session) in ONE worker thread.
A sync route with sync dependencies would cost a thread hop for each of them, and under load
those hops (and the GIL handoffs between the threads they wake) cost more than the request.
Reads the cache can answer go further (`read_as_actor`): in services mode on PostgreSQL the
caller's row, the rate limit and the cache are all awaited on the event loop, and a hit
never touches a thread. So does a write that is one statement there (`write_as_caller`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.orm import Session

from server.net import client_address
from taskflow_core.actor import Actor
from taskflow_core.errors import AuthenticationFailed, RateLimited, ServiceUnavailable
from taskflow_core.ratelimit import RateLimitDecision
from taskflow_core.runtime import Runtime
from taskflow_core.security import AccessClaims
from taskflow_core.services import auth

if TYPE_CHECKING:
    # Only services mode loads it (and psycopg's pool with it): see `Runtime.open_async`.
    from taskflow_core.loop_database import LoopDatabase

T = TypeVar("T")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How the routes that take `DbDep` are authenticated, as `install_openapi` documents them.
BEARER_SCHEME = HTTPBearer(auto_error=False, description="An access token from /auth/login")


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


class Db:
    """One request's way to the database, as its caller (`as_actor`) or anonymously."""

    __slots__ = ("_request", "_token", "runtime")

    def __init__(self, request: Request, runtime: Runtime, token: str | None) -> None:
        self._request = request
        self._token = token
        self.runtime = runtime

    async def as_actor(self, work: Callable[[Session, Actor], T]) -> T:
        """Run `work(session, actor)` for the authenticated caller, within their budget."""
        token = self._token
        if token is None:
            raise AuthenticationFailed("Not authenticated")
        return await self._run(lambda session: work(session, self._authenticate(session, token)))

    async def read_as_actor(
        self,
        cached: Callable[[Actor], Awaitable[T | None]],
        work: Callable[[Session, Actor, bool], T],
        *,
        miss_on_loop: Callable[[LoopDatabase, Actor], Awaitable[T]] | None = None,
    ) -> T:
        """A read the cache may answer: `cached(actor)` first, `work` only if it says None.

        With the event loop's database (services mode on PostgreSQL) a cache hit never
        leaves the loop, and nor does a miss that has a one-statement form,
        `miss_on_loop(loop_db, actor)`; other misses run `work(session, actor, True)` in a
        worker thread, as the same caller. Without it, `work(session, actor, False)` asks
        the cache itself.
        """
        loop_db = self.runtime.loop_db
        if loop_db is None:
            return await self.as_actor(lambda session, actor: work(session, actor, False))
        actor = await self._authenticate_on_loop(loop_db)
        hit = await cached(actor)
        if hit is not None:
            return hit
        if miss_on_loop is not None:
            return await miss_on_loop(loop_db, actor)
        return await self._run(lambda session: work(session, actor, True))

    async def write_as_caller(
        self,
        on_loop: Callable[[LoopDatabase, AccessClaims], Awaitable[T | None]],
        work: Callable[[Session, Actor], T],
    ) -> T:
        """A write with a one-statement form: `on_loop(loop_db, claims)` where the event
        loop has its database (services mode on PostgreSQL), else `work` in a worker thread.

        `on_loop` gets the verified token's claims, within the caller's budget, and must
        itself refuse a caller who is gone or deactivated (`LoopDatabase.actor` does), or
        answer None: then `work` does the write after all, as the same caller.
        """
        loop_db = self.runtime.loop_db
        if loop_db is None:
            return await self.as_actor(work)
        claims = await self._claims_on_loop()
        done = await on_loop(loop_db, claims)
        if done is not None:
            return done
        return await self._run(lambda session: work(session, self._caller(session, claims)))

    async def batch_as_actor(self, work: Callable[[Session, Actor], T]) -> T:
        """`as_actor` for a batch operation: it first waits for one of the process's few
        batch slots (`BATCH_SLOTS`), so batches cannot take every connection."""
        slots: anyio.Semaphore = self._request.app.state.batch_slots
        await self._take_turn(slots)
        try:
            return await self.as_actor(work)
        finally:
            slots.release()

    async def as_anyone(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` with no caller (the auth routes)."""
        return await self._run(work)

    def check_auth_rate(self, *, email: str | None = None) -> None:
        """The auth routes' stricter budget, per client address and per email.

        Call it inside `work`: the limiter may talk to Redis, which must not block the loop.
        """
        rate = self.runtime.settings.auth_rate
        if rate is None:
            return
        address = client_address(self._request, self.runtime.settings.trusted_proxies)
        keys = [f"auth-ip:{address}"] + ([f"auth-email:{email}"] if email else [])
        decisions = [self.runtime.limiter.hit(key, rate) for key in keys]
        tightest = min(decisions, key=lambda decision: (decision.allowed, decision.remaining))
        self._request.state.rate_limit = tightest
        if not tightest.allowed:
            raise RateLimited(max(d.retry_seconds for d in decisions if not d.allowed))

    async def _run(self, work: Callable[[Session], T]) -> T:
        # At most as many requests as the pool has connections get past this gate; the rest
        # wait here, on the event loop, holding neither a thread nor a connection. Threads
        # waiting for connections while connection holders wait for threads is how a
        # threadpool and a connection pool starve each other; the gate makes that impossible.
        slots: anyio.Semaphore = self._request.app.state.db_slots
        await self._take_turn(slots)
        try:
            return await anyio.to_thread.run_sync(self._in_session, work)
        finally:
            slots.release()

    async def _take_turn(self, slots: anyio.Semaphore) -> None:
        """Acquire one of `slots`, or 503 if none frees up within the database timeout."""
        with anyio.move_on_after(self.runtime.settings.db_timeout) as waited:
            await slots.acquire()
        if waited.cancelled_caught:
            raise ServiceUnavailable("Server busy, try again shortly")

    def _in_session(self, work: Callable[[Session], T]) -> T:
        write = self._request.method not in SAFE_METHODS
        with self.runtime.database.session(write=write) as session:
            return work(session)

    async def _authenticate_on_loop(self, loop_db: LoopDatabase) -> Actor:
        return await loop_db.actor(await self._claims_on_loop())

    async def _claims_on_loop(self) -> AccessClaims:
        """The token's claims, once the caller's budget admits the request."""
        token = self._token
        if token is None:
            raise AuthenticationFailed("Not authenticated")
        claims = self.runtime.security.access_tokens.verify(token)
        rate = self.runtime.settings.api_rate
        if rate is not None:
            self._admit(await self.runtime.limiter.hit_async(f"user:{claims.user_id}", rate))
        self._request.state.user_id = str(claims.user_id)
        return claims

    def _authenticate(self, session: Session, token: str) -> Actor:
        claims = self.runtime.security.access_tokens.verify(token)
        rate = self.runtime.settings.api_rate
        if rate is not None:
            self._admit(self.runtime.limiter.hit(f"user:{claims.user_id}", rate))
        return self._caller(session, claims)

    def _caller(self, session: Session, claims: AccessClaims) -> Actor:
        actor = auth.authenticate(session, claims=claims)
        self._request.state.user_id = str(actor.user_id)
        return actor

    def _admit(self, decision: RateLimitDecision) -> None:
        self._request.state.rate_limit = decision
        if not decision.allowed:
            raise RateLimited(decision.retry_seconds)


# Each of these takes the request alone, where `RuntimeDep` and `Depends(BEARER_SCHEME)` would
# do the same work: FastAPI solves every sub-dependency afresh on every request, and for a
# page the cache answers, two of them cost ~6% of the request's CPU.
async def get_db(request: Request) -> Db:
    """The database as the caller the request's bearer token names (401 later if none)."""
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    bearer = token if scheme.lower() == "bearer" and token else None
    return Db(request, request.app.state.runtime, bearer)


async def get_public_db(request: Request) -> Db:
    return Db(request, request.app.state.runtime, None)


DbDep = Annotated[Db, Depends(get_db)]
# For the routes that take no access token (so OpenAPI lists no security for them).
PublicDbDep = Annotated[Db, Depends(get_public_db)]
