"""Due dates as people type them: `tomorrow 17:00`, `friday`, `in 3 days`, `eod`.

Input is read in the local time zone and returned in UTC. A day named without a time means
the end of that day, so `--due friday` is overdue only once Friday is over. A numeric date
whose day and month could be either way round (`03/04/2027`) is refused unless the config
says which order is meant (`date_order = "DMY"` or `"MDY"`). Imported only by what reads
a date typed by a person.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

END_OF_DAY = time(23, 59, 59)
FRIDAY = 4
FORMS = (
    "2026-12-01, 2026-12-01 17:00, today, tomorrow 17:00, friday, monday 9am, in 3 days, "
    "in 2 hours, next week, eod, eow"
)
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
_RELATIVE_DAYS = {"yesterday": -1, "today": 0, "tomorrow": 1, "next week": 7}
_UNITS = {
    **dict.fromkeys(("min", "mins", "minute", "minutes"), timedelta(minutes=1)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), timedelta(hours=1)),
    **dict.fromkeys(("d", "day", "days"), timedelta(days=1)),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), timedelta(weeks=1)),
}
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(z|[+-]\d{2}:?\d{2})?)?"
)
_NUMERIC = re.compile(r"(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})")
_CLOCK = re.compile(r"(?:at )?(\d{1,2})(?::(\d{2})(?::(\d{2}))?)? ?(am|pm)?")
_IN = re.compile(r"in (\d{1,4}) ?([a-z]+)")


class UnreadableDate(ValueError):
    """The text names no date this parser reads; the message says what it takes."""


def parse_due(text: str, *, now: datetime | None = None, date_order: str | None = None) -> datetime:
    """The instant `text` names, in UTC.

    Args:
        text: an ISO date or date-time (an offset or `Z` is honoured), `yesterday`, `today`,
            `tomorrow`, a weekday, `next week`, each with an optional time (`17:00`, `9am`,
            `at 5pm`);
            `in 3 days`, `in 2 hours`; `eod` (end of today), `eow` (end of Friday); a time
            alone (today at that time); a numeric date such as `11/12/2026`.
        now: the moment to count from, timezone-aware; its zone is the local zone.
            Defaults to the current time in the system's zone.
        date_order: "DMY" or "MDY": how to read a numeric date whose day and month could
            be either way round; without it such a date is refused.

    Raises:
        UnreadableDate: nothing in `text` reads as a date, or it is ambiguous.
    """
    phrase = " ".join(text.lower().split())
    zone = now.tzinfo if now is not None else None
    local_now = now if now is not None else datetime.now().astimezone()
    today = local_now.date()
    try:
        if (iso := _ISO.fullmatch(phrase)) is not None:
            return _from_iso(iso, zone)
        if (span := _IN.fullmatch(phrase)) is not None:
            return _in(span, local_now, zone)
        if phrase in ("eod", "today"):
            return _to_utc(datetime.combine(today, END_OF_DAY), zone)
        if phrase == "eow":
            friday = today + timedelta(days=(FRIDAY - today.weekday()) % 7)
            return _to_utc(datetime.combine(friday, END_OF_DAY), zone)
        day_words, clock = _split_clock(phrase)
        day = _day(day_words, today, date_order) if day_words else today
        if day is None or (clock is None and not day_words):
            raise UnreadableDate(f"cannot read {text.strip()!r} as a date (try {FORMS})")
        return _to_utc(datetime.combine(day, clock or END_OF_DAY), zone)
    except (OverflowError, ValueError) as error:
        if isinstance(error, UnreadableDate):
            raise
        raise UnreadableDate(f"{text.strip()!r} is not a real date or time ({error})") from None


def _from_iso(match: re.Match[str], zone: tzinfo | None) -> datetime:
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    moment = date(int(year), int(month), int(day))
    if hour is None:
        return _to_utc(datetime.combine(moment, END_OF_DAY), zone)
    micro = int((fraction or ".0")[1:].ljust(6, "0"))
    clock = time(int(hour), int(minute), int(second or 0), micro)
    value = datetime.combine(moment, clock)
    if offset is not None:
        suffix = "+00:00" if offset == "z" else offset
        return datetime.fromisoformat(f"{value.isoformat()}{suffix}").astimezone(UTC)
    return _to_utc(value, zone)


def _in(match: re.Match[str], local_now: datetime, zone: tzinfo | None) -> datetime:
    count, word = int(match.group(1)), match.group(2)
    unit = _UNITS.get(word)
    if unit is None:
        raise UnreadableDate(
            f"cannot read {word!r} as a unit: use minutes, hours, days or weeks (in 3 days)"
        )
    if unit < timedelta(days=1):
        return (local_now + count * unit).astimezone(UTC)
    day = local_now.date() + count * unit
    return _to_utc(datetime.combine(day, END_OF_DAY), zone)


def _split_clock(phrase: str) -> tuple[str, time | None]:
    """`tomorrow at 5pm` -> (`tomorrow`, 17:00); a phrase without a time keeps it all."""
    if phrase in ("noon", "midday"):
        return "", time(12)
    words = phrase.split(" ")
    for size in (3, 2, 1):  # `at 5 pm`, `5 pm`, `17:00`
        if len(words) < size:
            continue
        tail = " ".join(words[-size:])
        if tail in ("noon", "at noon"):
            return " ".join(words[:-size]), time(12)
        match = _CLOCK.fullmatch(tail)
        if match is None or not _looks_like_a_time(tail, match):
            continue
        return " ".join(words[:-size]), _clock(match, tail)
    return phrase, None


def _looks_like_a_time(tail: str, match: re.Match[str]) -> bool:
    # A bare number (`friday 9`) is not a time; `9am`, `9:30` and `at 9` are.
    return match.group(2) is not None or match.group(4) is not None or tail.startswith("at ")


def _clock(match: re.Match[str], tail: str) -> time:
    hour, minute, second, half = match.groups()
    hours = int(hour)
    if half is not None:
        if not 1 <= hours <= 12:
            raise UnreadableDate(f"{tail!r}: with am/pm the hour is 1 to 12")
        hours = hours % 12 + (12 if half == "pm" else 0)
    return time(hours, int(minute or 0), int(second or 0))


def _day(words: str, today: date, date_order: str | None) -> date | None:
    if words in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[words])
    if words in WEEKDAYS:
        # The next such day, never today: on a Wednesday, `wednesday` is a week away.
        return today + timedelta(days=(WEEKDAYS[words] - today.weekday() - 1) % 7 + 1)
    if (iso := _ISO.fullmatch(words)) is not None and iso.group(4) is None:
        return date(*(int(part) for part in iso.groups()[:3]))
    if (numeric := _NUMERIC.fullmatch(words)) is not None:
        return _numeric_date(numeric, date_order)
    return None


def _numeric_date(match: re.Match[str], date_order: str | None) -> date:
    first, _, second, third = match.groups()
    if len(first) == 4:  # 2026/12/11: the year first is always year, month, day
        return date(int(first), int(second), int(third))
    if len(third) != 4:
        raise UnreadableDate(
            f"{match.group(0)!r}: write the year in full (e.g. {first}/{second}/20{third[-2:]}),"
            " or use an ISO date such as 2026-12-11"
        )
    a, b, year = int(first), int(second), int(third)
    if date_order == "DMY" or (date_order is None and a > 12 >= b):
        return date(year, b, a)
    if date_order == "MDY" or (date_order is None and b > 12 >= a) or a == b:
        return date(year, a, b)
    day_first, month_first = date(year, b, a), date(year, a, b)
    raise UnreadableDate(
        f"{match.group(0)!r} could be {day_first.day} {day_first:%B} or {month_first:%B} "
        f"{month_first.day}: write it as "
        f'{day_first.isoformat()} or {month_first.isoformat()}, or set date_order = "DMY" '
        '(or "MDY") in config.toml'
    )


def _to_utc(value: datetime, zone: tzinfo | None) -> datetime:
    if value.tzinfo is None:
        # With no zone given, astimezone() applies the system's rules for that date, so a
        # date across a daylight-saving change gets its own offset.
        value = value.replace(tzinfo=zone) if zone is not None else value.astimezone()
    return value.astimezone(UTC)
