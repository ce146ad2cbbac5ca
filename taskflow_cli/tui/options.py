"""How the dashboard behaves: refresh period, clock, token storage. Read once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from taskflow_cli.errors import BadUsage
from taskflow_core.domain.clock import utcnow

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

REFRESH_VARIABLE = "TASKFLOW_TUI_REFRESH"
DEFAULT_REFRESH = 10.0


@dataclass(frozen=True, slots=True)
class TuiOptions:
    """Args:
    refresh_seconds: how often the visible page is fetched again; 0 turns that off.
    clock: the current instant (tests pin it), used for relative due dates.
    insecure_storage: keep new logins in a 0600 file instead of the OS keyring.
    """

    refresh_seconds: float = DEFAULT_REFRESH
    clock: Callable[[], datetime] = field(default=utcnow)
    insecure_storage: bool = False


def refresh_from_env() -> float:
    """`TASKFLOW_TUI_REFRESH` in seconds (default 10; 0 turns periodic refresh off)."""
    raw = os.environ.get(REFRESH_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_REFRESH
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if seconds < 0 or seconds != seconds:  # noqa: PLR0124 - NaN check
        raise BadUsage(f"{REFRESH_VARIABLE} must be a number of seconds >= 0, not {raw!r}")
    return seconds
