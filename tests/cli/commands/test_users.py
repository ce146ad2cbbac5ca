"""`taskflow users …` end to end: admins manage accounts; others get a plain refusal."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest

from tests.cli.conftest import PASSWORD, assert_one_error_line

if TYPE_CHECKING:
    from tests.cli.conftest import Cli


@pytest.fixture
def admin(cli: Cli) -> Cli:
    assert cli.login(cli.server.create_admin()).code == 0
    return cli


def new_email() -> str:
    return f"person-{uuid.uuid4().hex[:10]}@example.com"


def test_admin_adds_shows_edits_and_removes_an_account(admin: Cli) -> None:
    email = new_email()

    added = admin.ok("users", "add", email, "--name", "Grace", "--password-stdin", input=PASSWORD)
    assert added.stdout.strip() == f"Created {email} (user)."

    shown = admin.ok("users", "show", email, "--json").json()
    assert (shown["email"], shown["name"], shown["isActive"]) == (email, "Grace", True)
    assert email in admin.ok("users", "show", shown["id"]).stdout

    edited = admin.ok("users", "edit", email, "--role", "admin", "--inactive", "--json").json()
    assert (edited["role"], edited["isActive"]) == ("admin", False)

    assert admin.ok("users", "rm", email, "--yes").stdout.strip() == f"Deleted {email}."
    assert_one_error_line(admin.run("users", "show", email), 4, f"No user with email {email}")


def test_admin_lists_and_filters_accounts(admin: Cli) -> None:
    email = new_email()
    admin.ok("users", "add", email, "--name", "Findable Name", "--password-stdin", input=PASSWORD)

    found = admin.ok("users", "list", "--search", "findable", "--json").json()
    assert [user["email"] for user in found] == [email]
    admins = admin.ok("users", "list", "--role", "admin", "--all", "--json").json()
    assert admins
    assert all(user["role"] == "admin" for user in admins)
    assert email in admin.ok("users", "list", "-o", "csv").stdout
    assert "Findable Name" in admin.ok("users", "list", "--search", "findable").stdout


def test_a_non_admin_gets_a_plain_refusal(logged_in: Cli) -> None:
    assert_one_error_line(logged_in.run("users", "list"), 1, "Only admins can manage users")


def test_users_rm_without_a_terminal_requires_yes(admin: Cli) -> None:
    email = new_email()
    admin.ok("users", "add", email, "--password-stdin", input=PASSWORD)

    assert_one_error_line(admin.run("users", "rm", email), 2, "pass --yes")
    assert admin.ok("users", "show", email).code == 0
