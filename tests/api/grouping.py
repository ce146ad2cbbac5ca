"""Small factories for the project and label tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def make_project(client: TestClient, headers: dict[str, str], name: str, **fields: Any) -> Any:
    response = client.post("/projects", json={"name": name} | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def make_label(client: TestClient, headers: dict[str, str], name: str, **fields: Any) -> Any:
    response = client.post("/labels", json={"name": name} | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def titles(client: TestClient, headers: dict[str, str], query: str = "") -> list[str]:
    """The titles of the tasks `GET /tasks?<query>` lists, by number."""
    response = client.get(f"/tasks?limit=100&sort=number&order=asc&{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()["data"]]


def field_errors(response: Any) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}
