"""The Textual app: the login screen or the dashboard, and back to the login screen whenever
the server stops accepting the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.widgets import Static

from taskflow_cli.errors import NotLoggedIn
from taskflow_cli.tui.api import TaskflowApi
from taskflow_cli.tui.failures import explain, lost_session_reason
from taskflow_cli.tui.options import TuiOptions
from taskflow_cli.tui.query import TaskFilters
from taskflow_cli.tui.screens.dashboard import DashboardScreen
from taskflow_core.domain.errors import AuthenticationFailed

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import ComposeResult
    from textual.screen import Screen

    from taskflow_cli.tui.api import ClientFactory
    from taskflow_cli.tui.failures import SessionEnded
    from taskflow_cli.tui.models import Account, TaskPage

# How long the start waits for the first page before showing the dashboard without it.
FIRST_PAGE_PATIENCE = 0.5


class TaskflowApp(App[None]):
    """`taskflow tui`."""

    TITLE = "TaskFlow"
    CSS_PATH = "styles/app.tcss"

    def __init__(
        self,
        server: str,
        *,
        options: TuiOptions | None = None,
        client_factory: ClientFactory | None = None,
    ) -> None:
        super().__init__()
        self.options = options or TuiOptions()
        self.api = TaskflowApi(server, client_factory=client_factory)
        self._on_login_screen = False
        # Set while starting: no screen shown yet; and the stored login once read.
        self._starting = True
        self._account: Account | None = None

    def compose(self) -> ComposeResult:
        yield Static(f"Opening TaskFlow at {self.api.server}…", id="opening")

    def on_mount(self) -> None:
        self._open()
        self.set_timer(FIRST_PAGE_PATIENCE, self._stop_waiting)

    @work(thread=True, exclusive=True, group="open")
    def _open(self) -> None:
        """Read the stored login, then the first page, before drawing the dashboard: its
        first frame then has the tasks in it (one frame drawn, not two)."""
        try:
            self._account = account = self.api.account()
        except NotLoggedIn:
            self.call_from_thread(self._show_login, "")
            return
        except Exception as error:  # an unreadable token store: say why, offer a login
            self.call_from_thread(self._show_login, explain(error))
            return
        try:
            page: TaskPage | None = self.api.task_page(TaskFilters(), 1)
        except AuthenticationFailed as error:
            self.call_from_thread(self._show_login, lost_session_reason(error))
            return
        except Exception:
            # Server down, say: the dashboard fetches again and reports it as it always does.
            page = None
        self.call_from_thread(self._opened, account, page)

    def _stop_waiting(self) -> None:
        """A slow server: show the dashboard now; it says `loading…` until the page comes."""
        if self._starting and self._account is not None:
            self._show_dashboard(self._account, None)

    def _opened(self, account: Account, page: TaskPage | None) -> None:
        if self._starting:
            self._show_dashboard(account, page)

    def _show_login(self, reason: str) -> None:
        from taskflow_cli.tui.screens.login import LoginScreen

        screen = LoginScreen(
            self.api,
            email=self.api.last_email,
            reason=reason,
            insecure=self.options.insecure_storage,
        )
        self._replace_screens(screen, self._logged_in)
        self._on_login_screen = True

    def _show_dashboard(self, account: Account, page: TaskPage | None) -> None:
        self._replace_screens(
            DashboardScreen(self.api, self.options, account=account, first_page=page)
        )
        self._on_login_screen = False

    def _replace_screens(
        self, screen: Screen[Account] | Screen[None], callback: Callable[..., None] | None = None
    ) -> None:
        """Drop every screen above the base one (modals included), then show `screen`."""
        self._starting = False
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(screen, callback)

    def _logged_in(self, account: Account | None) -> None:
        if account is not None:
            self._show_dashboard(account, None)

    def on_session_ended(self, message: SessionEnded) -> None:
        if not self._on_login_screen:
            self._show_login(message.reason)

    async def on_unmount(self) -> None:
        self.api.close()
