"""Tasks in projects and with labels: the filters, sort=project, stats, batch, and reads
that never go stale after a project or label write."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from taskflow_core.runtime import Runtime
from tests.api.grouping import field_errors, make_project, titles
from tests.conftest import bearer, count_statements, make_admin, make_task, register


@pytest.fixture
def board(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    """Home > Kitchen > Fridge, and Work; tasks in each, labelled, and one in none."""
    home = make_project(client, headers, "Home", position=1)
    kitchen = make_project(client, headers, "Kitchen", parentId=home["id"], position=1)
    fridge = make_project(client, headers, "Fridge", parentId=kitchen["id"], position=1)
    work = make_project(client, headers, "Work", position=0)
    make_task(client, headers, title="home", projectId=home["id"], labels=["bills"])
    make_task(client, headers, title="kitchen", projectId=kitchen["id"], labels=["bills", "urgent"])
    make_task(client, headers, title="fridge", projectId=fridge["id"], labels=["urgent"])
    make_task(client, headers, title="work", projectId=work["id"], labels=["later"])
    make_task(client, headers, title="loose")
    return {"home": home, "kitchen": kitchen, "fridge": fridge, "work": work}


def test_a_project_filter_takes_its_subprojects_unless_told_not_to(
    client: TestClient, headers: dict[str, str], board: dict[str, Any]
) -> None:
    assert titles(client, headers, "project=home") == ["home", "kitchen", "fridge"]
    assert titles(client, headers, f"project={board['kitchen']['id']}") == ["kitchen", "fridge"]
    assert titles(client, headers, "project=KITCHEN&includeSubprojects=false") == ["kitchen"]
    assert titles(client, headers, "noProject=true") == ["loose"]
    assert titles(client, headers, "noProject=false") == ["home", "kitchen", "fridge", "work"]


def test_label_filters_all_any_and_none(
    client: TestClient, headers: dict[str, str], board: dict[str, Any]
) -> None:
    assert titles(client, headers, "label=bills") == ["home", "kitchen"]
    assert titles(client, headers, "label=bills&label=URGENT") == ["kitchen"]
    assert titles(client, headers, "anyLabel=bills&anyLabel=later") == ["home", "kitchen", "work"]
    assert titles(client, headers, "notLabel=bills&notLabel=urgent") == ["work", "loose"]
    assert titles(client, headers, "project=home&notLabel=bills") == ["fridge"]


def test_archiving_hides_a_project_and_those_inside_it_from_default_lists(
    client: TestClient, headers: dict[str, str], board: dict[str, Any]
) -> None:
    assert len(titles(client, headers)) == 5
    client.patch(f"/projects/{board['home']['id']}", json={"archived": True}, headers=headers)
    assert titles(client, headers) == ["work", "loose"]
    assert titles(client, headers, "project=fridge") == ["fridge"]
    assert titles(client, headers, "project=home") == ["home", "kitchen", "fridge"]
    client.patch(f"/projects/{board['home']['id']}", json={"archived": False}, headers=headers)
    assert len(titles(client, headers)) == 5


def test_sort_by_project_follows_the_projects_order_with_no_project_last(
    client: TestClient, headers: dict[str, str], board: dict[str, Any]
) -> None:
    response = client.get("/tasks?sort=project", headers=headers).json()
    # Work (position 0), then position 1: Fridge, Home, Kitchen by name; then the loose one.
    assert [task["title"] for task in response["data"]] == [
        "work", "fridge", "home", "kitchen", "loose"
    ]  # fmt: skip
    seen: list[str] = []
    page = client.get("/tasks?sort=project&limit=2", headers=headers).json()
    while True:
        seen += [task["title"] for task in page["data"]]
        if page["meta"]["nextCursor"] is None:
            break
        page = client.get(
            f"/tasks?sort=project&limit=2&cursor={page['meta']['nextCursor']}", headers=headers
        ).json()
    assert seen == ["work", "fridge", "home", "kitchen", "loose"]
    descending = client.get("/tasks?sort=project&order=desc", headers=headers).json()["data"]
    assert [task["title"] for task in descending] == ["loose", "kitchen", "home", "fridge", "work"]


def test_stats_count_by_project_and_by_label(
    client: TestClient, headers: dict[str, str], board: dict[str, Any]
) -> None:
    stats = client.get("/tasks/stats", headers=headers).json()
    assert [(item["name"], item["count"]) for item in stats["byProject"]] == [
        ("Fridge", 1), ("Home", 1), ("Kitchen", 1), ("Work", 1), (None, 1)
    ]  # fmt: skip
    assert stats["byProject"][0]["projectId"] == board["fridge"]["id"]
    assert [(item["name"], item["count"]) for item in stats["byLabel"]] == [
        ("bills", 2), ("later", 1), ("urgent", 2)
    ]  # fmt: skip


def test_a_task_moves_between_projects_and_out(
    client: TestClient, headers: dict[str, str], board: dict[str, Any]
) -> None:
    task = make_task(client, headers, title="moving")
    moved = client.patch(
        f"/tasks/{task['id']}", json={"projectId": board["work"]["id"]}, headers=headers
    )
    assert moved.json()["projectId"] == board["work"]["id"]
    assert moved.json()["version"] == 2
    same = client.patch(
        f"/tasks/{task['id']}", json={"projectId": board["work"]["id"]}, headers=headers
    )
    assert same.json()["version"] == 2
    out = client.patch(f"/tasks/{task['id']}", json={"projectId": None}, headers=headers)
    assert out.json()["projectId"] is None
    stale = client.patch(
        f"/tasks/{task['id']}",
        json={"projectId": board["home"]["id"]},
        headers=headers | {"If-Match": '"1"'},
    )
    assert stale.status_code == 412


def test_another_users_project_as_a_tasks_project_is_422_naming_the_field(
    client: TestClient, headers: dict[str, str]
) -> None:
    theirs = make_project(client, bearer(register(client)), "Theirs")
    task = make_task(client, headers)
    for response in (
        client.post("/tasks", json={"title": "t", "projectId": theirs["id"]}, headers=headers),
        client.patch(
            f"/tasks/{task['id']}",
            json={"projectId": theirs["id"], "title": "new"},
            headers=headers,
        ),
        client.post(
            "/tasks/bulk",
            json={"tasks": [{"title": "a"}, {"title": "b", "projectId": theirs["id"]}]},
            headers=headers,
        ),
    ):
        assert response.status_code == 422
        assert field_errors(response) <= {"projectId", "tasks.1.projectId"}
        assert field_errors(response)
    # Nothing half-applied.
    assert client.get(f"/tasks/{task['id']}", headers=headers).json()["title"] == "A task"
    assert client.get("/tasks", headers=headers).json()["meta"]["total"] == 1
    batch = client.post(
        "/tasks/batch",
        json={"action": "update", "tasks": [task["id"]], "changes": {"projectId": theirs["id"]}},
        headers=headers,
    )
    assert batch.status_code == 422
    assert field_errors(batch) == {"changes.projectId"}


def test_an_admin_moving_a_task_to_another_owner_takes_it_out_of_project_and_labels(
    client: TestClient, runtime: Runtime, user: dict[str, Any], headers: dict[str, str]
) -> None:
    admin = bearer(make_admin(client, runtime))
    project = make_project(client, headers, "Home")
    task = make_task(client, headers, projectId=project["id"], labels=["bills"])
    other = register(client)
    moved = client.patch(
        f"/tasks/{task['id']}", json={"userId": other["user"]["id"]}, headers=admin
    ).json()
    assert (moved["projectId"], moved["labels"]) == (None, [])
    both = client.patch(
        f"/tasks/{task['id']}", json={"userId": user["user"]["id"], "labels": ["x"]}, headers=admin
    )
    assert both.status_code == 422
    assert field_errors(both) == {"labels"}


def test_batch_moves_tasks_to_a_project_and_adds_and_removes_labels(
    client: TestClient, headers: dict[str, str], board: dict[str, Any]
) -> None:
    theirs = make_task(client, bearer(register(client)), title="theirs")
    mine = [make_task(client, headers, title=f"t{i}", labels=["old", "keep"]) for i in range(3)]
    ids = [task["id"] for task in mine]
    response = client.post(
        "/tasks/batch",
        json={
            "action": "update",
            "tasks": [*ids, theirs["id"]],
            "changes": {
                "projectId": board["work"]["id"],
                "addLabels": ["new", "KEEP"],
                "removeLabels": ["old", "never-heard-of"],
                "priority": "HIGH",
            },
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["succeeded"] == ids
    assert response.json()["failed"] == [{"id": theirs["id"], "error": "not found"}]
    for task in mine:
        after = client.get(f"/tasks/{task['id']}", headers=headers).json()
        assert (after["projectId"], after["labels"], after["priority"]) == (
            board["work"]["id"], ["keep", "new"], "HIGH"
        )  # fmt: skip
        # Fields and labels changed in one batch: one new version, as one patch would give.
        assert after["version"] == task["version"] + 1
    assert titles(client, headers, "label=new&project=work") == ["work", "t0", "t1", "t2"][1:]
    out = client.post(
        "/tasks/batch",
        json={"action": "update", "tasks": ids, "changes": {"projectId": None}},
        headers=headers,
    )
    assert out.json()["succeeded"] == ids
    assert titles(client, headers, "noProject=true") == ["loose", "t0", "t1", "t2"]


def test_a_batch_bumps_the_version_of_exactly_the_tasks_it_changes(
    client: TestClient, headers: dict[str, str]
) -> None:
    labelled = make_task(client, headers, title="a", priority="HIGH")
    prioritized = make_task(client, headers, title="b", labels=["x"])
    untouched = make_task(client, headers, title="c", priority="HIGH", labels=["x"])
    ids = [labelled["id"], prioritized["id"], untouched["id"]]
    response = client.post(
        "/tasks/batch",
        json={
            "action": "update",
            "tasks": ids,
            "changes": {"priority": "HIGH", "addLabels": ["x"]},
        },
        headers=headers,
    )
    assert response.json()["succeeded"] == ids
    versions = [client.get(f"/tasks/{i}", headers=headers).json()["version"] for i in ids]
    assert versions == [labelled["version"] + 1, prioritized["version"] + 1, untouched["version"]]


def test_a_batch_that_would_pass_fifty_labels_changes_nothing(
    client: TestClient, headers: dict[str, str]
) -> None:
    full = make_task(client, headers, labels=[f"l{i}" for i in range(49)])
    other = make_task(client, headers)
    response = client.post(
        "/tasks/batch",
        json={
            "action": "update",
            "tasks": [other["id"], full["id"]],
            "changes": {"addLabels": ["a", "b"], "title": "changed"},
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert field_errors(response) == {"changes.addLabels"}
    assert client.get(f"/tasks/{other['id']}", headers=headers).json()["labels"] == []
    assert client.get(f"/tasks/{other['id']}", headers=headers).json()["title"] == "A task"
    assert "a" not in {
        label["name"] for label in client.get("/labels", headers=headers).json()["data"]
    }


def test_reads_are_fresh_after_every_project_write(
    client: TestClient, headers: dict[str, str], board: dict[str, Any]
) -> None:
    def read_all() -> tuple[Any, ...]:
        return (
            titles(client, headers),
            client.get("/tasks/stats", headers=headers).json(),
            client.get("/projects?includeArchived=true", headers=headers).json(),
        )

    before = read_all()
    assert read_all() == before  # answered from the cache
    client.patch(f"/projects/{board['work']['id']}", json={"name": "Job"}, headers=headers)
    renamed = read_all()
    assert "Job" in {item["name"] for item in renamed[1]["byProject"]}
    assert "Job" in {p["name"] for p in renamed[2]["data"]}
    client.patch(f"/projects/{board['work']['id']}", json={"archived": True}, headers=headers)
    assert "work" not in read_all()[0]
    client.delete(f"/projects/{board['work']['id']}", headers=headers)
    after = read_all()
    assert "work" in after[0]
    assert "Job" not in {p["name"] for p in after[2]["data"]}
    make_project(client, headers, "Fresh")
    assert "Fresh" in {p["name"] for p in read_all()[2]["data"]}


def test_reads_are_fresh_after_every_label_write(
    client: TestClient, headers: dict[str, str], board: dict[str, Any]
) -> None:
    assert titles(client, headers, "label=later") == ["work"]
    labels = client.get("/labels", headers=headers).json()["data"]
    later = next(label for label in labels if label["name"] == "later")
    client.patch(f"/labels/{later['id']}", json={"name": "someday"}, headers=headers)
    assert titles(client, headers, "label=someday") == ["work"]
    assert client.get("/tasks?label=later", headers=headers).status_code == 404
    make_task(client, headers, title="new", labels=["someday"])
    assert client.get("/labels", headers=headers).json()["data"][1]["openTasks"] == 2
    client.delete(f"/labels/{later['id']}", headers=headers)
    assert "someday" not in {
        label["name"] for label in client.get("/labels", headers=headers).json()["data"]
    }
    assert client.get("/tasks/stats", headers=headers).json()["byLabel"][-1]["name"] == "urgent"


@pytest.mark.parametrize("settings_overrides", [{"cache_ttl": 0}], indirect=True)
def test_a_page_of_labelled_tasks_costs_the_same_statements_as_one_task(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    make_task(client, headers, labels=["a"], projectId=make_project(client, headers, "P")["id"])
    with count_statements(runtime) as one:
        client.get("/tasks?label=a&sort=project", headers=headers)
    for index in range(30):
        make_task(client, headers, labels=["a", f"x{index}"])
    with count_statements(runtime) as many:
        page = client.get("/tasks?label=a&sort=project&limit=100", headers=headers).json()
    assert len(page["data"]) == 31
    assert len(many) == len(one) == 2
