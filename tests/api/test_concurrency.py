"""Concurrent writers: no lost updates, no 'database is locked', numbers stay unique."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import make_task


def test_concurrent_creates_get_distinct_numbers(
    client: TestClient, headers: dict[str, str]
) -> None:
    def create(n: int) -> Any:
        return client.post("/tasks", headers=headers, json={"title": f"t{n}"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(create, range(40)))
    assert [r.status_code for r in responses] == [201] * 40
    assert sorted(r.json()["number"] for r in responses) == list(range(1, 41))


def test_concurrent_if_match_updates_let_exactly_one_win(
    client: TestClient, headers: dict[str, str]
) -> None:
    task = make_task(client, headers)

    def update(n: int) -> int:
        return client.patch(
            f"/tasks/{task['id']}",
            headers=headers | {"If-Match": '"1"'},
            json={"title": f"writer {n}"},
        ).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(update, range(6)))
    assert sorted(codes) == [200] + [412] * 5
    assert client.get(f"/tasks/{task['id']}", headers=headers).json()["version"] == 2
