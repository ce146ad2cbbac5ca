"""The `taskflow` entry point: start-up imports, help, shell completion."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from tests.cli.conftest import TASKFLOW, assert_one_error_line

if TYPE_CHECKING:
    from tests.cli.conftest import Cli

SERVER_SIDE = ("sqlalchemy", "fastapi", "uvicorn", "textual", "starlette", "alembic")
# httpx's own transport; the CLI's runs on http.client.
HTTP_ENGINE = ("httpcore", "h11")
# Command groups a task command has no use for (Typer would build all their commands).
OTHER_GROUPS = ("taskflow_cli.commands.users", "taskflow_cli.commands.notifications")
PROBE = """
import sys
from taskflow_cli.main import run
sys.argv = ["taskflow", *{args!r}]
try:
    run()
except SystemExit as exit:
    code = exit.code
heavy = sorted(name for name in {forbidden!r} if name in sys.modules)
print("loaded:", ",".join(heavy), file=sys.stderr)
print("pydantic schemas:", "taskflow_core.schemas" in sys.modules, file=sys.stderr)
sys.exit(code)
"""


def modules_after(cli: Cli, *args: str, forbidden: tuple[str, ...] = SERVER_SIDE) -> str:
    script = PROBE.format(args=list(args), forbidden=forbidden)
    result = subprocess.run(
        [sys.executable, "-c", script], env=cli.env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_help_loads_nothing_of_the_server_or_the_tui(cli: Cli) -> None:
    report = modules_after(cli, "--help")

    assert "loaded: \n" in report
    assert "pydantic schemas: False" in report


def test_listing_tasks_loads_nothing_of_the_server_the_tui_or_other_commands(
    logged_in: Cli,
) -> None:
    logged_in.add_task("one")

    report = modules_after(
        logged_in, "tasks", "list", forbidden=SERVER_SIDE + HTTP_ENGINE + OTHER_GROUPS
    )

    assert "loaded: \n" in report
    assert "pydantic schemas: False" in report


def test_shell_completion_completes_commands_and_choices(cli: Cli) -> None:
    def complete(words: str) -> str:
        result = subprocess.run(
            [TASKFLOW],
            env=cli.env
            | {
                "_TASKFLOW_COMPLETE": "complete_bash",
                "COMP_WORDS": words,
                "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
            },
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "tasks" in complete("taskflow ta").split()
    assert {"list", "add", "done"} <= set(complete("taskflow tasks ").split())
    assert set(complete("taskflow tasks list --status ").split()) == {
        "pending",
        "in-progress",
        "completed",
    }


def test_no_arguments_shows_help(cli: Cli) -> None:
    result = cli.run()

    assert "Usage: taskflow" in result.stdout
    # First lines of the boxed entries: "│ name   description │", not wrapped lines.
    entries = [line[2:] for line in result.stdout.splitlines() if line.startswith("│ ")]
    names = [entry.split()[0] for entry in entries if not entry.startswith((" ", "-"))]
    commands = names[names.index("login") :]
    assert commands == [
        "login", "logout", "whoami", "server", "worker", "tui",
        "auth", "tasks", "users", "notifications", "db",
    ]  # fmt: skip


def test_an_unknown_command_is_a_usage_error(cli: Cli) -> None:
    assert_one_error_line(cli.run("taks"), 2, "No such command 'taks'. Did you mean 'tasks'?")


def test_debug_shows_the_traceback(cli: Cli) -> None:
    result = cli.run("--server", "http://127.0.0.1:9", "login", "--email", "a@example.com",
                     "--password-stdin", input="x\n", TASKFLOW_DEBUG="1")  # fmt: skip

    assert result.code != 0
    assert "Traceback" in result.stderr
    assert "ServerUnreachable" in result.stderr
