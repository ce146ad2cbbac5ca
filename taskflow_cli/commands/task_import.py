"""`taskflow tasks import FILE`: many tasks at once, from JSON, JSON lines or CSV.

Each request creates up to 1,000 tasks, all or none: on a refused row nothing of that
request is created, and the error names the row (its line in the file) and the field.
"""

from __future__ import annotations

import sys

from taskflow_cli.arguments import add_output_options, client_for, output_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator
    from typing import Any

    from taskflow_cli.output import Output

    Json = dict[str, Any]

# Fields the server sets (as `tasks list -o csv` and `--json` write them): left out, so an
# export can be imported again.
SERVER_OWNED = ("id", "number", "createdAt", "updatedAt", "completedAt", "version")
# Stay under the server's 1 MiB body limit, with room for the JSON around the tasks.
MAX_BODY = 900_000
HELP = """\
Create tasks from FILE ('-' for stdin): a JSON array of task objects, JSON
lines (one object per line), or CSV with a header row. Fields are the API's:
title (required), description, status, priority, dueDate (an ISO date-time,
or anything --due takes). Up to 1,000 tasks go in each request, all or none.
What `tasks list --json` or `-o csv` wrote imports back (ids, numbers and
times are left out: the new tasks get their own).

  taskflow tasks import backlog.json
  taskflow tasks list --all -o csv | taskflow tasks import -"""


class Row:
    """One task read from the file, and where it was (`line 12`, `item 3`)."""

    __slots__ = ("fields", "where")

    def __init__(self, where: str, fields: Json) -> None:
        self.where = where
        self.fields = fields


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of `taskflow tasks import`."""
    parser.description = HELP
    parser.add_argument("file", help="a .json, .jsonl or .csv file, or - for stdin")
    parser.add_argument(
        "--format", choices=("json", "jsonl", "csv"), help="the file's format (default: guessed)"
    )
    add_output_options(parser)


def import_tasks(args: argparse.Namespace) -> int:
    """Create the tasks of a file, up to 1,000 per request."""
    out = output_for(args)
    text = _read_text(args.file)
    rows = list(read_rows(text, _format(args, text)))
    if not rows:
        from taskflow_cli.errors import BadUsage

        raise BadUsage(f"{args.file}: no tasks in it")
    created: list[Json] = []
    with client_for(args) as client:
        for batch in _batches(rows):
            try:
                created += client.create_tasks([row.fields for row in batch])
            except Exception as error:
                _explain(out, error, batch, rows[: len(created)])
                raise
    if not out.wants_table:
        out.json(created)
    else:
        first, last = created[0]["number"], created[-1]["number"]
        span = f"#{first}" if first == last else f"#{first}-#{last}"
        out.message(f"Imported {len(created)} task{'s' if len(created) != 1 else ''} ({span}).")
    return 0


def read_rows(text: str, format: str) -> Iterator[Row]:
    """The tasks of a file's text in `format` (json, jsonl, csv), cleaned for the API."""
    from taskflow_cli.errors import BadUsage

    if format == "csv":
        yield from _csv_rows(text)
        return
    import json

    if format == "json":
        try:
            items = json.loads(text)
        except ValueError as error:
            raise BadUsage(f"not JSON: {error}") from None
        if not isinstance(items, list):
            raise BadUsage("a JSON file must hold an array of task objects")
        for index, item in enumerate(items, start=1):
            yield _row(f"item {index}", item)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                item = json.loads(line)
            except ValueError as error:
                raise BadUsage(f"line {number}: not JSON: {error}") from None
            yield _row(f"line {number}", item)


def _csv_rows(text: str) -> Iterator[Row]:
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text, newline=""))
    for record in reader:
        fields = {key: value for key, value in record.items() if key and value not in ("", None)}
        if isinstance(fields.get("labels"), str):
            fields["labels"] = _json_list(fields["labels"])
        yield _row(f"line {reader.line_num}", fields)


def _json_list(value: str) -> object:
    """A list column as `-o csv` writes it (a JSON array), or the text for the server to
    refuse."""
    import json

    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, list) else value


def _row(where: str, item: object) -> Row:
    from taskflow_cli import arguments
    from taskflow_cli.errors import BadUsage

    if not isinstance(item, dict):
        raise BadUsage(f"{where}: not a task object")
    fields = {key: value for key, value in item.items() if key not in SERVER_OWNED}
    try:
        # What the CLI's own tables and options take, so `done` or `high` work too.
        if isinstance(fields.get("status"), str):
            fields["status"] = _or_same(arguments.status, fields["status"])
        if isinstance(fields.get("priority"), str):
            fields["priority"] = _or_same(arguments.priority, fields["priority"])
        if isinstance(fields.get("dueDate"), str):
            fields["dueDate"] = arguments.due(fields["dueDate"])
    except Exception as error:  # argparse.ArgumentTypeError, with the reason
        raise BadUsage(f"{where}, dueDate: {error}") from None
    return Row(where, fields)


def _or_same(parse: Any, value: str) -> str:
    """The API's spelling of `value`, or `value` itself for the server to refuse."""
    try:
        return str(parse(value))
    except Exception:
        return value


def _batches(rows: list[Row]) -> Iterator[list[Row]]:
    """Rows in requests of at most 1,000 tasks and `MAX_BODY` bytes."""
    import json

    from taskflow_cli.client import BULK_MAX

    batch: list[Row] = []
    size = 0
    for row in rows:
        row_size = len(json.dumps(row.fields)) + 1
        if batch and (len(batch) == BULK_MAX or size + row_size > MAX_BODY):
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += row_size
    if batch:
        yield batch


def _explain(out: Output, error: Exception, batch: list[Row], created: list[Row]) -> None:
    """Name the rows a refused request was about (the server names `tasks.<i>.<field>`)."""
    from taskflow_core.domain.errors import FieldError, InvalidInput

    if isinstance(error, InvalidInput):
        named = []
        for item in error.errors:
            _, index, field = [*item.field.split(".", 2), "", ""][:3]
            if index.isdigit() and int(index) < len(batch):
                where = batch[int(index)].where
                named.append(FieldError(f"{where}, {field or 'task'}", item.message))
            else:
                named.append(item)
        error.errors = named
    if created:
        out.warn(
            f"the first {len(created)} tasks (through {created[-1].where}) were created; "
            f"none from {batch[0].where} on was."
        )


def _read_text(name: str) -> str:
    from taskflow_cli.errors import BadUsage

    try:
        if name == "-":
            return sys.stdin.read()
        with open(name, encoding="utf-8-sig") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise BadUsage(f"cannot read {name}: {error}") from None


def _format(args: argparse.Namespace, text: str) -> str:
    """--format, else the file's extension, else its first character."""
    if args.format:
        return str(args.format)
    name = args.file.lower()
    for suffix, format in (
        (".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "json"), (".csv", "csv")
    ):  # fmt: skip
        if name.endswith(suffix):
            return format
    start = text.lstrip()[:1]
    return {"[": "json", "{": "jsonl"}.get(start, "csv")
