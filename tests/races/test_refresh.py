"""One refresh token presented by several clients at once: one wins, and its pair stays valid."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.live_server import Account
from tests.races.conftest import race

if TYPE_CHECKING:
    from tests.live_server import Api, LiveServer, Response

pytestmark = [pytest.mark.races, pytest.mark.postgres, pytest.mark.redis]

ROUNDS = 10
RACERS = 5


def test_a_refresh_token_presented_at_once_has_one_winner_whose_new_pair_keeps_working(
    server: LiveServer,
) -> None:
    email = server.register().email
    problems = []
    for round_ in range(ROUNDS):
        refresh_token = server.login(email).refresh_token

        def refresh(_: int, client: Api, token: str = refresh_token) -> Response:
            return client.post("/auth/refresh", {"refreshToken": token})

        responses = race([server.api() for _ in range(RACERS)], refresh)
        statuses = sorted(response.status for response in responses)
        if statuses != [200] + [401] * (RACERS - 1):
            problems.append(f"round {round_}: statuses {statuses}")
            continue
        winner = Account.from_tokens(next(r for r in responses if r.status == 200).json())
        if (me := server.api(winner).get("/auth/me")).status != 200:
            problems.append(f"round {round_}: the winner's access token got {me.status}")
        again = server.api().post("/auth/refresh", {"refreshToken": winner.refresh_token})
        if again.status != 200:
            problems.append(f"round {round_}: the winner's refresh token got {again.status}")
            continue
        if (me := server.api(Account.from_tokens(again.json())).get("/auth/me")).status != 200:
            problems.append(f"round {round_}: the pair after the winner's got {me.status}")
    assert not problems, f"{len(problems)} of {ROUNDS} rounds:\n" + "\n".join(problems)
