"""Logging in through the login screen, and falling back to it when the session ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from textual.widgets import Input, Label

from taskflow_cli.tui.app import TaskflowApp
from taskflow_cli.tui.options import TuiOptions
from taskflow_cli.tui.screens.dashboard import DashboardScreen
from taskflow_cli.tui.screens.login import LoginScreen
from tests.tui.conftest import PASSWORD, make_app, settle

if TYPE_CHECKING:
    from tests.tui.conftest import LiveServer

pytestmark = pytest.mark.anyio


async def test_without_a_session_the_login_screen_logs_in(live_server: LiveServer) -> None:
    person = live_server.register()
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#server", Input).value == live_server.url

        await pilot.click("#email")
        app.screen.query_one("#email", Input).value = person.email
        await pilot.press("tab", *"wrong", "enter")
        await settle(pilot)
        error = app.screen.query_one("#error", Label)
        assert "Wrong email or password" in str(error.render())
        assert isinstance(app.screen, LoginScreen)

        app.screen.query_one("#password", Input).value = PASSWORD
        await pilot.press("enter")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.sub_title == f"{person.email} · {live_server.url}"


async def test_the_login_screen_can_point_at_another_server(live_server: LiveServer) -> None:
    from taskflow_cli.config import read_config

    person = live_server.register()
    app = TaskflowApp("http://127.0.0.1:9", options=TuiOptions(refresh_seconds=0))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)

        app.screen.query_one("#server", Input).value = live_server.url.removeprefix("http://")
        app.screen.query_one("#email", Input).value = person.email
        app.screen.query_one("#password", Input).value = PASSWORD
        await pilot.click("#login-button")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
        assert app.api.server == live_server.url
    assert read_config()["server"] == live_server.url
