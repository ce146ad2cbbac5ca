"""Weak passwords are refused wherever a password is set; the demo seed still works."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from taskflow_core.operations.accounts.seed import seed_demo_users
from taskflow_core.runtime import Runtime
from tests.api.hostile import assert_handled
from tests.conftest import TEST_PASSWORD, bearer, in_app, make_admin, random_email

EMAIL = "jane.doe@example.com"
WEAK = [
    "password",
    "Password",
    "12345678",
    "qwertyuiop",
    "iloveyou",
    " " * 8,
    "\t" * 9,
    "aaaaaaaa",
    "zzzzzzzzzzzzzzzzzzzz",
    EMAIL,
    " JANE.DOE@EXAMPLE.COM ",
    "jane.doe",
]


def _refused(response: Any) -> str:
    assert response.status_code == 422, response.text
    assert_handled(response, field="password")
    message: str = next(e["message"] for e in response.json()["errors"] if e["field"] == "password")
    return message


@pytest.mark.parametrize("password", WEAK)
def test_register_refuses_a_weak_password(client: TestClient, password: str) -> None:
    response = client.post(
        "/auth/register", json={"email": EMAIL, "name": "Jane", "password": password}
    )
    _refused(response)
    login = client.post("/auth/login", json={"email": EMAIL, "password": password})
    assert login.status_code == 401


@pytest.mark.parametrize("password", ["password", "11111111", EMAIL, "jane.doe"])
def test_an_admin_cannot_create_an_account_with_a_weak_password(
    client: TestClient, runtime: Runtime, password: str
) -> None:
    admin = bearer(make_admin(client, runtime))
    body = {"email": EMAIL, "name": "Jane", "password": password}
    _refused(client.post("/users", json=body, headers=admin))
    assert client.get("/users", params={"search": "jane"}, headers=admin).json()["data"] == []


def test_a_password_change_refuses_a_weak_password(
    client: TestClient, user: dict[str, Any]
) -> None:
    url = f"/users/{user['user']['id']}"
    for weak in ("password1", "        ", "00000000"):
        body = {"password": weak, "currentPassword": TEST_PASSWORD}
        _refused(client.patch(url, json=body, headers=bearer(user)))
    login = {"email": user["user"]["email"], "password": TEST_PASSWORD}
    assert client.post("/auth/login", json=login).status_code == 200


def test_the_refusal_says_why(client: TestClient) -> None:
    def reason(password: str) -> str:
        body = {"email": EMAIL, "name": "Jane", "password": password}
        return _refused(client.post("/auth/register", json=body))

    assert "common" in reason("password")
    assert "blank" in reason(" " * 8)
    assert "repeated" in reason("x" * 12)
    assert "email" in reason("jane.doe")


def test_a_strong_password_and_one_merely_containing_a_common_word_are_accepted(
    client: TestClient,
) -> None:
    for password in ("password with more words", "correct horse battery", "Tr0ub4dor&3x"):
        body = {"email": random_email(), "name": "N", "password": password}
        assert client.post("/auth/register", json=body).status_code == 201, password


def test_the_demo_seed_keeps_its_documented_passwords(client: TestClient, runtime: Runtime) -> None:
    # Development-only demo data: the seed writes the accounts directly, past the API rules.
    in_app(client, seed_demo_users, runtime.users)
    for email, password in (("admin@example.com", "admin123"), ("user@example.com", "user123")):
        response = client.post("/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text


def test_a_new_password_may_not_be_the_new_email_sent_with_it(
    client: TestClient, user: dict[str, Any]
) -> None:
    body = {"email": EMAIL, "password": "jane.doe", "currentPassword": TEST_PASSWORD}
    _refused(client.patch(f"/users/{user['user']['id']}", json=body, headers=bearer(user)))
    assert client.get("/auth/me", headers=bearer(user)).json()["email"] == user["user"]["email"]
