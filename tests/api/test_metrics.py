"""`GET /metrics`: off unless enabled, behind its token when one is set, and counters that move
exactly as requests do, under route templates (never raw paths)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import TEST_PASSWORD, make_task, register

ON = {"metrics": True}


def scrape(
    client: TestClient, **headers: str
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels."""
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def requests_of(samples: dict[Any, float], method: str, route: str, status: str) -> float:
    key = (
        "taskflow_http_requests_total",
        (("method", method), ("route", route), ("status", status)),
    )
    return samples.get(key, 0.0)


def timed(samples: dict[Any, float], method: str, route: str) -> float:
    key = ("taskflow_http_request_duration_seconds_count", (("method", method), ("route", route)))
    return samples.get(key, 0.0)


def test_metrics_are_off_by_default(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("settings_overrides", [ON], indirect=True)
def test_counters_move_as_requests_do_under_route_templates(
    client: TestClient, headers: dict[str, str]
) -> None:
    before = scrape(client)
    created = [make_task(client, headers, title=f"task {n}") for n in range(3)]
    for task in created:
        assert client.get(f"/tasks/{task['id']}", headers=headers).status_code == 200
    missing = client.get(f"/tasks/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404
    assert client.get("/no/such/path").status_code == 404
    for made_up in ("BREW", "X-ANYTHING"):
        assert client.request(made_up, "/tasks", headers=headers).status_code == 405
    after = scrape(client)

    def moved(method: str, route: str, status: str) -> float:
        return requests_of(after, method, route, status) - requests_of(
            before, method, route, status
        )

    assert moved("POST", "/tasks", "2xx") == 3
    assert moved("GET", "/tasks/{task_id}", "2xx") == 3
    assert moved("GET", "/tasks/{task_id}", "4xx") == 1
    assert moved("GET", "unmatched", "4xx") == 1
    # Methods a client makes up share one label: no series per made-up method.
    assert moved("other", "/tasks", "4xx") == 2
    assert not any(dict(key[1]).get("method") in ("BREW", "X-ANYTHING") for key in after)
    assert timed(after, "GET", "/tasks/{task_id}") - timed(before, "GET", "/tasks/{task_id}") == 4
    # No series is named after a raw path: ids would make one per task.
    labels = {dict(key[1]).get("route") for key in after} - {None}
    assert not any(task["id"] in str(labels) for task in created)
    assert all(route == "unmatched" or route.startswith("/") for route in labels)
    assert ("taskflow_http_requests_in_flight", ()) in after


@pytest.mark.parametrize(
    "settings_overrides", [ON | {"metrics_token": "s3cret-scrape"}], indirect=True
)
def test_a_metrics_token_keeps_others_out(client: TestClient) -> None:
    for sent in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-scrape!"}):
        refused = client.get("/metrics", headers=sent)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"] == "Bearer"
    assert scrape(client, Authorization="Bearer s3cret-scrape")


@pytest.mark.parametrize("settings_overrides", [ON], indirect=True)
def test_metrics_are_not_in_the_api_document(client: TestClient) -> None:
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def counted(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.parametrize("settings_overrides", [ON], indirect=True)
def test_cache_lookups_count_hits_and_misses(client: TestClient, headers: dict[str, str]) -> None:
    task = make_task(client, headers)
    before = scrape(client)
    for _ in range(3):
        assert client.get(f"/tasks/{task['id']}", headers=headers).status_code == 200
    after = scrape(client)

    def moved(result: str) -> float:
        name = "taskflow_cache_lookups_total"
        return counted(after, name, result=result) - counted(before, name, result=result)

    # The first read fills the cache, the next two are answered by it.
    assert (moved("miss"), moved("hit")) == (1, 2)


@pytest.mark.parametrize("settings_overrides", [ON | {"cache_ttl": 0}], indirect=True)
def test_with_the_cache_off_there_is_nothing_to_count(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)
    before = scrape(client)
    assert client.get(f"/tasks/{task['id']}", headers=headers).status_code == 200
    after = scrape(client)
    for result in ("hit", "miss"):
        name = "taskflow_cache_lookups_total"
        assert counted(after, name, result=result) == counted(before, name, result=result)


@pytest.mark.parametrize("settings_overrides", [ON | {"rate_limit": "3/minute"}], indirect=True)
def test_rate_limit_refusals_are_counted_by_budget(
    client: TestClient, headers: dict[str, str]
) -> None:
    before = scrape(client)
    statuses = [client.get("/tasks", headers=headers).status_code for _ in range(5)]
    assert statuses.count(429) >= 2
    after = scrape(client)
    name = "taskflow_rate_limit_refusals_total"
    assert counted(after, name, budget="user") - counted(before, name, budget="user") == (
        statuses.count(429)
    )


@pytest.mark.parametrize("settings_overrides", [ON], indirect=True)
def test_each_password_hash_reports_its_wait_for_a_thread(client: TestClient) -> None:
    name = "taskflow_password_hash_wait_seconds_count"
    before = counted(scrape(client), name)
    email = register(client)["user"]["email"]  # one hash
    login = client.post("/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert login.status_code == 200  # one verification
    wrong = client.post("/auth/login", json={"email": email, "password": "not it at all"})
    assert wrong.status_code == 401  # and another
    assert counted(scrape(client), name) - before == 3
