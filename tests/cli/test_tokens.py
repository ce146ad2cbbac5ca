"""Where the tokens live: the OS keyring, a real Secret Service, or (asked for) a 0600 file."""

from __future__ import annotations

import shutil
import stat
import subprocess
from typing import TYPE_CHECKING

import pytest

from taskflow_cli.stores import FileStore
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
    assert stat.S_IMODE(cli.access_file().stat().st_mode) == 0o600
    status = cli.ok("auth", "status", PYTHON_KEYRING_BACKEND=NO_KEYRING).stdout
    assert f"Token storage: file {path} (insecure storage" in status
    assert cli.ok("tasks", "list", PYTHON_KEYRING_BACKEND=NO_KEYRING).code == 0

    cli.ok("logout", PYTHON_KEYRING_BACKEND=NO_KEYRING)
    assert not path.exists()


def test_several_servers_keep_separate_sessions(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "credentials.json")
    for server in ("http://a.example:8000", "http://b.example:8000"):
        store.save(server, f"rt-{server}")

    store.clear("http://a.example:8000")

    assert store.load("http://a.example:8000") is None
    assert store.load("http://b.example:8000") == "rt-http://b.example:8000"
    assert stat.S_IMODE((tmp_path / "credentials.json").stat().st_mode) == 0o600
    store.clear("http://b.example:8000")
    assert not (tmp_path / "credentials.json").exists()


def test_an_unreadable_stored_session_counts_as_logged_out(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text('{"http://x": {"email": "only"}}')

    assert FileStore(path).load("http://x") is None


def test_without_a_private_runtime_dir_the_access_token_goes_to_the_config_dir(
    cli: Cli, account: Account
) -> None:
    shared = cli.home / "shared-runtime"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)  # others could read what is in it: not a runtime dir to use

    assert cli.login(account, XDG_RUNTIME_DIR=str(shared)).code == 0

    assert list(shared.iterdir()) == []
    kept = list((cli.home / "config" / "taskflow" / "run").iterdir())
    assert [path.name.startswith("access-") for path in kept] == [True]
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert cli.ok("whoami", XDG_RUNTIME_DIR=str(shared)).code == 0


def test_logout_forgets_the_access_token_too(logged_in: Cli) -> None:
    assert logged_in.access_file().exists()

    logged_in.ok("logout")

    assert not logged_in.access_file().exists()
    sessions = logged_in.home / "config" / "taskflow" / "sessions.json"
    assert logged_in.server.url not in sessions.read_text()


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
