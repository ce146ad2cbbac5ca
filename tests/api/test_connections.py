"""Pooled connections: pinged after idling, replaced when the database dropped them."""

from __future__ import annotations

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from taskflow_core.adapters import postgres
from taskflow_core.settings import Settings
from tests.conftest import make_task


def use_and_check(client: TestClient, headers: dict[str, str]) -> None:
    """A write, then the reads that go through the cache and around it."""
    task = make_task(client, headers, title="still here")
    patched = client.patch(f"/tasks/{task['id']}", json={"priority": "HIGH"}, headers=headers)
    assert patched.status_code == 200, patched.text
    listed = client.get("/tasks", headers=headers)
    assert listed.status_code == 200, listed.text
    newest = listed.json()["data"][0]
    assert (newest["id"], newest["priority"]) == (task["id"], "HIGH")
    fetched = client.get(f"/tasks/{task['id']}", headers=headers)
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["priority"] == "HIGH"
    stats = client.get("/tasks/stats", headers=headers)
    assert stats.json()["byPriority"]["HIGH"] == stats.json()["total"]


def test_connections_pinged_after_idling_serve_reads_and_writes(
    client: TestClient, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every checkout counts as "after idling", so every request's connection is pinged first.
    monkeypatch.setattr(postgres, "PING_AFTER_IDLE_SECONDS", 0.0)
    for _ in range(3):
        use_and_check(client, headers)


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_connections_the_database_dropped_are_replaced_unseen(
    client: TestClient,
    settings: Settings,
    headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postgres, "PING_AFTER_IDLE_SECONDS", 0.0)
    use_and_check(client, headers)
    # What a database restart or an idle timeout does to every pooled connection, from a
    # connection of no pool.
    conninfo = make_url(settings.resolved_database_url).set(drivername="postgresql")
    with psycopg.connect(conninfo.render_as_string(hide_password=False)) as admin:
        dropped = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert dropped is not None
    assert dropped[0] >= 1
    # A write first: it must go out on a live connection, not fail on a dropped one.
    first = client.post("/tasks", json={"title": "first after the drop"}, headers=headers)
    assert first.status_code == 201, first.text
    assert client.delete(f"/tasks/{first.json()['id']}", headers=headers).status_code == 204
    for _ in range(3):
        listed = client.get("/tasks", headers=headers)
        assert listed.status_code == 200, listed.text
        assert [item["title"] for item in listed.json()["data"]] == ["still here"]
    created = client.post("/tasks", json={"title": "after the drop"}, headers=headers)
    assert created.status_code == 201, created.text


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_readiness_on_a_connection_the_database_dropped_is_503_then_ready_again(
    client: TestClient, settings: Settings
) -> None:
    # The connection readiness used is idle in the pool, recently enough not to be pinged:
    # what a crash leaves behind for the next probe.
    assert client.get("/health/ready").status_code == 200
    conninfo = make_url(settings.resolved_database_url).set(drivername="postgresql")
    with psycopg.connect(conninfo.render_as_string(hide_password=False)) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    probe = client.get("/health/ready")
    assert probe.status_code == 503, probe.text
    assert probe.json()["checks"]["database"]["status"] == "down"
    again = client.get("/health/ready")
    assert again.status_code == 200, again.text
