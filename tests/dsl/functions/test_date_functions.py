"""Date builtins: parsing, formatting, Exact's /Date(ms)/, time zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mapwright.dsl.errors import MappingValueError
from mapwright.dsl.functions import dates as d
from mapwright.dsl.values import MISSING

UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-03", dt.date(2024, 5, 3)),
        ("03.05.2024", dt.date(2024, 5, 3)),
        ("3.5.2024", dt.date(2024, 5, 3)),
        ("03.05.2024 14:30", dt.datetime(2024, 5, 3, 14, 30)),
        ("2024-05-03T10:15:00", dt.datetime(2024, 5, 3, 10, 15)),
        ("2024-05-03T10:15:00Z", dt.datetime(2024, 5, 3, 10, 15, tzinfo=UTC)),
        ("/Date(1700000000000)/", dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
    ],
)
def test_parse_date_reads_iso_german_and_exact_forms(text: str, expected: dt.date) -> None:
    result = d.parse_date(text)
    assert result == expected and type(result) is type(expected)


def test_parse_date_with_a_format_gives_a_date_unless_it_has_time_codes() -> None:
    assert d.parse_date("20240503", "%Y%m%d") == dt.date(2024, 5, 3)
    assert d.parse_date("05/03/2024 14:30", "%m/%d/%Y %H:%M") == dt.datetime(2024, 5, 3, 14, 30)


def test_parse_date_names_the_format_that_did_not_match() -> None:
    with pytest.raises(
        MappingValueError, match=r"'2024-05-03' does not match the format '%d.%m.%Y'"
    ):
        d.parse_date("2024-05-03", "%d.%m.%Y")


@pytest.mark.parametrize("text", ["05/03/2024", "31.02.2024", "yesterday"])
def test_parse_date_without_format_refuses_other_forms_and_suggests_a_format(text: str) -> None:
    with pytest.raises(MappingValueError, match="give a format"):
        d.parse_date(text)


def test_parse_date_keeps_absent_and_gives_null_for_blank() -> None:
    assert d.parse_date(MISSING) is MISSING
    assert d.parse_date(" ") is None


def test_format_date_uses_strftime_codes() -> None:
    assert d.format_date(dt.date(2024, 5, 3), "%d.%m.%Y") == "03.05.2024"
    assert d.format_date("2024-05-03T14:30:00", "%H:%M") == "14:30"


def test_format_date_caps_the_format_length() -> None:
    with pytest.raises(MappingValueError, match="longer than 200"):
        d.format_date("2024-05-03", "%Y" * 101)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2024, 1, 1), "/Date(1704067200000)/"),
        (dt.datetime(2024, 1, 1, 1, tzinfo=ZoneInfo("Europe/Berlin")), "/Date(1704067200000)/"),
        (dt.datetime(2023, 11, 14, 22, 13, 20, 123456), "/Date(1700000000123)/"),
        (dt.date(1969, 12, 31), "/Date(-86400000)/"),
    ],
)
def test_to_exact_date_counts_milliseconds_since_1970_utc(value: dt.date, expected: str) -> None:
    assert d.to_exact_date(value) == expected


def test_from_exact_date_ignores_the_zone_suffix_for_the_moment() -> None:
    plain = d.from_exact_date("/Date(1700000000000)/")
    with_zone = d.from_exact_date("/Date(1700000000000+0100)/")
    assert plain == with_zone == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert with_zone.utcoffset() == dt.timedelta(0)


def test_from_exact_date_refuses_moments_outside_the_calendar() -> None:
    with pytest.raises(MappingValueError, match="outside the supported years"):
        d.from_exact_date("/Date(999999999999999)/")


moments = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(UTC)
).map(lambda m: m.replace(microsecond=m.microsecond // 1000 * 1000))


@settings(deadline=None)
@given(moments)
def test_exact_date_round_trip_keeps_the_moment_to_the_millisecond(moment: dt.datetime) -> None:
    assert d.from_exact_date(d.to_exact_date(moment)) == moment


def test_date_takes_the_day_of_a_datetime_in_its_own_offset() -> None:
    assert d.date("2024-05-03T23:30:00-02:00") == dt.date(2024, 5, 3)
    assert d.date(d.to_timezone("2024-05-03T23:30:00Z", "Europe/Berlin")) == dt.date(2024, 5, 4)


def test_to_timezone_applies_daylight_saving_time() -> None:
    assert d.to_timezone("2024-01-15T10:00:00Z", "Europe/Berlin").utcoffset() == dt.timedelta(
        hours=1
    )
    assert d.to_timezone("2024-07-15T10:00:00Z", "Europe/Berlin").utcoffset() == dt.timedelta(
        hours=2
    )


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", ""])
def test_to_timezone_refuses_unknown_zones(zone: str) -> None:
    with pytest.raises(MappingValueError, match="unknown time zone"):
        d.to_timezone("2024-01-15T10:00:00Z", zone)


def test_to_timezone_needs_a_time() -> None:
    with pytest.raises(MappingValueError, match="needs a date with a time"):
        d.to_timezone(dt.date(2024, 1, 1), "UTC")


def test_add_days_crosses_month_and_leap_day() -> None:
    assert d.add_days("2024-02-27", 3) == dt.date(2024, 3, 1)
    assert d.add_days(dt.date(2024, 3, 1), -1) == dt.date(2024, 2, 29)


def test_add_days_refuses_leaving_the_calendar() -> None:
    with pytest.raises(MappingValueError, match="leaves the years"):
        d.add_days("9999-12-31", 1)


def test_now_is_utc_and_today_is_its_date() -> None:
    before = dt.datetime.now(UTC)
    moment = d.now()
    after = dt.datetime.now(UTC)
    assert before <= moment <= after and moment.utcoffset() == dt.timedelta(0)
    assert d.today() in {before.date(), after.date()}


def test_a_number_is_not_a_date() -> None:
    with pytest.raises(MappingValueError, match="'value' must be a date or a text"):
        d.format_date(20240503, "%Y")
