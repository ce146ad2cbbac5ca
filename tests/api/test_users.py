"""Users: admin-only management, self-service, role rules, last-admin protection."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from taskflow_core.runtime import Runtime
from tests.conftest import TEST_PASSWORD, bearer, make_admin, make_task, random_email, register


@pytest.fixture
def admin(client: TestClient, runtime: Runtime) -> dict[str, Any]:
    return make_admin(client, runtime)


def login(client: TestClient, email: str, password: str = TEST_PASSWORD) -> Any:
    return client.post("/auth/login", json={"email": email, "password": password})


def test_admin_creates_a_user_with_a_role(client: TestClient, admin: dict[str, Any]) -> None:
    email = random_email()
    response = client.post(
        "/users",
        headers=bearer(admin),
        json={
            "email": email,
            "name": "New Admin",
            "password": TEST_PASSWORD,
            "role": "admin",
        },
    )
    assert response.status_code == 201
    assert response.json()["role"] == "admin"
    assert response.headers["location"] == f"/users/{response.json()['id']}"
    assert "password" not in response.text
    assert "hash" not in response.text.lower()
    assert login(client, email).status_code == 200


def test_creating_a_user_with_a_taken_email_is_409(
    client: TestClient, admin: dict[str, Any]
) -> None:
    email = random_email()
    register(client, email=email)
    response = client.post(
        "/users",
        headers=bearer(admin),
        json={"email": email, "name": "Dup", "password": TEST_PASSWORD},
    )
    assert response.status_code == 409


def test_user_routes_for_admins_only_are_403_for_users(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert client.get("/users", headers=headers).status_code == 403
    body = {"email": random_email(), "name": "x", "password": TEST_PASSWORD}
    assert client.post("/users", headers=headers, json=body).status_code == 403


def test_list_users_filters_and_paginates(client: TestClient, admin: dict[str, Any]) -> None:
    marker = random_email("findme").split("@")[0]
    for n in range(3):
        register(client, email=f"{marker}{n}@example.com")
    register(client)
    response = client.get(f"/users?search={marker}&limit=2", headers=bearer(admin)).json()
    assert response["meta"]["total"] == 3
    assert len(response["data"]) == 2
    rest = client.get(
        "/users",
        headers=bearer(admin),
        params={"search": marker, "limit": 2, "cursor": response["meta"]["nextCursor"]},
    )
    assert len(rest.json()["data"]) == 1
    admins = client.get("/users?role=admin", headers=bearer(admin)).json()["data"]
    assert {u["role"] for u in admins} == {"admin"}


def refresh_status(client: TestClient, tokens: dict[str, Any]) -> int:
    response = client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    return response.status_code


def test_users_see_themselves_and_nobody_else(client: TestClient, user: dict[str, Any]) -> None:
    other = register(client)
    me = client.get(f"/users/{user['user']['id']}", headers=bearer(user))
    assert me.status_code == 200
    assert client.get(f"/users/{other['user']['id']}", headers=bearer(user)).status_code == 404
    assert (
        client.patch(
            f"/users/{other['user']['id']}", headers=bearer(user), json={"name": "x"}
        ).status_code
        == 404
    )
    assert client.delete(f"/users/{other['user']['id']}", headers=bearer(user)).status_code == 404


def test_self_service_name_and_email(client: TestClient, user: dict[str, Any]) -> None:
    new_email = random_email()
    response = client.patch(
        f"/users/{user['user']['id']}",
        headers=bearer(user),
        json={"name": "Renamed", "email": new_email.upper(), "currentPassword": TEST_PASSWORD},
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["email"]) == ("Renamed", new_email)


def test_a_name_change_needs_no_password_but_accepts_the_right_one(
    client: TestClient, user: dict[str, Any]
) -> None:
    url = f"/users/{user['user']['id']}"
    assert client.patch(url, headers=bearer(user), json={"name": "A"}).status_code == 200
    with_password = client.patch(
        url, headers=bearer(user), json={"name": "B", "currentPassword": TEST_PASSWORD}
    )
    assert (with_password.status_code, with_password.json()["name"]) == (200, "B")
    wrong = client.patch(url, headers=bearer(user), json={"name": "C", "currentPassword": "no"})
    assert wrong.status_code == 422
    assert client.get("/auth/me", headers=bearer(user)).json()["name"] == "B"


def test_an_email_change_needs_the_current_password_and_ends_the_other_sessions(
    client: TestClient, user: dict[str, Any]
) -> None:
    """A stolen access token alone cannot take the account: changing the email needs the
    password, and the change logs out every other device (the thief's included)."""
    url = f"/users/{user['user']['id']}"
    elsewhere = login(client, user["user"]["email"]).json()
    missing = client.patch(url, headers=bearer(user), json={"email": random_email()})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "currentPassword"
    wrong = client.patch(
        url, headers=bearer(user), json={"email": random_email(), "currentPassword": "nope"}
    )
    assert wrong.status_code == 422
    assert client.get("/auth/me", headers=bearer(elsewhere)).status_code == 200
    new_email = random_email()
    changed = client.patch(
        url, headers=bearer(user), json={"email": new_email, "currentPassword": TEST_PASSWORD}
    )
    assert changed.status_code == 200
    assert client.get("/auth/me", headers=bearer(elsewhere)).status_code == 401
    assert refresh_status(client, elsewhere) == 401
    assert client.get("/auth/me", headers=bearer(user)).json()["email"] == new_email
    assert refresh_status(client, user) == 200


def test_an_email_change_without_the_current_password_is_refused(
    client: TestClient, user: dict[str, Any]
) -> None:
    url = f"/users/{user['user']['id']}"
    response = client.patch(url, headers=bearer(user), json={"email": random_email()})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "currentPassword"
    assert client.get("/auth/me", headers=bearer(user)).json()["email"] == user["user"]["email"]


def test_changing_to_a_taken_email_is_409(client: TestClient, user: dict[str, Any]) -> None:
    other = register(client)
    response = client.patch(
        f"/users/{user['user']['id']}",
        headers=bearer(user),
        json={"email": other["user"]["email"], "currentPassword": TEST_PASSWORD},
    )
    assert response.status_code == 409


@pytest.mark.parametrize("settings_overrides", [{"account_changes": "3/hour"}], indirect=True)
def test_email_changes_are_throttled_per_account(client: TestClient, user: dict[str, Any]) -> None:
    url = f"/users/{user['user']['id']}"
    taken = register(client)["user"]["email"]
    body = {"email": taken, "currentPassword": TEST_PASSWORD}
    answers = [client.patch(url, headers=bearer(user), json=body).status_code for _ in range(4)]
    # Whether an email is taken can be asked only so often.
    assert answers == [409, 409, 409, 429]


@pytest.mark.parametrize("field", [{"role": "admin"}, {"isActive": False}])
def test_users_cannot_change_their_role_or_activity(
    client: TestClient, user: dict[str, Any], field: dict[str, Any]
) -> None:
    response = client.patch(f"/users/{user['user']['id']}", headers=bearer(user), json=field)
    assert response.status_code == 403
    assert client.get("/auth/me", headers=bearer(user)).json()["role"] == "user"


def test_password_change_needs_the_current_password_and_revokes_sessions(
    client: TestClient, user: dict[str, Any]
) -> None:
    url = f"/users/{user['user']['id']}"
    elsewhere = login(client, user["user"]["email"]).json()
    missing = client.patch(url, headers=bearer(user), json={"password": "new password 1"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "currentPassword"
    wrong = client.patch(
        url, headers=bearer(user), json={"password": "new password 1", "currentPassword": "nope"}
    )
    assert wrong.status_code == 422
    ok = client.patch(
        url,
        headers=bearer(user),
        json={"password": "new password 1", "currentPassword": TEST_PASSWORD},
    )
    assert ok.status_code == 200
    # This session goes on; every other one (and its access tokens) ended.
    assert refresh_status(client, elsewhere) == 401
    assert client.get("/auth/me", headers=bearer(elsewhere)).status_code == 401
    assert client.get("/auth/me", headers=bearer(user)).status_code == 200
    assert login(client, user["user"]["email"]).status_code == 401
    assert login(client, user["user"]["email"], "new password 1").status_code == 200


def test_admin_resets_a_password_without_the_old_one(
    client: TestClient, admin: dict[str, Any], user: dict[str, Any]
) -> None:
    response = client.patch(
        f"/users/{user['user']['id']}", headers=bearer(admin), json={"password": "reset by admin"}
    )
    assert response.status_code == 200
    assert login(client, user["user"]["email"], "reset by admin").status_code == 200


def test_deactivated_users_are_locked_out_at_once(
    client: TestClient, admin: dict[str, Any], user: dict[str, Any]
) -> None:
    # Their list is in the cache now: that must not let them in either.
    assert client.get("/tasks", headers=bearer(user)).status_code == 200
    response = client.patch(
        f"/users/{user['user']['id']}", headers=bearer(admin), json={"isActive": False}
    )
    assert response.json()["isActive"] is False
    assert client.get("/tasks", headers=bearer(user)).status_code == 401
    assert (
        client.post("/auth/refresh", json={"refreshToken": user["refreshToken"]}).status_code == 401
    )
    assert login(client, user["user"]["email"]).status_code == 401


def test_admin_promotes_a_user(
    client: TestClient, admin: dict[str, Any], user: dict[str, Any]
) -> None:
    client.patch(f"/users/{user['user']['id']}", headers=bearer(admin), json={"role": "admin"})
    # The role is read from the database on every request, not from the old token.
    assert client.get("/users", headers=bearer(user)).status_code == 200


def test_deleting_a_user_deletes_their_tasks(
    client: TestClient, admin: dict[str, Any], user: dict[str, Any]
) -> None:
    task = make_task(client, bearer(user))
    assert client.delete(f"/users/{user['user']['id']}", headers=bearer(admin)).status_code == 204
    assert client.get(f"/tasks/{task['id']}", headers=bearer(admin)).status_code == 404
    assert client.get(f"/users/{user['user']['id']}", headers=bearer(admin)).status_code == 404


def test_the_last_active_admin_cannot_be_removed_demoted_or_deactivated(
    client: TestClient, admin: dict[str, Any]
) -> None:
    url = f"/users/{admin['user']['id']}"
    for body in ({"role": "user"}, {"isActive": False}):
        response = client.patch(url, headers=bearer(admin), json=body)
        assert response.status_code == 409, body
    assert client.delete(url, headers=bearer(admin)).status_code == 409
    assert client.get("/auth/me", headers=bearer(admin)).json()["role"] == "admin"


def test_an_admin_can_step_down_once_another_admin_exists(
    client: TestClient, runtime: Runtime, admin: dict[str, Any]
) -> None:
    make_admin(client, runtime)
    response = client.patch(
        f"/users/{admin['user']['id']}", headers=bearer(admin), json={"role": "user"}
    )
    assert response.status_code == 200


def test_null_for_a_required_profile_field_is_422(client: TestClient, user: dict[str, Any]) -> None:
    response = client.patch(
        f"/users/{user['user']['id']}", headers=bearer(user), json={"name": None}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
