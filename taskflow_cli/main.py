"""The `taskflow` command: the top-level parser, and the one guard that turns any error into
one line on stderr and an exit code.

Each command (or group of commands) lives in a module of `taskflow_cli.commands` with a
`register(parser)` function; only the module of the command being run is imported, so a
command loads nothing that another command needs. `--help` lists them all from `COMMANDS`.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

DESCRIPTION = """\
TaskFlow: tasks from your terminal.

  taskflow login --server http://127.0.0.1:8000 --email you@example.com
  taskflow tasks add "Write the report" --priority high --due "friday 17:00"
  taskflow tasks add Pay rent project:home +bills due:friday
  taskflow tasks list
  taskflow tasks done 1 2

Run `taskflow COMMAND --help` for a command's options."""

# Command -> ("module:function" that adds its arguments, its one-line summary), help order.
# The function is `register(parser, words)`: `words` are the command line's words after the
# command's name, so a group can build only the sub-command they name.
COMMANDS: dict[str, tuple[str, str]] = {
    "login": ("session:register_login", "log in; the server becomes the default"),
    "logout": ("session:register_logout", "log out here and on the server"),
    "whoami": ("session:register_whoami", "who you are logged in as"),
    "account": ("account:register", "your account: show it, change name, email, password"),
    "auth": ("auth:register", "your login: status, access token for scripts"),
    "tasks": ("tasks:register", "your tasks: list, add, show, edit, start, done, rm, …"),
    "projects": ("projects:register", "your projects: list, add, rename, move, archive, rm"),
    "labels": ("labels:register", "your labels: list, rename, colour, rm"),
    "notifications": ("notifications:register", "your notifications: list, mark read"),
    "users": ("users:register", "manage accounts (admins)"),
    "tui": ("tui:register", "the dashboard, in this terminal"),
    "completion": ("completion:register", "shell completion for bash, zsh or fish"),
    "server": ("server:register", "run the REST server"),
    "worker": ("worker:register", "run the background jobs (services mode)"),
    "db": ("db:register", "database administration: upgrade, seed, create-admin"),
}


def run() -> None:
    """Console-script entry point: run the command, exit with its code."""
    try:
        code = main(sys.argv[1:])
        sys.stdout.flush()
    except SystemExit:
        raise
    except BaseException as error:
        from taskflow_cli.errors import exit_for

        if isinstance(error, BrokenPipeError):
            # The reader went away (`taskflow tasks list | head`): stop quietly.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = exit_for(error)
    raise SystemExit(code)


def main(argv: list[str]) -> int:
    """Parse `argv` and run the command it names; returns the exit code."""
    completing = "_ARGCOMPLETE" in os.environ
    parser = build_parser(None if completing else _words(argv))
    if completing:
        import argcomplete

        argcomplete.autocomplete(parser)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return int(args.handler(args) or 0)


def build_parser(words: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of `taskflow` for a command line whose words (options left out) are
    `words`: only the command they name is built, with its arguments; every command, with
    every argument, when `words` is None (shell completion needs them all)."""
    import importlib

    from taskflow_cli.arguments import Parser

    parser = Parser(prog="taskflow", description=DESCRIPTION)
    parser.add_argument(
        "--server",
        metavar="URL",
        help="the TaskFlow server (default: $TASKFLOW_SERVER, else the config file, "
        "else http://127.0.0.1:8000)",
    )
    group = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    chosen = words[0] if words and words[0] in COMMANDS else None
    for name, (target, summary) in COMMANDS.items():
        if chosen not in (None, name):
            continue
        command = group.add_parser(name, help=summary, description=summary[0].upper() + summary[1:])
        if words is None or chosen == name:
            module, _, function = target.partition(":")
            register = getattr(importlib.import_module(f"taskflow_cli.commands.{module}"), function)
            register(command, [] if words is None else words[1:])
    return parser


def _words(argv: list[str]) -> list[str]:
    """The words of `argv` that are not options (nor the value of `--server`)."""
    words, skip = [], False
    for word in argv:
        if skip:
            skip = False
        elif word == "--server":
            skip = True
        elif not word.startswith("-"):
            words.append(word)
    return words
