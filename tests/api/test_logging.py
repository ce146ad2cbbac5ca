"""One access-log line per request, carrying the request id, and no secrets in any log."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TEST_PASSWORD, bearer, random_email


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    logger = logging.getLogger("taskflow")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG, logger="taskflow")
    yield caplog
    logger.removeHandler(caplog.handler)


def test_each_request_logs_one_access_line(
    client: TestClient, logs: pytest.LogCaptureFixture
) -> None:
    email = random_email()
    tokens = client.post(
        "/auth/register", json={"email": email, "name": "N", "password": TEST_PASSWORD}
    ).json()
    logs.clear()
    response = client.get(
        "/tasks?status=PENDING", headers=bearer(tokens) | {"X-Request-ID": "req-42"}
    )
    access = [r for r in logs.records if r.name == "taskflow.access"]
    assert len(access) == 1
    line = access[0].getMessage()
    assert response.headers["x-request-id"] == "req-42"
    assert getattr(access[0], "request_id", None) == "req-42"
    assert f"user_id={tokens['user']['id']}" in line
    assert re.search(r"method=GET path=/tasks status=200 duration_ms=\d+\.\d", line)


def test_no_password_or_token_reaches_the_logs(
    client: TestClient, logs: pytest.LogCaptureFixture
) -> None:
    email = random_email()
    tokens = client.post(
        "/auth/register", json={"email": email, "name": "N", "password": TEST_PASSWORD}
    ).json()
    client.post("/auth/login", json={"email": email, "password": "wrong password"})
    client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    client.get("/tasks?search=secret-search", headers=bearer(tokens))
    text = "\n".join(record.getMessage() for record in logs.records)
    for secret in (
        TEST_PASSWORD,
        "wrong password",
        tokens["refreshToken"],
        tokens["accessToken"],
        "secret-search",
    ):
        assert secret not in text
