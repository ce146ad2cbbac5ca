"""Field types for the wire schemas: the validation rules and their documented JSON schema.

Each documented pattern says exactly what validation accepts (the OpenAPI document is fuzzed
against it). Text that other people read in a terminal (titles, names) may not carry control
characters: an ANSI escape in a title would otherwise run in an admin's terminal.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema

from taskflow_core.clock import as_utc
from taskflow_core.enums import TaskPriority, TaskStatus

_CONTROL = "\\u0000-\\u001f\\u007f-\\u009f"
_CONTROL_EXCEPT_LINES = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
# Python's str.isspace() and JSON Schema's \s differ (U+FEFF): trim what either calls space.
_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_CONTROL_CHARS = re.compile(f"[{_CONTROL}]")
_CONTROL_CHARS_EXCEPT_LINES = re.compile(f"[{_CONTROL_EXCEPT_LINES}]")

# The WHATWG (HTML) address syntax, plus a dot in the domain to catch "me@gmail" typos.
_EMAIL_CORE = (
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
_EMAIL_SHAPE = re.compile(f"^{_EMAIL_CORE}$")
_EMAIL_PADDING = " \t\r\n"
MAX_EMAIL = 254


def _normalise_email(value: str) -> str:
    if len(value) > MAX_EMAIL:
        raise ValueError(f"must be at most {MAX_EMAIL} characters")
    value = value.strip(_EMAIL_PADDING).lower()
    if not _EMAIL_SHAPE.match(value):
        raise ValueError("must be a valid email address")
    return value


def _visible_line(value: str, *, max_length: int) -> str:
    """One line of visible text, trimmed: 1..max_length characters as sent."""
    if len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    if _CONTROL_CHARS.search(value):
        raise ValueError("must not contain control characters")
    value = value.strip(_SPACE)
    if not value:
        raise ValueError("must not be blank")
    return value


def _line_schema(max_length: int) -> dict[str, Any]:
    pattern = f"^[^{_CONTROL}]*[^\\s{_CONTROL}][^{_CONTROL}]*$"
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": pattern}


def _free_text(value: str) -> str:
    """Text where line breaks and tabs are fine and other control characters are not."""
    if _CONTROL_CHARS_EXCEPT_LINES.search(value):
        raise ValueError("must not contain control characters other than newlines and tabs")
    return value


# RFC 3339, except that the offset may be left out (the time is then read as UTC).
_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?$"
_TIMESTAMP_SHAPE = re.compile(_TIMESTAMP)


def _timestamp_text(value: object) -> object:
    """Refuse what lax parsing would otherwise take as a Unix time (`0`, `"0.5"`)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _TIMESTAMP_SHAPE.match(value):
        raise ValueError("must be an RFC 3339 timestamp such as 2026-11-24T17:00:00Z")
    return value


def _split_commas(value: object) -> object:
    """Accept `status=A,B` as well as `status=A&status=B`."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [part.strip() for item in value for part in str(item).split(",") if part.strip()]
    return value


Email = Annotated[
    str,
    AfterValidator(_normalise_email),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": MAX_EMAIL,
            "pattern": f"^[ \\t\\r\\n]*{_EMAIL_CORE}[ \\t\\r\\n]*$",
        }
    ),
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
PersonName = Annotated[
    str, AfterValidator(partial(_visible_line, max_length=100)), WithJsonSchema(_line_schema(100))
]
Title = Annotated[
    str, AfterValidator(partial(_visible_line, max_length=200)), WithJsonSchema(_line_schema(200))
]
Description = Annotated[
    str,
    StringConstraints(max_length=10_000),
    AfterValidator(_free_text),
    WithJsonSchema(
        {"type": "string", "maxLength": 10_000, "pattern": f"^[^{_CONTROL_EXCEPT_LINES}]*$"}
    ),
]
UtcDatetime = Annotated[
    datetime,
    BeforeValidator(_timestamp_text),
    AfterValidator(as_utc),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": _TIMESTAMP,
            "description": "RFC 3339 timestamp; without an offset it is read as UTC.",
            "examples": ["2026-11-24T17:00:00Z"],
        }
    ),
]
StatusList = Annotated[list[TaskStatus], BeforeValidator(_split_commas)]
PriorityList = Annotated[list[TaskPriority], BeforeValidator(_split_commas)]
# A task number is an INTEGER column: PostgreSQL's range, refused the same on SQLite.
MAX_TASK_NUMBER = 2**31 - 1
NumberList = Annotated[
    list[Annotated[int, Field(ge=1, le=MAX_TASK_NUMBER)]], BeforeValidator(_split_commas)
]
