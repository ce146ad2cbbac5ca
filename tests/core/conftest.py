"""Service-level fixtures: the core's operations called directly, with no server in between.

The `runtime` here is opened in the test's own event loop on the migrated database of each
backend (`database` and `settings` from tests/conftest.py). Callers are made the way the
server makes them: tokens from `runtime.auth`, then `runtime.access_tokens.verify`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import delete

from taskflow_core.domain.enums import Role
from taskflow_core.domain.errors import AuthenticationFailed
from taskflow_core.domain.models import User
from taskflow_core.runtime import Runtime, open_runtime
from taskflow_core.schemas import (
    BatchRequest,
    LoginRequest,
    RegisterRequest,
    TaskCreate,
    TaskOut,
    TaskPage,
    TaskQuery,
    TaskStats,
    UserCreate,
)
from tests.conftest import TEST_PASSWORD, make_settings, random_email

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.sql import Executable

    from taskflow_core.domain.actor import Caller
    from taskflow_core.schemas import OwnerScope, TokenResponse
    from taskflow_core.settings import Settings
    from tests.services import MigratedDatabase

# The address logins come from unless a test says otherwise (TEST-NET-3, never routed).
CLIENT = "203.0.113.7"


# Every row of every table hangs off a user (ON DELETE CASCADE): deleting the users empties
# the database.
EVERY_ROW = delete(User)


@pytest.fixture
def settings(
    database: MigratedDatabase, settings_overrides: dict[str, Any], tmp_path: Path
) -> Settings:
    """As in tests/conftest.py, but a PostgreSQL database is emptied by `runtime` with one
    DELETE: for the few rows a test leaves, TRUNCATE costs a hundred times more."""
    url = database.fresh_url() if database.backend == "sqlite" else database.template_url
    return make_settings(url, data_dir=tmp_path, **settings_overrides)


@pytest.fixture
async def runtime(settings: Settings, database: MigratedDatabase) -> AsyncIterator[Runtime]:
    """The core's parts for this test's settings, on an empty database, opened in the test's
    event loop."""
    async with open_runtime(settings) as opened:
        if database.backend != "sqlite":
            await change(opened, EVERY_ROW)
        yield opened


# --- callers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    """One login of one user: the tokens the core handed out, and the caller the server
    would build from the access token."""

    tokens: TokenResponse
    caller: Caller

    @property
    def user_id(self) -> uuid.UUID:
        return self.caller.user_id

    @property
    def email(self) -> str:
        return self.tokens.user.email


def signed_in(runtime: Runtime, tokens: TokenResponse) -> SignedIn:
    """The caller of `tokens`' access token, verified as the server's `get_caller` does."""
    return SignedIn(tokens=tokens, caller=runtime.access_tokens.verify(tokens.access_token))


async def is_live(runtime: Runtime, person: SignedIn) -> bool:
    """Whether the database confirms the caller of `person`'s access token (an active user
    in a session not ended)."""
    try:
        await runtime.users.get(person.caller, person.user_id)
    except AuthenticationFailed:
        return False
    return True


async def register(
    runtime: Runtime,
    *,
    email: str | None = None,
    name: str = "Test User",
    password: str = TEST_PASSWORD,
) -> SignedIn:
    """A new user, signed in by their registration."""
    request = RegisterRequest(email=email or random_email(), name=name, password=password)
    return signed_in(runtime, await runtime.auth.register(request))


async def login(
    runtime: Runtime, email: str, *, password: str = TEST_PASSWORD, client: str = CLIENT
) -> SignedIn:
    """A new session of an existing user."""
    request = LoginRequest(email=email, password=password)
    return signed_in(runtime, await runtime.auth.login(request, client=client))


async def make_admin(runtime: Runtime, *, email: str | None = None) -> SignedIn:
    """An admin created as an operator would (no caller), then logged in."""
    email = email or random_email("admin")
    data = UserCreate(email=email, name="Admin", password=TEST_PASSWORD)
    await runtime.users.insert(data, role=Role.ADMIN)
    return await login(runtime, email)


# --- tasks ------------------------------------------------------------------------------


async def make_task(runtime: Runtime, caller: Caller, **fields: Any) -> TaskOut:
    """A task created by `caller`: "A task" unless `fields` say otherwise."""
    return await runtime.task_writes.create(caller, TaskCreate(**{"title": "A task"} | fields))


def batch_request(action: str, ids: list[uuid.UUID], **changes: Any) -> BatchRequest:
    """A batch of `action` on `ids`; `changes` (PATCH fields) go with an update only."""
    body: dict[str, Any] = {"action": action, "tasks": ids}
    if action == "update":
        body["changes"] = changes
    return BatchRequest.model_validate(body)


async def list_tasks(runtime: Runtime, caller: Caller, **query: Any) -> TaskPage:
    """A page of tasks, as `GET /tasks` with these (snake_case) parameters would answer."""
    body = await runtime.task_reads.page(caller, TaskQuery.model_validate(query))
    return TaskPage.model_validate_json(body)


async def read_task(runtime: Runtime, caller: Caller, task_id: uuid.UUID) -> TaskOut:
    """One task as `GET /tasks/{id}` answers it; its version must agree with its ETag."""
    body, version = await runtime.task_reads.task(caller, task_id)
    task = TaskOut.model_validate_json(body)
    assert task.version == version
    return task


async def read_stats(
    runtime: Runtime, caller: Caller, user_id: OwnerScope | None = None
) -> TaskStats:
    return TaskStats.model_validate_json(await runtime.task_reads.stats(caller, user_id))


# --- the database behind the operations' backs --------------------------------------------


async def fetch(runtime: Runtime, statement: Executable) -> list[dict[str, Any]]:
    """The rows of a query run on the runtime's database outside any operation (to look at
    what no operation shows)."""
    async with runtime.database.reading() as connection:
        return await connection.rows(statement)


async def change(runtime: Runtime, statement: Executable) -> int:
    """Run a write outside any operation (to set up what none can, such as an old timestamp);
    the number of rows it touched."""
    async with runtime.database.transaction() as connection:
        return await connection.execute(statement)
