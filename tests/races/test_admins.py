"""Admins acting on each other at the same moment, and an admin deleting a user who is writing:
never a 5xx, and never an API left without an active admin."""

from __future__ import annotations

import itertools
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest

from tests.live_server import PASSWORD
from tests.races.conftest import BARRIER_TIMEOUT, race

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.live_server import Account, Api, LiveServer, Response

pytestmark = [pytest.mark.races, pytest.mark.postgres, pytest.mark.redis]

# Every pair of (what the first admin does, what the second does), twice.
ADMIN_ROUNDS = 2
DELETE_ROUNDS = 10
WRITERS = 4
# Enough requests per writer that the deletion lands while they write.
WRITES_BEFORE_DELETE = 3
MAX_WRITES = 200

ACTIONS: dict[str, Callable[[Api, str], Response]] = {
    "demote": lambda api, user: api.patch(f"/users/{user}", {"role": "user"}),
    "deactivate": lambda api, user: api.patch(f"/users/{user}", {"isActive": False}),
    "delete": lambda api, user: api.delete(f"/users/{user}"),
}


def new_admin(server: LiveServer, by: Account) -> Account:
    email = f"admin-{uuid.uuid4().hex[:12]}@example.com"
    body = {"email": email, "name": "Admin", "password": PASSWORD, "role": "admin"}
    response = server.api(by).post("/users", body)
    assert response.status == 201, response.body
    return server.login(email)


def is_active_admin(server: LiveServer, account: Account) -> bool:
    """Whether the account can still act as an admin (an admin-only route answers it)."""
    return server.api(account).get("/users?limit=1").status == 200


def test_two_admins_acting_on_each_other_at_once_never_fail_and_leave_an_active_admin(
    server: LiveServer,
) -> None:
    keeper = server.create_admin()
    pairs = list(itertools.product(ACTIONS, repeat=2)) * ADMIN_ROUNDS
    problems = []
    for round_, actions in enumerate(pairs):
        admins = [new_admin(server, keeper), new_admin(server, keeper)]
        # The two are now the only active admins: each may be the last one.
        assert server.api(keeper).delete(f"/users/{keeper.id}").status == 204

        def act(
            index: int,
            client: Api,
            admins: list[Account] = admins,
            actions: tuple[str, ...] = actions,
        ) -> int:
            return ACTIONS[actions[index]](client, admins[1 - index].id).status

        statuses = race([server.api(admin) for admin in admins], act)
        if any(status >= 500 for status in statuses):
            problems.append(f"round {round_} {' vs '.join(actions)}: {statuses}")
        active = [admin for admin in admins if is_active_admin(server, admin)]
        if not active:
            problems.append(f"round {round_} {' vs '.join(actions)}: no active admin left")
            active = [server.create_admin()]
        keeper = active[0]
    assert not problems, f"{len(problems)} of {len(pairs)} rounds:\n" + "\n".join(problems)


def write_until_gone(
    server: LiveServer, victim: Account, task: str, writer: int, writing: threading.Barrier
) -> list[int]:
    """Create and patch as `victim` until the account is gone (401); meet `writing` on the way."""
    api = server.api(victim)
    statuses = []
    for count in range(MAX_WRITES):
        if count == WRITES_BEFORE_DELETE:
            writing.wait(BARRIER_TIMEOUT)
        if count % 2:
            response = api.patch(f"/tasks/{task}", {"title": f"{writer}.{count}"})
        else:
            response = api.post("/tasks", {"title": f"{writer}.{count}"})
        statuses.append(response.status)
        if response.status == 401:
            break
    return statuses


def test_deleting_a_user_while_they_write_never_fails_and_leaves_none_of_their_tasks(
    server: LiveServer,
) -> None:
    admin = server.api(server.create_admin())
    problems = []
    for round_ in range(DELETE_ROUNDS):
        victim = server.register()
        task = server.api(victim).post("/tasks", {"title": "mine"}).json()["id"]
        writing = threading.Barrier(WRITERS + 1)
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            writers = [
                pool.submit(write_until_gone, server, victim, task, writer, writing)
                for writer in range(WRITERS)
            ]
            writing.wait(BARRIER_TIMEOUT)
            deleted = admin.delete(f"/users/{victim.id}")
            statuses = [status for writer in writers for status in writer.result()]
        if deleted.status != 204 or any(status >= 500 for status in statuses):
            errors = sorted(status for status in statuses if status >= 500)
            problems.append(f"round {round_}: delete {deleted.status}, writes failed {errors}")
            continue
        left = admin.get(f"/tasks?userId={victim.id}").json()["meta"]["total"]
        if left:
            problems.append(f"round {round_}: {left} tasks of the deleted user remain")
    assert not problems, f"{len(problems)} of {DELETE_ROUNDS} rounds:\n" + "\n".join(problems)
