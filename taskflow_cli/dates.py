"""Due dates as people type them (`tomorrow 17:00`, `friday`, `in 3 days`, `eod`) and as
they read them back (`in 2 days`, `3 h overdue`).

Input is read in the local timezone and returned in UTC. A day named without a time means
the end of that day, so `--due friday` is overdue only once Friday is over.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, tzinfo

END_OF_DAY = time(23, 59, 59)
FRIDAY = 4
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPANS = (
    (timedelta(days=365), "year", "years"),
    (timedelta(days=60), "month", "months"),
    (timedelta(days=14), "week", "weeks"),
    (timedelta(days=2), "day", "days"),
    (timedelta(hours=1), "h", "h"),
    (timedelta(minutes=1), "min", "min"),
)
_SPAN_UNITS = {
    "year": timedelta(days=365),
    "month": timedelta(days=30),
    "week": timedelta(days=7),
    "day": timedelta(days=1),
    "h": timedelta(hours=1),
    "min": timedelta(minutes=1),
}


class UnreadableDate(ValueError):
    """The text names no date we can read."""


def parse_due(text: str, *, now: datetime | None = None) -> datetime:
    """The instant `text` names, in UTC.

    Args:
        text: an ISO date or datetime, `today`, `tomorrow`, a weekday, `in 3 days`,
            `next week`, `eod` (end of today), `eow` (end of Friday), each with an optional
            time (`tomorrow 17:00`, `friday 9am`).
        now: the moment to count from, timezone-aware; its zone is the local zone.
            Defaults to the current time in the system's zone.

    Raises:
        UnreadableDate: when nothing in `text` reads as a date.
    """
    phrase = " ".join(text.lower().split())
    if not phrase:
        raise UnreadableDate("empty date")
    zone = now.tzinfo if now is not None else None
    local_now = now if now is not None else datetime.now().astimezone()
    today = local_now.replace(tzinfo=None)
    if phrase in ("eod", "today"):
        return _to_utc(datetime.combine(today.date(), END_OF_DAY), zone)
    if phrase == "eow":
        days_to_friday = (FRIDAY - today.weekday()) % 7
        friday = today.date() + timedelta(days=days_to_friday)
        return _to_utc(datetime.combine(friday, END_OF_DAY), zone)
    iso = _parse_iso(phrase)
    if iso is not None:
        return _to_utc(iso, zone)
    return _to_utc(_parse_words(phrase, today), zone)


def _parse_iso(phrase: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(phrase.upper())
    except ValueError:
        return None
    if _ISO_DATE.match(phrase):
        return datetime.combine(value.date(), END_OF_DAY)
    return value


def _parse_words(phrase: str, today: datetime) -> datetime:
    # dateparser loads its language data on import (tens of milliseconds): only here.
    from dateparser.date import DateDataParser

    parser = DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": today,
            "PREFER_DATES_FROM": "future",
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    found = parser.get_date_data(phrase)
    if found.date_obj is None:
        raise UnreadableDate(f"cannot read {phrase!r} as a date")
    value: datetime = found.date_obj
    if found.period != "time":
        value = datetime.combine(value.date(), END_OF_DAY, tzinfo=value.tzinfo)
    return value


def _to_utc(value: datetime, zone: tzinfo | None) -> datetime:
    if value.tzinfo is None:
        # With no zone given, astimezone() applies the system's rules for that date, so a
        # date across a daylight-saving change gets its own offset.
        value = value.replace(tzinfo=zone) if zone is not None else value.astimezone()
    return value.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """A timestamp from the API (RFC 3339, UTC)."""
    return datetime.fromisoformat(text)


def span(delta: timedelta) -> str:
    """`3 h`, `2 days`, `5 weeks`: the size of `delta`, rounded down to a readable unit."""
    size = abs(delta)
    for threshold, one, many in _SPANS:
        if size >= threshold:
            count = size // _SPAN_UNITS[one]
            return f"{count} {one if count == 1 else many}"
    return "<1 min"


def due_phrase(due: datetime, *, now: datetime, completed: bool = False) -> str:
    """`in 2 days`, `3 h overdue`, or for completed tasks `2 days ago`."""
    if due >= now:
        return f"in {span(due - now)}"
    return f"{span(now - due)} ago" if completed else f"{span(now - due)} overdue"


def is_overdue(due: datetime | None, *, now: datetime, completed: bool) -> bool:
    return due is not None and not completed and due < now


def local_text(instant: datetime) -> str:
    """`Fri 27 Nov 2026 17:00` in the local timezone."""
    return instant.astimezone().strftime("%a %d %b %Y %H:%M")
