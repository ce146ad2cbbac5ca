"""The Redis cache: repeated reads skip the database, and no instance ever serves a stale read."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from taskflow_core.adapters import redis_cache
from taskflow_core.adapters.cache import NullCache
from taskflow_core.adapters.redis_cache import RedisCache
from taskflow_core.runtime import Runtime
from tests.conftest import count_statements, make_admin, make_task

pytestmark = pytest.mark.redis

READS = ("/tasks", "/tasks/{id}", "/tasks/stats")


def cached_keys(redis_client: redis.Redis) -> list[bytes]:
    # A test may look at every key of its own spare database; the app never does.
    return sorted(key for key in redis_client.scan_iter("tf:*") if not key.startswith(b"tf:rl:"))


def test_services_mode_caches_in_redis(runtime: Runtime) -> None:
    assert isinstance(runtime.cache, RedisCache)


def test_a_repeated_read_is_a_cache_hit_that_runs_fewer_statements(
    client: TestClient, runtime: Runtime, headers: dict[str, str], redis_client: redis.Redis
) -> None:
    task = make_task(client, headers, title="Cached")
    for path in (read.format(id=task["id"]) for read in READS):
        with count_statements(runtime) as first:
            miss = client.get(path, headers=headers)
        with count_statements(runtime) as second:
            hit = client.get(path, headers=headers)
        assert miss.status_code == hit.status_code == 200
        assert hit.content == miss.content
        assert hit.headers.get("etag") == miss.headers.get("etag")
        # Authentication still reads the user (and its cache version); the read itself not.
        assert len(second) < len(first), path
    keys = cached_keys(redis_client)
    assert len(keys) == len(READS)
    assert all(0 < redis_client.ttl(key) <= runtime.settings.cache_ttl for key in keys)


def test_cache_entries_are_the_serialized_response_bytes(
    client: TestClient, headers: dict[str, str], redis_client: redis.Redis
) -> None:
    make_task(client, headers)
    body = client.get("/tasks/stats", headers=headers).content
    [key] = cached_keys(redis_client)
    assert redis_client.get(key) == body


def test_a_write_through_one_instance_is_read_through_the_other_at_once(
    client: TestClient, other_client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers, title="Before")
    url = f"/tasks/{task['id']}"

    def read_all() -> tuple[Any, Any, Any]:
        return (
            other_client.get(url, headers=headers).json(),
            other_client.get("/tasks", headers=headers).json()["data"],
            other_client.get("/tasks/stats", headers=headers).json(),
        )

    read_all()  # primes the other instance's cache entries in Redis
    patched = client.patch(url, headers=headers, json={"title": "After", "status": "COMPLETED"})
    assert patched.status_code == 200
    one, listed, stats = read_all()
    assert one["title"] == "After"
    assert [item["title"] for item in listed] == ["After"]
    assert stats["byStatus"]["COMPLETED"] == 1

    second = make_task(client, headers, title="Second")
    batch = client.post(
        "/tasks/batch", headers=headers, json={"action": "delete", "tasks": [task["id"]]}
    )
    assert batch.status_code == 200
    assert other_client.get(url, headers=headers).status_code == 404
    listed = other_client.get("/tasks", headers=headers).json()["data"]
    assert [item["id"] for item in listed] == [second["id"]]
    assert other_client.get("/tasks/stats", headers=headers).json()["total"] == 1


def test_an_admins_write_retires_the_owners_cached_reads_everywhere(
    client: TestClient, other_client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    task = make_task(client, headers, title="Mine")
    url = f"/tasks/{task['id']}"
    assert other_client.get(url, headers=headers).json()["title"] == "Mine"
    admin = {"Authorization": f"Bearer {make_admin(client, runtime)['accessToken']}"}
    assert client.patch(url, headers=admin, json={"title": "Edited by admin"}).status_code == 200
    assert other_client.get(url, headers=headers).json()["title"] == "Edited by admin"
    listed = other_client.get("/tasks", headers=headers).json()["data"]
    assert listed[0]["title"] == "Edited by admin"


def test_an_entry_read_from_redis_is_kept_in_the_process_for_a_moment_only(
    client: TestClient,
    other_client: TestClient,
    headers: dict[str, str],
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(redis_cache, "SHARED_COPY_SECONDS", 0.5)
    other_runtime: Runtime = other_client.app.state.runtime  # type: ignore[attr-defined]
    make_task(client, headers)
    stats = client.get("/tasks/stats", headers=headers).content  # stored by the first process

    def statements_of_a_read() -> int:
        with count_statements(other_runtime) as statements:
            assert other_client.get("/tasks/stats", headers=headers).content == stats
        return len(statements)

    # A hit in Redis, then (Redis emptied, as at the end of the TTL) in the second process's
    # own copy: the caller's row alone. After the copy's moment, the database again.
    hit = statements_of_a_read()
    redis_client.delete(*cached_keys(redis_client))
    assert statements_of_a_read() == hit
    time.sleep(0.6)
    assert statements_of_a_read() > hit


@pytest.mark.parametrize("settings_overrides", [{"cache_ttl": 0}], indirect=True)
def test_a_zero_ttl_turns_the_cache_off(
    client: TestClient, runtime: Runtime, headers: dict[str, str], redis_client: redis.Redis
) -> None:
    assert isinstance(runtime.cache, NullCache)
    make_task(client, headers)
    for _ in range(2):
        assert client.get("/tasks", headers=headers).status_code == 200
    assert cached_keys(redis_client) == []
