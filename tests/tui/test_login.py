"""Logging in through the login screen, and falling back to it when the session ends."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from textual.widgets import Button, Input, Label

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


def shown_text(app: TaskflowApp) -> str:
    """The words on the login screen, as a text capture of the terminal would have them."""
    parts = [str(widget.render()) for widget in app.screen.query("Label, Button")]
    return "\n".join(parts)


async def test_without_a_keyring_the_way_forward_is_one_explicit_button(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stat

    import keyring.core
    from keyring.backends import fail

    from taskflow_cli.paths import config_dir

    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    person = live_server.register()
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#email", Input).value = person.email
        app.screen.query_one("#password", Input).value = PASSWORD
        await pilot.click("#password")
        await pilot.press("enter")
        await settle(pilot)

        assert isinstance(app.screen, LoginScreen)
        error = str(app.screen.query_one("#error", Label).render())
        assert "No OS keyring" in error
        assert "Log in, tokens in a file" in error
        assert app.screen.focused is app.screen.query_one("#login-file", Button)
        assert app.screen.query_one("#password", Input).value == PASSWORD
        assert not (Path(config_dir()) / "credentials.json").exists()

        await pilot.press("enter")  # presses the focused button: nothing to un-tick
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
    credentials = Path(config_dir()) / "credentials.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert live_server.url in credentials.read_text()


async def test_tab_from_the_password_reaches_log_in_then_the_file_button(
    live_server: LiveServer,
) -> None:
    from taskflow_cli.paths import config_dir

    person = live_server.register()
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#email", Input).value = person.email
        app.screen.query_one("#password", Input).value = PASSWORD
        await pilot.click("#password")
        await pilot.press("tab")
        assert app.screen.focused is app.screen.query_one("#login-button", Button)
        await pilot.press("tab")
        assert app.screen.focused is app.screen.query_one("#login-file", Button)
        await pilot.press("shift+tab", "enter")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
    assert not (Path(config_dir()) / "credentials.json").exists()  # the keyring holds it


async def test_the_screen_says_where_enter_keeps_the_tokens(live_server: LiveServer) -> None:
    for insecure, where in ((False, "the OS keyring"), (True, "a file only you can read")):
        app = make_app(live_server, insecure_storage=insecure)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            text = shown_text(app)
            assert "Log in, tokens in a file" in text
            assert f"Enter in a field logs in with the tokens in {where}." in text
            assert "[X]" not in text
            assert "X Keep" not in text
