"""Races on one user's tasks: conditional patches with one ETag, and number allocation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.races.conftest import race

if TYPE_CHECKING:
    from tests.live_server import Api, LiveServer, Response

pytestmark = [pytest.mark.races, pytest.mark.postgres, pytest.mark.redis]

PATCH_ROUNDS = 20
WRITERS = 6
CREATE_ROUNDS = 5
CREATORS = 8
CREATES_EACH = 5


def test_patches_sent_at_once_with_the_same_etag_have_exactly_one_winner(
    server: LiveServer,
) -> None:
    account = server.register()
    api = server.api(account)
    for round_ in range(PATCH_ROUNDS):
        created = api.post("/tasks", {"title": f"round {round_}"})
        assert created.status == 201, created.body
        task = created.json()
        etag = created.headers["etag"]

        def patch(writer: int, client: Api, task_id: str = task["id"], etag: str = etag) -> int:
            body = {"title": f"writer {writer}"}
            return client.patch(f"/tasks/{task_id}", body, headers={"If-Match": etag}).status

        statuses = race([server.api(account) for _ in range(WRITERS)], patch)
        assert sorted(statuses) == [200] + [412] * (WRITERS - 1), f"round {round_}: {statuses}"
        final = api.get(f"/tasks/{task['id']}").json()
        assert final["version"] == task["version"] + 1, f"round {round_}"
        assert final["title"] == f"writer {statuses.index(200)}", f"round {round_}"


def test_creates_sent_at_once_by_one_user_get_unique_contiguous_numbers(
    server: LiveServer,
) -> None:
    account = server.register()
    numbers: list[int] = []
    for round_ in range(CREATE_ROUNDS):

        def create(creator: int, client: Api, round_: int = round_) -> list[Response]:
            return [
                client.post("/tasks", {"title": f"round {round_} creator {creator} task {n}"})
                for n in range(CREATES_EACH)
            ]

        responses = [
            response
            for batch in race([server.api(account) for _ in range(CREATORS)], create)
            for response in batch
        ]
        assert [response.status for response in responses] == [201] * len(responses)
        numbers += [response.json()["number"] for response in responses]
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"round {round_}"


LABEL_ROUNDS = 10
LABELLERS = 6


def test_tasks_created_at_once_naming_the_same_new_label_share_one_label(
    server: LiveServer,
) -> None:
    """Each writer names the label in its own case: the first to commit creates it, and every
    other one finds it (no 409, no 5xx, no second label)."""
    account = server.register()
    api = server.api(account)
    for round_ in range(LABEL_ROUNDS):
        name = f"new-{round_}"

        def create(writer: int, client: Api, name: str = name) -> Response:
            spelling = name.upper() if writer % 2 else name
            return client.post("/tasks", {"title": f"writer {writer}", "labels": [spelling]})

        responses = race([server.api(account) for _ in range(LABELLERS)], create)
        assert [r.status for r in responses] == [201] * LABELLERS, [r.body for r in responses]
        spellings = {response.json()["labels"][0] for response in responses}
        assert len(spellings) == 1, f"round {round_}: {spellings}"
        labels = [
            label for label in api.get("/labels").json()["data"] if label["name"] in spellings
        ]
        assert [label["openTasks"] for label in labels] == [LABELLERS], f"round {round_}"
