"""Real PostgreSQL and Redis for the tests: find them, give each test a clean one.

`TASKFLOW_TEST_DATABASE_URL` and `TASKFLOW_TEST_REDIS_URL` point at the services; when they
are unset, the run starts servers of its own and sets them (tests/session_services.py). A test
whose service is unavailable is skipped, unless `TASKFLOW_TEST_REQUIRE_SERVICES=1`, which
turns every such skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import create_engine, make_url, pool, text

from taskflow_core.adapters import migrate

TABLES = ("notifications", "refresh_tokens", "tasks", "users")


@dataclass(frozen=True)
class Service:
    """A server the tests need, the variable that points at it, and its Debian package."""

    name: str
    variable: str
    package: str

    @property
    def unavailable_variable(self) -> str:
        """Where the run says why it could not start one (read by pytest-xdist's workers)."""
        return self.variable.removesuffix("_URL") + "_UNAVAILABLE"

    def why_unset(self) -> str:
        return os.environ.get(self.unavailable_variable) or f"{self.variable} is not set"


POSTGRES = Service("PostgreSQL", "TASKFLOW_TEST_DATABASE_URL", "postgresql")
REDIS = Service("Redis", "TASKFLOW_TEST_REDIS_URL", "redis-server")


def require_services() -> bool:
    return os.environ.get("TASKFLOW_TEST_REQUIRE_SERVICES", "") == "1"


def unavailable_reason(service: Service, reason: str) -> str:
    """How a skip for want of `service` reads; the run's summary counts skips by it."""
    return f"{service.name} unavailable: {reason}"


REQUIRED = "required service unavailable: "


def service_unavailable(service: Service, reason: str) -> NoReturn:
    """Skip the test, or fail it when services are required (CI)."""
    message = unavailable_reason(service, reason)
    if require_services():
        pytest.fail(REQUIRED + message, pytrace=False)
    pytest.skip(message)


def worker_suffix() -> str:
    """Distinct per pytest-xdist worker, so parallel workers never share a database."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def postgres_base_url() -> str | None:
    return os.environ.get(POSTGRES.variable)


def fresh_postgres_database(name_suffix: str) -> str:
    """Create (or re-create) an empty PostgreSQL database next to the configured one."""
    base = postgres_base_url()
    if not base:
        service_unavailable(POSTGRES, POSTGRES.why_unset())
    url = make_url(base)
    name = f"{url.database}_{name_suffix}"
    admin = create_engine(
        url.set(database="postgres"),
        poolclass=pool.NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        service_unavailable(POSTGRES, f"{url.render_as_string()} does not answer: {error}")
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@dataclass
class MigratedDatabase:
    """A database built by the Alembic migrations, emptied between tests."""

    backend: str
    template_url: str
    workdir: Path
    _count: int = field(default=0)

    def fresh_url(self) -> str:
        """A URL for the next test: a copy of the migrated file, or the emptied database."""
        if self.backend == "sqlite":
            self._count += 1
            template = Path(make_url(self.template_url).database or "")
            copy = self.workdir / f"test-{self._count}.db"
            shutil.copyfile(template, copy)
            return f"sqlite:///{copy}"
        engine = create_engine(self.template_url, poolclass=pool.NullPool)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
        engine.dispose()
        return self.template_url


def migrated_database(backend: str, workdir: Path) -> MigratedDatabase:
    """Build the schema once per test session through the migrations, never create_all."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'template.db'}"
    else:
        url = fresh_postgres_database(f"api_{worker_suffix()}")
    migrate.upgrade(url)
    return MigratedDatabase(backend=backend, template_url=url, workdir=workdir)


def redis_url() -> str:
    """A Redis database of its own for this worker, emptied; skip/fail when unavailable."""
    import redis

    base = os.environ.get(REDIS.variable)
    if not base:
        service_unavailable(REDIS, REDIS.why_unset())
    # Spare databases from 15 down, one per xdist worker.
    worker = worker_suffix()
    number = 15 - (int(worker.removeprefix("gw")) if worker.startswith("gw") else 0)
    url = str(make_url(base).set(database=str(number)))
    try:
        client = redis.Redis.from_url(url, socket_timeout=2)
        client.flushdb()
        client.close()
    except redis.RedisError as error:
        service_unavailable(REDIS, f"{base} does not answer: {error}")
    return url
