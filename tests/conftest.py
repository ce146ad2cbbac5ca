"""Fixtures: a migrated database per backend, an app per test, and small factories."""

from __future__ import annotations

import functools
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, pool

from server.app import create_app
from taskflow_core.domain.enums import Role
from taskflow_core.runtime import Runtime
from taskflow_core.schemas import UserCreate
from taskflow_core.settings import Settings
from tests.services import MigratedDatabase, migrated_database

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

# Starts PostgreSQL and Redis for the run when no TASKFLOW_TEST_* URL points at running ones.
pytest_plugins = ("tests.session_services",)

TEST_PASSWORD = "correct horse battery"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=BACKENDS)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> MigratedDatabase:
    """The schema, built once per backend by the migrations."""
    return migrated_database(request.param, tmp_path_factory.mktemp(request.param))


def make_settings(database_url: str, **overrides: Any) -> Settings:
    """Test settings: fast hashing, no rate limits, no background scan, unless overridden."""
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "jwt_secret": "test-secret-" + "x" * 32,
        "rate_limit": "0",
        "auth_rate_limit": "0",
        "login_failures_per_address": "0",
        "login_failures_per_account": "0",
        "account_changes": "0",
        "overdue_scan_interval": 0,
        "password_hash_memory_kib": 64,
        "password_hash_time_cost": 1,
        "db_pool_size": 5,
    } | overrides
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings for one test: `@pytest.mark.parametrize("settings_overrides", [{...}],
    indirect=True)`, or override this fixture in a module."""
    overrides: dict[str, Any] = getattr(request, "param", {})
    return overrides


@pytest.fixture
def settings(
    database: MigratedDatabase, settings_overrides: dict[str, Any], tmp_path: Any
) -> Settings:
    return make_settings(database.fresh_url(), data_dir=tmp_path, **settings_overrides)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def runtime(client: TestClient) -> Runtime:
    """The runtime the app opened (its connections live in the app's event loop)."""
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def execute_sql(settings: Settings, statement: Any) -> list[Any]:
    """Run a SQLAlchemy statement on the test's database, outside the app (to set up what
    no API call can, such as an expired token); the rows it returns, if any."""
    engine = create_engine(settings.resolved_database_url, poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            result = connection.execute(statement)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def in_app(
    client: TestClient, work: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any
) -> Any:
    """Run `work(*args, **kwargs)` in the app's event loop, where its runtime lives."""
    assert client.portal is not None
    return client.portal.call(functools.partial(work, *args, **kwargs))


# --- factories --------------------------------------------------------------------------


def random_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def register(
    client: TestClient,
    *,
    email: str | None = None,
    password: str = TEST_PASSWORD,
    name: str = "Test User",
) -> dict[str, Any]:
    """Register a user; returns the TokenResponse body."""
    response = client.post(
        "/auth/register",
        json={
            "email": email or random_email(),
            "name": name,
            "password": password,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


def make_admin(client: TestClient, runtime: Runtime) -> dict[str, Any]:
    """Create an admin the way an operator would, then log it in."""
    email = random_email("admin")
    data = UserCreate(email=email, name="Admin", password=TEST_PASSWORD)
    in_app(client, runtime.users.insert, data, role=Role.ADMIN)
    response = client.post("/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def make_task(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = client.post("/tasks", json={"title": "A task"} | fields, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def user(client: TestClient) -> dict[str, Any]:
    """A registered user's tokens."""
    return register(client)


@pytest.fixture
def headers(user: dict[str, Any]) -> dict[str, str]:
    return bearer(user)


@contextmanager
def count_statements(runtime: Runtime) -> Iterator[list[str]]:
    """Collect the SQL of the statements the runtime's database runs inside the block."""
    statements: list[str] = []
    runtime.database.statement_listeners.append(statements.append)
    try:
        yield statements
    finally:
        runtime.database.statement_listeners.remove(statements.append)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio, as the server does."""
    return "asyncio"
