"""Titles and names: trimmed first (whitespace at both ends), then the length and control
character rules apply to what is left; passwords are never trimmed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.hostile import assert_handled
from tests.conftest import TEST_PASSWORD, bearer, make_task, random_email

TRIMMED = [
    ("title\t", "title"),
    ("\t title \t", "title"),
    ("x" * 200 + "\t", "x" * 200),
    (" " + "x" * 200 + " ", "x" * 200),
    ("\u3000two words\n", "two words"),
]
REFUSED = [
    ("x" * 201, "at most 200"),
    ("a\tb", "control"),
    ("a\x1b[31mb", "control"),
    ("\t \t", "blank"),
    ("", "blank"),
]


@pytest.mark.parametrize(("sent", "stored"), TRIMMED)
def test_a_title_is_trimmed_before_it_is_checked(
    client: TestClient, headers: dict[str, str], sent: str, stored: str
) -> None:
    assert make_task(client, headers, title=sent)["title"] == stored
    task = make_task(client, headers)
    patched = client.patch(f"/tasks/{task['id']}", json={"title": sent}, headers=headers)
    assert patched.json()["title"] == stored


@pytest.mark.parametrize(("sent", "reason"), REFUSED)
def test_what_is_left_after_trimming_must_be_a_visible_line(
    client: TestClient, headers: dict[str, str], sent: str, reason: str
) -> None:
    response = client.post("/tasks", json={"title": sent}, headers=headers)
    assert response.status_code == 422
    assert_handled(response, field="title")
    assert reason in response.json()["errors"][0]["message"]


def test_a_name_is_trimmed_before_it_is_checked(client: TestClient, user: dict[str, Any]) -> None:
    url = f"/users/{user['user']['id']}"
    response = client.patch(url, json={"name": " " + "n" * 100 + "\t"}, headers=bearer(user))
    assert response.json()["name"] == "n" * 100
    too_long = client.patch(url, json={"name": "n" * 101}, headers=bearer(user))
    assert too_long.status_code == 422
    body = {"email": random_email(), "name": "\tAda Lovelace\t", "password": TEST_PASSWORD}
    assert client.post("/auth/register", json=body).json()["user"]["name"] == "Ada Lovelace"


def test_a_password_keeps_its_spaces(client: TestClient) -> None:
    email = random_email()
    password = "  spaced out words  "
    body = {"email": email, "name": "N", "password": password}
    assert client.post("/auth/register", json=body).status_code == 201
    assert (
        client.post("/auth/login", json={"email": email, "password": password.strip()}).status_code
        == 401
    )
    assert (
        client.post("/auth/login", json={"email": email, "password": password}).status_code == 200
    )
