"""`taskflow server --workers 2` with metrics on: the workers keep their values in one shared
directory (prometheus_client's multi-process mode), so a scrape answered by any worker counts
the requests every worker served, including one that has since died."""

from __future__ import annotations

import os
import re
import signal
import time
from typing import TYPE_CHECKING

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.live_server import Api, LiveServer, server_environment

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

REQUESTS = 40
SCRAPES = 6
RESTART_TIMEOUT = 30.0


@pytest.fixture
def metrics_dir(tmp_path: Path) -> Path:
    shared = tmp_path / "metrics"
    shared.mkdir()
    return shared


@pytest.fixture
def server(tmp_path: Path, metrics_dir: Path) -> Iterator[LiveServer]:
    environment = server_environment(
        database_url=f"sqlite:///{tmp_path / 'taskflow.db'}",
        redis_url=None,
        data_dir=tmp_path,
        metrics="1",
    )
    # Named here, so the test can see which worker processes wrote values.
    environment["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    running = LiveServer(environment, tmp_path, workers=2)
    running.start()
    yield running
    running.stop()


def health_requests(server: LiveServer) -> float:
    """`GET /health` answered 2xx, as one scrape on a new connection reports them."""
    answer = Api(server.url, keep_alive=False).get("/metrics")
    assert answer.status == 200, answer.body
    for family in text_string_to_metric_families(answer.body.decode()):
        for sample in family.samples:
            labels = sample.labels
            if (
                sample.name == "taskflow_http_requests_total"
                and labels.get("route") == "/health"
                and labels.get("status") == "2xx"
            ):
                return sample.value
    return 0.0


def writers(metrics_dir: Path) -> set[int]:
    """The processes that have counted a request."""
    return {
        int(m.group(1)) for f in metrics_dir.iterdir() if (m := re.match(r"counter_(\d+)", f.name))
    }


def test_a_scrape_counts_the_requests_of_every_worker_even_a_dead_one(
    server: LiveServer, metrics_dir: Path
) -> None:
    before = health_requests(server)
    for _ in range(REQUESTS):
        assert Api(server.url, keep_alive=False).get("/health").status == 200
    assert [health_requests(server) - before for _ in range(SCRAPES)] == [REQUESTS + 0.0] * SCRAPES
    # Kill every worker that counted: from now on, other processes answer the scrapes, and
    # they must still count what the dead ones served.
    counted = writers(metrics_dir)
    assert counted
    for pid in counted:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + RESTART_TIMEOUT
    while True:
        try:
            if Api(server.url, keep_alive=False).get("/health").status == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "no worker answered after the kill"
        time.sleep(0.2)
    # The request that found a live worker just now counts too.
    after = [health_requests(server) - before for _ in range(SCRAPES)]
    assert all(seen >= REQUESTS + 1 for seen in after), after
    assert writers(metrics_dir) - counted, "no other process answered"
