"""/labels, and labels on tasks: created on first use, kept in order, 50 at most."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert

from taskflow_core.domain.models import MAX_LABELS, Label
from taskflow_core.runtime import Runtime
from taskflow_core.settings import Settings
from tests.api.grouping import field_errors, make_label, titles
from tests.conftest import bearer, execute_sql, make_admin, make_task, register


def test_a_task_keeps_its_labels_in_the_order_added_each_once(
    client: TestClient, headers: dict[str, str]
) -> None:
    make_label(client, headers, "Bills", colour="#FF0000")
    task = make_task(client, headers, labels=["urgent", "bills", "URGENT", " home "])
    # An existing label keeps its own spelling; a new one is created as first written.
    assert task["labels"] == ["urgent", "Bills", "home"]
    assert client.get(f"/tasks/{task['id']}", headers=headers).json()["labels"] == task["labels"]
    labels = client.get("/labels", headers=headers).json()["data"]
    assert [(label["name"], label["colour"], label["openTasks"]) for label in labels] == [
        ("Bills", "#ff0000", 1),
        ("home", None, 1),
        ("urgent", None, 1),
    ]


def test_a_patch_sets_the_labels_and_one_that_changes_nothing_keeps_the_version(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers, labels=["a", "b"])
    same = client.patch(f"/tasks/{task['id']}", json={"labels": ["A", "b"]}, headers=headers)
    assert same.json()["version"] == task["version"]
    changed = client.patch(f"/tasks/{task['id']}", json={"labels": ["c", "a"]}, headers=headers)
    assert changed.status_code == 200
    assert changed.json()["labels"] == ["c", "a"]
    assert changed.json()["version"] == task["version"] + 1
    assert changed.headers["etag"] == f'"{task["version"] + 1}"'
    cleared = client.patch(f"/tasks/{task['id']}", json={"labels": []}, headers=headers)
    assert cleared.json()["labels"] == []


def test_a_task_has_at_most_fifty_labels(client: TestClient, headers: dict[str, str]) -> None:
    fifty = [f"l{index}" for index in range(50)]
    assert make_task(client, headers, labels=fifty)["labels"] == fifty
    response = client.post(
        "/tasks", json={"title": "t", "labels": [*fifty, "one more"]}, headers=headers
    )
    assert response.status_code == 422
    assert "labels" in field_errors(response)


def test_rename_recolour_and_delete_show_on_the_tasks_at_once(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers, labels=["bills", "home"])
    client.get(f"/tasks/{task['id']}", headers=headers)  # cached now
    client.get("/tasks", headers=headers)
    label = next(
        label
        for label in client.get("/labels", headers=headers).json()["data"]
        if label["name"] == "bills"
    )
    renamed = client.patch(
        f"/labels/{label['id']}", json={"name": "Money", "colour": "#00ff00"}, headers=headers
    )
    assert (renamed.json()["name"], renamed.json()["colour"]) == ("Money", "#00ff00")
    after = client.get(f"/tasks/{task['id']}", headers=headers).json()
    assert after["labels"] == ["Money", "home"]
    assert after["version"] == task["version"] + 1
    assert client.get("/tasks", headers=headers).json()["data"][0]["labels"] == ["Money", "home"]
    assert client.delete(f"/labels/{label['id']}", headers=headers).status_code == 204
    assert client.get(f"/tasks/{task['id']}", headers=headers).json()["labels"] == ["home"]
    assert client.get("/tasks", headers=headers).json()["data"][0]["labels"] == ["home"]
    assert client.get(f"/labels/{label['id']}", headers=headers).status_code == 404


def test_label_names_are_unique_per_owner_in_any_case(
    client: TestClient, headers: dict[str, str]
) -> None:
    make_label(client, headers, "Straße")
    other = make_label(client, headers, "other")
    for name in ("STRASSE", "straße"):
        response = client.post("/labels", json={"name": name}, headers=headers)
        assert response.status_code == 409, name
        assert field_errors(response) == {"name"}
    renamed = client.patch(f"/labels/{other['id']}", json={"name": "strasse"}, headers=headers)
    assert renamed.status_code == 409
    make_label(client, bearer(register(client)), "straße")


def test_another_users_label_is_404_and_their_names_are_not_ours(
    client: TestClient, headers: dict[str, str]
) -> None:
    other = bearer(register(client))
    theirs = make_label(client, other, "secret")
    make_task(client, other, labels=["secret"])
    url = f"/labels/{theirs['id']}"
    assert client.get(url, headers=headers).status_code == 404
    assert client.patch(url, json={"name": "x"}, headers=headers).status_code == 404
    assert client.delete(url, headers=headers).status_code == 404
    for filter in ("label", "anyLabel", "notLabel"):
        assert client.get(f"/tasks?{filter}=secret", headers=headers).status_code == 404
    # Naming it on one's own task makes a label of one's own.
    mine = make_task(client, headers, labels=["secret"])
    assert mine["labels"] == ["secret"]
    assert titles(client, other, "label=secret") == ["A task"]
    assert client.get(url, headers=other).json()["openTasks"] == 1


def test_an_admin_reaches_anyones_label_by_id(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    admin = bearer(make_admin(client, runtime))
    label = make_label(client, headers, "bills")
    url = f"/labels/{label['id']}"
    assert client.patch(url, json={"name": "Bills"}, headers=admin).json()["name"] == "Bills"
    assert client.delete(url, headers=admin).status_code == 204
    assert client.get("/labels", headers=headers).json()["data"] == []


def test_hostile_label_names_are_refused_naming_the_field(
    client: TestClient, headers: dict[str, str]
) -> None:
    for body, field in [
        (b'{"name": "a\\ud800"}', "name"),
        (b'{"name": "a\\u0000"}', "name"),
        (b'{"name": "a\\u0007b"}', "name"),
        (b'{"name": "' + b"x" * 101 + b'"}', "name"),
        (b'{"name": "ok", "colour": "#GGGGGG"}', "colour"),
    ]:
        response = client.post(
            "/labels", content=body, headers=headers | {"content-type": "application/json"}
        )
        assert response.status_code == 422, body
        assert field_errors(response) == {field}
    task_body = b'{"title": "t", "labels": ["fine", "bad\\udfff"]}'
    response = client.post(
        "/tasks", content=task_body, headers=headers | {"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert field_errors(response) == {"labels.1"}
    # Nothing half-applied: no label, no task.
    assert client.get("/labels", headers=headers).json()["data"] == []
    assert client.get("/tasks", headers=headers).json()["meta"]["total"] == 0


def test_an_account_has_at_most_so_many_labels(
    client: TestClient, settings: Settings, user: dict[str, Any], headers: dict[str, str]
) -> None:
    owner = uuid.UUID(user["user"]["id"])
    rows = [
        {"user_id": owner, "name": f"l{index}", "name_key": f"l{index}"}
        for index in range(MAX_LABELS - 1)
    ]
    execute_sql(settings, insert(Label).values(rows))
    response = client.post(
        "/tasks", json={"title": "t", "labels": ["new1", "new2"]}, headers=headers
    )
    assert response.status_code == 422
    assert field_errors(response) == {"labels"}
    assert client.get("/tasks", headers=headers).json()["meta"]["total"] == 0
    make_label(client, headers, "last")
    refused = client.post("/labels", json={"name": "one more"}, headers=headers)
    assert refused.status_code == 422
    assert field_errors(refused) == {"name"}
    # Labels the account has already can still be used.
    assert make_task(client, headers, labels=["l1", "last"])["labels"] == ["l1", "last"]
