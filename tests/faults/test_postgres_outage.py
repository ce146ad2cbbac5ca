"""PostgreSQL killed (-9) under load, then restarted: the API is itself again within 2 s.

A real `taskflow server` with two worker processes in services mode, several clients
listing, reading, creating and patching their tasks, and a probe asking `/health/ready`
throughout. Every requirement is checked and every violation reported together, with figures.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from tests.faults.load import CRUD, Load, Outcome, crud_clients, readiness_probe

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.live_server import Account, LiveServer
    from tests.servers.postgres_server import PostgresServer

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.redis]

CLIENTS = 4
DB_TIMEOUT = 2.0
# Long enough that a pool backing off between reconnection attempts is caught waiting.
OUTAGE = 20.0
# The requirement: from PostgreSQL accepting connections to every kind of request succeeding.
RECOVERY = 2.0
# A request during the outage may wait out the database timeout plus a loaded machine's
# scheduling, but not a second timeout (a retry would double it).
SLACK = 1.0
# After the restart, watch this long at most for the API to come back (to measure it).
OBSERVE = 60.0
# Stop watching once this long has passed without a failure (longer than any request takes).
STEADY = 2 * DB_TIMEOUT + SLACK


def recovery_seconds(load: Load, back: float) -> float | None:
    """Seconds from `back` until every kind of request succeeded and none failed any more."""
    since = load.between(back, float("inf"), *CRUD)
    last_failure = max((outcome.ended for outcome in since if not outcome.ok), default=back)
    first_successes = []
    for kind in CRUD:
        successes = [
            o.ended for o in since if o.kind == kind and o.ok and o.started >= last_failure
        ]
        if not successes:
            return None
        first_successes.append(min(successes))
    return max(last_failure, *first_successes) - back


def steady(load: Load, back: float) -> bool:
    """Whether every kind has succeeded and nothing has failed for STEADY seconds."""
    since = load.between(back, float("inf"), *CRUD)
    failures = [outcome.ended for outcome in since if not outcome.ok]
    quiet = time.monotonic() - max(failures, default=back) >= STEADY
    return quiet and recovery_seconds(load, back) is not None


def task_ids(server: LiveServer, account: Account) -> set[str]:
    api = server.api(account)
    found: set[str] = set()
    page = 1
    while True:
        response = api.get(f"/tasks?limit=100&page={page}")
        assert response.status == 200, response.body
        body = response.json()
        found |= {task["id"] for task in body["data"]}
        if page >= body["meta"]["totalPages"]:
            return found
        page += 1


def describe(outcomes: list[Outcome], limit: int = 5) -> str:
    return "; ".join(str(outcome) for outcome in outcomes[:limit])


def test_a_postgres_crash_under_load_costs_no_acknowledged_write_and_recovers_within_2_s(
    postgres: PostgresServer, start_server: Callable[..., LiveServer]
) -> None:
    server = start_server(db_timeout=str(DB_TIMEOUT))
    accounts = [server.register() for _ in range(CLIENTS)]
    load = Load()
    load.run(crud_clients(server, accounts), CLIENTS)
    load.run(readiness_probe(server), 1)
    try:
        load.wait_until(
            lambda: all(load.between(0, float("inf"), kind) for kind in CRUD),
            30,
            "the load before the crash",
        )
        postgres.kill()
        killed = time.monotonic()
        time.sleep(OUTAGE)
        restarting = time.monotonic()
        back = postgres.start()
        deadline = back + OBSERVE
        while not steady(load, back) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        load.stop()
    recovery = recovery_seconds(load, back)

    problems = []
    shown = f"not within {OBSERVE} s" if recovery is None else f"{recovery:.2f} s"
    if recovery is None or recovery > RECOVERY:
        problems.append(
            f"every kind of request succeeded again {shown} after PostgreSQL accepted "
            f"connections (required: {RECOVERY} s); failures that ended after it: "
            + describe(
                [o for o in load.outcomes if o.kind in CRUD and o.ended >= back and not o.ok]
            )
        )
    during = load.between(killed, restarting, *CRUD)
    if not during:
        problems.append("no request was made while PostgreSQL was down")
    if wrong := [o for o in during if o.status != 503 or not o.problem]:
        problems.append(
            f"{len(wrong)} of {len(during)} requests during the outage were not a 503 "
            f"problem: {describe(wrong)}"
        )
    if slow := [o for o in during if o.took > DB_TIMEOUT + SLACK]:
        problems.append(
            f"{len(slow)} of {len(during)} requests during the outage took longer than the "
            f"database timeout ({DB_TIMEOUT} s): {describe(slow)}"
        )
    probes = load.between(killed, restarting, "ready")
    if not probes or any(probe.status != 503 for probe in probes):
        problems.append(f"/health/ready while PostgreSQL was down: {describe(probes)}")
    ready_again = [o.ended for o in load.between(back, float("inf"), "ready") if o.status == 200]
    if not ready_again or min(ready_again) - back > RECOVERY:
        after = f"{min(ready_again) - back:.2f} s" if ready_again else "never"
        problems.append(f"/health/ready said 200 again {after} after PostgreSQL was back")
    if recovery is not None:
        acknowledged = {o.task_id for o in load.outcomes if o.task_id}
        stored = set().union(*(task_ids(server, account) for account in accounts))
        if lost := acknowledged - stored:
            problems.append(f"{len(lost)} of {len(acknowledged)} acknowledged creates are lost")
    print(
        f"PostgreSQL down {restarting - killed:.1f} s; API back {shown} after it accepted "
        f"connections; {len(during)} requests during the outage, the slowest "
        f"{max((o.took for o in during), default=0):.2f} s"
    )
    assert not problems, "\n".join(problems)
