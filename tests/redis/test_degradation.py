"""Redis down, refusing or slow never fails a request, and everything returns to it unaided.

Each test runs its own redis-server (stopping or pausing the shared one would hit everyone
else using it).
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from taskflow_core.adapters.redis_guard import RedisGuard, RedisUnavailable
from taskflow_core.runtime import Runtime
from taskflow_core.settings import Settings
from tests.conftest import count_statements, in_app, make_task, random_email
from tests.redis.conftest import BREAKER_COOLDOWN, second_instance

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.servers.redis_server import RedisServer

pytestmark = pytest.mark.redis

# A request may wait for one cache and one limiter timeout (0.1 s each) before the breaker
# opens; far below this, and far below any client's patience.
PROMPT = 1.0


@pytest.fixture
def settings_overrides(
    request: pytest.FixtureRequest, private_redis: RedisServer
) -> dict[str, Any]:
    """Services mode on this test's own Redis; `indirect` parametrization adds to it."""
    overrides: dict[str, Any] = {
        "redis_url": private_redis.url,
        "redis_breaker_cooldown": BREAKER_COOLDOWN,
        "rate_limit": "1000/minute",
        "job_retry_backoff": 0,
    }
    return overrides | getattr(request, "param", {})


@pytest.fixture
def other_client(settings: Settings) -> Iterator[TestClient]:
    yield from second_instance(settings)


def timed_get(client: TestClient, url: str, headers: dict[str, str]) -> Any:
    started = time.monotonic()
    response = client.get(url, headers=headers)
    assert time.monotonic() - started < PROMPT, f"{url} took too long"
    assert response.status_code == 200, response.text
    return response


def wait_until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def past() -> str:
    return (datetime.now(UTC) - timedelta(days=1)).isoformat()


def test_redis_going_away_degrades_readiness_but_no_request(
    client: TestClient, runtime: Runtime, headers: dict[str, str], private_redis: RedisServer
) -> None:
    task = make_task(client, headers, title="Survives")
    url = f"/tasks/{task['id']}"
    assert client.get("/health/ready").json()["checks"]["redis"]["status"] == "ok"

    private_redis.stop()
    for path in ("/tasks", url, "/tasks/stats", url):
        response = timed_get(client, path, headers)
        assert response.headers["ratelimit-limit"] == "1000"  # counted in memory meanwhile
    assert timed_get(client, url, headers).json()["title"] == "Survives"
    patched = client.patch(url, headers=headers, json={"title": "Changed offline"})
    assert patched.status_code == 200
    assert make_task(client, headers, title="Created offline")["number"] == 2
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["redis"]["status"] == "down"
    assert runtime.redis is not None
    assert runtime.redis.breaker.state != "closed"

    private_redis.start()
    wait_until(lambda: client.get("/health/ready").json()["status"] == "ok")
    assert timed_get(client, url, headers).json()["title"] == "Changed offline"
    with count_statements(runtime) as statements:
        timed_get(client, url, headers)
    # Served from Redis again: only the caller's row was read from the database.
    assert len(statements) == 1, statements
    assert "FROM tasks" not in statements[0], statements
    with private_redis.client() as direct:
        assert any(key.startswith(b"tf:rl:user:") for key in direct.scan_iter("tf:rl:*"))


# A cooldown longer than the pause: the breaker stays open for the rest of the test.
@pytest.mark.parametrize("settings_overrides", [{"redis_breaker_cooldown": 10}], indirect=True)
def test_a_slow_redis_costs_at_most_a_short_timeout_then_nothing(
    client: TestClient, runtime: Runtime, headers: dict[str, str], private_redis: RedisServer
) -> None:
    make_task(client, headers)
    assert runtime.redis is not None
    private_redis.pause(3000)
    started = time.monotonic()
    for _ in range(3):
        timed_get(client, "/tasks", headers)
    # The breaker opened after the first few timeouts; later requests do not wait at all.
    assert runtime.redis.breaker.state == "open"
    assert time.monotonic() - started < 3 * PROMPT
    durations = []
    for _ in range(5):
        before = time.monotonic()
        timed_get(client, "/tasks", headers)
        durations.append(time.monotonic() - before)
    # A request that still asked the paused Redis would wait out at least one timeout; the
    # median keeps a single stall of a busy machine from failing the test.
    assert statistics.median(durations) < runtime.settings.redis_timeout, durations


def test_a_write_while_redis_is_paused_is_read_back_by_the_other_instance(
    client: TestClient,
    other_client: TestClient,
    headers: dict[str, str],
    private_redis: RedisServer,
) -> None:
    task = make_task(client, headers, title="Old")
    url = f"/tasks/{task['id']}"
    assert other_client.get(url, headers=headers).json()["title"] == "Old"  # cached in Redis
    assert other_client.get("/tasks", headers=headers).json()["data"][0]["title"] == "Old"

    pause = 1500
    paused_at = time.monotonic()
    private_redis.pause(pause)
    assert client.patch(url, headers=headers, json={"title": "New"}).status_code == 200
    # Reads during the pause time out on Redis, and the SETs they leave behind run only
    # once Redis resumes: they must not make anyone read "Old" afterwards.
    assert timed_get(other_client, url, headers).json()["title"] == "New"
    time.sleep(max(0.0, pause / 1000 - (time.monotonic() - paused_at)) + BREAKER_COOLDOWN)
    wait_until(private_redis.answers)

    for instance in (other_client, client, other_client):
        assert timed_get(instance, url, headers).json()["title"] == "New"
        listed = timed_get(instance, "/tasks", headers).json()["data"]
        assert listed[0]["title"] == "New"
    # Nothing was invalidated: the entries from before the write are still there, only
    # under the owner's previous cache version, which no request asks for any more.
    with private_redis.client() as direct:
        bodies = [direct.get(key) or b"" for key in direct.scan_iter(f"tf:{task['userId']}:*")]
    assert any(b'"Old"' in body for body in bodies)


def test_the_server_scans_for_overdue_tasks_only_while_redis_is_away(
    client: TestClient, runtime: Runtime, headers: dict[str, str], private_redis: RedisServer
) -> None:
    make_task(client, headers, dueDate=past())
    assert in_app(client, runtime.scan_while_redis_is_away) is None  # RQ's cron has it
    assert client.get("/notifications", headers=headers).json()["data"] == []

    private_redis.stop()
    # The scan's per-task jobs cannot reach RQ either: they run here, inline.
    assert in_app(client, runtime.scan_while_redis_is_away) == 1
    [notification] = client.get("/notifications", headers=headers).json()["data"]
    assert notification["type"] == "task.overdue"

    private_redis.start()
    make_task(client, headers, dueDate=past())
    assert in_app(client, runtime.scan_while_redis_is_away) is None


def test_the_stand_in_scan_runs_in_the_background_of_a_services_mode_server(
    settings: Settings, private_redis: RedisServer
) -> None:
    settings = settings.model_copy(update={"overdue_scan_interval": 1})
    private_redis.stop()
    with TestClient(create_app(settings)) as client:
        tokens = client.post(
            "/auth/register",
            json={"email": random_email(), "name": "Late", "password": "late but strong"},
        ).json()
        headers = {"Authorization": f"Bearer {tokens['accessToken']}"}
        make_task(client, headers, dueDate=past())
        wait_until(lambda: client.get("/notifications", headers=headers).json()["data"])


def test_readiness_reports_redis_latency(client: TestClient) -> None:
    redis_check = client.get("/health/ready").json()["checks"]["redis"]
    assert redis_check["status"] == "ok"
    assert redis_check["latencyMs"] >= 0


@pytest.mark.anyio
async def test_a_refusing_redis_is_reported_down_without_waiting(settings: Settings) -> None:
    guard = RedisGuard(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}))
    started = time.monotonic()
    try:
        with pytest.raises(RedisUnavailable):
            await guard.ping()
    finally:
        await guard.close()
    assert time.monotonic() - started < PROMPT
