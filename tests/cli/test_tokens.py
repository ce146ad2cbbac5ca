"""Where the tokens live: the OS keyring, a real Secret Service, or (asked for) a 0600 file."""

from __future__ import annotations

import shutil
import stat
import subprocess
from typing import TYPE_CHECKING

import pytest

from taskflow_cli.tokens import Credentials, FileStore
from taskflow_core.domain.clock import utcnow
from tests.cli.conftest import NO_KEYRING, TASKFLOW, assert_one_error_line

if TYPE_CHECKING:
    from pathlib import Path

    from tests.cli.conftest import Account, Cli


def test_without_a_keyring_login_refuses_and_says_what_to_do(cli: Cli, account: Account) -> None:
    result = cli.login(account, PYTHON_KEYRING_BACKEND=NO_KEYRING)

    assert_one_error_line(result, 1, "Cannot keep your tokens safely", "--insecure-storage")
    assert not (cli.home / "config" / "taskflow" / "credentials.json").exists()


def test_a_plain_text_keyring_found_by_chance_is_not_trusted(cli: Cli, account: Account) -> None:
    env = dict(cli.env)
    del env["PYTHON_KEYRING_BACKEND"]
    result = subprocess.run(
        [TASKFLOW, "login", "--email", account.email, "--password-stdin"],
        input=account.password + "\n", env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert "stores secrets unencrypted" in result.stderr


def test_insecure_storage_keeps_tokens_in_a_file_only_the_user_can_read(
    cli: Cli, account: Account
) -> None:
    result = cli.login(account, "--insecure-storage", PYTHON_KEYRING_BACKEND=NO_KEYRING)

    assert result.code == 0, result.stderr
    assert "Warning: your tokens are stored unencrypted" in result.stderr
    path = cli.home / "config" / "taskflow" / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cli.server.url in path.read_text()
    status = cli.ok("auth", "status", PYTHON_KEYRING_BACKEND=NO_KEYRING).stdout
    assert f"Token storage: file {path} (insecure storage" in status
    assert cli.ok("tasks", "list", PYTHON_KEYRING_BACKEND=NO_KEYRING).code == 0

    cli.ok("logout", PYTHON_KEYRING_BACKEND=NO_KEYRING)
    assert not path.exists()


def test_several_servers_keep_separate_sessions(cli: Cli, account: Account) -> None:
    store = FileStore(cli.home / "credentials.json")
    now = utcnow()
    for server in ("http://a.example:8000", "http://b.example:8000"):
        store.save(Credentials(server, account.email, "user", f"at-{server}", now, f"rt-{server}"))

    store.clear("http://a.example:8000")

    assert store.load("http://a.example:8000") is None
    loaded = store.load("http://b.example:8000")
    assert loaded is not None
    assert loaded.refresh_token == "rt-http://b.example:8000"
    assert stat.S_IMODE((cli.home / "credentials.json").stat().st_mode) == 0o600


def test_an_unreadable_stored_session_counts_as_logged_out(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text('{"http://x": {"email": "only"}}')

    assert FileStore(path).load("http://x") is None


SECRET_SERVICE_TOOLS = ("dbus-run-session", "gnome-keyring-daemon")


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in SECRET_SERVICE_TOOLS),
    reason="needs gnome-keyring and dbus (apt-get install gnome-keyring) for a Secret Service",
)
def test_login_with_a_real_secret_service(cli: Cli, account: Account, tmp_path: Path) -> None:
    env = dict(cli.env)
    del env["PYTHON_KEYRING_BACKEND"]  # let keyring find the Secret Service itself
    script = tmp_path / "session.sh"
    script.write_text(
        "set -e\n"
        "eval \"$(printf 'unlock' | gnome-keyring-daemon --unlock --components=secrets"
        " | sed 's/^/export /')\"\n"
        f'printf "%s\\n" "$PASSWORD" | {TASKFLOW} login --email "$EMAIL" --password-stdin\n'
        f"{TASKFLOW} auth status\n"
        f"{TASKFLOW} tasks add 'From the keyring' >/dev/null\n"
        f"{TASKFLOW} tasks list\n"
    )
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", str(script)],
        env=env | {"EMAIL": account.email, "PASSWORD": account.password},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Token storage: OS keyring (SecretService Keyring)" in result.stdout
    assert "From the keyring" in result.stdout
    assert not (cli.home / "config" / "taskflow" / "credentials.json").exists()
