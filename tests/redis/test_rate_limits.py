"""Rate limits in Redis: one budget for every instance, the API's headers, honest addresses."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from taskflow_core.ratelimit import MemoryRateLimiter
from taskflow_core.redis_guard import RedisGuard
from taskflow_core.redis_ratelimit import RedisRateLimiter
from taskflow_core.runtime import Runtime
from taskflow_core.settings import Rate, Settings
from tests.conftest import bearer, make_settings, random_email, register
from tests.servers import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.redis

PROXY = "10.0.0.5"
CLIENT_ADDRESS = "203.0.113.7"


@pytest.fixture
def settings_overrides(
    request: pytest.FixtureRequest, settings_overrides: dict[str, Any]
) -> dict[str, Any]:
    """Small budgets on top of the services-mode settings; `indirect` adds more."""
    limits = {"rate_limit": "5/minute", "auth_rate_limit": "3/minute"}
    return settings_overrides | limits | getattr(request, "param", {})


def login_attempt(client: TestClient, **headers: str) -> int:
    response = client.post(
        "/auth/login",
        json={"email": random_email(), "password": "not the password"},
        headers=headers,
    )
    return response.status_code


@pytest.fixture
def peer_client(runtime: Runtime) -> Iterator[TestClient]:
    """An app instance whose socket peer is CLIENT_ADDRESS (no proxy in between)."""
    with TestClient(
        create_app(runtime.settings, runtime=runtime), client=(CLIENT_ADDRESS, 40000)
    ) as c:
        yield c


def test_two_instances_share_one_budget(client: TestClient, other_client: TestClient) -> None:
    headers = bearer(register(client))
    remaining = []
    for instance in (client, other_client, client, other_client, client):
        response = instance.get("/tasks", headers=headers)
        assert response.status_code == 200
        remaining.append(int(response.headers["ratelimit-remaining"]))
    assert remaining == [4, 3, 2, 1, 0]
    assert other_client.get("/tasks", headers=headers).status_code == 429
    assert client.get("/tasks", headers=headers).status_code == 429


def test_a_refusal_says_when_to_come_back(client: TestClient, other_client: TestClient) -> None:
    headers = bearer(register(client))
    started = time.monotonic()
    for _ in range(5):
        client.get("/tasks", headers=headers)
    refused = other_client.get("/tasks", headers=headers)
    # The budget refills from the first request on; on a loaded machine these six can take
    # more than a second, and the waits they are told shrink by as much.
    elapsed = time.monotonic() - started
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    # 5 per minute: one request's worth comes back every 12 seconds.
    assert 11 - elapsed <= int(refused.headers["retry-after"]) <= 12
    assert refused.headers["ratelimit-limit"] == "5"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert 59 - elapsed <= int(refused.headers["ratelimit-reset"]) <= 60


def test_auth_budgets_per_address_and_email_are_shared(
    client: TestClient, other_client: TestClient
) -> None:
    assert [login_attempt(c) for c in (client, other_client, client)] == [401, 401, 401]
    assert login_attempt(other_client) == 429
    email = random_email()
    elsewhere = TestClient(client.app, client=("198.51.100.20", 1))
    statuses = [
        elsewhere.post("/auth/login", json={"email": email, "password": "wrong-one"}).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(
    peer_client: TestClient,
) -> None:
    statuses = [login_attempt(peer_client, **{"X-Forwarded-For": f"192.0.2.{n}"}) for n in range(4)]
    assert statuses == [401, 401, 401, 429]


@pytest.mark.parametrize(
    "settings_overrides",
    [{"trusted_proxies": "10.0.0.0/8"}],
    indirect=True,
)
def test_a_trusted_proxy_forwards_the_real_client_address(runtime: Runtime) -> None:
    app = create_app(runtime.settings, runtime=runtime)
    with TestClient(app, client=(PROXY, 40000)) as via_proxy:
        first = {"X-Forwarded-For": "198.51.100.1"}
        assert [login_attempt(via_proxy, **first) for _ in range(4)] == [401, 401, 401, 429]
        # The client may prepend anything; the proxy appends the address it saw.
        forged = {"X-Forwarded-For": "192.0.2.99, 198.51.100.1"}
        assert login_attempt(via_proxy, **forged) == 429
        assert login_attempt(via_proxy, **{"X-Forwarded-For": "198.51.100.2"}) == 401


def test_the_lua_script_agrees_with_the_in_memory_gcra(settings: Settings) -> None:
    guard = RedisGuard.from_settings(settings)
    shared, local = RedisRateLimiter(guard), MemoryRateLimiter()
    rate = Rate(limit=5, period=3600)
    try:
        for _ in range(7):
            from_redis, in_memory = shared.hit("agree", rate), local.hit("agree", rate)
            assert from_redis.allowed == in_memory.allowed
            assert from_redis.remaining == in_memory.remaining
            assert from_redis.retry_after == pytest.approx(in_memory.retry_after, abs=0.5)
            assert from_redis.reset_after == pytest.approx(in_memory.reset_after, abs=0.5)
    finally:
        guard.close()


def test_without_redis_each_process_counts_in_memory() -> None:
    closed_port = free_port()
    settings = make_settings(
        "sqlite://", redis_url=f"redis://127.0.0.1:{closed_port}/0", jwt_secret="x" * 40
    )
    guard = RedisGuard.from_settings(settings)
    limiter = RedisRateLimiter(guard)
    rate = Rate(limit=3, period=60)
    try:
        decisions = [limiter.hit("offline", rate) for _ in range(4)]
    finally:
        guard.close()
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert guard.breaker.state == "open"
