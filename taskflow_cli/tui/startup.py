"""Start-up speed: no garbage collection while the first screen is being built.

Importing Textual and mounting the dashboard allocate hundreds of thousands of objects and
none of them is garbage; the collector's passes over them cost about a tenth of the time to
the first painted table. `pause_gc` (called by the command before Textual is imported) turns
the collector off; `resume_gc` (called by the app once the first screen is painted) moves
everything built so far to the permanent generation and turns it back on.
"""

from __future__ import annotations

import gc

_paused = False


def pause_gc() -> None:
    global _paused  # noqa: PLW0603 - one switch for the process, flipped twice
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Turn collection back on, if `pause_gc` turned it off (a no-op otherwise)."""
    global _paused  # noqa: PLW0603
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
