"""Field types for the wire schemas: the validation rules and their documented JSON schema.

Each documented pattern says exactly what validation accepts (the OpenAPI document is fuzzed
against it). Every text field refuses what no database column can hold and UTF-8 cannot
encode (NUL, lone surrogates), so such input is a 422 naming the field, never a 500. Text
that other people read in a terminal (titles, names) may not carry control characters: an
ANSI escape in a title would otherwise run in an admin's terminal.
"""

from __future__ import annotations

import gzip
import re
from datetime import datetime
from functools import cache, partial
from importlib import resources
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from taskflow_core.domain.clock import as_utc
from taskflow_core.domain.enums import TaskPriority, TaskStatus

# PostgreSQL's `integer`, the columns' type: numbers past it are refused on SQLite (64-bit) too.
MAX_INT = 2**31 - 1

_CONTROL = "\\u0000-\\u001f\\u007f-\\u009f"
_CONTROL_EXCEPT_LINES = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
# Python's str.isspace() and JSON Schema's \s differ (U+FEFF): trim what either calls space.
_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_SPACE_CLASS = "".join(f"\\u{ord(char):04x}" for char in _SPACE)
_CONTROL_CHARS = re.compile(f"[{_CONTROL}]")
_CONTROL_CHARS_EXCEPT_LINES = re.compile(f"[{_CONTROL_EXCEPT_LINES}]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# The WHATWG (HTML) address syntax, plus a dot in the domain to catch "me@gmail" typos.
_EMAIL_CORE = (
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
_EMAIL_SHAPE = re.compile(f"^{_EMAIL_CORE}$")
_EMAIL_PADDING = " \t\r\n"
MAX_EMAIL = 254


def _storable(value: str) -> str:
    if _UNSTORABLE.search(value):
        raise ValueError("must not contain NUL or unpaired surrogate characters")
    return value


def _normalise_email(value: str) -> str:
    value = value.strip(_EMAIL_PADDING).lower()
    if len(value) > MAX_EMAIL:
        raise ValueError(f"must be at most {MAX_EMAIL} characters")
    if not _EMAIL_SHAPE.match(value):
        raise ValueError("must be a valid email address")
    return value


def _visible_line(value: str, *, max_length: int) -> str:
    """One line of visible text: trimmed first, then 1..max_length characters checked."""
    value = value.strip(_SPACE)
    if not value:
        raise ValueError("must not be blank")
    if len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters (after trimming)")
    if _CONTROL_CHARS.search(value):
        raise ValueError("must not contain control characters")
    return value


def _line_schema(max_length: int) -> dict[str, Any]:
    # Any padding of whitespace, then 1..max_length characters that start and end visible.
    visible = f"[^{_SPACE_CLASS}{_CONTROL}]"
    inner = f"(?:[^{_CONTROL}]{{0,{max_length - 2}}}{visible})?"
    pattern = f"^[{_SPACE_CLASS}]*{visible}{inner}[{_SPACE_CLASS}]*$"
    description = (
        f"Trimmed first (whitespace at both ends), then 1..{max_length} characters with no "
        "control characters."
    )
    return {"type": "string", "pattern": pattern, "description": description}


def _free_text(value: str) -> str:
    """Text where line breaks and tabs are fine and other control characters are not."""
    if _CONTROL_CHARS_EXCEPT_LINES.search(value):
        raise ValueError("must not contain control characters other than newlines and tabs")
    return value


@cache
def _common_passwords() -> frozenset[str]:
    # Read on the first password checked, so nothing that never checks one pays for it.
    data = resources.files("taskflow_core.data").joinpath("common-passwords.txt.gz")
    with gzip.open(data.open("rb"), "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines)


def _strong_password(value: str) -> str:
    """Refuse the passwords an attacker tries first."""
    if not value.strip():
        raise ValueError("must not be blank")
    if len(set(value)) == 1:
        raise ValueError("must not be one character repeated")
    if value.strip().lower() in _common_passwords():
        raise ValueError("is too common: it is on lists of breached passwords")
    return value


def _not_the_email(value: str, info: ValidationInfo) -> str:
    """Refuse the email address (or the part before its @) sent in the same body.

    Models declare `email` before `password`, so it is validated (and normalised) first.
    """
    email = (info.data or {}).get("email")
    if isinstance(email, str) and value.strip().lower() in (email, email.split("@", 1)[0]):
        raise ValueError("must not be your email address or its local part")
    return value


# RFC 3339, except that the offset may be left out (the time is then read as UTC).
_TIMESTAMP_TEMPLATE = (
    r"^{year}-\d{{2}}-\d{{2}}[Tt]\d{{2}}:\d{{2}}(:\d{{2}}(\.\d{{1,6}})?)?"
    r"([Zz]|[+-]\d{{2}}:?\d{{2}})?$"
)
_TIMESTAMP_SHAPE = re.compile(_TIMESTAMP_TEMPLATE.format(year=r"\d{4}"))
# Years 0002..9998 as written: the instant then converts to UTC, and to any client's time
# zone, without overflowing (0001-01-01T00:30+01:00 was a 500).
FIRST_YEAR, LAST_YEAR = 2, 9998
_YEARS = r"(000[2-9]|00[1-9]\d|0[1-9]\d\d|[1-8]\d{3}|9[0-8]\d\d|99[0-8]\d|999[0-8])"
_TIMESTAMP = _TIMESTAMP_TEMPLATE.format(year=_YEARS)
_OUT_OF_RANGE = f"must be in the years {FIRST_YEAR:04d} to {LAST_YEAR}"


def _timestamp_text(value: object) -> object:
    """Refuse what lax parsing would otherwise take as a Unix time (`0`, `"0.5"`).

    The error's type ends in `_parsing`: in a query string that makes it a 400 (unreadable).
    """
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _TIMESTAMP_SHAPE.match(value):
        raise PydanticCustomError(
            "timestamp_parsing", "must be an RFC 3339 timestamp such as 2026-11-24T17:00:00Z"
        )
    return value


def _in_utc(value: datetime) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(_OUT_OF_RANGE)
    return as_utc(value)


def _split_commas(value: object) -> object:
    """Accept `status=A,B` as well as `status=A&status=B`."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [part.strip() for item in value for part in str(item).split(",") if part.strip()]
    return value


Text = Annotated[str, AfterValidator(_storable)]
Email = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(_normalise_email),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": MAX_EMAIL,
            "pattern": f"^[ \\t\\r\\n]*{_EMAIL_CORE}[ \\t\\r\\n]*$",
            "description": "Trimmed and lower-cased; must be unique.",
        }
    ),
]
Password = Annotated[
    str,
    StringConstraints(min_length=8, max_length=128),
    AfterValidator(_storable),
    AfterValidator(_strong_password),
    AfterValidator(_not_the_email),
    Field(
        description="8..128 characters; not blank, not one character repeated, not the email "
        "address or its local part, not a commonly breached password (422 naming `password`)."
    ),
]
# What a client sends to prove who it is (a login's password, a refresh token): any text.
Secret = Annotated[str, StringConstraints(min_length=1, max_length=128), AfterValidator(_storable)]
# At most 200 characters as sent (as documented), then trimmed.
SearchText = Annotated[
    str,
    StringConstraints(max_length=200),
    AfterValidator(_storable),
    AfterValidator(str.strip),
    Field(description="Case-insensitive substring; no NUL."),
]
PersonName = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(partial(_visible_line, max_length=100)),
    WithJsonSchema(_line_schema(100)),
]
Title = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(partial(_visible_line, max_length=200)),
    WithJsonSchema(_line_schema(200)),
]
# A project's or a label's name: one visible line, compared with others in case-folded form.
ItemName = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(partial(_visible_line, max_length=100)),
    WithJsonSchema(_line_schema(100)),
]


def name_key(name: str) -> str:
    """The form in which names are compared: case-folded (`Home` and `HOME` are one name)."""
    return name.casefold()


def _unique_names(names: list[str]) -> list[str]:
    """The names in order, each once: a later spelling of an earlier name is dropped."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name_key(name), name)
    return list(seen.values())


# Labels of one task or one change: each once (in any case), in the order given.
MAX_TASK_LABELS = 50
LabelNames = Annotated[
    list[ItemName],
    Field(max_length=MAX_TASK_LABELS),
    AfterValidator(_unique_names),
]
Colour = Annotated[
    str,
    StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$"),
    AfterValidator(str.lower),
    Field(description="`#rrggbb`, stored in lower case.", examples=["#1e90ff"]),
]
Description = Annotated[
    str,
    StringConstraints(max_length=10_000),
    AfterValidator(_storable),
    AfterValidator(_free_text),
    WithJsonSchema(
        {"type": "string", "maxLength": 10_000, "pattern": f"^[^{_CONTROL_EXCEPT_LINES}]*$"}
    ),
]
UtcDatetime = Annotated[
    datetime,
    BeforeValidator(_timestamp_text),
    AfterValidator(_in_utc),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": _TIMESTAMP,
            "description": "RFC 3339 timestamp in the years 0002 to 9998; without an offset "
            "it is read as UTC.",
            "examples": ["2026-11-24T17:00:00Z"],
        }
    ),
]
StatusList = Annotated[list[TaskStatus], BeforeValidator(_split_commas)]
NumberList = Annotated[
    list[Annotated[int, Field(ge=1, le=MAX_INT)]], BeforeValidator(_split_commas)
]
PriorityList = Annotated[list[TaskPriority], BeforeValidator(_split_commas)]
