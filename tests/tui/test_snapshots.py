"""What the dashboard, the task form and the help screen look like, at 80x24 and 120x40.

Fixed data through a fake HTTP transport under the real client, and a fixed clock; update
with `pytest tests/tui/test_snapshots.py --snapshot-update` after a deliberate change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from textual.widgets import Input

from taskflow_cli.tui.app import TaskflowApp
from taskflow_cli.tui.options import TuiOptions
from tests.tui import fake_api
from tests.tui.conftest import settle

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.pilot import Pilot

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def app() -> TaskflowApp:
    fake_api.store_session()
    options = TuiOptions(refresh_seconds=0, clock=lambda: fake_api.NOW)
    return TaskflowApp(fake_api.SERVER, options=options, client_factory=fake_api.fake_client)


def after(*keys: str) -> Callable[[Pilot[Any]], Any]:
    """Wait for the first page, press `keys`, and wait for what they started."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        # A blinking cursor is shown or not depending on when the picture is taken.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(snap_compare: Any, app: TaskflowApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=after("down"))


@pytest.mark.parametrize("size", SIZES)
def test_edit_form(snap_compare: Any, app: TaskflowApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=after("e"))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare: Any, app: TaskflowApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=after("question_mark"))
