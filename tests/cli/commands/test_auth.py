"""`taskflow login`, `logout`, `whoami`, `auth status`, `auth token` end to end."""

from __future__ import annotations

import json
import stat
from typing import TYPE_CHECKING

import httpx

from tests.cli.conftest import PLAINTEXT_KEYRING, assert_one_error_line

if TYPE_CHECKING:
    from tests.cli.conftest import Account, Cli


def test_login_keeps_the_refresh_token_in_the_keyring_and_the_access_token_in_the_runtime_dir(
    cli: Cli, account: Account
) -> None:
    result = cli.login(account)

    assert result.code == 0, result.stderr
    assert result.stdout.strip() == f"Logged in to {cli.server.url} as {account.email} (user)."
    stored = cli.stored_session()
    assert stored is not None
    assert stored["email"] == account.email
    assert {"access_token", "refresh_token", "expires_at"} <= set(stored)
    assert stored["refresh_token"] not in cli.access_file().read_text()
    assert stat.S_IMODE(cli.access_file().stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.access_file().parent.stat().st_mode) == 0o700
    config_dir = cli.home / "config" / "taskflow"
    assert (config_dir / "config.toml").read_text() == f'server = "{cli.server.url}"\n'
    sessions = json.loads((config_dir / "sessions.json").read_text())
    assert sessions[cli.server.url] == {
        "email": account.email,
        "role": "user",
        "storage": "keyring",
        "backend": PLAINTEXT_KEYRING,
    }


def test_a_command_with_a_fresh_access_token_never_loads_the_keyring(logged_in: Cli) -> None:
    script = (
        "import sys; from taskflow_cli.main import run; sys.argv = ['taskflow', 'tasks', 'list'];\n"
        "try: run()\nexcept SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('keyring', 'keyrings')))"
    )
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", script], env=logged_in.env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip

    assert result.stdout.splitlines()[-1] == "[]", result.stderr


def test_no_token_is_ever_printed_except_by_auth_token(logged_in: Cli) -> None:
    stored = logged_in.stored_session()
    assert stored is not None
    outputs = [
        logged_in.ok("auth", "status"),
        logged_in.ok("auth", "status", "--json"),
        logged_in.ok("whoami"),
        logged_in.ok("tasks", "list"),
    ]
    for result in outputs:
        for secret in (stored["access_token"], stored["refresh_token"]):
            assert secret not in result.stdout + result.stderr

    token = logged_in.ok("auth", "token").stdout.strip()
    response = httpx.get(
        f"{logged_in.server.url}/auth/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


def test_whoami_names_the_account(logged_in: Cli, account: Account) -> None:
    assert account.email in logged_in.ok("whoami").stdout
    me = logged_in.ok("whoami", "--json").json()
    assert (me["email"], me["role"]) == (account.email, "user")


def test_auth_status_says_who_where_and_which_storage(logged_in: Cli, account: Account) -> None:
    status = logged_in.ok("auth", "status").stdout

    assert f"Server:        {logged_in.server.url}" in status
    assert f"User:          {account.email} (user)" in status
    assert "Token storage: OS keyring (file PlaintextKeyring)" in status
    assert "Access token:  expires in 14 min" in status
    assert "Session:       active" in status


def test_wrong_password_is_one_line_and_stores_nothing(cli: Cli, account: Account) -> None:
    result = cli.run(
        "login", "--email", account.email, "--password-stdin", input="not the password\n"
    )

    assert_one_error_line(result, 3, "Invalid email or password")
    assert cli.stored_session() is None


def test_login_without_a_terminal_needs_the_email_and_password_flags(cli: Cli) -> None:
    assert_one_error_line(cli.run("login"), 2, "pass --email")
    assert_one_error_line(cli.run("login", "--email", "a@example.com"), 2, "--password-stdin")


def test_commands_before_login_say_how_to_log_in(cli: Cli) -> None:
    assert_one_error_line(cli.run("tasks", "list"), 3, "Not logged in", "taskflow login")


def test_logout_revokes_the_session_on_the_server(logged_in: Cli) -> None:
    stored = logged_in.stored_session()
    assert stored is not None

    result = logged_in.ok("logout")

    assert result.stdout.strip() == f"Logged out of {logged_in.server.url}."
    assert logged_in.stored_session() is None
    refreshed = httpx.post(
        f"{logged_in.server.url}/auth/refresh", json={"refreshToken": stored["refresh_token"]}
    )
    assert refreshed.status_code == 401
    assert_one_error_line(logged_in.run("whoami"), 3, "Not logged in")
    assert "Not logged in" in logged_in.ok("logout").stderr


def test_logging_in_again_revokes_the_previous_session(logged_in: Cli, account: Account) -> None:
    first = logged_in.stored_session()
    assert first is not None

    assert logged_in.login(account).code == 0

    second = logged_in.stored_session()
    assert second is not None
    assert second["refresh_token"] != first["refresh_token"]
    old = httpx.post(
        f"{logged_in.server.url}/auth/refresh", json={"refreshToken": first["refresh_token"]}
    )
    assert old.status_code == 401
    assert logged_in.ok("whoami").code == 0


def test_login_to_a_server_that_is_down_says_so(cli: Cli, account: Account) -> None:
    result = cli.login(account, "--server", "http://127.0.0.1:9")

    assert_one_error_line(result, 5, "Cannot reach the TaskFlow server at http://127.0.0.1:9")


def test_the_global_server_option_wins_over_the_environment(logged_in: Cli) -> None:
    result = logged_in.run("--server", "http://127.0.0.1:9", "tasks", "list")

    assert_one_error_line(result, 3, "Not logged in to http://127.0.0.1:9")
