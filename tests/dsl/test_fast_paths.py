"""Every fast path gives what the generic path gives: the same value (same type, same digits
and exponent) or the same error (same class, same message), for any input.

The hot builtins and operators check for the common types first and otherwise call the code
they had before (``_money``, ``_trim``, ``_eq``, ``dates._parse``...); these tests call both.
"""

from __future__ import annotations

import datetime as _dt
import decimal
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mapwright import dsl
from mapwright.dsl import operators
from mapwright.dsl.functions import dates, numbers, text
from mapwright.dsl.values import MISSING, float_decimal

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

floats = st.one_of(
    st.floats(),
    st.sampled_from(
        [0.0, -0.0, 0.1, 19.99, 2.675, 1e16, 2.0**53, 2.0**60, 1e308, 5e-324, -1e-300, 1e23]
    ),
)
ints = st.one_of(
    st.integers(-(10**6), 10**6),
    st.integers(),
    st.sampled_from([0, 500, 2**53, 10**99, -(10**99), 10**100, 10**120]),
)
decimals = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(places=2, min_value=-(10**9), max_value=10**9),
    st.sampled_from(
        [
            Decimal("0.005"),
            Decimal("-0.005"),
            Decimal("-0"),
            Decimal("2.675"),
            Decimal("1E+25"),
            Decimal("1E+26"),
            Decimal("9.999999999999999999999999995E+25"),
            Decimal("1E+99"),
            Decimal("1E-120"),
            Decimal("sNaN"),
            Decimal("NaN"),
            Decimal("-Infinity"),
        ]
    ),
)
exact_dates = st.builds(
    lambda ms, offset, pad: f"{pad}/Date({ms}{offset})/{pad}",
    st.one_of(
        st.integers(-(10**15) + 1, 10**15 - 1),
        st.sampled_from([-1, 0, 1, -86_400_000, 253402300799999, 253402300800000, -62135596800000]),
        st.sampled_from([-62135596800001, 999999999999999, -999999999999999]),
    ),
    st.sampled_from(["", "+0100", "-0530"]),
    st.sampled_from(["", "", "", " "]),
)
iso_texts = st.one_of(
    st.dates().map(_dt.date.isoformat),
    st.datetimes().map(_dt.datetime.isoformat),
    st.datetimes(timezones=st.just(_dt.UTC)).map(_dt.datetime.isoformat),
    st.sampled_from(
        [
            "2024-05-03",
            " 2024-05-03",
            "2024-05-03 ",
            "2024-05-03T10:00:00Z",
            "2024-05-03 10:00",
            "2024-13-45",
            "2024-02-30",
            "2024-05-0x",
            "20240503",
            "2024-W18-5",
            "2024-05-03T25:00",
            "03.05.2024",
            "3.5.2024 14:30",
            "/Date(abc)/",
            "/Date(1)",
            "/Date()/",
            "/Date(١٢٣)/",
            "/Date(-١٢٣+0100)/",
            "/Date(²)/",
            "/Date(-)/",
            "/Date(--1)/",
            "/Date(+1)/",
            "/Date(0001)/",
            "/Date(1234567890123456)/",
            "/Date(1+0100)/",
            "/Date(1)/)/",
            "٢٠٢٤-05-03",
            "",
            "   ",
        ]
    ),
)
texts = st.one_of(st.text(max_size=30), exact_dates, iso_texts)
scalars = st.one_of(
    floats,
    ints,
    decimals,
    texts,
    st.none(),
    st.just(MISSING),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(max_size=5), scalars, max_size=3),
)


def result(fn: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    """A call's value, exactly (type and repr: ``Decimal("1.0")`` is not ``Decimal("1.00")``),
    or its error's class and message."""
    try:
        value = fn(*args)
    except Exception as exc:
        return ("error", type(exc), str(exc))
    return ("value", type(value), repr(value))


def same(fast: Callable[..., Any], generic: Callable[..., Any], *args: Any) -> None:
    assert result(fast, *args) == result(generic, *args), args


# ---- numbers ------------------------------------------------------------------------------


@FAST
@given(floats)
def test_float_decimal_is_the_decimal_the_float_prints_as(value: float) -> None:
    for _ in range(2):  # the second call comes from the cache
        same(float_decimal, lambda v: Decimal(repr(v)), value)


def test_float_decimal_goes_by_how_a_float_prints() -> None:
    class Rounded(float):
        def __repr__(self) -> str:
            return "0.5"

    assert float_decimal(0.25) == Decimal("0.25")
    assert float_decimal(Rounded(0.25)) == Decimal("0.5")  # not the cached 0.25


def test_float_decimal_keeps_zeros_apart() -> None:
    assert repr(float_decimal(0.0)) == "Decimal('0.0')"
    assert repr(float_decimal(-0.0)) == "Decimal('-0.0')"
    assert repr(float_decimal(0.0)) == "Decimal('0.0')"


@FAST
@given(floats)
def test_a_finite_float_is_the_number_it_was(value: float) -> None:
    if value - value == 0.0:  # the fast path of _num; others take the old route
        assert result(operators._num, value, "left", "add") == result(
            lambda v: Decimal(repr(v)), value
        )


@FAST
@given(values, values)
@pytest.mark.parametrize(
    ("fast", "generic"),
    [
        (operators.add, operators._add),
        (operators.sub, operators._sub),
        (operators.mul, operators._mul),
        (operators.eq, operators._eq),
        (operators.lt, operators._lt),
        (operators.le, operators._le),
        (operators.gt, operators._gt),
        (operators.ge, operators._ge),
    ],
)
def test_operators(fast: Callable[..., Any], generic: Callable[..., Any], a: Any, b: Any) -> None:
    same(fast, generic, a, b)


@FAST
@given(st.one_of(ints, decimals, floats), st.one_of(ints, decimals, floats))
@pytest.mark.parametrize(
    ("fast", "generic"),
    [
        (operators.add, operators._add),
        (operators.mul, operators._mul),
        (operators.eq, operators._eq),
        (operators.lt, operators._lt),
        (operators.ge, operators._ge),
    ],
)
def test_operators_on_numbers(
    fast: Callable[..., Any], generic: Callable[..., Any], a: Any, b: Any
) -> None:
    same(fast, generic, a, b)


places = st.one_of(
    st.just(2), st.sampled_from([0, 1, 3, -2, Decimal(2), Decimal("2.0"), 2.0, True, "2", None])
)
modes = st.sampled_from(["half_up", "HALF_UP", " half_up", "half_even", "down", "x", None, 1])


@FAST
@given(values)
def test_money(value: Any) -> None:
    same(numbers.money, numbers._money, value)
    same(numbers.round_money, numbers._round_money, value)


@FAST
@given(st.one_of(ints, decimals, floats), places, modes)
def test_round_money(amount: Any, places: Any, mode: Any) -> None:
    same(numbers.round_money, numbers._round_money, amount, places, mode)
    same(numbers.round_money, numbers._round_money, amount, places)


def test_money_when_the_context_is_narrow() -> None:
    """quantize reads the thread's context: both paths read the same one."""
    with decimal.localcontext(decimal.Context(prec=5)):
        for value in (Decimal("123.456"), Decimal("1234.5"), 99999, 0.125):
            same(numbers.money, numbers._money, value)


# ---- text ---------------------------------------------------------------------------------


@FAST
@given(values)
@pytest.mark.parametrize(
    ("fast", "generic"),
    [
        (text.text, text._text),
        (text.trim, text._trim),
        (text.lower, text._lower),
        (text.upper, text._upper),
    ],
)
def test_text_builtins(fast: Callable[..., Any], generic: Callable[..., Any], value: Any) -> None:
    same(fast, generic, value)


# ---- dates --------------------------------------------------------------------------------


@FAST
@given(st.one_of(texts, values))
def test_dates(value: Any) -> None:
    same(dates.date, lambda v: dates._date(dates._parse("date", v)), value)
    for name in ("parse_date", "to_exact_date", "from_exact_date"):
        same(lambda v, f=name: dates._read(f, v), lambda v, f=name: dates._parse(f, v), value)


@FAST
@given(exact_dates)
def test_exact_dates(value: str) -> None:
    same(dates.date, lambda v: dates._date(dates._parse("date", v)), value)
    same(dates.parse_date, lambda v: dates._parse("parse_date", v), value)


# ---- conditions without truthy() ----------------------------------------------------------

CONDITIONS = dsl.compile(
    """
A <- if x == y then "eq" else "ne"
B <- if not (x < y) then "ge" else "lt"
C <- if x != y and y >= 0 then 1 else 2
D <- if x in [1, "a"] or x > 5 then 1 else 2
when x <= y { E <- "le" } else { E <- "gt" }
""",
    name="conditions.map",
)


def test_comparisons_are_not_wrapped_in_truthy() -> None:
    assert "truthy(" not in CONDITIONS.code.source


@FAST
@given(st.one_of(ints, decimals, texts), st.one_of(ints, decimals))
def test_conditions_give_what_truthy_gave(x: Any, y: Any) -> None:
    record = {"x": x, "y": y}
    try:
        got = CONDITIONS.run(record).output
    except dsl.MappingRuntimeError:
        return  # a comparison refused the values: the same with truthy around it
    truthy = operators.truthy
    assert got["A"] == ("eq" if truthy(operators.eq(x, y)) else "ne")
    assert got["B"] == ("ge" if not truthy(operators.lt(x, y)) else "lt")
    assert got["C"] == (1 if truthy(not operators.eq(x, y)) and truthy(operators.ge(y, 0)) else 2)
    inside = operators.contains([1, "a"], x)
    assert got["D"] == (1 if truthy(inside) or truthy(operators.gt(x, 5)) else 2)
    assert got["E"] == ("le" if truthy(operators.le(x, y)) else "gt")
