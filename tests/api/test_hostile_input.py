"""The input that answered 500 in issue 18's review: each is now a 4xx naming its field, and
changes nothing; the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from taskflow_core.runtime import Runtime
from tests.api.hostile import assert_handled
from tests.conftest import TEST_PASSWORD, bearer, make_admin, make_task, random_email

OVERFLOWS = ["9999-12-31T23:59:59-01:00", "0001-01-01T00:30:00+01:00"]
HUGE = ["1000000000000000000", "2147483648", "9223372036854775808"]


def _raw(client: TestClient, method: str, url: str, body: str, headers: dict[str, str]) -> Any:
    """Send `body` as typed: `\\ud800` stays a JSON escape, as an attacker would send it."""
    return client.request(
        method, url, content=body.encode(), headers=headers | {"content-type": "application/json"}
    )


def _problem(response: Any, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    assert_handled(response, field=field)


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("title", '{"title": "a\\ud800"}'),
        ("description", '{"title": "t", "description": "\\udfff"}'),
        ("title", '{"title": "a\\u0000b"}'),
        ("description", '{"title": "t", "description": "a\\u0000b"}'),
    ],
)
def test_a_lone_surrogate_or_nul_in_a_task_is_422(
    client: TestClient, headers: dict[str, str], field: str, body: str
) -> None:
    _problem(_raw(client, "POST", "/tasks", body, headers), 422, field)
    task = make_task(client, headers)
    _problem(_raw(client, "PATCH", f"/tasks/{task['id']}", body, headers), 422, field)
    batch = f'{{"action": "update", "tasks": ["{task["id"]}"], "changes": {body}}}'
    _problem(_raw(client, "POST", "/tasks/batch", batch, headers), 422, f"changes.{field}")
    assert client.get(f"/tasks/{task['id']}", headers=headers).json()["title"] == "A task"
    assert client.get("/tasks", headers=headers).json()["meta"]["total"] == 1


@pytest.mark.parametrize("field", ["email", "name", "password"])
def test_a_lone_surrogate_in_an_account_field_is_422(
    client: TestClient, runtime: Runtime, user: dict[str, Any], field: str
) -> None:
    values = {"email": f'"{random_email()}"', "name": '"N"', "password": f'"{TEST_PASSWORD}"'}
    values[field] = '"x\\ud800yyyyyyyy"'
    body = "{" + ", ".join(f'"{k}": {v}' for k, v in values.items()) + "}"
    _problem(_raw(client, "POST", "/auth/register", body, {}), 422, field)
    admin = bearer(make_admin(client, runtime))
    _problem(_raw(client, "POST", "/users", body, admin), 422, field)
    patch = f'{{"{field}": {values[field]}}}'
    _problem(_raw(client, "PATCH", f"/users/{user['user']['id']}", patch, admin), 422, field)
    assert client.get("/users", headers=admin).json()["meta"]["total"] == 2


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ('{"email": "a@example.com", "password": "\\ud800"}', "password"),
        ('{"email": "a@example.com", "password": "a\\u0000"}', "password"),
    ],
)
def test_a_login_with_an_unstorable_password_is_422(
    client: TestClient, url: str, field: str
) -> None:
    _problem(_raw(client, "POST", "/auth/login", url, {}), 422, field)


def test_a_refresh_token_with_a_surrogate_or_nul_is_422(client: TestClient) -> None:
    for token in ("\\ud800", "a\\u0000"):
        body = f'{{"refreshToken": "{token}"}}'
        _problem(_raw(client, "POST", "/auth/refresh", body, {}), 422, "refreshToken")
        _problem(_raw(client, "POST", "/auth/logout", body, {}), 422, "refreshToken")


@pytest.mark.parametrize("due", OVERFLOWS)
def test_a_due_date_that_overflows_in_utc_is_422(
    client: TestClient, headers: dict[str, str], due: str
) -> None:
    _problem(client.post("/tasks", json={"title": "t", "dueDate": due}, headers=headers), 422,
             "dueDate")  # fmt: skip
    task = make_task(client, headers)
    _problem(client.patch(f"/tasks/{task['id']}", json={"dueDate": due}, headers=headers), 422,
             "dueDate")  # fmt: skip
    assert client.get(f"/tasks/{task['id']}", headers=headers).json()["dueDate"] is None


def test_due_dates_are_held_to_years_every_time_zone_can_show(
    client: TestClient, headers: dict[str, str]
) -> None:
    for due in ("0001-12-31T23:00:00Z", "9999-01-01T00:00:00Z", "0001-06-01T00:00:00+14:00"):
        response = client.post("/tasks", json={"title": "t", "dueDate": due}, headers=headers)
        _problem(response, 422, "dueDate")
    for due in ("0002-01-01T00:00:00+14:00", "9998-12-31T23:59:59-12:00"):
        make_task(client, headers, dueDate=due)
    listed = client.get("/tasks?sort=dueDate&order=asc", headers=headers).json()["data"]
    assert [task["dueDate"] for task in listed] == [
        "0001-12-31T10:00:00Z", "9999-01-01T11:59:59Z"
    ]  # fmt: skip


@pytest.mark.parametrize("parameter", ["dueBefore", "dueAfter"])
@pytest.mark.parametrize("value", OVERFLOWS)
def test_a_due_filter_that_overflows_in_utc_is_422(
    client: TestClient, headers: dict[str, str], parameter: str, value: str
) -> None:
    _problem(client.get("/tasks", params={parameter: value}, headers=headers), 422, parameter)


@pytest.mark.parametrize("value", ["yesterday", "0", "2026-13-01T00:00:00Z"])
def test_an_unreadable_due_filter_is_400(
    client: TestClient, headers: dict[str, str], value: str
) -> None:
    _problem(client.get("/tasks", params={"dueBefore": value}, headers=headers), 400, "dueBefore")


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("path", ["/tasks", "/users", "/notifications"])
def test_a_page_past_the_integer_range_is_422(
    client: TestClient, runtime: Runtime, path: str, value: str
) -> None:
    admin = bearer(make_admin(client, runtime))
    _problem(client.get(path, params={"page": value}, headers=admin), 422, "page")


@pytest.mark.parametrize("value", HUGE)
def test_a_task_number_past_the_integer_range_is_422(
    client: TestClient, headers: dict[str, str], value: str
) -> None:
    _problem(client.get("/tasks", params={"number": value}, headers=headers), 422, "number")
    page = client.get("/tasks", params={"number": "2147483647"}, headers=headers)
    assert page.status_code == 200
    assert page.json()["data"] == []


def test_a_limit_of_five_thousand_digits_is_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get("/tasks", params={"limit": "9" * 5000}, headers=headers)
    assert response.status_code in (400, 422)
    assert_handled(response, field="limit")


@pytest.mark.parametrize("path", ["/tasks", "/users"])
def test_a_nul_in_search_is_422(client: TestClient, runtime: Runtime, path: str) -> None:
    admin = bearer(make_admin(client, runtime))
    _problem(client.get(path, params={"search": "a\x00b"}, headers=admin), 422, "search")


@pytest.mark.parametrize(
    "tag", [b'"99999999999999999999"', b'"' + b"9" * 5000 + b'"', b'"\xb2"', b'"2147483648"']
)
def test_an_if_match_that_cannot_be_a_version_is_412_and_changes_nothing(
    client: TestClient, headers: dict[str, str], tag: bytes
) -> None:
    task = make_task(client, headers)
    stale = headers | {"If-Match": tag}
    patch = client.patch(f"/tasks/{task['id']}", json={"title": "new"}, headers=stale)  # type: ignore[arg-type]
    assert patch.status_code == 412
    assert_handled(patch)
    delete = client.delete(f"/tasks/{task['id']}", headers=stale)  # type: ignore[arg-type]
    assert delete.status_code == 412
    assert client.get(f"/tasks/{task['id']}", headers=headers).json()["title"] == "A task"


def test_a_null_for_a_required_field_names_that_field(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)
    for field in ("title", "status", "priority"):
        response = client.patch(f"/tasks/{task['id']}", json={field: None}, headers=headers)
        _problem(response, 422, field)
        batch = {"action": "update", "tasks": [task["id"]], "changes": {field: None}}
        _problem(client.post("/tasks/batch", json=batch, headers=headers), 422, f"changes.{field}")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=1&page=2", "page"),
        ("search=a&search=b", "search"),
        ("sort=title&sort=number", "sort"),
    ],
)
def test_a_single_valued_parameter_given_twice_is_400(
    client: TestClient, headers: dict[str, str], query: str, field: str
) -> None:
    _problem(client.get(f"/tasks?{query}", headers=headers), 400, field)


def test_repeatable_parameters_may_be_repeated(client: TestClient, headers: dict[str, str]) -> None:
    make_task(client, headers, status="IN_PROGRESS", priority="HIGH")
    page = client.get("/tasks?status=PENDING&status=IN_PROGRESS&priority=HIGH", headers=headers)
    assert page.json()["meta"]["total"] == 1
