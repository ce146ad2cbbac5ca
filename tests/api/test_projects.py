"""/projects: create, nest, rename, recolour, move, archive, delete; the owner's alone."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from taskflow_core.domain.models import MAX_PROJECTS, Project
from taskflow_core.runtime import Runtime
from taskflow_core.settings import Settings
from tests.api.grouping import field_errors, make_project, titles
from tests.conftest import bearer, execute_sql, make_admin, make_task, register


def test_a_project_is_created_with_its_fields_and_listed_with_task_counts(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.post(
        "/projects", json={"name": "  Home ", "colour": "#1E90FF", "position": 2}, headers=headers
    )
    assert response.status_code == 201
    home = response.json()
    assert response.headers["location"] == f"/projects/{home['id']}"
    assert (home["name"], home["colour"], home["position"]) == ("Home", "#1e90ff", 2)
    assert (home["parentId"], home["archived"], home["openTasks"]) == (None, False, 0)
    make_task(client, headers, projectId=home["id"])
    make_task(client, headers, projectId=home["id"], dueDate="2001-01-01T00:00:00Z")
    make_task(client, headers, projectId=home["id"], status="COMPLETED")
    listed = client.get("/projects", headers=headers).json()["data"]
    assert [(p["name"], p["openTasks"], p["overdueTasks"]) for p in listed] == [("Home", 2, 1)]
    assert client.get(f"/projects/{home['id']}", headers=headers).json()["openTasks"] == 2


def test_projects_are_listed_in_their_manual_order_then_by_name(
    client: TestClient, headers: dict[str, str]
) -> None:
    for name, position in [("b", 1), ("C", 0), ("a", 1)]:
        make_project(client, headers, name, position=position)
    listed = client.get("/projects", headers=headers).json()["data"]
    assert [project["name"] for project in listed] == ["C", "a", "b"]


def test_names_are_unique_per_owner_in_any_case(
    client: TestClient, headers: dict[str, str]
) -> None:
    make_project(client, headers, "Home")
    other = make_project(client, headers, "Work")
    response = client.post("/projects", json={"name": "hOME"}, headers=headers)
    assert response.status_code == 409
    assert field_errors(response) == {"name"}
    renamed = client.patch(f"/projects/{other['id']}", json={"name": "HOME"}, headers=headers)
    assert renamed.status_code == 409
    assert field_errors(renamed) == {"name"}
    # Another owner may use the name; a project may change the case of its own.
    make_project(client, bearer(register(client)), "home")
    again = client.patch(f"/projects/{other['id']}", json={"name": "WORK"}, headers=headers)
    assert again.json()["name"] == "WORK"


def test_rename_recolour_and_archive_through_patch(
    client: TestClient, headers: dict[str, str]
) -> None:
    project = make_project(client, headers, "Home", colour="#000000")
    response = client.patch(
        f"/projects/{project['id']}",
        json={"name": "House", "colour": None, "archived": True, "position": 5},
        headers=headers,
    )
    assert response.status_code == 200
    changed = response.json()
    assert (changed["name"], changed["colour"], changed["archived"], changed["position"]) == (
        "House",
        None,
        True,
        5,
    )
    assert client.get("/projects", headers=headers).json()["data"] == []
    listed = client.get("/projects?includeArchived=true", headers=headers).json()["data"]
    assert [p["id"] for p in listed] == [project["id"]]
    unarchived = client.patch(
        f"/projects/{project['id']}", json={"archived": False}, headers=headers
    )
    assert unarchived.json()["archived"] is False


def test_projects_nest_three_deep_and_no_deeper(
    client: TestClient, headers: dict[str, str]
) -> None:
    top = make_project(client, headers, "Top")
    middle = make_project(client, headers, "Middle", parentId=top["id"])
    bottom = make_project(client, headers, "Bottom", parentId=middle["id"])
    assert bottom["parentId"] == middle["id"]
    response = client.post(
        "/projects", json={"name": "Deeper", "parentId": bottom["id"]}, headers=headers
    )
    assert response.status_code == 422
    assert field_errors(response) == {"parentId"}
    # A move that would take a subtree past the limit is refused too.
    other = make_project(client, headers, "Other")
    leaf = make_project(client, headers, "Leaf", parentId=other["id"])
    moved = client.patch(
        f"/projects/{other['id']}", json={"parentId": middle["id"]}, headers=headers
    )
    assert moved.status_code == 422
    assert field_errors(moved) == {"parentId"}
    assert client.get(f"/projects/{leaf['id']}", headers=headers).json()["parentId"] == other["id"]
    assert client.get(f"/projects/{other['id']}", headers=headers).json()["parentId"] is None


def test_a_project_cannot_move_inside_itself_or_its_descendants(
    client: TestClient, headers: dict[str, str]
) -> None:
    top = make_project(client, headers, "Top")
    child = make_project(client, headers, "Child", parentId=top["id"])
    for parent in (top["id"], child["id"]):
        response = client.patch(
            f"/projects/{top['id']}", json={"parentId": parent}, headers=headers
        )
        assert response.status_code == 422, response.text
        assert field_errors(response) == {"parentId"}
    assert client.get(f"/projects/{top['id']}", headers=headers).json()["parentId"] is None


def test_a_move_to_top_level_and_back(client: TestClient, headers: dict[str, str]) -> None:
    top = make_project(client, headers, "Top")
    child = make_project(client, headers, "Child", parentId=top["id"])
    out = client.patch(f"/projects/{child['id']}", json={"parentId": None}, headers=headers)
    assert out.json()["parentId"] is None
    back = client.patch(f"/projects/{child['id']}", json={"parentId": top["id"]}, headers=headers)
    assert back.json()["parentId"] == top["id"]


def test_deleting_a_project_keeps_its_tasks_and_its_subprojects_tasks_in_no_project(
    client: TestClient, headers: dict[str, str]
) -> None:
    top = make_project(client, headers, "Top")
    child = make_project(client, headers, "Child", parentId=top["id"])
    kept = make_project(client, headers, "Kept")
    mine = make_task(client, headers, title="top", projectId=top["id"])
    make_task(client, headers, title="child", projectId=child["id"])
    make_task(client, headers, title="kept", projectId=kept["id"])
    assert client.delete(f"/projects/{top['id']}", headers=headers).status_code == 204
    assert client.get(f"/projects/{top['id']}", headers=headers).status_code == 404
    assert client.get(f"/projects/{child['id']}", headers=headers).status_code == 404
    assert titles(client, headers, "noProject=true") == ["top", "child"]
    assert titles(client, headers, "noProject=false") == ["kept"]
    after = client.get(f"/tasks/{mine['id']}", headers=headers).json()
    assert after["projectId"] is None
    assert after["version"] == mine["version"] + 1


def test_another_users_project_is_404_everywhere(
    client: TestClient, headers: dict[str, str]
) -> None:
    other = bearer(register(client))
    theirs = make_project(client, other, "Theirs")
    url = f"/projects/{theirs['id']}"
    assert client.get(url, headers=headers).status_code == 404
    assert client.patch(url, json={"name": "Mine"}, headers=headers).status_code == 404
    assert client.patch(url, json={"archived": True}, headers=headers).status_code == 404
    assert client.delete(url, headers=headers).status_code == 404
    nested = client.post("/projects", json={"name": "x", "parentId": theirs["id"]}, headers=headers)
    assert nested.status_code == 422
    assert field_errors(nested) == {"parentId"}
    assert client.get(f"/tasks?project={theirs['id']}", headers=headers).status_code == 404
    assert client.get("/tasks?project=Theirs", headers=headers).status_code == 404
    created = client.post("/tasks", json={"title": "t", "projectId": theirs["id"]}, headers=headers)
    assert created.status_code == 422
    assert field_errors(created) == {"projectId"}
    assert client.get("/projects", headers=headers).json()["data"] == []
    # Untouched for its owner.
    assert client.get(url, headers=other).json()["name"] == "Theirs"


def test_an_admin_reaches_anyones_project_by_id(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    admin = bearer(make_admin(client, runtime))
    project = make_project(client, headers, "Home")
    url = f"/projects/{project['id']}"
    assert client.get(url, headers=admin).json()["name"] == "Home"
    assert client.patch(url, json={"name": "House"}, headers=admin).json()["name"] == "House"
    assert client.delete(url, headers=admin).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


def test_an_admin_lists_anyones_projects_and_labels_by_user_id(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    admin_user = make_admin(client, runtime)
    admin = bearer(admin_user)
    owner = client.get("/auth/me", headers=headers).json()["id"]
    make_project(client, headers, "Home")
    make_task(client, headers, labels=["bills"])
    make_project(client, admin, "Admin's own")
    projects = client.get(f"/projects?userId={owner}", headers=admin).json()["data"]
    assert [project["name"] for project in projects] == ["Home"]
    labels = client.get(f"/labels?userId={owner}", headers=admin).json()["data"]
    assert [(label["name"], label["openTasks"]) for label in labels] == [("bills", 1)]
    # The admin's own lists are unchanged, and a later write of the owner's shows at once.
    assert [p["name"] for p in client.get("/projects", headers=admin).json()["data"]] == [
        "Admin's own"
    ]
    make_project(client, headers, "Work")
    projects = client.get(f"/projects?userId={owner}", headers=admin).json()["data"]
    assert [project["name"] for project in projects] == ["Home", "Work"]


@pytest.mark.parametrize("path", ["/projects", "/labels"])
def test_a_user_cannot_list_another_users_projects_or_labels(
    client: TestClient, headers: dict[str, str], path: str
) -> None:
    other = register(client)
    make_project(client, bearer(other), "Theirs")
    client.post("/labels", json={"name": "theirs"}, headers=bearer(other))
    response = client.get(f"{path}?userId={other['user']['id']}", headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    own = client.get("/auth/me", headers=headers).json()["id"]
    assert client.get(f"{path}?userId={own}", headers=headers).status_code == 200
    assert client.get(f"{path}?userId=nope", headers=headers).status_code in (400, 422)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "a\u0000b"}, "name"),
        ({"name": "a\u001bb"}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "ok", "colour": "red"}, "colour"),
        ({"name": "ok", "colour": "#12345"}, "colour"),
        ({"name": "ok", "position": -1}, "position"),
        ({"name": "ok", "position": 2**31}, "position"),
        ({"name": "ok", "parentId": "not-an-id"}, "parentId"),
        ({"name": "ok", "userId": "00000000-0000-0000-0000-000000000000"}, "userId"),
    ],
)
def test_bad_project_input_is_a_problem_naming_the_field(
    client: TestClient, headers: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = client.post("/projects", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in field_errors(response)
    assert client.get("/projects", headers=headers).json()["data"] == []


def test_a_lone_surrogate_in_a_name_is_422(client: TestClient, headers: dict[str, str]) -> None:
    project = make_project(client, headers, "Home")
    for method, url in (("POST", "/projects"), ("PATCH", f"/projects/{project['id']}")):
        response = client.request(
            method,
            url,
            content=b'{"name": "a\\ud800"}',
            headers=headers | {"content-type": "application/json"},
        )
        assert response.status_code == 422
        assert field_errors(response) == {"name"}
    assert client.get(f"/projects/{project['id']}", headers=headers).json()["name"] == "Home"


def test_null_for_a_required_field_is_422(client: TestClient, headers: dict[str, str]) -> None:
    project = make_project(client, headers, "Home")
    for field in ("name", "archived", "position"):
        response = client.patch(f"/projects/{project['id']}", json={field: None}, headers=headers)
        assert response.status_code == 422
        assert field_errors(response) == {field}


def test_an_account_has_at_most_so_many_projects(
    client: TestClient, settings: Settings, user: dict[str, Any], headers: dict[str, str]
) -> None:
    owner = uuid.UUID(user["user"]["id"])
    rows = [
        {"user_id": owner, "name": f"p{index}", "name_key": f"p{index}"}
        for index in range(MAX_PROJECTS - 1)
    ]
    execute_sql(settings, insert(Project).values(rows))
    make_project(client, headers, "last")
    response = client.post("/projects", json={"name": "one more"}, headers=headers)
    assert response.status_code == 422
    assert field_errors(response) == {"name"}
