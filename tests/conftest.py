"""Fixtures: a migrated database per backend, an app per test, and small factories."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from server.app import create_app
from taskflow_core.runtime import Runtime, build_runtime
from taskflow_core.schemas import UserCreate
from taskflow_core.services.seed import create_admin
from taskflow_core.settings import Settings
from tests.services import MigratedDatabase, migrated_database

if TYPE_CHECKING:
    from collections.abc import Iterator

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
        "overdue_scan_interval": 0,
        "password_hash_memory_kib": 64,
        "password_hash_time_cost": 1,
        "db_pool_size": 5,
        "db_max_overflow": 5,
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
def runtime(settings: Settings) -> Iterator[Runtime]:
    runtime = build_runtime(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime.settings, runtime=runtime)) as test_client:
        yield test_client


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
    with runtime.database.session(write=True) as session:
        create_admin(
            session,
            passwords=runtime.security.passwords,
            data=UserCreate(email=email, name="Admin", password=TEST_PASSWORD),
        )
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
    """Collect the SQL statements the runtime's engine runs inside the block."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(runtime.database.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(runtime.database.engine, "before_cursor_execute", record)


@contextmanager
def count_all_statements(runtime: Runtime) -> Iterator[list[str]]:
    """As `count_statements`, and (after the block) those run on the event loop's connections."""
    loop_db = runtime.loop_db
    before = loop_db.statements if loop_db else 0
    with count_statements(runtime) as statements:
        yield statements
    statements += ["(on the event loop)"] * ((loop_db.statements if loop_db else 0) - before)
