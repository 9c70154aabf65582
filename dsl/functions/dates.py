"""Date builtins: parsing, formatting, time zones and Exact Online's ``/Date(ms)/`` form.

A value is a ``date`` (a calendar day) or a ``datetime`` (a moment, with or without a UTC
offset). Without a format, ``parse_date`` reads ISO 8601 (``2024-05-03``,
``2024-05-03T10:00:00Z``), the German ``03.05.2024`` (optionally with ``14:30``) and
``/Date(1700000000000)/``. A datetime without an offset is taken as UTC wherever a moment is
needed (``to_exact_date``, ``to_timezone``). ``now`` and ``today`` read the clock (UTC), so
a script using them gives different results on different days.
"""

from __future__ import annotations

import datetime as _dt
import re
import zoneinfo
from typing import Any

from mapwright.dsl.functions.arguments import fail, got, require_int, require_text
from mapwright.dsl.functions.registry import builtin
from mapwright.dsl.values import MISSING, is_absent

UTC = _dt.UTC
EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)
MAX_FORMAT = 200
_EXACT = re.compile(r"/Date\((-?\d{1,15})([+-]\d{4})?\)/")
_GERMAN = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_TIME_DIRECTIVES = re.compile(r"%[-#]?[HIMSfpzXcTRr]")


def _moment(value: _dt.date) -> _dt.datetime:
    """A date or datetime as an aware UTC datetime (dates at midnight, naive taken as UTC)."""
    if not isinstance(value, _dt.datetime):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _from_exact(function: str, match: re.Match[str]) -> _dt.datetime:
    try:
        return EPOCH + _dt.timedelta(milliseconds=int(match.group(1)))
    except OverflowError:
        fail(function, f"{match.group(0)!r} is outside the supported years 1-9999")


_EPOCH_DAY = EPOCH.date().toordinal()
_LAST_DAY = _dt.date.max.toordinal()
_MS_PER_DAY = 86_400_000


def _exact_day(text: str) -> _dt.date | None:
    """The day of ``/Date(ms)/`` text (starting with ``/Date(``) exactly as written, without
    making the datetime first; None when it is not that or its day is outside 1-9999."""
    body = text[6:-2] if text.endswith(")/") else ""  # after "/Date(", before ")/"
    digits = body[1:] if body[:1] == "-" else body
    if 0 < len(digits) <= 15 and digits.isdecimal():  # what _EXACT matches without offset
        milliseconds = int(body)
    else:
        exact = _EXACT.fullmatch(text)
        if exact is None:
            return None
        milliseconds = int(exact.group(1))
    day = _EPOCH_DAY + milliseconds // _MS_PER_DAY
    return _dt.date.fromordinal(day) if 1 <= day <= _LAST_DAY else None


def _iso(text: str) -> Any:
    """ISO text exactly as written (``2024-05-03``, ``2024-05-03T10:00:00Z``): what ``_read``
    gives for it (German and ``/Date(ms)/`` text has no ``-`` at index 4); None otherwise."""
    if text[4:5] != "-" or text[0].isspace() or text[-1].isspace():
        return None
    try:
        return _dt.date.fromisoformat(text) if len(text) == 10 else _dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _read(function: str, value: Any, fmt: Any = MISSING) -> Any:
    """Parse ``value`` into a date/datetime; absent and blank text come back absent."""
    if type(value) is str and fmt is MISSING:  # the common forms first, as written
        if value.startswith("/Date("):
            exact = _EXACT.fullmatch(value)
            if exact is not None:
                return _from_exact(function, exact)
        else:
            quick = _iso(value)
            if quick is not None:
                return quick
    return _parse(function, value, fmt)


def _parse(function: str, value: Any, fmt: Any = MISSING) -> Any:
    if is_absent(value):
        return value
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        fail(function, f"'value' must be a date or a text such as \"2024-05-03\", got {got(value)}")
    text = value.strip()
    if not text:
        return None
    if not is_absent(fmt):
        pattern = require_text(function, "format", fmt)
        if len(pattern) > MAX_FORMAT:
            fail(function, f"the format is longer than {MAX_FORMAT} characters")
        try:
            parsed = _dt.datetime.strptime(text, pattern)
        except ValueError:
            fail(function, f"{text!r} does not match the format {pattern!r}")
        return parsed if _TIME_DIRECTIVES.search(pattern) else parsed.date()
    exact = _EXACT.fullmatch(text)
    if exact:
        return _from_exact(function, exact)
    german = _GERMAN.fullmatch(text)
    try:
        if german:
            day, month, year, hour, minute, second = german.groups()
            if hour is None:
                return _dt.date(int(year), int(month), int(day))
            return _dt.datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
            )
        if len(text) == 10:
            return _dt.date.fromisoformat(text)
        return _dt.datetime.fromisoformat(text)
    except ValueError:
        fail(
            function,
            f"{text!r} is not a date; expected 2024-05-03, 2024-05-03T10:00:00, 03.05.2024 or "
            '/Date(ms)/, or give a format such as "%d/%m/%Y"',
        )


@builtin(
    category="dates",
    examples=[
        ('parse_date("2024-05-03")', "2024-05-03"),
        ('parse_date("03.05.2024")', "2024-05-03"),
        ('parse_date("2024-05-03T10:15:00Z")', "2024-05-03T10:15:00+00:00"),
        ('parse_date("05/03/2024 14:30", "%m/%d/%Y %H:%M")', "2024-05-03T14:30:00"),
        ('parse_date("")', None),
    ],
)
def parse_date(text: Any, format: Any = MISSING) -> Any:
    """Read a date or datetime from text, in ISO 8601 or German form, or with a given format.

    ``format`` uses strftime codes (``%d.%m.%Y``, ``%Y%m%d``, ``%d/%m/%Y %H:%M``); a format
    with time codes gives a datetime, otherwise a date. Blank text gives null.
    """
    return _read("parse_date", text, format)


@builtin(
    category="dates",
    examples=[
        ('format_date("2024-05-03", "%d.%m.%Y")', "03.05.2024"),
        ('format_date("2024-05-03T14:30:00", "%Y%m%d-%H%M")', "20240503-1430"),
        ('format_date(null, "%Y")', None),
    ],
)
def format_date(value: Any, format: Any) -> Any:
    """Write a date or datetime as text using strftime codes (``%d.%m.%Y``, ``%Y-%m-%d``...)."""
    parsed = _read("format_date", value)
    if is_absent(parsed):
        return parsed
    pattern = require_text("format_date", "format", format)
    if len(pattern) > MAX_FORMAT:
        fail("format_date", f"the format is longer than {MAX_FORMAT} characters")
    return parsed.strftime(pattern)


@builtin(
    category="dates",
    examples=[
        ('to_exact_date("2023-11-14T22:13:20Z")', "/Date(1700000000000)/"),
        ('to_exact_date("2024-01-01")', "/Date(1704067200000)/"),
        ('to_exact_date("2024-01-01T01:00:00+01:00")', "/Date(1704067200000)/"),
    ],
)
def to_exact_date(value: Any) -> Any:
    """Write a date or datetime in Exact Online's form ``/Date(ms)/`` (ms since 1970, UTC).

    A date means midnight UTC of that day; a datetime without offset is taken as UTC.
    """
    parsed = _read("to_exact_date", value)
    if is_absent(parsed):
        return parsed
    delta = _moment(parsed) - EPOCH
    milliseconds = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    return f"/Date({milliseconds})/"


@builtin(
    category="dates",
    examples=[
        ('from_exact_date("/Date(1700000000000)/")', "2023-11-14T22:13:20+00:00"),
        ('from_exact_date("/Date(1700000000000+0100)/")', "2023-11-14T22:13:20+00:00"),
        ('from_exact_date("/Date(-86400000)/")', "1969-12-31T00:00:00+00:00"),
    ],
)
def from_exact_date(text: Any) -> Any:
    """Read Exact Online's ``/Date(ms)/`` into a UTC datetime.

    The milliseconds count from 1970-01-01 UTC; a suffix like ``+0100`` only names the
    sender's zone and does not move the moment. ISO text is accepted too (taken as UTC).
    """
    parsed = _read("from_exact_date", text)
    if is_absent(parsed):
        return parsed
    return _moment(parsed)


@builtin(
    category="dates",
    examples=[
        ('date("2024-05-03T23:30:00")', "2024-05-03"),
        ('date("/Date(1700000000000)/")', "2023-11-14"),
        ('date("03.05.2024")', "2024-05-03"),
    ],
)
def date(value: Any) -> Any:
    """The calendar day of a date, datetime, ISO/German text or ``/Date(ms)/``.

    A datetime keeps its own offset's day; use ``date(to_timezone(x, "Europe/Berlin"))``
    for the day in another zone.
    """
    if type(value) is str:
        day = _exact_day(value) if value.startswith("/Date(") else _iso(value)
        if day is not None:
            return day.date() if type(day) is _dt.datetime else day
    return _date(_read("date", value))


def _date(parsed: Any) -> Any:
    if isinstance(parsed, _dt.datetime):
        return parsed.date()
    return parsed


@builtin(
    category="dates",
    examples=[
        ('to_timezone("2024-05-03T10:00:00Z", "Europe/Berlin")', "2024-05-03T12:00:00+02:00"),
        ('to_timezone("2024-01-15T10:00:00", "Europe/Amsterdam")', "2024-01-15T11:00:00+01:00"),
        ('to_timezone("2024-05-03T12:00:00+02:00", "UTC")', "2024-05-03T10:00:00+00:00"),
    ],
)
def to_timezone(value: Any, zone: Any) -> Any:
    """The same moment in another time zone (IANA names like ``"Europe/Berlin"``).

    A datetime without offset is taken as UTC. Daylight saving time is applied.
    """
    parsed = _read("to_timezone", value)
    if is_absent(parsed):
        return parsed
    if not isinstance(parsed, _dt.datetime):
        fail("to_timezone", f"needs a date with a time, got {got(value)}")
    name = require_text("to_timezone", "zone", zone).strip()
    try:
        tz = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        fail("to_timezone", f'unknown time zone {name!r}; use an IANA name such as "Europe/Berlin"')
    return _moment(parsed).astimezone(tz)


@builtin(
    category="dates",
    examples=[
        ('add_days("2024-02-27", 3)', "2024-03-01"),
        ('add_days("2024-05-03T10:00:00", -1)', "2024-05-02T10:00:00"),
    ],
)
def add_days(value: Any, days: Any) -> Any:
    """A date or datetime moved by a whole number of days (negative: earlier), e.g. a due date."""
    parsed = _read("add_days", value)
    if is_absent(parsed):
        return parsed
    count = require_int("add_days", "days", days, low=-3_650_000, high=3_650_000)
    try:
        return parsed + _dt.timedelta(days=count)
    except OverflowError:
        fail("add_days", f"moving {parsed.isoformat()} by {count} days leaves the years 1-9999")


@builtin(
    category="dates",
    examples=[
        ('format_date(now(), "%z")', "+0000"),
        ('length(format_date(now(), "%Y-%m-%d %H:%M"))', 16),
    ],
)
def now() -> _dt.datetime:
    """The current moment in UTC; reads the clock, so results differ from run to run."""
    return _dt.datetime.now(UTC)


@builtin(
    category="dates",
    examples=[("length(text(today()))", 10), ('starts_with(text(today()), "20")', True)],
)
def today() -> _dt.date:
    """Today's date in UTC; reads the clock, so results differ from day to day."""
    return _dt.datetime.now(UTC).date()
