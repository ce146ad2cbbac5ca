"""Dates and times as people read them: `Fri 2026-12-11 17:00 (local)`, `in 2 days`,
`3 h overdue`; and the API's timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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


def as_api(instant: datetime) -> str:
    """The RFC 3339 UTC timestamp the API takes: `2026-12-11T16:00:00Z`."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_instant(text: str) -> datetime:
    """A timestamp from the API (RFC 3339, UTC)."""
    return datetime.fromisoformat(text)


def exact_local(instant: datetime) -> str:
    """`Fri 2026-12-11 17:00 (local)`: the exact local date and time, seconds when not 0."""
    local = instant.astimezone()
    return local.strftime("%a %Y-%m-%d %H:%M:%S" if local.second else "%a %Y-%m-%d %H:%M") + (
        " (local)"
    )


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
