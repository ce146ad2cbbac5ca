"""`taskflow tui` as a person starts it: a real process on a pseudo-terminal."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tests.tui.conftest import log_in_as

if TYPE_CHECKING:
    from tests.tui.conftest import LiveServer

TASKFLOW = str(Path(sys.executable).with_name("taskflow"))
PROBE = """
import sys
from taskflow_cli.main import run
sys.argv = ["taskflow", *{args!r}]
try:
    run()
except SystemExit as exit:
    code = exit.code
print("textual loaded:", "textual" in sys.modules, file=sys.stderr)
sys.exit(code)
"""


def run_in_terminal(args: list[str], *, until: bytes, then: bytes) -> tuple[int, bytes]:
    """Start `taskflow` on a pseudo-terminal, wait for `until` on screen, type `then`."""
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [TASKFLOW, *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=os.environ | {"TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"},
        start_new_session=True,
    )
    os.close(follower)
    screen = b""
    typed = False
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    screen += os.read(leader, 65536)
                except OSError:
                    break
            if not typed and until in screen:
                os.write(leader, then)
                typed = True
            if process.poll() is not None:
                break
        return process.wait(timeout=10), screen
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)


def test_tui_help_does_not_load_textual() -> None:
    script = PROBE.format(args=["tui", "--help"])
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert "--server" in result.stdout
    assert "textual loaded: False" in result.stderr


def test_a_bad_refresh_period_is_one_error_line() -> None:
    result = subprocess.run(
        [TASKFLOW, "tui"],
        env=os.environ | {"TASKFLOW_TUI_REFRESH": "often", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Error: TASKFLOW_TUI_REFRESH must be a number of seconds >= 0, not 'often'"
    ]


def test_taskflow_tui_paints_the_tasks_and_quits_on_q(live_server: LiveServer) -> None:
    person = live_server.register()
    person.add_task("Visible from a real terminal")
    log_in_as(person)

    code, screen = run_in_terminal(
        ["tui", "--server", live_server.url], until=b"Visible from a real terminal", then=b"q"
    )

    assert code == 0, screen[-2000:]
    assert person.email.encode() in screen
