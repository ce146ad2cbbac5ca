"""Due dates as typed, read against a fixed "now" in a fixed local zone (not UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from taskflow_cli.dates import as_api, due_phrase, exact_local, span
from taskflow_cli.due import UnreadableDate, parse_due

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
        ("yesterday 9am", paris(2026, 11, 24, 9, 0)),
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
        ("2026-12-01T17:00:00.250Z", datetime(2026, 12, 1, 17, 0, 0, 250000, tzinfo=UTC)),
        ("2026-12-01t17:00+0100", datetime(2026, 12, 1, 16, 0, tzinfo=UTC)),
        ("17:00", paris(2026, 11, 25, 17, 0)),
        ("9am", paris(2026, 11, 25, 9, 0)),
        ("at 9", paris(2026, 11, 25, 9, 0)),
        ("noon", paris(2026, 11, 25, 12, 0)),
        ("12am", paris(2026, 11, 25, 0, 0)),
        ("12pm", paris(2026, 11, 25, 12, 0)),
        ("tomorrow 5:30 pm", paris(2026, 11, 26, 17, 30)),
        ("Sunday 08:15:30", paris(2026, 11, 29, 8, 15, 30)),
        ("thurs", paris(2026, 11, 26, 23, 59, 59)),
        ("next week 9am", paris(2026, 12, 2, 9, 0)),
        ("in 30 minutes", paris(2026, 11, 25, 11, 0)),
        ("in 1 week", paris(2026, 12, 2, 23, 59, 59)),
        ("in 3d", paris(2026, 11, 28, 23, 59, 59)),
        ("25/12/2026", paris(2026, 12, 25, 23, 59, 59)),
        ("12/25/2026 18:00", paris(2026, 12, 25, 18, 0)),
        ("2026/12/11", paris(2026, 12, 11, 23, 59, 59)),
        ("3.3.2027", paris(2027, 3, 3, 23, 59, 59)),
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


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "someday maybe", "the 45th of Smarch", "friday 9", "2026-13-01",
        "2026-02-30", "25:00", "13pm", "0am", "in 3 fortnights", "in -3 days", "11/12/26",
        "9999-12-31T23:59:59-01:00", "32/12/2026", "next friday", "tomorrow tomorrow",
    ],
)  # fmt: skip
def test_unreadable_text_is_refused(text: str) -> None:
    with pytest.raises(UnreadableDate):
        parse_due(text, now=NOW)


@pytest.mark.parametrize("text", ["03/04/2027", "1.2.2027", "12-11-2027"])
def test_a_numeric_date_either_way_round_is_refused_saying_how_to_write_it(text: str) -> None:
    with pytest.raises(UnreadableDate) as refused:
        parse_due(text, now=NOW)

    message = str(refused.value)
    assert "date_order" in message
    assert message.count("20") >= 2  # both ISO spellings are offered


def test_the_configured_order_decides_a_numeric_date() -> None:
    assert parse_due("03/04/2027", now=NOW, date_order="DMY") == paris(2027, 4, 3, 23, 59, 59)
    assert parse_due("03/04/2027", now=NOW, date_order="MDY") == paris(2027, 3, 4, 23, 59, 59)
    with pytest.raises(UnreadableDate):
        parse_due("25/12/2027", now=NOW, date_order="MDY")


def test_the_echo_is_the_exact_local_date_and_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        assert exact_local(datetime(2026, 12, 11, 11, 30, tzinfo=UTC)) == (
            "Fri 2026-12-11 17:00 (local)"
        )
        assert exact_local(datetime(2026, 12, 11, 18, 29, 59, tzinfo=UTC)) == (
            "Fri 2026-12-11 23:59:59 (local)"
        )
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_api_gets_utc_with_z() -> None:
    assert as_api(paris(2026, 12, 1, 17, 0)) == "2026-12-01T16:00:00Z"


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
