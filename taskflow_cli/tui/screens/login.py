"""The login screen: server URL, email and password; what went wrong is said right there.

Where the tokens go is chosen by which button logs in: "Log in" keeps them in the OS
keyring, "Log in, tokens in a file" in a file only you can read. Two buttons rather than a
check box: there is no state to toggle by accident, and a screenshot or a text capture
shows the choice as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.containers import Center, HorizontalGroup, VerticalGroup
from textual.screen import Screen
from textual.widgets import Button, Input, Label
from textual.worker import Worker, WorkerState

from taskflow_cli.errors import KeyringUnavailable
from taskflow_cli.tui.failures import explain
from taskflow_cli.tui.models import Account
from taskflow_cli.tui.startup import resume_gc
from taskflow_core.domain.errors import AuthenticationFailed, InvalidInput

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from taskflow_cli.tui.api import TaskflowApi


class LoginScreen(Screen[Account]):
    """Dismisses with the account once the server accepted the password."""

    CSS_PATH = "../styles/login.tcss"

    def __init__(
        self, api: TaskflowApi, *, email: str = "", reason: str = "", insecure: bool = False
    ) -> None:
        super().__init__()
        self.api = api
        self._email = email
        self._reason = reason
        self._insecure = insecure

    def compose(self) -> ComposeResult:
        with Center(), VerticalGroup(id="login") as box:
            box.border_title = "TaskFlow · log in"
            box.border_subtitle = "ctrl+q: quit"
            yield Label(self._reason, id="reason", classes="-shown" if self._reason else "")
            yield Label("Server", classes="field-label")
            yield Input(self.api.server, id="server", compact=True)
            yield Label("Email", classes="field-label")
            yield Input(self._email, id="email", placeholder="you@example.com", compact=True)
            yield Label("Password", classes="field-label")
            yield Input(id="password", password=True, compact=True)
            yield Label("", id="error")
            with HorizontalGroup(id="buttons"):
                yield Button(
                    "Log in",
                    id="login-button",
                    variant="default" if self._insecure else "primary",
                    tooltip="Keep the tokens in the OS keyring",
                    compact=True,
                )
                yield Button(
                    "Log in, tokens in a file",
                    id="login-file",
                    variant="primary" if self._insecure else "default",
                    tooltip="No OS keyring: keep the tokens in a file only you can read",
                    compact=True,
                )
            yield Label(self._enter_says(), id="enter-hint")

    def on_mount(self) -> None:
        self.title = "TaskFlow"
        self.call_after_refresh(resume_gc)
        self.query_one("#password" if self._email else "#email", Input).focus()

    def _enter_says(self) -> str:
        where = "a file only you can read" if self._insecure else "the OS keyring"
        return f"Enter in a field logs in with the tokens in {where}."

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "password" or self.query_one("#password", Input).value:
            self._submit(insecure=self._insecure)
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self._submit(insecure=event.button.id == "login-file")

    def _submit(self, *, insecure: bool) -> None:
        buttons = list(self.query("#buttons Button").results(Button))
        if any(button.disabled for button in buttons):
            return
        server = self.query_one("#server", Input).value
        email = self.query_one("#email", Input).value
        password = self.query_one("#password", Input).value
        if not email.strip() or not password:
            self._show_error("Enter your email and password.")
            return
        self._show_error("")
        for button in buttons:
            button.disabled = True
        self.query_one("#enter-hint", Label).update("Logging in…")
        self._login(server, email, password, insecure)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _login(self, server: str, email: str, password: str, insecure: bool) -> None:
        account = self.api.login(server, email, password, insecure=insecure)
        self.app.call_from_thread(self._logged_in, account, insecure)

    def _logged_in(self, account: Account, insecure: bool) -> None:
        if insecure:
            self.app.notify(
                "Your tokens are kept unencrypted in a file only you can read; use an OS "
                "keyring where there is one.",
                severity="warning",
            )
        self.dismiss(account)

    def _show_error(self, message: str) -> None:
        error = self.query_one("#error", Label)
        error.update(message)
        error.set_class(bool(message), "-shown")
        for button in self.query("#buttons Button").results(Button):
            button.disabled = False
        self.query_one("#enter-hint", Label).update(self._enter_says())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state is not WorkerState.ERROR or error is None:
            return
        if isinstance(error, AuthenticationFailed):
            self._show_error("Wrong email or password.")
            password = self.query_one("#password", Input)
            password.value = ""
            password.focus()
            return
        if isinstance(error, KeyringUnavailable):
            self._show_error(error.detail)
            # The way forward, one key away: enter presses the focused button.
            self.query_one("#login-file", Button).focus()
            return
        if isinstance(error, InvalidInput) and error.errors:
            self._show_error("; ".join(f"{item.field}: {item.message}" for item in error.errors))
        else:
            self._show_error(explain(error))
