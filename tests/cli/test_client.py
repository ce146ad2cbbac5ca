"""The API client's session handling, end to end against a server whose access tokens
live two seconds: silent refresh, rotation, reuse detection, concurrent refreshes."""

from __future__ import annotations

import json
import subprocess
import time
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.cli.conftest import TASKFLOW, assert_one_error_line, start_server

if TYPE_CHECKING:
    from pathlib import Path

    from tests.cli.conftest import Account, Cli

SERVER_SETTINGS = {"TASKFLOW_ACCESS_TOKEN_TTL": "2"}


def wait_for_access_token_expiry() -> None:
    time.sleep(2.5)


def test_an_expired_access_token_is_refreshed_silently_and_the_new_pair_stored(
    logged_in: Cli,
) -> None:
    before = logged_in.stored_session()
    assert before is not None
    wait_for_access_token_expiry()

    result = logged_in.run("tasks", "list", "--json")

    assert result.code == 0, result.stderr
    assert result.stderr == ""
    after = logged_in.stored_session()
    assert after is not None
    assert after["refresh_token"] != before["refresh_token"]
    assert after["access_token"] != before["access_token"]
    rotated_out = httpx.post(
        f"{logged_in.server.url}/auth/refresh", json={"refreshToken": before["refresh_token"]}
    )
    assert rotated_out.status_code == 401  # used once already, by the CLI


def test_a_401_with_an_unexpired_token_also_refreshes_once(logged_in: Cli) -> None:
    stored = logged_in.stored_session()
    assert stored is not None
    # Make the stored access token look fresh while the server refuses it.
    access = json.loads(logged_in.access_file().read_text())
    access["expires_at"] = 32503680000.0  # the year 3000
    access["access_token"] = stored["access_token"][:-4] + "AAAA"
    logged_in.access_file().write_text(json.dumps(access))

    assert logged_in.ok("whoami").code == 0
    after = logged_in.stored_session()
    assert after is not None
    assert after["refresh_token"] != stored["refresh_token"]


def test_refresh_token_reused_elsewhere_ends_the_session_and_asks_to_log_in(
    logged_in: Cli,
) -> None:
    stored = logged_in.stored_session()
    assert stored is not None
    # Someone who copied the refresh token uses it first.
    stolen = httpx.post(
        f"{logged_in.server.url}/auth/refresh", json={"refreshToken": stored["refresh_token"]}
    )
    assert stolen.status_code == 200
    wait_for_access_token_expiry()

    result = logged_in.run("tasks", "list")

    assert_one_error_line(result, 3, "session", "taskflow login")
    assert logged_in.stored_session() is None
    thief = httpx.post(
        f"{logged_in.server.url}/auth/refresh", json={"refreshToken": stolen.json()["refreshToken"]}
    )
    assert thief.status_code == 401  # the whole family is revoked
    assert_one_error_line(logged_in.run("tasks", "list"), 3, "Not logged in")


def test_processes_refreshing_at_once_share_one_rotation(logged_in: Cli) -> None:
    wait_for_access_token_expiry()

    processes = [
        subprocess.Popen(
            [TASKFLOW, "tasks", "list", "--json"],
            env=logged_in.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [(process.wait(timeout=60), process.stderr.read()) for process in processes]  # type: ignore[union-attr]

    assert all(code == 0 for code, _ in outcomes), outcomes
    assert logged_in.ok("whoami").code == 0


def test_auth_token_refreshes_an_expired_token_first(logged_in: Cli) -> None:
    wait_for_access_token_expiry()

    token = logged_in.ok("auth", "token").stdout.strip()

    response = httpx.get(
        f"{logged_in.server.url}/auth/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


def test_a_server_that_goes_down_is_exit_5_and_logout_still_forgets(
    cli: Cli, account: Account, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    backend = request.node.callspec.params["server"]
    own = start_server(backend, tmp_path, name="client_down")
    try:
        assert cli.login(own.register(), "--server", own.url).code == 0
    finally:
        own.stop()

    started = time.monotonic()
    result = cli.run("--server", own.url, "tasks", "list")

    assert_one_error_line(result, 5, f"Cannot reach the TaskFlow server at {own.url}")
    assert time.monotonic() - started < 15
    logout = cli.run("--server", own.url, "logout")
    assert logout.code == 0
    assert "not revoked on the server" in logout.stderr
    assert_one_error_line(cli.run("--server", own.url, "whoami"), 3, "Not logged in")


def test_a_lost_runtime_dir_costs_one_refresh_not_the_login(logged_in: Cli) -> None:
    before = logged_in.stored_session()
    assert before is not None
    logged_in.access_file().unlink()  # as after a reboot: the runtime dir is emptied

    assert logged_in.ok("whoami").code == 0

    after = logged_in.stored_session()
    assert after is not None
    assert after["refresh_token"] != before["refresh_token"]
    assert logged_in.access_file().exists()
