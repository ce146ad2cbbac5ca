"""What a route can ask for: the caller, the client's address, and the core's operations.

Every alias takes the request alone (FastAPI solves each sub-dependency afresh on every
request, and they add up on a request the cache answers).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from server.net import client_address
from taskflow_core.adapters.ratelimit import RateLimitDecision
from taskflow_core.domain.actor import Caller
from taskflow_core.domain.errors import AuthenticationFailed, RateLimited
from taskflow_core.operations.accounts.auth import Auth
from taskflow_core.operations.accounts.users import Users
from taskflow_core.operations.notifications import Notifications
from taskflow_core.operations.projects.labels import Labels
from taskflow_core.operations.projects.projects import Projects
from taskflow_core.operations.tasks.reads import TaskReads
from taskflow_core.operations.tasks.writes import TaskWrites
from taskflow_core.runtime import Runtime
from taskflow_core.settings import Settings

NOT_AUTHENTICATED = "Not authenticated"
# How the routes that take `CallerDep` are authenticated, as `install_openapi` documents them.
BEARER_SCHEME = HTTPBearer(auto_error=False, description="An access token from /auth/login")


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _admit(request: Request, decision: RateLimitDecision) -> None:
    """Report the budget in the response's headers; refuse the request when it is spent."""
    request.state.rate_limit = decision
    if not decision.allowed:
        raise RateLimited(decision.retry_seconds)


async def get_caller(request: Request) -> Caller:
    """The bearer of the request's access token, within their request budget (401 without
    a valid token, 429 past the budget). The database confirms them in the operation."""
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationFailed(NOT_AUTHENTICATED)
    runtime = _runtime(request)
    caller = runtime.access_tokens.verify(token)
    request.state.user_id = str(caller.user_id)
    rate = runtime.settings.api_rate
    if rate is not None:
        _admit(request, await runtime.limiter.hit(f"user:{caller.user_id}", rate))
    return caller


async def get_client(request: Request) -> str:
    """The client's address, within the auth routes' budget for it (429 past it)."""
    runtime = _runtime(request)
    address = client_address(request, runtime.settings.trusted_proxies)
    rate = runtime.settings.auth_rate
    if rate is not None:
        _admit(request, await runtime.limiter.hit(f"auth-ip:{address}", rate))
    return address


async def get_runtime(request: Request) -> Runtime:
    return _runtime(request)


async def get_settings(request: Request) -> Settings:
    return _runtime(request).settings


async def get_task_reads(request: Request) -> TaskReads:
    return _runtime(request).task_reads


async def get_task_writes(request: Request) -> TaskWrites:
    return _runtime(request).task_writes


async def get_projects(request: Request) -> Projects:
    return _runtime(request).projects


async def get_labels(request: Request) -> Labels:
    return _runtime(request).labels


async def get_auth(request: Request) -> Auth:
    return _runtime(request).auth


async def get_users(request: Request) -> Users:
    return _runtime(request).users


async def get_notifications(request: Request) -> Notifications:
    return _runtime(request).notifications


CallerDep = Annotated[Caller, Depends(get_caller)]
ClientDep = Annotated[str, Depends(get_client)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
TaskReadsDep = Annotated[TaskReads, Depends(get_task_reads)]
TaskWritesDep = Annotated[TaskWrites, Depends(get_task_writes)]
ProjectsDep = Annotated[Projects, Depends(get_projects)]
LabelsDep = Annotated[Labels, Depends(get_labels)]
AuthDep = Annotated[Auth, Depends(get_auth)]
UsersDep = Annotated[Users, Depends(get_users)]
NotificationsDep = Annotated[Notifications, Depends(get_notifications)]
