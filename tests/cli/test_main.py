"""The `taskflow` entry point: what a command loads, help, usage errors, shell completion."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from tests.cli.conftest import TASKFLOW, assert_one_error_line

if TYPE_CHECKING:
    from tests.cli.conftest import Cli

SERVER_SIDE = ("sqlalchemy", "fastapi", "uvicorn", "textual", "starlette", "alembic", "pydantic")
# What the daily commands must not load: each costs more start-up time than a command
# spends with a local server (the README's performance section has the figures).
SLOW = (
    "typer", "click", "rich", "httpx", "httpcore", "dateparser", "http.client", "email",
    "keyring", "keyrings", "filelock", "ssl", "platformdirs", "dataclasses", "inspect",
    "asyncio", "encodings.idna", "taskflow_core.domain.errors", "argcomplete", "typing", "tomllib",
    "pathlib", "urllib.parse", "contextlib", "subprocess",
)  # fmt: skip
# Command groups a task command has no use for.
OTHER_GROUPS = ("taskflow_cli.commands.users", "taskflow_cli.commands.notifications")
PROBE = """
import sys
from taskflow_cli.main import run
sys.argv = ["taskflow", *{args!r}]
try:
    run()
except SystemExit as exit:
    code = exit.code
loaded = sorted(name for name in {forbidden!r} if name in sys.modules)
print("loaded:", ",".join(loaded), file=sys.stderr)
sys.exit(code)
"""


def modules_after(cli: Cli, *args: str, forbidden: tuple[str, ...]) -> str:
    script = PROBE.format(args=list(args), forbidden=forbidden)
    result = subprocess.run(
        [sys.executable, "-c", script], env=cli.env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_help_loads_nothing_of_the_server_or_the_tui(cli: Cli) -> None:
    assert "loaded: \n" in modules_after(cli, "--help", forbidden=SERVER_SIDE + SLOW)


def test_the_daily_commands_load_nothing_slow_nor_other_commands(logged_in: Cli) -> None:
    logged_in.add_task("one")

    for args in (
        ("tasks", "list"),
        ("tasks", "add", "two", "--due", "tomorrow 17:00"),
        ("tasks", "add", "three", "+x", "due:tomorrow", "pri:h"),
        ("tasks", "list", "+x", "-y", "pri:high", "status:pending", "three"),
        ("tasks", "done", "1"),
        ("tasks", "show", "2"),
    ):
        report = modules_after(logged_in, *args, forbidden=SERVER_SIDE + SLOW + OTHER_GROUPS)
        assert "loaded: \n" in report, (args, report)


def test_no_arguments_shows_help_listing_every_command(cli: Cli) -> None:
    from taskflow_cli.main import COMMANDS

    result = cli.run()

    assert result.code == 0
    assert result.stdout.startswith("usage: taskflow")
    section = result.stdout.split("\ncommands:\n", 1)[1].splitlines()
    listed = [line.split()[0] for line in section if line.startswith("    ") and line[4] != " "]
    assert listed == list(COMMANDS)


def test_help_fits_80_columns(cli: Cli) -> None:
    commands = [
        [], ["tasks"], ["tasks", "list"], ["account"], ["tasks", "import"], ["tasks", "add"],
        ["tasks", "edit"], ["tasks", "done"], ["tasks", "rm"], ["projects"], ["projects", "add"],
        ["labels"],
    ]  # fmt: skip
    for args in ([*command, "--help"] for command in commands):
        result = cli.run(*args, COLUMNS="80")
        assert result.code == 0, result.stderr
        too_wide = [line for line in result.stdout.splitlines() if len(line) > 80]
        assert too_wide == [], args


def test_an_unknown_command_is_a_usage_error(cli: Cli) -> None:
    assert_one_error_line(cli.run("taks"), 2, "No such command 'taks'. Did you mean 'tasks'?")
    assert_one_error_line(
        cli.run("tasks", "list", "--colour"), 2, "Unrecognized arguments: --colour"
    )
    assert_one_error_line(cli.run("tasks"), 2, "required: COMMAND", "taskflow tasks --help")


def test_debug_shows_the_traceback(cli: Cli) -> None:
    result = cli.run("--server", "http://127.0.0.1:9", "login", "--email", "a@example.com",
                     "--password-stdin", input="x\n", TASKFLOW_DEBUG="1")  # fmt: skip

    assert result.code != 0
    assert "Traceback" in result.stderr
    assert "ServerUnreachable" in result.stderr


def test_output_piped_into_a_reader_that_stops_early_ends_quietly(logged_in: Cli) -> None:
    for n in range(30):
        logged_in.add_task(f"task {n}")

    result = subprocess.run(
        f"'{TASKFLOW}' tasks list --limit 100 | head -n 1",
        shell=True, env=logged_in.env, capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.stdout.split()[0] == "#"
    assert "Error" not in result.stderr
    assert "Traceback" not in result.stderr


def test_shell_completion_completes_commands_options_and_task_numbers(logged_in: Cli) -> None:
    logged_in.add_task("Write the report")
    logged_in.add_task("Call Ada")

    assert "tasks" in _words(logged_in, "taskflow ta")
    assert {"list", "add", "done", "import"} <= set(_words(logged_in, "taskflow tasks "))
    assert {"--status", "--sort"} <= set(_words(logged_in, "taskflow tasks list --s"))
    assert set(_words(logged_in, "taskflow tasks list --sort d")) == {"due"}
    numbers = {word for word in _words(logged_in, "taskflow tasks done ") if word.isdigit()}
    assert numbers == {"1", "2"}


def test_shell_completion_completes_project_and_label_names_and_words(logged_in: Cli) -> None:
    for path in ("home", "home/garden", "work"):
        logged_in.ok("projects", "add", path)
    logged_in.add_task("Pay rent", "+bills", "+backlog", "+urgent")

    assert set(_words(logged_in, "taskflow projects rename ")) >= {"home", "garden", "work"}
    assert _words(logged_in, "taskflow projects move g") == ["garden"]
    assert _words(logged_in, "taskflow tasks add x -P h") == ["home"]
    assert set(_words(logged_in, "taskflow tasks list project:")) == {
        "project:home", "project:garden", "project:work",
    }  # fmt: skip
    assert _words(logged_in, "taskflow tasks edit 1 pro:w") == ["pro:work"]
    assert set(_words(logged_in, "taskflow tasks done +b")) == {"+bills", "+backlog"}
    assert _words(logged_in, "taskflow labels rm u") == ["urgent"]
    assert _words(logged_in, "taskflow tasks list --any-label ba") == ["backlog"]


def _words(cli: Cli, line: str) -> list[str]:
    env = cli.env | {
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": "\n",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(cli.home / "completion.out"),
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
    }
    result = subprocess.run([TASKFLOW], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    words = (cli.home / "completion.out").read_text().split("\n")
    return [word.strip() for word in words if word.strip()]


def test_completion_prints_the_shell_code_for_each_shell(cli: Cli) -> None:
    for shell in ("bash", "zsh", "fish"):
        code = cli.ok("completion", shell).stdout
        assert "taskflow" in code
        assert "_ARGCOMPLETE" in code
