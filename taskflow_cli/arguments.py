"""The command line's parser (argparse), the option types, and the options commands share.

Usage errors become `BadUsage` (one line on stderr, exit 2) rather than argparse's usage
block; help wraps to the terminal (at most 100 columns) and keeps the line breaks of the
descriptions, which carry examples.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, NoReturn

    from taskflow_cli.client import ApiClient
    from taskflow_cli.output import Output
    from taskflow_cli.task_words import TaskWords

    Handler = Callable[[argparse.Namespace], int | None]
    Command = tuple[Handler, str, Callable[[argparse.ArgumentParser], None] | None]

STATUSES = {
    "pending": "PENDING",
    "in-progress": "IN_PROGRESS",
    "done": "COMPLETED",
    "completed": "COMPLETED",
}
PRIORITIES = {"low": "LOW", "medium": "MEDIUM", "high": "HIGH"}
STATUS_CHOICES = "pending, in-progress, done"


class Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help, wrapped to the terminal (at most 100 columns), options aligned."""

    def __init__(self, prog: str) -> None:
        try:
            columns = os.get_terminal_size(sys.stdout.fileno()).columns
        except (OSError, ValueError):
            columns = 80
        super().__init__(prog, max_help_position=28, width=max(40, min(columns, 100) - 2))


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one `BadUsage` line, and which can take
    Taskwarrior's words (see `add_words`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)
        self.words_dest: str | None = None

    def error(self, message: str) -> NoReturn:
        from taskflow_cli.errors import BadUsage

        raise BadUsage(f"{_friendlier(message)} (see `{self.prog} --help`)")

    def parse_known_args(  # type: ignore[override]
        self, args: list[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """With words (`add_words`), the words are sorted out before argparse sees them:
        argparse would take `-later` for `-l ater`, and drop the `--` that keeps the words
        after it literal. A shell completing the line sees argparse's own reading."""
        if self.words_dest is None or "_ARGCOMPLETE" in os.environ:
            return super().parse_known_args(args, namespace)
        options, words = self._split_words(list(sys.argv[1:] if args is None else args))
        parsed, extras = super().parse_known_args(options, namespace)
        setattr(parsed, self.words_dest, words)
        return parsed, extras

    def _split_words(self, args: list[str]) -> tuple[list[str], list[str]]:
        """(the options with their values, the words): a word is anything but an option of
        this parser; `-name` is a word unless it is exactly one of the options."""
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words += [arg, *rest]
                break
            action = self._option(arg)
            if action is None:
                words.append(arg)
                continue
            value = None if action.nargs == 0 or "=" in arg else next(rest, None)
            if value is None:
                options.append(arg)
            else:
                # Joined, so that a value starting with `-` is not taken for an option.
                options.append(f"{arg}={value}" if arg.startswith("--") else arg + value)
        return options, words

    def _option(self, arg: str) -> argparse.Action | None:
        """The option `arg` names (`-p`, `--priority`, `--prio`, `--due=friday`), or None
        for a word. An unknown `--option` is left to argparse, which refuses it."""
        if not arg.startswith("-") or arg == "-":
            return None
        known = self._option_string_actions
        if arg in known:
            return known[arg]
        if not arg.startswith("--"):
            return None
        name = arg.partition("=")[0]
        matches = [known[name]] if name in known else list(dict.fromkeys(
            known[option] for option in known if option.startswith(name)
        ))  # fmt: skip
        return matches[0] if len(matches) == 1 else argparse.Action([arg], "unknown", nargs=0)


def commands(
    parser: argparse.ArgumentParser,
    words: list[str],
    table: dict[str, Command],
    *,
    required: bool = True,
) -> None:
    """Give `parser` the sub-commands of `table` (`taskflow tasks list`, `… add`): each is
    (handler, one-line summary, the function that adds its arguments).

    When `words` (the command line's words after `parser`'s own) starts with one of them,
    only that one is built: argparse looks up a translation of its messages for every
    parser it makes, and a dozen parsers cost more than the rest of a command's start.
    """
    group = parser.add_subparsers(
        dest="action", metavar="COMMAND", title="commands", parser_class=Parser, required=required
    )
    chosen = words[0] if words and words[0] in table else None
    for name, (handler, summary, configure) in table.items():
        if chosen in (None, name):
            sub = group.add_parser(name, help=summary, description=summary[0].upper() + summary[1:])
            sub.set_defaults(handler=handler)
            if configure is not None:
                configure(sub)


# --- option types ---------------------------------------------------------------------------


def status(text: str) -> str:
    """`done`, `in progress`, `In-Progress`, `IN_PROGRESS` -> the API's `COMPLETED` etc."""
    key = "-".join(text.strip().lower().replace("_", " ").split())
    if key not in STATUSES:
        raise argparse.ArgumentTypeError(f"{text!r} is not a status: use {STATUS_CHOICES}")
    return STATUSES[key]


def priority(text: str) -> str:
    key = text.strip().lower()
    if key not in PRIORITIES:
        raise argparse.ArgumentTypeError(f"{text!r} is not a priority: use low, medium or high")
    return PRIORITIES[key]


def number(text: str) -> int:
    """A task number: `12` or `#12`."""
    digits = text.strip().removeprefix("#")
    if not digits.isdigit() or not 1 <= int(digits) <= 2**31 - 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a task number")
    return int(digits)


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def page_size(text: str) -> int:
    size = positive(text)
    if size > 100:
        raise argparse.ArgumentTypeError(f"{size} is more than 100")
    return size


def due(text: str) -> str:
    """A due date as a person writes it -> the RFC 3339 UTC timestamp the API takes."""
    from taskflow_cli.config import read_config
    from taskflow_cli.dates import as_api
    from taskflow_cli.due import UnreadableDate, parse_due

    try:
        return as_api(parse_due(text, date_order=read_config().get("date_order")))
    except UnreadableDate as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def bad_usage(message: str) -> Exception:
    """The `BadUsage` error to raise (its module, which loads the core's errors, is imported
    only when there is one)."""
    from taskflow_cli.errors import BadUsage

    return BadUsage(message)


def task_words(words: list[str]) -> TaskWords:
    """`read_words` with the configured date order; an unreadable word is a usage error."""
    from taskflow_cli.task_words import UnreadableWords, read_words

    order = None
    if any("due:" in word.lower() for word in words):
        from taskflow_cli.config import read_config

        order = read_config().get("date_order")
    try:
        return read_words(words, date_order=order)
    except UnreadableWords as error:
        from taskflow_cli.errors import BadUsage

        raise BadUsage(str(error)) from None


# --- shared options -------------------------------------------------------------------------


def add_words(
    parser: argparse.ArgumentParser,
    dest: str,
    *,
    metavar: str,
    help: str,
    completer: Callable[..., Any] | None = None,
) -> None:
    """Words for `task_words` (`Pay rent +bills -later project:home`), among the options:
    `-later` is a word unless the parser has exactly that option (write `-p high`, not
    `-phigh`), and every word after `--` is kept as it is, the `--` included."""
    action = parser.add_argument(dest, nargs="*", metavar=metavar, help=help)
    if completer is not None:
        action.completer = completer  # type: ignore[attr-defined]
    if not isinstance(parser, Parser):
        raise TypeError("words need a taskflow_cli.arguments.Parser")
    parser.words_dest = dest


def add_output_options(parser: argparse.ArgumentParser, *, lists: bool = False) -> None:
    """`--json`, and for lists `--output/-o table|json|csv` (default: `output` in the config)."""
    parser.add_argument("--json", action="store_true", help="print the API's JSON")
    if lists:
        parser.add_argument(
            "-o",
            "--output",
            choices=("table", "json", "csv"),
            type=str.lower,
            metavar="FORMAT",
            help="table, json or csv (default: `output` in the config, else table)",
        )


def add_page_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=page_size, default=20, help="items per page (1-100)")
    parser.add_argument("--page", type=positive, default=1, help="page number")
    parser.add_argument(
        "--all", dest="every_page", action="store_true", help="every page, one after another"
    )


def output_for(args: argparse.Namespace) -> Output:
    """The output for this command: its flags, else `output` in the config file."""
    from taskflow_cli.output import CSV, JSON, TABLE, Output

    if getattr(args, "json", False):
        return Output(JSON)
    chosen = getattr(args, "output", None)
    if chosen is not None:
        return Output(chosen)
    from taskflow_cli.config import read_config

    configured = read_config().get("output", TABLE)
    lists = hasattr(args, "output")
    return Output(configured if configured != CSV or lists else TABLE)


def _friendlier(message: str) -> str:
    """argparse's wording, made plainer where it is awkward."""
    choice = re.match(r"argument COMMAND: invalid choice: '(.*?)' \(choose from (.*)\)", message)
    if choice is None:
        return message[0].upper() + message[1:] if message else message
    import difflib

    name, names = choice.group(1), re.findall(r"'([^']*)'", choice.group(2))
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"No such command '{name}'.{hint}"


def client_for(args: argparse.Namespace, *, note: bool = True) -> ApiClient:
    """A client of the server this command uses (see `config.resolve_server`); says on
    stderr which server that is when `--server` or TASKFLOW_SERVER chose another than the
    configured one."""
    from taskflow_cli.client import ApiClient
    from taskflow_cli.config import resolve_server

    url, source = resolve_server(getattr(args, "command_server", None) or args.server)
    if source is not None and note:
        from taskflow_cli.output import Output

        Output().note(f"Server: {url} (from {source})")
    return ApiClient(url)
