"""Hostile input in every field of every body and query, and in the headers that matter:
never a 5xx, always a problem document, naming the field it is about; on both databases.

The targets are listed here and checked against the OpenAPI document, so a new field or
parameter fails `test_every_field_and_parameter_is_a_target` until it is fuzzed too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taskflow_core.runtime import Runtime
from tests.api.grouping import make_label, make_project
from tests.api.hostile import (
    AUTHORIZATION_CLASSICS,
    AUTHORIZATION_VALUES,
    CONTENT_TYPE_CLASSICS,
    CONTENT_TYPES,
    IF_MATCH_CLASSICS,
    REQUEST_ID_CLASSICS,
    REQUEST_IDS,
    assert_handled,
    classics_for_field,
    classics_for_query,
    for_field,
    for_query,
    if_match_values,
    json_body,
    query_string,
)
from tests.conftest import TEST_PASSWORD, bearer, make_admin, make_task, random_email, register

FUZZ = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class World:
    """A user with a task, an admin, and what their requests need."""

    client: TestClient
    user: dict[str, Any]
    admin: dict[str, Any]
    task_id: str
    project_id: str
    label_id: str

    def headers(self, who: str) -> dict[str, str]:
        return bearer(self.admin if who == "admin" else self.user)

    def path(self, template: str) -> str:
        return (
            template.replace("{task_id}", self.task_id)
            .replace("{user_id}", self.user["user"]["id"])
            .replace("{project_id}", self.project_id)
            .replace("{label_id}", self.label_id)
        )

    def base_body(self, method: str, path: str) -> dict[str, Any]:
        """A valid body for the operation, that one hostile field then goes into."""
        bodies: dict[tuple[str, str], dict[str, Any]] = {
            ("post", "/auth/register"): {
                "email": random_email(), "name": "N", "password": TEST_PASSWORD
            },
            ("post", "/auth/login"): {"email": self.user["user"]["email"], "password": "x"},
            ("post", "/auth/refresh"): {"refreshToken": "x"},
            ("post", "/auth/logout"): {"refreshToken": "x"},
            ("post", "/users"): {
                "email": random_email(), "name": "N", "password": TEST_PASSWORD, "role": "user"
            },
            ("patch", "/users/{user_id}"): {"name": "N"},
            ("post", "/tasks"): {"title": "T"},
            ("patch", "/tasks/{task_id}"): {"title": "T"},
            ("post", "/tasks/batch"): {
                "action": "update", "tasks": [self.task_id], "changes": {"title": "T"}
            },
            ("post", "/tasks/bulk"): {"tasks": [{"title": "T"}]},
            ("post", "/notifications/read"): {"all": True},
            ("post", "/projects"): {"name": f"P {uuid.uuid4()}"},
            ("patch", "/projects/{project_id}"): {"name": "P"},
            ("post", "/labels"): {"name": f"L {uuid.uuid4()}"},
            ("patch", "/labels/{label_id}"): {"name": "L"},
        }  # fmt: skip
        return bodies[(method, path)]


@pytest.fixture
def world(client: TestClient, runtime: Runtime) -> World:
    user = register(client)
    headers = bearer(user)
    return World(
        client=client,
        user=user,
        admin=make_admin(client, runtime),
        task_id=make_task(client, headers, dueDate="2026-01-01T00:00:00Z")["id"],
        project_id=make_project(client, headers, "Home")["id"],
        label_id=make_label(client, headers, "bills")["id"],
    )


# (method, path, who sends it, field or parameter, fields a rule may name instead)
BODY_TARGETS = [
    *[
        ("post", "/auth/register", "anyone", f, ())
        for f in ("email", "name", "password", "refreshTokenCookie")
    ],
    *[
        ("post", "/auth/login", "anyone", f, ())
        for f in ("email", "password", "refreshTokenCookie")
    ],
    *[("post", "/auth/refresh", "anyone", f, ()) for f in ("refreshToken", "refreshTokenCookie")],
    ("post", "/auth/logout", "anyone", "refreshToken", ()),
    *[("post", "/users", "admin", f, ()) for f in ("email", "name", "password", "role")],
    *[
        ("patch", "/users/{user_id}", who, f, ("currentPassword", "password"))
        for who in ("user", "admin")
        for f in ("name", "email", "password", "currentPassword", "role", "isActive")
    ],
    *[
        ("post", "/tasks", "user", f, ())
        for f in ("title", "description", "status", "priority", "dueDate", "userId", "projectId")
    ],
    ("post", "/tasks", "user", "labels", ()),
    *[
        ("patch", "/tasks/{task_id}", "user", f, ())
        for f in ("title", "description", "status", "priority", "dueDate", "userId", "projectId")
    ],
    ("patch", "/tasks/{task_id}", "user", "labels", ()),
    *[("post", "/tasks/batch", "user", f, ()) for f in ("action", "tasks", "changes")],
    *[
        ("post", "/tasks/batch", "user", f"changes.{f}", ())
        for f in (
            "title",
            "description",
            "status",
            "priority",
            "dueDate",
            "projectId",
            "addLabels",
            "removeLabels",
        )
    ],
    *[("post", "/projects", "user", f, ()) for f in ("name", "parentId", "colour", "position")],
    *[
        ("patch", "/projects/{project_id}", "user", f, ())
        for f in ("name", "parentId", "colour", "position", "archived")
    ],
    *[("post", "/labels", "user", f, ()) for f in ("name", "colour")],
    *[("patch", "/labels/{label_id}", "user", f, ()) for f in ("name", "colour")],
    ("post", "/tasks/bulk", "user", "tasks", ()),
    *[("post", "/notifications/read", "user", f, ("ids", "all")) for f in ("ids", "all")],
]
PAGE = ("page", "limit", "cursor")
TASK_FILTERS = (
    "status", "priority", "search", "dueBefore", "dueAfter", "overdue", "number", "project",
    "includeSubprojects", "noProject", "label", "anyLabel", "notLabel",
)  # fmt: skip
QUERY_TARGETS = [
    *[("get", "/tasks", "user", p) for p in (*PAGE, *TASK_FILTERS, "userId", "sort", "order")],
    *[("get", "/users", "admin", p) for p in (*PAGE, "role", "search")],
    *[("get", "/notifications", "user", p) for p in (*PAGE, "unread")],
    ("get", "/tasks/stats", "admin", "userId"),
    ("get", "/projects", "user", "includeArchived"),
    ("get", "/projects", "admin", "userId"),
    ("get", "/labels", "admin", "userId"),
]


def _body_schema(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    content = spec["paths"][path][method]["requestBody"]["content"]["application/json"]
    return _resolve(spec, content["schema"])


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _field_schema(spec: dict[str, Any], method: str, path: str, field: str) -> dict[str, Any]:
    schema = _body_schema(spec, method, path)
    for part in field.split("."):
        schema = _resolve(spec, schema["properties"][part])
    return schema


def test_every_field_and_parameter_is_a_target(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    documented_fields, documented_params = set(), set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    documented_params.add((method, path, parameter["name"]))
            if "requestBody" not in operation:
                continue
            for name, field in _body_schema(spec, method, path)["properties"].items():
                documented_fields.add((method, path, name))
                nested = _resolve(spec, field)
                for inner in nested.get("properties", {}):
                    documented_fields.add((method, path, f"{name}.{inner}"))
    assert {(m, p, f) for m, p, _, f, _ in BODY_TARGETS} == documented_fields
    assert {(m, p, q) for m, p, _, q in QUERY_TARGETS} == documented_params


def _send_body(world: World, method: str, path: str, who: str, body: dict[str, Any]) -> Any:
    headers = {"content-type": "application/json"}
    if who != "anyone":
        headers |= world.headers(who)
    return world.client.request(method, world.path(path), content=json_body(body), headers=headers)


def _assert_reads_still_work(world: World) -> None:
    # Whatever was stored must read back: a row the API accepted must never poison a list.
    # (As the admin: a fuzzed `isActive` may have deactivated the user.)
    for path in ("/users", "/tasks?userId=*", "/tasks?userId=*&sort=title&order=asc"):
        response = world.client.get(path, headers=world.headers("admin"))
        assert response.status_code == 200, response.text[:300]


@pytest.mark.parametrize(
    ("method", "path", "who", "field", "related"),
    BODY_TARGETS,
    ids=[f"{m} {p} {f} as {w}" for m, p, w, f, _ in BODY_TARGETS],
)
def test_a_hostile_body_field_is_a_4xx_naming_it(
    world: World, method: str, path: str, who: str, field: str, related: tuple[str, ...]
) -> None:
    spec = world.client.get("/openapi.json").json()
    schema = _field_schema(spec, method, path, field)
    strategy = for_field(schema)

    def attempt(value: Any) -> None:
        body = world.base_body(method, path)
        if "." in field:
            outer, inner = field.split(".")
            body[outer] = {inner: value}
        else:
            body[field] = value
        response = _send_body(world, method, path, who, body)
        if response.status_code in (400, 422) and related:
            named = {e["field"] for e in response.json().get("errors", [])}
            if named & set(related):
                assert_handled(response)
                return
        assert_handled(response, field=field)

    for value in classics_for_field(schema):
        attempt(value)
    FUZZ(given(value=strategy)(attempt))()
    _assert_reads_still_work(world)


@pytest.mark.parametrize(
    ("method", "path", "who", "parameter"),
    QUERY_TARGETS,
    ids=[f"{m} {p}?{q} as {w}" for m, p, w, q in QUERY_TARGETS],
)
def test_a_hostile_query_parameter_is_a_4xx_naming_it(
    world: World, method: str, path: str, who: str, parameter: str
) -> None:
    spec = world.client.get("/openapi.json").json()
    documented = {p["name"]: p for p in spec["paths"][path][method]["parameters"]}
    schema = documented[parameter]["schema"]

    def attempt(value: str) -> None:
        url = f"{path}?{query_string({parameter: value})}"
        assert_handled(world.client.get(url, headers=world.headers(who)), field=parameter)

    for value in classics_for_query(schema):
        attempt(value)
    FUZZ(given(value=for_query(schema))(attempt))()


def test_an_if_match_that_cannot_be_ours_is_412_on_patch_and_delete(world: World) -> None:
    def attempt(tag: bytes) -> None:
        task = make_task(world.client, world.headers("user"))
        headers = world.headers("user") | {"If-Match": tag}
        matches = tag.strip() == b"*" or task["version"] in _versions(tag)
        patch = world.client.patch(f"/tasks/{task['id']}", json={"title": "x"}, headers=headers)
        assert_handled(patch)
        assert patch.status_code == (200 if matches else 412), (tag[:80], patch.text)
        delete = world.client.delete(f"/tasks/{task['id']}", headers=headers)
        assert_handled(delete)
        assert matches or delete.status_code == 412

    for tag in IF_MATCH_CLASSICS:
        attempt(tag)
    FUZZ(given(tag=if_match_values())(attempt))()


def _versions(tag: bytes) -> set[int]:
    # What a careful reader of our tags would take from the header: quoted small integers.
    found = set()
    for part in tag.split(b","):
        text = part.strip().removeprefix(b"W/").strip(b'"')
        if text.isdigit() and len(text) <= 10:
            found.add(int(text))
    return found


ROUTES = ["GET /tasks", "POST /tasks", "GET /auth/me", "POST /tasks/batch"]


def test_odd_headers_are_answered_with_a_problem(world: World) -> None:
    def attempt(authorization: bytes, request_id: bytes, content_type: bytes, route: str) -> None:
        method, path = route.split()
        headers = {"Authorization": authorization, "X-Request-ID": request_id,
                   "Content-Type": content_type}  # fmt: skip
        body = b'{"title": "t"}' if path == "/tasks" else b'{"action":"complete","tasks":[]}'
        response = world.client.request(method, path, content=body, headers=headers)
        assert_handled(response)
        assert response.status_code in (400, 401, 413, 422), response.text[:200]
        echoed = response.headers["x-request-id"]
        assert echoed == request_id.decode("latin-1") or uuid.UUID(echoed)

    for index, authorization in enumerate(AUTHORIZATION_CLASSICS):
        attempt(
            authorization,
            REQUEST_ID_CLASSICS[index % len(REQUEST_ID_CLASSICS)],
            CONTENT_TYPE_CLASSICS[index % len(CONTENT_TYPE_CLASSICS)],
            ROUTES[index % len(ROUTES)],
        )
    FUZZ(
        given(
            authorization=AUTHORIZATION_VALUES,
            request_id=REQUEST_IDS,
            content_type=CONTENT_TYPES,
            route=st.sampled_from(ROUTES),
        )(attempt)
    )()


def test_odd_headers_with_a_valid_token_never_break_a_write(world: World) -> None:
    def attempt(content_type: bytes, request_id: bytes) -> None:
        headers = world.headers("user") | {"Content-Type": content_type, "X-Request-ID": request_id}
        response = world.client.post("/tasks", content=b'{"title": "t"}', headers=headers)
        assert_handled(response)
        assert response.status_code in (201, 400, 415, 422), response.text[:200]

    for index, content_type in enumerate(CONTENT_TYPE_CLASSICS):
        attempt(content_type, REQUEST_ID_CLASSICS[index % len(REQUEST_ID_CLASSICS)])
    FUZZ(given(content_type=CONTENT_TYPES, request_id=REQUEST_IDS)(attempt))()
