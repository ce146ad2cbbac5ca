"""config.toml and the server URL: settings checked when read, logins under one spelling of
each server, and a word on stderr when a command uses another server than the default."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from taskflow_cli.config import normalize_server
from taskflow_cli.errors import BadUsage
from tests.cli.conftest import assert_one_error_line

if TYPE_CHECKING:
    from tests.cli.conftest import Account, Cli


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://localhost:8000/", "http://localhost:8000"),
        ("HTTP://LocalHost:8000//", "http://localhost:8000"),
        ("localhost:8000", "http://localhost:8000"),
        ("http://example.com:80/", "http://example.com"),
        ("https://example.com:443", "https://example.com"),
        ("https://example.com:8443/taskflow/", "https://example.com:8443/taskflow"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
        ("  http://127.0.0.1:8000  ", "http://127.0.0.1:8000"),
    ],
)
def test_a_server_url_has_one_spelling(typed: str, normalized: str) -> None:
    assert normalize_server(typed) == normalized


def test_localhost_and_its_address_stay_different_servers() -> None:
    assert normalize_server("http://localhost:8000") != normalize_server("http://127.0.0.1:8000")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com",
        "http://",
        "http://user:pw@example.com",
        "http://x:99999",
        "http://x/?a=1",
    ],
)
def test_what_is_not_a_server_url_is_refused(url: str) -> None:
    with pytest.raises(BadUsage):
        normalize_server(url)


def test_a_login_is_found_under_any_spelling_of_its_url(cli: Cli, account: Account) -> None:
    port = cli.server.url.rsplit(":", 1)[1]
    spelled = f"HTTP://127.0.0.1:{port}/"

    assert cli.login(account, "--server", spelled, TASKFLOW_SERVER="").code == 0

    assert cli.ok("--server", f"http://127.0.0.1:{port}", "whoami", TASKFLOW_SERVER="").code == 0
    assert cli.ok("whoami", TASKFLOW_SERVER=f"127.0.0.1:{port}").code == 0
    other = cli.run("--server", f"http://localhost:{port}", "whoami", TASKFLOW_SERVER="")
    assert_one_error_line(other, 3, f"Not logged in to http://localhost:{port}")


def test_a_server_other_than_the_default_is_named_on_stderr(logged_in: Cli) -> None:
    logged_in.add_task("x")
    port = logged_in.server.url.rsplit(":", 1)[1]
    same = logged_in.ok("tasks", "list", "--json")
    assert same.stderr == ""  # TASKFLOW_SERVER is the configured server

    other = logged_in.run("--server", f"http://localhost:{port}", "tasks", "list")
    assert other.stderr.splitlines()[0] == (f"Server: http://localhost:{port} (from --server)")
    from_env = logged_in.run("tasks", "list", TASKFLOW_SERVER=f"http://localhost:{port}")
    assert from_env.stderr.splitlines()[0] == (
        f"Server: http://localhost:{port} (from TASKFLOW_SERVER)"
    )


@pytest.mark.parametrize(
    ("line", "fragments"),
    [
        ('output = "yaml"', ('output = "yaml" is not allowed', '"table", "json", "csv"')),
        ('date_order = "YMD"', ('date_order = "YMD"', '"DMY", "MDY"')),
        ('outptu = "json"', ("unknown setting 'outptu'", "server, output, date_order")),
        ("output = 3", ("line 2: 'output = 3' is not setting = \"text\"",)),
        ("[section]", ("line 2: '[section]' is not setting",)),
        ('server = "x"', ("line 2: server is set twice",)),
    ],
)
def test_a_setting_the_cli_does_not_know_is_refused_naming_the_file(
    logged_in: Cli, line: str, fragments: tuple[str, ...]
) -> None:
    config = logged_in.home / "config" / "taskflow" / "config.toml"
    config.write_text(config.read_text() + line + "\n")

    result = logged_in.run("tasks", "list")

    assert_one_error_line(result, 2, str(config), *fragments)


def test_the_settings_read_as_toml_reads_them() -> None:
    import tomllib

    from taskflow_cli.config import parse_settings

    text = (
        '# comment\nserver = "http://h\\u00e9:1"  # trailing\n'
        "output='json'\n"
        'date_order = "D\\tMY\\n\\"\\\\"\n'
    )

    assert parse_settings(text, "config.toml") == tomllib.loads(text)


def test_output_in_the_config_is_the_default_format(logged_in: Cli) -> None:
    logged_in.add_task("x")
    config = logged_in.home / "config" / "taskflow" / "config.toml"

    config.write_text(config.read_text() + 'output = "json"\n')
    assert logged_in.ok("tasks", "list").json()[0]["title"] == "x"
    assert logged_in.ok("tasks", "list", "-o", "table").stdout.startswith("#")

    config.write_text(config.read_text().replace('"json"', '"csv"'))
    assert logged_in.ok("tasks", "list").stdout.startswith("id,number,title")
    assert logged_in.ok("tasks", "show", "1").stdout.lstrip().startswith("Task")
