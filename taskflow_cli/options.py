"""Options shared by the client commands, and the parameter types behind them."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from taskflow_cli.output import Format, Output

DATE_EXAMPLES = "2026-12-01, 2026-12-01T17:00, today, tomorrow 17:00, friday, in 3 days, eod, eow"


class Status(StrEnum):
    """Task status as typed on the command line."""

    PENDING = "pending"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"

    @property
    def api(self) -> str:
        return self.name


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def api(self) -> str:
        return self.name


def due_date(value: str) -> str:
    """A due date as a person writes it -> the RFC 3339 UTC timestamp the API takes."""
    from taskflow_cli.dates import UnreadableDate, parse_due

    try:
        return parse_due(value).isoformat().replace("+00:00", "Z")
    except UnreadableDate:
        raise typer.BadParameter(f"cannot read {value!r} as a date (try {DATE_EXAMPLES})") from None


JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the API's JSON instead of a table.")
]
FormatOption = Annotated[
    Format | None,
    typer.Option("--output", "-o", help="table, json or csv.", case_sensitive=False),
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
LimitOption = Annotated[
    int, typer.Option("--limit", min=1, max=100, help="Items per page (1-100).")
]
PageOption = Annotated[int, typer.Option("--page", min=1, help="Page number.")]
AllOption = Annotated[
    bool, typer.Option("--all", help="Every page, following the server's cursors.")
]


def output_for(json: bool = False, format: Format | None = None, *, lists: bool = False) -> Output:
    """The output for this command: the flags, else `output` in the config file."""
    if json:
        return Output(Format.JSON)
    if format is not None:
        if format is Format.CSV and not lists:
            raise typer.BadParameter("csv is only for lists", param_hint="'--output'")
        return Output(format)
    from taskflow_cli.config import read_config

    configured = read_config().get("output", "")
    if configured == Format.JSON or (configured == Format.CSV and lists):
        return Output(Format(configured))
    return Output(Format.TABLE)


def global_options(
    server: Annotated[
        str | None,
        typer.Option(
            "--server",
            help="TaskFlow server URL (default: $TASKFLOW_SERVER, the config file, "
            "http://127.0.0.1:8000).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """TaskFlow: tasks from your terminal."""
    from taskflow_cli.config import set_global_server

    set_global_server(server)
