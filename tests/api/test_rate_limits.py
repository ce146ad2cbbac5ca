"""Rate limits in embedded mode: budgets, headers, 429s, and who is counted."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TEST_PASSWORD, bearer, random_email, register

pytestmark = pytest.mark.parametrize(
    "settings_overrides",
    [{"rate_limit": "5/minute", "auth_rate_limit": "3/minute"}],
    indirect=True,
)


def test_authenticated_requests_carry_the_budget_and_are_refused_past_it(
    client: TestClient,
) -> None:
    headers = bearer(register(client))
    remaining = []
    for _ in range(5):
        response = client.get("/tasks", headers=headers)
        assert response.status_code == 200
        assert response.headers["ratelimit-limit"] == "5"
        remaining.append(int(response.headers["ratelimit-remaining"]))
    assert remaining == [4, 3, 2, 1, 0]
    refused = client.get("/tasks", headers=headers)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-remaining"] == "0"
    assert int(refused.headers["ratelimit-reset"]) > 0


def test_each_user_has_a_budget_of_their_own(client: TestClient) -> None:
    first, second = bearer(register(client)), bearer(register(client))
    for _ in range(5):
        client.get("/tasks", headers=first)
    assert client.get("/tasks", headers=first).status_code == 429
    assert client.get("/tasks", headers=second).status_code == 200


def test_login_attempts_are_limited_per_email(client: TestClient) -> None:
    email = random_email()
    codes = [
        client.post("/auth/login", json={"email": email, "password": "wrong-one"}).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_auth_routes_are_limited_per_address_across_emails(client: TestClient) -> None:
    codes = [
        client.post(
            "/auth/login", json={"email": random_email(), "password": TEST_PASSWORD}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    assert client.post("/auth/refresh", json={"refreshToken": "x"}).status_code == 429


def test_forged_forwarded_for_does_not_reset_the_budget(client: TestClient) -> None:
    for n in range(3):
        client.post(
            "/auth/login",
            json={"email": random_email(), "password": "x" * 8},
            headers={"X-Forwarded-For": f"10.0.0.{n}"},
        )
    response = client.post(
        "/auth/login",
        json={"email": random_email(), "password": "x" * 8},
        headers={"X-Forwarded-For": "10.9.9.9"},
    )
    assert response.status_code == 429


def test_health_is_never_limited(client: TestClient) -> None:
    assert all(client.get("/health").status_code == 200 for _ in range(20))
