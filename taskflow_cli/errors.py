"""The CLI's one top-level guard: errors become one red line on stderr and an exit code."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NoReturn

from taskflow_core.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
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


def exit_code_for(error: TaskflowError) -> int:
    if isinstance(error, AuthenticationFailed):
        return NOT_LOGGED_IN
    if isinstance(error, NotFound):
        return NOT_FOUND
    if isinstance(error, ServiceUnavailable):
        return UNREACHABLE
    return ERROR


def message_for(error: TaskflowError) -> str:
    if isinstance(error, InvalidInput) and error.errors:
        fields = "; ".join(f"{item.field}: {item.message}" for item in error.errors)
        return f"{error.detail}: {fields}"
    return error.detail


def fail(message: str, code: int = ERROR) -> NoReturn:
    """Print one error line on stderr and exit."""
    _print_error(message)
    raise SystemExit(code)


def run_guarded(main: Callable[[], object]) -> NoReturn:
    """Run the CLI; any error is one line on stderr (`TASKFLOW_DEBUG=1` for the traceback)."""
    debug = os.environ.get("TASKFLOW_DEBUG", "") not in ("", "0")
    try:
        main()
    except TaskflowError as error:
        if debug:
            raise
        fail(message_for(error), exit_code_for(error))
    except KeyboardInterrupt:
        _print_error("Interrupted")
        raise SystemExit(130) from None
    except Exception as error:
        if debug:
            raise
        fail(f"Unexpected error ({type(error).__name__}); run with TASKFLOW_DEBUG=1 for details")
    raise SystemExit(OK)


def _print_error(message: str) -> None:
    plain = os.environ.get("NO_COLOR") or not sys.stderr.isatty()
    line = f"Error: {message}" if plain else f"\x1b[31mError: {message}\x1b[0m"
    print(line, file=sys.stderr)
