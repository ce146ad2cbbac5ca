"""Rate limits in Redis: one budget for every instance, the API's headers, honest addresses."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from taskflow_core.adapters.ratelimit import MemoryRateLimiter
from taskflow_core.adapters.redis_guard import RedisGuard
from taskflow_core.adapters.redis_ratelimit import RedisRateLimiter
from taskflow_core.settings import Rate, Settings
from tests.conftest import TEST_PASSWORD, bearer, make_settings, random_email, register
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
def peer_client(settings: Settings) -> Iterator[TestClient]:
    """An app instance whose socket peer is CLIENT_ADDRESS (no proxy in between)."""
    with TestClient(create_app(settings), client=(CLIENT_ADDRESS, 40000)) as c:
        yield c


def from_address(client: TestClient, address: str) -> TestClient:
    """The same running app (its event loop, its connections), reached from another address."""
    elsewhere = TestClient(client.app, client=(address, 40000))
    elsewhere.portal = client.portal
    return elsewhere


def login_as(client: TestClient, email: str, password: str) -> int:
    return client.post("/auth/login", json={"email": email, "password": password}).status_code


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


def test_the_auth_budget_per_address_is_shared(
    client: TestClient, other_client: TestClient
) -> None:
    assert [login_attempt(c) for c in (client, other_client, client)] == [401, 401, 401]
    assert login_attempt(other_client) == 429


FAILURE_BUDGETS = {
    "auth_rate_limit": "100/minute",
    "login_failures_per_address": "3/15m",
    "login_failures_per_account": "7/h",
}


@pytest.mark.parametrize("settings_overrides", [FAILURE_BUDGETS], indirect=True)
def test_failed_logins_from_one_address_never_keep_the_owner_out_of_another(
    client: TestClient,
) -> None:
    owner = register(client)["user"]["email"]
    attacker = from_address(client, "198.51.100.66")
    assert [login_as(attacker, owner, "guess") for _ in range(5)] == [401] * 3 + [429] * 2
    # The attacker's address is held for this account, the right password included...
    assert login_as(attacker, owner, TEST_PASSWORD) == 429
    # ...and the owner, anywhere else, is not.
    assert login_as(from_address(client, "203.0.113.1"), owner, TEST_PASSWORD) == 200


@pytest.mark.parametrize(
    "settings_overrides", [FAILURE_BUDGETS | {"auth_rate_limit": "2/minute"}], indirect=True
)
def test_a_login_refused_by_one_budget_spends_no_other(client: TestClient) -> None:
    owner = register(client)["user"]["email"]
    noisy = from_address(client, "198.51.100.1")
    answers = [login_as(noisy, owner, "guess") for _ in range(8)]
    # Two failures; the rest were refused by the address's budget and are not failures.
    assert answers == [401, 401] + [429] * 6
    for n in range(2, 7):
        assert login_as(from_address(client, f"198.51.100.{n}"), owner, "guess") == 401
    # Seven failures in all: the account-wide cap is reached only now.
    assert login_as(from_address(client, "198.51.100.9"), owner, "guess") == 429


@pytest.mark.parametrize("settings_overrides", [FAILURE_BUDGETS], indirect=True)
def test_a_distributed_attack_cannot_keep_the_owner_out_of_a_known_address(
    client: TestClient,
) -> None:
    owner = register(client)["user"]["email"]
    home = from_address(client, "203.0.113.10")
    assert login_as(home, owner, TEST_PASSWORD) == 200
    for n, failures in enumerate((3, 3, 1), start=1):
        bot = from_address(client, f"198.51.100.{n}")
        assert [login_as(bot, owner, "guess") for _ in range(failures)][-1] == 401
    # Seven failures from three addresses: at the account's cap, a new address waits...
    assert login_as(from_address(client, "192.0.2.200"), owner, TEST_PASSWORD) == 429
    # ...but the owner's own address, known from an earlier login, does not.
    assert login_as(home, owner, TEST_PASSWORD) == 200


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
def test_a_trusted_proxy_forwards_the_real_client_address(settings: Settings) -> None:
    with TestClient(create_app(settings), client=(PROXY, 40000)) as via_proxy:
        first = {"X-Forwarded-For": "198.51.100.1"}
        assert [login_attempt(via_proxy, **first) for _ in range(4)] == [401, 401, 401, 429]
        # The client may prepend anything; the proxy appends the address it saw.
        forged = {"X-Forwarded-For": "192.0.2.99, 198.51.100.1"}
        assert login_attempt(via_proxy, **forged) == 429
        assert login_attempt(via_proxy, **{"X-Forwarded-For": "198.51.100.2"}) == 401


@pytest.mark.anyio
async def test_the_lua_script_agrees_with_the_in_memory_gcra(settings: Settings) -> None:
    guard = RedisGuard(settings)
    shared, local = RedisRateLimiter(guard), MemoryRateLimiter()
    rate = Rate(limit=5, period=3600)
    try:
        for attempt in range(7):
            if attempt % 3 == 2:
                # Looking counts nothing, in either.
                looked = await shared.check("agree", rate), await local.check("agree", rate)
                assert looked[0].remaining == looked[1].remaining
            from_redis, in_memory = await shared.hit("agree", rate), await local.hit("agree", rate)
            assert from_redis.allowed == in_memory.allowed
            assert from_redis.remaining == in_memory.remaining
            assert from_redis.retry_after == pytest.approx(in_memory.retry_after, abs=0.5)
            assert from_redis.reset_after == pytest.approx(in_memory.reset_after, abs=0.5)
    finally:
        await guard.close()


@pytest.mark.anyio
async def test_without_redis_each_process_counts_in_memory() -> None:
    closed_port = free_port()
    settings = make_settings(
        "sqlite://", redis_url=f"redis://127.0.0.1:{closed_port}/0", jwt_secret="x" * 40
    )
    guard = RedisGuard(settings)
    limiter = RedisRateLimiter(guard)
    rate = Rate(limit=3, period=60)
    try:
        decisions = [await limiter.hit("offline", rate) for _ in range(4)]
    finally:
        await guard.close()
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert guard.breaker.state == "open"
