"""The CLI's errors, and its one top-level guard: an error is one line on stderr and an
exit code (README: "Exit codes").

This module imports the core's domain errors, so the commands import it only when they
raise or sort out an error: a command that succeeds never loads it.
"""

from __future__ import annotations

import os
import sys

from taskflow_core.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    TaskflowError,
)

OK = 0
ERROR = 1
USAGE = 2
NOT_LOGGED_IN = 3
NOT_FOUND = 4
UNREACHABLE = 5
INTERRUPTED = 130


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


class KeyringUnavailable(TaskflowError):
    """No OS keyring that keeps secrets safe; the message says why."""


class TokenStoreError(TaskflowError):
    """The keyring or the credentials file failed to read or write."""


class Declined(TaskflowError):
    """The person answered no to a question; nothing was changed."""


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


def exit_for(error: BaseException) -> int:
    """Report `error` (one line on stderr, or its traceback with TASKFLOW_DEBUG=1) and
    return the exit code it stands for."""
    if isinstance(error, KeyboardInterrupt):
        print_error("Interrupted")
        return INTERRUPTED
    if os.environ.get("TASKFLOW_DEBUG", "") not in ("", "0"):
        raise error
    if isinstance(error, TaskflowError):
        print_error(message_for(error))
        return exit_code_for(error)
    if isinstance(error, BrokenPipeError):
        # The reader went away (`taskflow tasks list | head`): nothing left to say.
        return ERROR
    print_error(f"Unexpected error ({type(error).__name__}); run with TASKFLOW_DEBUG=1 for details")
    return ERROR


def print_error(message: str) -> None:
    """`Error: message` on stderr, in red on a terminal without NO_COLOR."""
    plain = os.environ.get("NO_COLOR") or not sys.stderr.isatty()
    line = f"Error: {message}" if plain else f"\x1b[31mError: {message}\x1b[0m"
    print(line, file=sys.stderr)
