"""What a failed worker means for the person at the keyboard.

Every screen maps its workers' errors through `explain`: a lost session sends the app back to
the login screen, anything else is one short toast and the screen stays usable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from taskflow_cli.errors import message_for
from taskflow_core.domain.errors import AuthenticationFailed, ServiceUnavailable, TaskflowError

if TYPE_CHECKING:
    from textual.message_pump import MessagePump


class SessionEnded(Message):
    """The server no longer accepts this login (expired, revoked, logged out elsewhere)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


def is_offline(error: BaseException) -> bool:
    return isinstance(error, ServiceUnavailable)


def explain(error: BaseException) -> str:
    """One line for a toast: the server's own words for domain errors, the type otherwise."""
    if isinstance(error, TaskflowError):
        return message_for(error)
    if isinstance(error, OSError):
        return f"{type(error).__name__}: {error}"
    return f"Unexpected error ({type(error).__name__}); run with TASKFLOW_DEBUG=1 for details"


def end_session_if_lost(node: MessagePump, error: BaseException) -> bool:
    """Post `SessionEnded` (the app shows the login screen) if `error` says the server no
    longer accepts this login; True if it did."""
    if not isinstance(error, AuthenticationFailed):
        return False
    node.post_message(SessionEnded(lost_session_reason(error)))
    return True


def lost_session_reason(error: BaseException) -> str:
    """The login screen's explanation: the client's message, without CLI advice."""
    detail = error.detail if isinstance(error, TaskflowError) else str(error)
    return detail.split("; run `taskflow login`")[0].rstrip(".") + "; please log in again."
