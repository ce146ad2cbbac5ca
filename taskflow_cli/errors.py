"""The CLI's one top-level guard: errors become one red line on stderr and an exit code."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NoReturn

import typer

from taskflow_core.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    TaskflowError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

# Exit codes, as documented in the README.
OK = 0
ERROR = 1
USAGE = 2
NOT_LOGGED_IN = 3
NOT_FOUND = 4
UNREACHABLE = 5


class NotLoggedIn(AuthenticationFailed):
    """No stored session for the server."""

    default_detail = "Not logged in; run `taskflow login`"


class SessionExpired(AuthenticationFailed):
    """The server refused the stored refresh token, so the stored session was dropped."""

    default_detail = "Your session has expired; run `taskflow login` to log in again"


class ServerUnreachable(ServiceUnavailable):
    """No HTTP answer at all: refused, timed out, or not a TaskFlow server."""

    default_detail = "Cannot reach the TaskFlow server"


class BadUsage(TaskflowError):
    """The command line asks for something that cannot work; nothing was sent."""

    default_detail = "Invalid usage"


def exit_code_for(error: TaskflowError) -> int:
    if isinstance(error, AuthenticationFailed):
        return NOT_LOGGED_IN
    if isinstance(error, NotFound):
        return NOT_FOUND
    if isinstance(error, ServiceUnavailable):
        return UNREACHABLE
    if isinstance(error, BadUsage):
        return USAGE
    return ERROR


def message_for(error: TaskflowError) -> str:
    if isinstance(error, InvalidInput) and error.errors:
        fields = "; ".join(f"{item.field}: {item.message}" for item in error.errors)
        return f"{error.detail}: {fields}"
    if isinstance(error, RateLimited):
        return f"{error.detail}; try again in {error.retry_after} s"
    return error.detail


def fail(message: str, code: int = ERROR) -> NoReturn:
    """Print one error line on stderr and exit."""
    _print_error(message)
    raise SystemExit(code)


def run_guarded(main: Callable[[], object]) -> NoReturn:
    """Run the CLI; any error is one line on stderr (`TASKFLOW_DEBUG=1` for the traceback).

    `main` runs Click with `standalone_mode=False`, so usage errors reach this guard too and
    its return value, when an int, is the exit code (`typer.Exit(code)` returns it).
    """
    debug = os.environ.get("TASKFLOW_DEBUG", "") not in ("", "0")
    try:
        result = main()
    except TaskflowError as error:
        if debug:
            raise
        fail(message_for(error), exit_code_for(error))
    except typer.TyperException as error:  # Click's usage errors, one line each
        if debug:
            raise
        fail(_usage_message(error), error.exit_code)
    except typer.Abort:
        fail("Aborted", ERROR)
    except KeyboardInterrupt:
        _print_error("Interrupted")
        raise SystemExit(130) from None
    except Exception as error:
        if debug:
            raise
        fail(f"Unexpected error ({type(error).__name__}); run with TASKFLOW_DEBUG=1 for details")
    raise SystemExit(result if isinstance(result, int) else OK)


def _usage_message(error: typer.TyperException) -> str:
    """Click's message, plus where to read more when the command line was at fault."""
    message = error.format_message().replace("\n", " ").replace("Value error, ", "")
    context = getattr(error, "ctx", None)
    if error.exit_code == USAGE and context is not None:
        return f"{message} (see `{context.command_path} --help`)"
    return message


def _print_error(message: str) -> None:
    plain = os.environ.get("NO_COLOR") or not sys.stderr.isatty()
    line = f"Error: {message}" if plain else f"\x1b[31mError: {message}\x1b[0m"
    print(line, file=sys.stderr)
