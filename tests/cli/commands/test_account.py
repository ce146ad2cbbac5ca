"""`taskflow account`: a user changes their own name, email and password."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from tests.cli.conftest import PASSWORD, assert_one_error_line, run_in_terminal

if TYPE_CHECKING:
    from tests.cli.conftest import Account, Cli


def test_account_shows_who_you_are(logged_in: Cli, account: Account) -> None:
    shown = logged_in.ok("account").stdout

    assert account.email in shown
    assert "Test User" in shown
    assert logged_in.ok("account", "show", "--json").json()["email"] == account.email


def test_a_name_change_needs_no_password(logged_in: Cli) -> None:
    result = logged_in.ok("account", "edit", "--name", "Ada Lovelace")

    assert result.stdout.strip().startswith("Updated your account: Ada Lovelace <")
    assert logged_in.ok("whoami", "--json").json()["name"] == "Ada Lovelace"


def test_an_email_change_asks_for_the_current_password(logged_in: Cli) -> None:
    new_email = "renamed-" + logged_in.ok("whoami", "--json").json()["email"]

    wrong = logged_in.run(
        "account", "edit", "--email", new_email, "--current-password-stdin", input="nope\n"
    )
    assert wrong.code != 0
    assert "Traceback" not in wrong.stderr
    assert_one_error_line(
        logged_in.run("account", "edit", "--email", new_email), 2, "--current-password-stdin"
    )

    logged_in.ok(
        "account", "edit", "--email", new_email, "--current-password-stdin", input=PASSWORD
    )

    assert logged_in.ok("whoami", "--json").json()["email"] == new_email
    assert new_email in logged_in.ok("auth", "status").stdout


def test_a_password_change_sends_the_current_one_and_the_new_one_works(
    logged_in: Cli, account: Account
) -> None:
    new_password = "a much longer new passphrase"

    changed = logged_in.ok(
        "account", "password", "--current-password-stdin", "--password-stdin",
        input=f"{PASSWORD}\n{new_password}\n",
    )  # fmt: skip

    assert "Password changed" in changed.stdout
    assert logged_in.ok("whoami").code == 0  # this login stays
    login = httpx.post(
        f"{logged_in.server.url}/auth/login",
        json={"email": account.email, "password": new_password},
    )
    assert login.status_code == 200


def test_a_password_change_with_the_wrong_current_password_changes_nothing(
    logged_in: Cli, account: Account
) -> None:
    result = logged_in.run(
        "account", "password", "--current-password-stdin", "--password-stdin",
        input="wrong current password\nwhatever new passphrase\n",
    )  # fmt: skip

    assert result.code != 0
    assert len(result.stderr.strip().splitlines()) == 1
    login = httpx.post(
        f"{logged_in.server.url}/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    assert login.status_code == 200


def test_at_a_terminal_the_passwords_are_asked_for_and_the_new_one_twice(
    logged_in: Cli, account: Account
) -> None:
    new_password = "typed at the terminal"

    result = run_in_terminal(
        logged_in, "account", "password",
        answers=(
            ("Current password:", PASSWORD),
            ("New password:", new_password),
            ("Again:", new_password),
        ),
    )  # fmt: skip

    assert result.code == 0, result.stdout
    assert new_password not in result.stdout  # never echoed
    login = httpx.post(
        f"{logged_in.server.url}/auth/login",
        json={"email": account.email, "password": new_password},
    )
    assert login.status_code == 200
