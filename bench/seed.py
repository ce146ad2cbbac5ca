"""Seed a benchmark database fast: users through the ORM, tasks through COPY (or executemany)."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, make_url, pool, text

from taskflow_core.adapters import migrate
from taskflow_core.adapters.passwords import Passwords
from taskflow_core.domain.enums import Role
from taskflow_core.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

PASSWORD = "bench-password"
WORDS = [
    "report",
    "invoice",
    "call",
    "plan",
    "review",
    "deploy",
    "fix",
    "write",
    "buy",
    "email",
    "meeting",
    "budget",
    "design",
    "test",
    "refactor",
    "update",
    "order",
    "book",
    "clean",
]


@dataclass
class SeededUser:
    id: uuid.UUID
    email: str
    task_ids: list[uuid.UUID] = field(default_factory=list)


def recreate_postgres(url: str) -> None:
    """Drop and create the benchmark database."""
    parsed = make_url(url)
    admin = create_engine(
        parsed.set(database="postgres"), poolclass=pool.NullPool, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def seed(
    url: str,
    *,
    users: int,
    tasks_per_user: int,
    seed_value: int = 42,
    migrate_with: Callable[[str], None] = migrate.upgrade,
) -> list[SeededUser]:
    """Migrate `url` (with this checkout's migrations unless told otherwise) and fill it;
    returns the users with their task ids."""
    migrate_with(url)
    rng = random.Random(seed_value)
    passwords = Passwords(Settings(_env_file=None))
    password_hash = asyncio.run(passwords.hash(PASSWORD))
    passwords.close()
    now = datetime.now(UTC)
    seeded = [SeededUser(id=uuid.uuid4(), email=f"bench{n}@example.com") for n in range(users)]
    engine = create_engine(url, poolclass=pool.NullPool)
    # SQLite stores ids as hex and times as text; psycopg binds the Python values natively.
    bind = _sqlite_value if engine.dialect.name == "sqlite" else _as_is
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, role, is_active, task_seq,"
                " cache_version, created_at, updated_at) VALUES (:id, :email, :name, :hash,"
                " :role, true, :seq, 0, :now, :now)"
            ),
            [
                {
                    "id": bind(u.id),
                    "email": u.email,
                    "name": f"Bench {n}",
                    "hash": password_hash,
                    "role": Role.USER.value,
                    "seq": tasks_per_user,
                    "now": bind(now),
                }
                for n, u in enumerate(seeded)
            ],
        )
    rows = []
    for user in seeded:
        for number in range(1, tasks_per_user + 1):
            task_id = uuid.uuid4()
            user.task_ids.append(task_id)
            status = rng.choice((0, 0, 1, 2))
            created = now - timedelta(minutes=number * 7, seconds=rng.randint(0, 59))
            due = now + timedelta(days=rng.randint(-20, 40)) if rng.random() < 0.7 else None
            rows.append(
                (
                    task_id,
                    user.id,
                    number,
                    f"{rng.choice(WORDS)} {rng.choice(WORDS)} {number}",
                    "details " * rng.randint(0, 6) or None,
                    status,
                    rng.randint(0, 2),
                    due,
                    created,
                    created,
                    created if status == 2 else None,
                )
            )
    _insert_tasks(engine, rows)
    _settle(engine)
    engine.dispose()
    return seeded


def _settle(engine: Engine) -> None:
    """Statistics, and on PostgreSQL the vacuum and checkpoint the fresh rows would otherwise
    get from autovacuum in the middle of the first measurements."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("VACUUM (ANALYZE)"))
            connection.execute(text("CHECKPOINT"))
        else:
            connection.execute(text("ANALYZE"))


def _insert_tasks(engine: Engine, rows: Sequence[tuple[object, ...]]) -> None:
    columns = (
        "id, user_id, number, title, description, status, priority, due_date, created_at,"
        " updated_at, completed_at, version"
    )
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY tasks ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, 1))
            raw.commit()
        finally:
            raw.close()
        return
    with engine.begin() as connection:
        placeholders = ", ".join(f":c{i}" for i in range(12))
        connection.execute(
            text(f"INSERT INTO tasks ({columns}) VALUES ({placeholders})"),
            [{f"c{i}": _sqlite_value(v) for i, v in enumerate((*row, 1))} for row in rows],
        )


def _as_is(value: object) -> object:
    return value


def _sqlite_value(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value
