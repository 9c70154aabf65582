"""Text builtins: one behaviour per test, absent values, limits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from mapwright.dsl.errors import MappingLimitError, MappingValueError
from mapwright.dsl.functions import text as t
from mapwright.dsl.values import MISSING


@pytest.mark.parametrize("fn", [t.upper, t.lower, t.trim, t.text, t.length, t.split, t.join])
@pytest.mark.parametrize("absent", [MISSING, None])
def test_absent_input_stays_absent(fn: object, absent: object) -> None:
    args = (absent, ",") if fn in (t.split, t.join) else (absent,)
    assert fn(*args) is absent  # type: ignore[operator]


@pytest.mark.parametrize("fn", [t.contains, t.starts_with, t.ends_with])
def test_tests_answer_false_for_absent_input(fn: object) -> None:
    assert fn(MISSING, "x") is False  # type: ignore[operator]
    assert fn(None, "x") is False  # type: ignore[operator]


def test_upper_uses_full_unicode_case_rules() -> None:
    assert t.upper("straße") == "STRASSE"


def test_upper_refuses_numbers_with_a_clear_message() -> None:
    with pytest.raises(MappingValueError, match="upper: 'text' must be text, got number 12"):
        t.upper(Decimal(12))


def test_trim_removes_unicode_whitespace_at_both_ends() -> None:
    assert t.trim("\u00a0 Berlin \n") == "Berlin"


def test_replace_replaces_every_occurrence() -> None:
    assert t.replace("a-b-c", "-", "+") == "a+b+c"


def test_replace_refuses_empty_old_text() -> None:
    with pytest.raises(MappingValueError, match="'old' must not be empty"):
        t.replace("abc", "", "x")


def test_replace_refuses_to_build_more_than_a_megabyte() -> None:
    with pytest.raises(MappingLimitError, match="limit is 1,000,000"):
        t.replace("a" * 2000, "a", "b" * 1000)


@pytest.mark.parametrize(
    ("text", "sep", "expected"),
    [
        ("a;b;;c", ";", ["a", "b", "", "c"]),
        ("abc", ";", ["abc"]),
        ("", ";", []),
        ("a--b", "--", ["a", "b"]),
    ],
)
def test_split_keeps_empty_parts(text: str, sep: str, expected: list[str]) -> None:
    assert t.split(text, sep) == expected


def test_join_skips_absent_items_and_writes_numbers_and_dates_as_text() -> None:
    items = ["x", None, MISSING, Decimal("2.50"), 3, True, dt.date(2024, 5, 3)]
    assert t.join(items, "|") == "x|2.50|3|true|2024-05-03"


def test_join_refuses_nested_lists() -> None:
    with pytest.raises(MappingValueError, match="join"):
        t.join([["a"]], ",")


@pytest.mark.parametrize(
    ("value", "expected"), [("Größe", 5), (["a", None], 2), ({"a": 1}, 1), ("", 0)]
)
def test_length_counts_characters_items_or_fields(value: object, expected: int) -> None:
    assert t.length(value) == expected


def test_contains_compares_list_items_by_value_without_true_equal_one() -> None:
    assert t.contains([Decimal("1.0")], 1) is True
    assert t.contains([1], True) is False


def test_contains_finds_object_fields() -> None:
    assert t.contains({"sku": 1}, "sku") is True


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("42", Decimal(6), "0"), "000042"),
        ((Decimal(42), 5), "   42"),
        (("toolong", 3, " "), "toolong"),
        (("", 2, "x"), "xx"),
    ],
)
def test_pad_left_fills_to_width(args: tuple[object, ...], expected: str) -> None:
    assert t.pad_left(*args) == expected


def test_pad_right_fills_from_the_right() -> None:
    assert t.pad_right("AB", 4, ".") == "AB.."


def test_pad_width_is_capped_at_ten_thousand() -> None:
    assert len(t.pad_left("", 10_000, "x")) == 10_000
    with pytest.raises(MappingValueError, match="at most 10000"):
        t.pad_left("", 10_001, "x")


def test_pad_char_must_be_one_character() -> None:
    with pytest.raises(MappingValueError, match="exactly one character"):
        t.pad_left("1", 5, "ab")


def test_pad_width_must_be_whole() -> None:
    with pytest.raises(MappingValueError, match="whole number"):
        t.pad_left("1", Decimal("2.5"), "0")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("Schreibtischlampe", 8), "Schreibt"),
        (("Schreibtischlampe", 8, "…"), "Schreib…"),
        (("Schreibtischlampe", 8, "..."), "Schre..."),
        (("Lampe", 5, "…"), "Lampe"),
        (("Lampe", 0), ""),
    ],
)
def test_truncate_fits_the_maximum_length(args: tuple[object, ...], expected: str) -> None:
    result = t.truncate(*args)
    assert result == expected
    assert len(result) <= int(args[1])  # type: ignore[call-overload]


def test_truncate_never_separates_a_letter_from_its_accent() -> None:
    decomposed = "Cafe\u0301s"
    assert t.truncate(decomposed, 4) == "Caf"


def test_truncate_refuses_an_ellipsis_longer_than_the_limit() -> None:
    with pytest.raises(MappingValueError, match="longer than max_length 2"):
        t.truncate("abcdef", 2, "...")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("19.50"), "19.50"),
        (Decimal("1E+3"), "1000"),
        (7, "7"),
        (False, "false"),
        (dt.date(2024, 5, 3), "2024-05-03"),
        (dt.datetime(2024, 5, 3, 10, 0), "2024-05-03T10:00:00"),
        ({"a": [Decimal(1), "x"]}, '{"a": [1, "x"]}'),
    ],
)
def test_text_writes_values_plainly(value: object, expected: str) -> None:
    assert t.text(value) == expected


def test_text_keeps_the_exponent_of_absurdly_large_numbers() -> None:
    assert t.text(Decimal("1E+100000000")) == "1E+100000000"


def test_widths_that_are_far_too_large_are_refused_before_conversion() -> None:
    with pytest.raises(MappingValueError, match="far too large"):
        t.pad_left("1", Decimal("1E+100000000"), "0")
