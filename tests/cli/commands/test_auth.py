"""`taskflow login`, `logout`, `whoami`, `auth status`, `auth token` end to end."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from tests.cli.conftest import assert_one_error_line

if TYPE_CHECKING:
    from tests.cli.conftest import Account, Cli


def test_login_stores_the_session_in_the_keyring_and_remembers_the_server(
    cli: Cli, account: Account
) -> None:
    result = cli.login(account)

    assert result.code == 0, result.stderr
    assert result.stdout.strip() == f"Logged in to {cli.server.url} as {account.email} (user)."
    stored = cli.stored_session()
    assert stored is not None
    assert stored["email"] == account.email
    assert {"access_token", "refresh_token", "access_expires_at"} <= set(stored)
    config = (cli.home / "config" / "taskflow" / "config.toml").read_text()
    assert config == f'server = "{cli.server.url}"\n'


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
