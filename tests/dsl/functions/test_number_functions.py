"""Number builtins: parsing, rounding modes, money and VAT math, min/max/sum, units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mapwright.dsl.errors import MappingValueError
from mapwright.dsl.functions import numbers as n
from mapwright.dsl.functions.units import convert_unit
from mapwright.dsl.values import MISSING

D = Decimal


@pytest.mark.parametrize(
    ("text", "mark", "expected"),
    [
        ("19.50", ".", D("19.50")),
        ("1,234.56", ".", D("1234.56")),
        ("1.234,56", ",", D("1234.56")),
        ("1 234,5", ",", D("1234.5")),
        ("1'234.5", ".", D("1234.5")),
        ("-7", ".", D(-7)),
        ("+.5", ".", D("0.5")),
        ("12,5", ",", D("12.5")),
    ],
)
def test_number_reads_local_forms(text: str, mark: str, expected: Decimal) -> None:
    result = n.number(text, mark)
    assert result == expected and isinstance(result, Decimal)


@pytest.mark.parametrize(
    ("text", "mark"),
    [("1,5", "."), ("1.23.4", "."), ("12ab", "."), ("1e5", "."), ("1,2345.6", ".")],
)
def test_number_refuses_ambiguous_or_broken_text(text: str, mark: str) -> None:
    with pytest.raises(MappingValueError, match="is not a number"):
        n.number(text, mark)


def test_number_suggests_the_decimal_comma() -> None:
    with pytest.raises(MappingValueError, match=r'number\(value, ","\)'):
        n.number("1,5")


def test_number_of_blank_text_is_null_and_numbers_pass() -> None:
    assert n.number("  ") is None
    assert n.number(7) == D(7) and isinstance(n.number(7), Decimal)
    assert n.number(MISSING) is MISSING


@pytest.mark.parametrize(
    ("mode", "value", "expected"),
    [
        ("half_up", "2.5", "3"),
        ("half_up", "-2.5", "-3"),
        ("half_even", "2.5", "2"),
        ("bankers", "3.5", "4"),
        ("half_down", "2.5", "2"),
        ("down", "2.9", "2"),
        ("down", "-2.9", "-2"),
        ("up", "2.1", "3"),
        ("ceiling", "-2.1", "-2"),
        ("floor", "-2.1", "-3"),
        ("HALF_UP", "0.5", "1"),
    ],
)
def test_round_applies_the_named_mode(mode: str, value: str, expected: str) -> None:
    assert n.round_(D(value), 0, mode) == D(expected)


def test_round_to_negative_places_rounds_to_tens_and_writes_plainly() -> None:
    result = n.round_(D(1250), -2)
    assert result == D(1300) and str(result) == "1300"


def test_round_refuses_unknown_modes_and_lists_the_known_ones() -> None:
    with pytest.raises(MappingValueError, match="half_up, half_even, bankers"):
        n.round_(D(1), 0, "nearest")


def test_round_refuses_numbers_too_large_for_the_places() -> None:
    with pytest.raises(MappingValueError, match="too large"):
        n.round_money(D("1E+40"))


def test_money_rounds_half_up_to_cents() -> None:
    assert str(n.money(D("2.345"))) == "2.35"
    assert str(n.money(5)) == "5.00"
    assert str(n.money("0.005")) == "0.01"


def test_money_refuses_booleans() -> None:
    with pytest.raises(MappingValueError, match="must be a number"):
        n.money(True)


@pytest.mark.parametrize(
    ("gross", "rate", "net"),
    [
        ("119", "19", "100.00"),
        ("10", "7", "9.35"),
        ("0.01", "19", "0.01"),
        ("100", "0", "100.00"),
        ("-119", "19", "-100.00"),
    ],
)
def test_gross_to_net_divides_out_the_rate(gross: str, rate: str, net: str) -> None:
    assert str(n.gross_to_net(D(gross), D(rate))) == net


def test_vat_math_refuses_negative_rates() -> None:
    with pytest.raises(MappingValueError, match="'rate' must be a percentage of 0 or more"):
        n.net_to_gross(D(1), D(-1))


cents = st.decimals(min_value=-1_000_000, max_value=1_000_000, places=2, allow_nan=False)
rates = st.sampled_from([D(0), D(5), D("5.5"), D(7), D(10), D(19), D(20), D(21), D(25), D(27)])


@settings(deadline=None)
@given(cents, rates)
def test_net_to_gross_and_back_gives_the_same_cents(net: Decimal, rate: Decimal) -> None:
    assert n.gross_to_net(n.net_to_gross(net, rate), rate) == net


@settings(deadline=None)
@given(cents, rates)
def test_gross_to_net_and_back_is_off_by_at_most_one_cent(gross: Decimal, rate: Decimal) -> None:
    assert abs(n.net_to_gross(n.gross_to_net(gross, rate), rate) - gross) <= D("0.01")


@settings(deadline=None)
@given(st.lists(cents, max_size=50))
def test_sum_is_exact(values: list[Decimal]) -> None:
    total = n.sum_(values)
    assert total == sum(values, D(0))
    assert n.sum_([*values, -total]) == 0


def test_sum_of_cents_has_no_float_drift() -> None:
    assert str(n.sum_([D("0.10"), D("0.20"), D("0.30")])) == "0.60"


def test_sum_skips_absent_items_and_refuses_text_that_is_no_number() -> None:
    assert n.sum_([1, None, MISSING, D("2.5")]) == D("3.5")
    with pytest.raises(MappingValueError, match="sum: 'values' must be a number"):
        n.sum_(["abc"])


def test_percent_of_is_exact() -> None:
    assert n.percent_of(D("19.99"), 19) == D("3.7981")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((D(3), D("1.5"), D(2)), D("1.5")),
        (([D(4), None, D(2)],), D(2)),
        (("b", "a"), "a"),
        ((dt.date(2024, 1, 2), dt.date(2023, 12, 31)), dt.date(2023, 12, 31)),
        (([],), None),
    ],
)
def test_min_takes_values_or_one_list(args: tuple[object, ...], expected: object) -> None:
    assert n.min_(*args) == expected


def test_max_refuses_mixed_kinds() -> None:
    with pytest.raises(MappingValueError, match="cannot compare number and text"):
        n.max_(D(1), "a")


def test_abs_drops_the_sign() -> None:
    assert n.abs_(D("-5.20")) == D("5.20")


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        ("1.5", "kg", "g", "1500"),
        ("2", "lb", "kg", "0.90718474"),
        ("16", "oz", "lb", "1"),
        ("1", "in", "mm", "25.4"),
        ("3", "ft", "in", "36"),
        ("250", "ml", "l", "0.25"),
        ("1", "m3", "l", "1000"),
    ],
)
def test_convert_unit_uses_exact_factors(
    value: str, source: str, target: str, expected: str
) -> None:
    result = convert_unit(D(value), source, target)
    assert result == D(expected) and str(result) == expected


def test_convert_unit_rounds_when_places_are_given() -> None:
    assert str(convert_unit(500, "g", "oz", 2)) == "17.64"


def test_convert_unit_refuses_mixing_dimensions_and_unknown_units() -> None:
    with pytest.raises(MappingValueError, match="cannot convert mass"):
        convert_unit(1, "kg", "m")
    with pytest.raises(MappingValueError, match="unknown unit 'stone'"):
        convert_unit(1, "stone", "kg")


def test_min_and_max_of_an_absent_list_stay_absent() -> None:
    assert n.min_(MISSING) is MISSING
    assert n.max_(None) is None
