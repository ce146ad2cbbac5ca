"""`GET /metrics` in services mode: RQ's queue read at each scrape, and the Redis breaker."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue

from server.app import create_app
from taskflow_core.adapters.rq_queue import QUEUE_NAME
from tests.conftest import bearer, register

if TYPE_CHECKING:
    import redis

    from taskflow_core.settings import Settings
    from tests.servers.redis_server import RedisServer

pytestmark = pytest.mark.redis

ON = {"metrics": True}
# A scrape waits for Redis at most a second for the job figures.
PROMPT = 3.0
BREAKER_THRESHOLD = 3
# The breaker's cooldown in these tests is 0.3 s; this allows for a loaded machine.
RECOVERY = 10.0


def jobs(client: TestClient) -> dict[str, float]:
    answer = client.get("/metrics")
    assert answer.status_code == 200, answer.text
    return {
        sample.name.removeprefix("taskflow_jobs_"): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
        if sample.name.startswith("taskflow_jobs_")
    }


@pytest.mark.parametrize("settings_overrides", [ON], indirect=True)
def test_the_queue_s_depth_is_scraped_as_it_is(
    client: TestClient, redis_client: redis.Redis
) -> None:
    before = jobs(client)
    assert before["up"] == 1
    assert before["workers"] == 0
    queue = Queue(QUEUE_NAME, connection=redis_client)
    for _ in range(3):
        # Queued only: no worker runs here.
        queue.enqueue("taskflow_core.job_runner.no_such_job")
    after = jobs(client)
    assert after["queued"] == before["queued"] + 3
    assert (after["running"], after["failed"]) == (before["running"], before["failed"])


@pytest.mark.parametrize("settings_overrides", [ON], indirect=True)
def test_with_redis_gone_the_scrape_still_answers_and_says_so(
    settings: Settings, private_redis: RedisServer
) -> None:
    own = settings.model_copy(update={"redis_url": private_redis.url})
    with TestClient(create_app(own)) as client:
        assert jobs(client)["up"] == 1
        private_redis.stop()
        started = time.monotonic()
        assert jobs(client) == {"up": 0}
        assert time.monotonic() - started < PROMPT


def value(client: TestClient, name: str) -> float:
    answer = client.get("/metrics")
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            if sample.name == name:
                return sample.value
    raise AssertionError(f"{name} not in the scrape")


@pytest.mark.parametrize("settings_overrides", [ON], indirect=True)
def test_the_breaker_is_seen_opening_and_closing(
    settings: Settings, private_redis: RedisServer
) -> None:
    own = settings.model_copy(update={"redis_url": private_redis.url})
    with TestClient(create_app(own)) as client:
        headers = bearer(register(client))
        openings = value(client, "taskflow_redis_breaker_openings_total")
        assert value(client, "taskflow_redis_breaker_open") == 0
        private_redis.stop()
        # Reads go on from the database; their cache lookups fail until the breaker opens
        # (each a page of its own: the process's copy would answer a page read before).
        for page in range(1, BREAKER_THRESHOLD + 1):
            assert client.get(f"/tasks?page={page}", headers=headers).status_code == 200
        assert value(client, "taskflow_redis_breaker_open") == 1
        assert value(client, "taskflow_redis_breaker_openings_total") == openings + 1
        private_redis.start()
        deadline = time.monotonic() + RECOVERY
        page = BREAKER_THRESHOLD
        while value(client, "taskflow_redis_breaker_open") == 1:
            assert time.monotonic() < deadline, "the breaker never closed"
            page += 1
            assert client.get(f"/tasks?page={page}", headers=headers).status_code == 200
            time.sleep(0.1)
        assert value(client, "taskflow_redis_breaker_openings_total") == openings + 1
