"""Due dates as typed, read against a fixed "now" in a fixed local zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from taskflow_cli.dates import UnreadableDate, due_phrase, parse_due, span

PARIS = ZoneInfo("Europe/Paris")
# Wednesday 25 November 2026, 10:30 in Paris (09:30 UTC).
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=PARIS)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", paris(2026, 12, 1, 23, 59, 59)),
        ("2026-12-01T17:00", paris(2026, 12, 1, 17, 0)),
        ("2026-12-01 17:00", paris(2026, 12, 1, 17, 0)),
        ("2026-12-01T17:00:00Z", datetime(2026, 12, 1, 17, 0, tzinfo=UTC)),
        ("2026-12-01T17:00:00+05:00", datetime(2026, 12, 1, 12, 0, tzinfo=UTC)),
        ("today", paris(2026, 11, 25, 23, 59, 59)),
        ("today 18:00", paris(2026, 11, 25, 18, 0)),
        ("tomorrow", paris(2026, 11, 26, 23, 59, 59)),
        ("tomorrow 17:00", paris(2026, 11, 26, 17, 0)),
        ("Tomorrow at 5pm", paris(2026, 11, 26, 17, 0)),
        ("friday", paris(2026, 11, 27, 23, 59, 59)),
        ("fri", paris(2026, 11, 27, 23, 59, 59)),
        ("monday 9:00", paris(2026, 11, 30, 9, 0)),
        ("wednesday", paris(2026, 12, 2, 23, 59, 59)),  # today is Wednesday: next week's
        ("in 3 days", paris(2026, 11, 28, 23, 59, 59)),
        ("in 2 hours", paris(2026, 11, 25, 12, 30)),
        ("next week", paris(2026, 12, 2, 23, 59, 59)),
        ("eod", paris(2026, 11, 25, 23, 59, 59)),
        ("EOW", paris(2026, 11, 27, 23, 59, 59)),
    ],
)
def test_phrases_are_read_in_the_local_zone_and_returned_in_utc(
    text: str, expected: datetime
) -> None:
    parsed = parse_due(text, now=NOW)

    assert parsed == expected
    assert parsed.tzinfo == UTC


def test_end_of_week_on_a_weekend_is_next_friday() -> None:
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=PARIS)

    assert parse_due("eow", now=saturday) == paris(2026, 12, 4, 23, 59, 59)


def test_daylight_saving_is_that_date_s_own_offset() -> None:
    # Paris is UTC+1 in November and UTC+2 in June.
    assert parse_due("2027-06-01 12:00", now=NOW) == datetime(2027, 6, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "   ", "someday maybe", "the 45th of Smarch"])
def test_unreadable_text_is_refused(text: str) -> None:
    with pytest.raises(UnreadableDate):
        parse_due(text, now=NOW)


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=30), "<1 min"),
        (timedelta(minutes=25), "25 min"),
        (timedelta(hours=3, minutes=59), "3 h"),
        (timedelta(hours=47), "47 h"),
        (timedelta(days=2, hours=5), "2 days"),
        (timedelta(days=20), "2 weeks"),
        (timedelta(days=100), "3 months"),
        (timedelta(days=400), "1 year"),
        (timedelta(days=800), "2 years"),
    ],
)
def test_spans_read_in_the_largest_sensible_unit(delta: timedelta, expected: str) -> None:
    assert span(delta) == expected


def test_due_phrases_say_in_overdue_or_ago() -> None:
    now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)

    assert due_phrase(now + timedelta(days=2, hours=1), now=now) == "in 2 days"
    assert due_phrase(now - timedelta(hours=3, minutes=5), now=now) == "3 h overdue"
    assert due_phrase(now - timedelta(days=3), now=now, completed=True) == "3 days ago"
