"""Task CRUD: validation, ownership, mass assignment, completedAt rules, ETags and If-Match."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from taskflow_core.runtime import Runtime
from tests.conftest import (
    TEST_PASSWORD,
    bearer,
    count_statements,
    make_admin,
    make_task,
    register,
)

DUE = "2030-01-02T03:04:05Z"


def test_create_returns_the_task_with_location_and_etag(
    client: TestClient, headers: dict[str, str], user: dict[str, Any]
) -> None:
    response = client.post(
        "/tasks",
        headers=headers,
        json={
            "title": "  Write the report  ",
            "description": "Quarterly numbers",
            "priority": "HIGH",
            "dueDate": "2030-01-02T03:04:05+02:00",
        },
    )
    assert response.status_code == 201
    task = response.json()
    assert task["title"] == "Write the report"
    assert task["status"] == "PENDING"
    assert task["dueDate"] == "2030-01-02T01:04:05Z"  # stored and returned in UTC
    assert task["userId"] == user["user"]["id"]
    assert task["number"] == 1
    assert task["version"] == 1
    assert task["completedAt"] is None
    assert response.headers["location"] == f"/tasks/{task['id']}"
    assert response.headers["etag"] == '"1"'


def test_defaults_and_naive_due_date_read_as_utc(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers, dueDate="2030-05-06T07:08:09")
    assert task["priority"] == "MEDIUM"
    assert task["description"] is None
    assert task["dueDate"] == "2030-05-06T07:08:09Z"


@pytest.mark.parametrize("status", ["PENDING", "COMPLETED"])
def test_created_task_reads_back_exactly_as_returned(
    client: TestClient, headers: dict[str, str], status: str
) -> None:
    created = make_task(
        client,
        headers,
        title="Read me back",
        description="Every field",
        status=status,
        priority="LOW",
        dueDate="2030-05-06T07:08:09.123456+01:00",
    )
    assert (created["completedAt"] is not None) == (status == "COMPLETED")
    read = client.get(f"/tasks/{created['id']}", headers=headers)
    assert read.json() == created
    listed = client.get("/tasks", headers=headers).json()["data"]
    assert listed == [created]


def test_numbers_count_up_per_owner_and_are_never_reused(
    client: TestClient, headers: dict[str, str]
) -> None:
    first = make_task(client, headers)
    second = make_task(client, headers)
    assert (first["number"], second["number"]) == (1, 2)
    client.delete(f"/tasks/{second['id']}", headers=headers)
    assert make_task(client, headers)["number"] == 3
    other = bearer(register(client))
    assert make_task(client, other)["number"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "description": "d" * 10_001}, "description"),
        ({"title": "ok", "status": "DONE"}, "status"),
        ({"title": "ok", "priority": "low"}, "priority"),
        ({"title": "ok", "dueDate": "next tuesday"}, "dueDate"),
        ({}, "title"),
    ],
)
def test_invalid_task_is_422_naming_the_field(
    client: TestClient, headers: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = client.post("/tasks", headers=headers, json=body)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert client.get("/tasks", headers=headers).json()["meta"]["total"] == 0


@pytest.mark.parametrize("field", ["id", "version", "createdAt", "updatedAt", "number", "owner"])
def test_unknown_or_server_owned_fields_are_refused(
    client: TestClient, headers: dict[str, str], field: str
) -> None:
    response = client.post("/tasks", headers=headers, json={"title": "t", field: "x"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": field, "message": "unknown field"}]


def test_a_user_cannot_create_a_task_for_someone_else(
    client: TestClient, headers: dict[str, str]
) -> None:
    victim = register(client)
    response = client.post(
        "/tasks", headers=headers, json={"title": "t", "userId": victim["user"]["id"]}
    )
    assert response.status_code == 403
    assert client.get("/tasks", headers=bearer(victim)).json()["data"] == []


def test_an_admin_can_create_a_task_for_a_user(client: TestClient, runtime: Runtime) -> None:
    admin = make_admin(client, runtime)
    owner = register(client)
    task = make_task(client, bearer(admin), userId=owner["user"]["id"])
    assert task["userId"] == owner["user"]["id"]
    assert client.get(f"/tasks/{task['id']}", headers=bearer(owner)).status_code == 200


def test_a_deactivated_or_deleted_user_cannot_create_tasks(
    client: TestClient, runtime: Runtime
) -> None:
    admin = bearer(make_admin(client, runtime))
    deactivated, deleted = register(client), register(client)
    url = f"/users/{deactivated['user']['id']}"
    assert client.patch(url, headers=admin, json={"isActive": False}).status_code == 200
    assert client.delete(f"/users/{deleted['user']['id']}", headers=admin).status_code == 204
    forged = client.post("/tasks", headers={"Authorization": "Bearer forged"}, json={"title": "t"})
    for gone in (deactivated, deleted):
        for body in ({"title": "t"}, {"title": "t", "userId": gone["user"]["id"]}):
            response = client.post("/tasks", headers=bearer(gone), json=body)
            # The same answer as for a token that was never valid (but the request's own id).
            assert response.status_code == 401
            assert without_request_id(response.json()) == without_request_id(forged.json())
            assert response.headers["www-authenticate"] == forged.headers["www-authenticate"]
    assert client.patch(url, headers=admin, json={"isActive": True}).status_code == 200
    # Deactivation ended every session: reactivated, the user logs in again.
    assert client.get("/tasks", headers=bearer(deactivated)).status_code == 401
    again = client.post(
        "/auth/login",
        json={"email": deactivated["user"]["email"], "password": TEST_PASSWORD},
    )
    assert client.get("/tasks", headers=bearer(again.json())).json()["data"] == []


def test_an_admin_demoted_since_their_token_cannot_create_for_others(
    client: TestClient, runtime: Runtime
) -> None:
    make_admin(client, runtime)  # so that the other can be demoted
    demoted, owner = make_admin(client, runtime), register(client)
    url = f"/users/{demoted['user']['id']}"
    assert client.patch(url, headers=bearer(demoted), json={"role": "user"}).status_code == 200
    body = {"title": "t", "userId": owner["user"]["id"]}
    assert client.post("/tasks", headers=bearer(demoted), json=body).status_code == 403
    assert client.get("/tasks", headers=bearer(owner)).json()["data"] == []
    mine = make_task(client, bearer(demoted), userId=demoted["user"]["id"])
    assert mine["userId"] == demoted["user"]["id"]


def test_admin_creating_for_an_unknown_user_is_422(client: TestClient, runtime: Runtime) -> None:
    admin = make_admin(client, runtime)
    response = client.post(
        "/tasks", headers=bearer(admin), json={"title": "t", "userId": str(uuid.uuid4())}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "userId"


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_on_postgresql_a_create_is_one_statement(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    with count_statements(runtime) as statements:
        first = make_task(client, headers, title="one", priority="HIGH", dueDate=DUE)
        second = make_task(client, headers, title="two", status="COMPLETED")
    # Each: the owner's next number and the row itself, as one statement that also confirms
    # the caller (an active user, in a live session).
    assert len(statements) == 2
    assert (first["number"], second["number"]) == (1, 2)
    assert (first["priority"], first["dueDate"], first["completedAt"]) == ("HIGH", DUE, None)
    assert second["completedAt"] == second["createdAt"]
    listed = client.get("/tasks", headers=headers, params={"sort": "number", "order": "asc"})
    assert listed.json()["data"] == [first, second]


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_on_postgresql_a_patch_is_one_statement(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    task = make_task(client, headers, priority="HIGH", dueDate=DUE)
    url = f"/tasks/{task['id']}"
    assert client.get(url, headers=headers).json() == task  # now cached
    with count_statements(runtime) as statements:
        done = client.patch(
            url,
            headers=headers | {"If-Match": '"1"'},
            json={"status": "COMPLETED", "dueDate": None},
        )
        renamed = client.patch(url, headers=headers, json={"title": "Renamed", "priority": "LOW"})
    # Each: the task, the owner's cache version and the check that the caller is an active
    # user in a live session, as one statement.
    assert len(statements) == 2
    assert (done.status_code, done.headers["etag"]) == (200, '"2"')
    assert done.json() == task | {
        "status": "COMPLETED",
        "dueDate": None,
        "completedAt": done.json()["updatedAt"],
        "updatedAt": done.json()["updatedAt"],
        "version": 2,
    }
    assert done.json()["updatedAt"] > task["updatedAt"]
    assert renamed.json() == done.json() | {
        "title": "Renamed",
        "priority": "LOW",
        "updatedAt": renamed.json()["updatedAt"],
        "version": 3,
    }
    # The cached copy was retired with the change.
    assert client.get(url, headers=headers).json() == renamed.json()
    assert client.get("/tasks", headers=headers).json()["data"] == [renamed.json()]


def test_a_patch_is_refused_to_a_deactivated_owner_and_allowed_to_a_new_admin(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    """The caller's role and standing are the database's, not the token's."""
    task = make_task(client, headers)
    url = f"/tasks/{task['id']}"
    admin = bearer(make_admin(client, runtime))
    promoted = register(client)
    promote = client.patch(
        f"/users/{promoted['user']['id']}", headers=admin, json={"role": "admin"}
    )
    assert promote.status_code == 200
    by_new_admin = client.patch(url, headers=bearer(promoted), json={"title": "By an admin"})
    assert (by_new_admin.status_code, by_new_admin.json()["title"]) == (200, "By an admin")

    owner = client.get("/auth/me", headers=headers).json()
    deactivate = client.patch(f"/users/{owner['id']}", headers=admin, json={"isActive": False})
    assert deactivate.status_code == 200
    refused = client.patch(url, headers=headers, json={"title": "After deactivation"})
    assert refused.status_code == 401
    assert client.get(url, headers=admin).json() == by_new_admin.json()


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_get_takes_two_statements_and_one_once_cached(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    open_task = make_task(client, headers, title="one", priority="HIGH", dueDate=DUE)
    done = make_task(client, headers, title="two", status="COMPLETED", description="d")
    someone_elses = make_task(client, bearer(register(client)))
    admin = bearer(make_admin(client, runtime))
    with count_statements(runtime) as statements:
        # Each: the caller's row, then (the cache having nothing yet) the task.
        read = [client.get(f"/tasks/{task['id']}", headers=headers) for task in (open_task, done)]
        refused = client.get(f"/tasks/{someone_elses['id']}", headers=headers)
        by_admin = client.get(f"/tasks/{open_task['id']}", headers=admin)
        # The caller's row alone: the first read cached the task.
        again = client.get(f"/tasks/{open_task['id']}", headers=headers)
    assert len(statements) == 9
    assert [response.json() for response in read] == [open_task, done]
    assert (again.json(), by_admin.json()) == (open_task, open_task)
    assert read[1].json()["completedAt"] == done["createdAt"]
    assert [response.headers["etag"] for response in (*read, again)] == ['"1"'] * 3
    assert (refused.status_code, refused.json()["detail"]) == (404, "Task not found")


def test_other_users_tasks_are_404_on_every_route(
    client: TestClient, headers: dict[str, str]
) -> None:
    mine = make_task(client, headers)
    intruder = bearer(register(client))
    url = f"/tasks/{mine['id']}"
    assert client.get(url, headers=intruder).status_code == 404
    assert client.patch(url, headers=intruder, json={"title": "pwned"}).status_code == 404
    assert client.delete(url, headers=intruder).status_code == 404
    assert client.get(url, headers=headers).json()["title"] == "A task"


def test_admin_sees_and_changes_any_task(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)
    admin = bearer(make_admin(client, runtime))
    assert client.get(f"/tasks/{task['id']}", headers=admin).status_code == 200
    patched = client.patch(f"/tasks/{task['id']}", headers=admin, json={"priority": "LOW"})
    assert patched.json()["priority"] == "LOW"
    assert client.get(f"/tasks/{task['id']}", headers=headers).json()["priority"] == "LOW"


def test_patch_changes_only_the_fields_sent(client: TestClient, headers: dict[str, str]) -> None:
    task = make_task(client, headers, description="keep me", priority="HIGH")
    response = client.patch(f"/tasks/{task['id']}", headers=headers, json={"title": "Renamed"})
    assert response.status_code == 200
    patched = response.json()
    assert patched["title"] == "Renamed"
    assert patched["description"] == "keep me"
    assert patched["priority"] == "HIGH"
    assert patched["version"] == 2
    assert patched["updatedAt"] > task["updatedAt"]
    assert response.headers["etag"] == '"2"'


def test_null_due_date_clears_it_but_null_title_is_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers, dueDate="2030-01-01T00:00:00Z")
    cleared = client.patch(f"/tasks/{task['id']}", headers=headers, json={"dueDate": None})
    assert cleared.json()["dueDate"] is None
    refused = client.patch(f"/tasks/{task['id']}", headers=headers, json={"title": None})
    assert refused.status_code == 422


def test_patch_refuses_server_owned_fields(client: TestClient, headers: dict[str, str]) -> None:
    task = make_task(client, headers)
    for field, value in [("version", 9), ("id", str(uuid.uuid4())), ("completedAt", None)]:
        response = client.patch(f"/tasks/{task['id']}", headers=headers, json={field: value})
        assert response.status_code == 422, field
    assert client.get(f"/tasks/{task['id']}", headers=headers).json()["version"] == 1


def test_a_user_cannot_move_a_task_to_someone_else(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)
    other = register(client)
    response = client.patch(
        f"/tasks/{task['id']}", headers=headers, json={"userId": other["user"]["id"]}
    )
    assert response.status_code == 403


def test_an_admin_moving_a_task_gives_it_the_new_owners_next_number(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)
    owner = register(client)
    make_task(client, bearer(owner))
    admin = bearer(make_admin(client, runtime))
    moved = client.patch(
        f"/tasks/{task['id']}", headers=admin, json={"userId": owner["user"]["id"], "title": "M"}
    ).json()
    assert (moved["userId"], moved["number"], moved["title"]) == (owner["user"]["id"], 2, "M")
    assert client.get(f"/tasks/{task['id']}", headers=headers).status_code == 404


def test_completing_sets_completed_at_and_reopening_clears_it(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)
    url = f"/tasks/{task['id']}"
    done = client.patch(url, headers=headers, json={"status": "COMPLETED"}).json()
    assert done["completedAt"] is not None
    again = client.patch(url, headers=headers, json={"status": "COMPLETED"}).json()
    assert again["completedAt"] == done["completedAt"]
    reopened = client.patch(url, headers=headers, json={"status": "IN_PROGRESS"}).json()
    assert reopened["completedAt"] is None


def test_creating_a_completed_task_sets_completed_at(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert make_task(client, headers, status="COMPLETED")["completedAt"] is not None


def test_if_match_with_the_current_etag_succeeds_and_a_stale_one_is_412(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)
    url = f"/tasks/{task['id']}"
    first = client.patch(url, headers=headers | {"If-Match": '"1"'}, json={"title": "First"})
    assert first.status_code == 200
    stale = client.patch(url, headers=headers | {"If-Match": '"1"'}, json={"title": "Second"})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert client.get(url, headers=headers).json()["title"] == "First"


@pytest.mark.parametrize("if_match", ['W/"1"', '"7", "1"', "*"])
def test_if_match_accepts_weak_lists_and_star(
    client: TestClient, headers: dict[str, str], if_match: str
) -> None:
    task = make_task(client, headers)
    response = client.patch(
        f"/tasks/{task['id']}", headers=headers | {"If-Match": if_match}, json={"title": "ok"}
    )
    assert response.status_code == 200


def test_garbage_if_match_never_matches(client: TestClient, headers: dict[str, str]) -> None:
    task = make_task(client, headers)
    response = client.patch(
        f"/tasks/{task['id']}", headers=headers | {"If-Match": "garbage"}, json={"title": "x"}
    )
    assert response.status_code == 412


def test_if_match_on_someone_elses_task_is_404_not_412(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)
    intruder = bearer(register(client))
    response = client.patch(
        f"/tasks/{task['id']}", headers=intruder | {"If-Match": '"9"'}, json={"title": "x"}
    )
    assert response.status_code == 404


def test_stale_if_match_on_delete_keeps_the_task(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)
    url = f"/tasks/{task['id']}"
    client.patch(url, headers=headers, json={"title": "changed"})
    assert client.delete(url, headers=headers | {"If-Match": '"1"'}).status_code == 412
    assert client.delete(url, headers=headers | {"If-Match": '"2"'}).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


def test_get_carries_the_etag(client: TestClient, headers: dict[str, str]) -> None:
    task = make_task(client, headers)
    response = client.get(f"/tasks/{task['id']}", headers=headers)
    assert response.headers["etag"] == '"1"'
    assert response.json() == task


def test_an_empty_patch_changes_nothing(client: TestClient, headers: dict[str, str]) -> None:
    task = make_task(client, headers)
    response = client.patch(f"/tasks/{task['id']}", headers=headers, json={})
    assert response.status_code == 200
    assert response.json()["version"] == 1


def test_a_patch_that_sends_what_the_task_holds_keeps_its_version_and_updated_at(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(
        client,
        headers,
        title="Same",
        description="words",
        priority="HIGH",
        status="COMPLETED",
        dueDate="2030-01-01T10:00:00Z",
    )
    url = f"/tasks/{task['id']}"
    same = {
        "title": "Same",
        "description": "words",
        "priority": "HIGH",
        "status": "COMPLETED",
        "dueDate": "2030-01-01T10:00:00+00:00",
    }

    for body in (same, {"title": " Same "}, {"status": "COMPLETED"}, {"dueDate": task["dueDate"]}):
        response = client.patch(url, headers=headers | {"If-Match": '"1"'}, json=body)
        assert response.status_code == 200, response.text
        assert response.json() == task
        assert response.headers["etag"] == '"1"'
    assert client.get(url, headers=headers).json() == task
    changed = client.patch(url, headers=headers, json={"title": "Same", "priority": "LOW"})
    assert (changed.json()["version"], changed.json()["priority"]) == (2, "LOW")
    assert changed.json()["updatedAt"] > task["updatedAt"]
    assert changed.json()["completedAt"] == task["completedAt"]


def test_a_no_op_patch_with_a_stale_if_match_is_still_412(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers, title="Same")
    client.patch(f"/tasks/{task['id']}", headers=headers, json={"title": "Other"})

    response = client.patch(
        f"/tasks/{task['id']}", headers=headers | {"If-Match": '"1"'}, json={"title": "Other"}
    )

    assert response.status_code == 412


def test_clearing_a_due_date_that_is_not_set_keeps_the_version(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)

    response = client.patch(f"/tasks/{task['id']}", headers=headers, json={"dueDate": None})

    assert response.json()["version"] == 1


def test_reads_see_writes_immediately_despite_the_cache(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)
    url = f"/tasks/{task['id']}"
    assert client.get(url, headers=headers).json()["title"] == "A task"
    assert client.get("/tasks", headers=headers).json()["meta"]["total"] == 1
    assert client.get("/tasks/stats", headers=headers).json()["total"] == 1
    client.patch(url, headers=headers, json={"title": "Changed"})
    make_task(client, headers)
    assert client.get(url, headers=headers).json()["title"] == "Changed"
    assert client.get("/tasks", headers=headers).json()["meta"]["total"] == 2
    assert client.get("/tasks/stats", headers=headers).json()["total"] == 2
    client.delete(url, headers=headers)
    assert client.get(url, headers=headers).status_code == 404
    assert client.get("/tasks/stats", headers=headers).json()["total"] == 1


def test_an_admins_change_is_seen_by_the_owners_cached_reads(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)
    url = f"/tasks/{task['id']}"
    assert client.get(url, headers=headers).json()["title"] == "A task"
    admin = bearer(make_admin(client, runtime))
    client.patch(url, headers=admin, json={"title": "By admin"})
    assert client.get(url, headers=headers).json()["title"] == "By admin"
    assert client.get("/tasks", headers=headers).json()["data"][0]["title"] == "By admin"


def without_request_id(problem: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in problem.items() if key != "requestId"}
