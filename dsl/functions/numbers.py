"""Number builtins: parsing, money, rounding, VAT arithmetic, min/max/sum.

Every number is a ``Decimal`` (or an int), never a float, so amounts add up to the cent.
Rounding is always explicit and named: ``"half_up"`` (commercial rounding, the default for
money), ``"half_even"`` (also ``"bankers"``), ``"half_down"``, ``"down"`` (towards zero),
``"up"`` (away from zero), ``"ceiling"`` and ``"floor"``.
VAT rates are given in percent (``19`` for 19 %).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import re
from decimal import Decimal
from typing import Any

from mapwright.dsl.functions.arguments import (
    fail,
    got,
    require_int,
    require_list,
    require_number,
    require_text,
)
from mapwright.dsl.functions.registry import builtin
from mapwright.dsl.values import float_decimal, is_absent

ROUNDING_MODES = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "bankers": decimal.ROUND_HALF_EVEN,
    "half_down": decimal.ROUND_HALF_DOWN,
    "down": decimal.ROUND_DOWN,
    "up": decimal.ROUND_UP,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}
HUNDRED = Decimal(100)
_GROUP_SEPARATORS = " '\u00a0\u202f"


def rounding_mode(function: str, mode: Any) -> str:
    """The ``decimal`` rounding constant for a mode name such as ``"half_up"``."""
    if is_absent(mode):
        return decimal.ROUND_HALF_UP
    name = require_text(function, "mode", mode).strip().lower()
    if name not in ROUNDING_MODES:
        fail(function, f"unknown rounding mode {mode!r}; use one of {', '.join(ROUNDING_MODES)}")
    return ROUNDING_MODES[name]


def quantize(function: str, value: Decimal, places: int, mode: str) -> Decimal:
    """Round ``value`` to ``places`` decimal places (negative: to tens, hundreds...)."""
    try:
        result = value.quantize(Decimal(1).scaleb(-places), rounding=mode)
        return result.quantize(Decimal(1)) if places < 0 else result
    except decimal.InvalidOperation:
        fail(function, f"{value} is too large to round to {places} places")


def _places(function: str, places: Any, default: int) -> int:
    return (
        default if is_absent(places) else require_int(function, "places", places, low=-12, high=28)
    )


_TWO = 2
_HALF_UP = "half_up"
CENT = Decimal("0.01")


def _cents(value: Any) -> Decimal | None:
    """``value`` rounded to cents half up when it is a finite Decimal, an int or a finite
    float (what ``quantize`` gives after ``require_number``); None for everything else,
    including a number too large to round, which the generic path reports."""
    kind = type(value)
    if kind is Decimal:
        if not value.is_finite():
            return None
    elif kind is int:
        value = Decimal(value)
    elif kind is float and value - value == 0.0:
        value = float_decimal(value)
    else:
        return None
    try:
        return value.quantize(CENT, rounding=decimal.ROUND_HALF_UP)
    except decimal.InvalidOperation:
        return None


@builtin(
    category="numbers",
    examples=[
        ('number("19.50")', Decimal("19.50")),
        ('number("1.234,56", ",")', Decimal("1234.56")),
        ('number("1,234.56")', Decimal("1234.56")),
        ('number(" -7 ")', -7),
        ('number("")', None),
    ],
)
def number(value: Any, decimal_mark: Any = ".") -> Any:
    """Read a number from text; ``decimal_mark`` is ``"."`` (default) or ``","`` (German).

    Thousands separators are accepted only in groups of three (``1.234,56`` with ``","``,
    ``1,234.56`` with ``"."``); ``"1,5"`` without ``","`` is refused rather than misread.
    Blank text gives null. Numbers pass through unchanged.
    """
    if is_absent(value):
        return value
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return require_number("number", "value", value)
    text = require_text("number", "value", value).strip()
    if not text:
        return None
    mark = "." if is_absent(decimal_mark) else require_text("number", "decimal_mark", decimal_mark)
    if mark not in (".", ","):
        fail("number", f'\'decimal_mark\' must be "." or ",", got {mark!r}')
    shape, separators = _NUMBER_TEXT[mark]
    if not shape.fullmatch(text):
        hint = (
            ' (for a decimal comma use number(value, ","))' if mark == "." and "," in text else ""
        )
        fail("number", f"{text!r} is not a number{hint}")
    digits = separators.sub("", text).replace(mark, ".")
    return Decimal(digits)


def _number_text(mark: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What ``number`` accepts with decimal ``mark`` (thousands in groups of three), and its
    thousands separators."""
    group = "," if mark == "." else "."
    seps = re.escape(group + _GROUP_SEPARATORS)
    point = re.escape(mark)
    integer = rf"(?:\d{{1,3}}(?:[{seps}]\d{{3}})+|\d+)"
    pattern = rf"[+-]?{integer}(?:{point}\d+)?|[+-]?{point}\d+"
    return re.compile(pattern), re.compile(f"[{seps}]")


_NUMBER_TEXT = {mark: _number_text(mark) for mark in (".", ",")}


@builtin(
    category="numbers",
    examples=[
        ("money(19.999)", Decimal("20.00")),
        ("money(2.345)", Decimal("2.35")),
        ("money(5)", Decimal("5.00")),
    ],
)
def money(value: Any) -> Any:
    """A money amount: the number rounded to 2 decimal places, half up (commercial rounding)."""
    cents = _cents(value)
    return cents if cents is not None else _money(value)


def _money(value: Any) -> Any:
    if is_absent(value):
        return value
    return quantize("money", require_number("money", "value", value), 2, decimal.ROUND_HALF_UP)


@builtin(
    name="round",
    category="numbers",
    examples=[
        ("round(2.5)", 3),
        ('round(2.5, 0, "half_even")', 2),
        ('round(1.2345, 2, "down")', Decimal("1.23")),
        ("round(1234, -2)", 1200),
        ('round(-1.5, 0, "floor")', -2),
    ],
)
def round_(value: Any, places: Any = 0, mode: Any = "half_up") -> Any:
    """Round a number to ``places`` decimal places with a named rounding mode."""
    if is_absent(value):
        return value
    return quantize(
        "round",
        require_number("round", "value", value),
        _places("round", places, 0),
        rounding_mode("round", mode),
    )


@builtin(
    category="numbers",
    examples=[
        ("round_money(0.125)", Decimal("0.13")),
        ('round_money(0.125, 2, "bankers")', Decimal("0.12")),
        ('round_money(10.011, 2, "ceiling")', Decimal("10.02")),
    ],
)
def round_money(amount: Any, places: Any = _TWO, mode: Any = _HALF_UP) -> Any:
    """Round a money amount, by default to 2 places half up; ``places`` 0 for whole units."""
    if places is _TWO and mode is _HALF_UP:  # the defaults: what money() does
        cents = _cents(amount)
        if cents is not None:
            return cents
    return _round_money(amount, places, mode)


def _round_money(amount: Any, places: Any = 2, mode: Any = "half_up") -> Any:
    if is_absent(amount):
        return amount
    return quantize(
        "round_money",
        require_number("round_money", "amount", amount),
        _places("round_money", places, 2),
        rounding_mode("round_money", mode),
    )


def _rate(function: str, rate: Any) -> Decimal:
    value = require_number(function, "rate", rate)
    if value < 0:
        fail(function, f"'rate' must be a percentage of 0 or more, got {value}")
    return value


@builtin(
    category="numbers",
    examples=[
        ("gross_to_net(119, 19)", Decimal("100.00")),
        ("gross_to_net(10, 7)", Decimal("9.35")),
        ("gross_to_net(10, 19, 4)", Decimal("8.4034")),
    ],
)
def gross_to_net(gross: Any, rate: Any, places: Any = 2, mode: Any = "half_up") -> Any:
    """The amount excluding VAT from an amount including VAT at ``rate`` percent, rounded."""
    if is_absent(gross):
        return gross
    amount = require_number("gross_to_net", "gross", gross)
    factor = HUNDRED + _rate("gross_to_net", rate)
    return quantize(
        "gross_to_net",
        amount * HUNDRED / factor,
        _places("gross_to_net", places, 2),
        rounding_mode("gross_to_net", mode),
    )


@builtin(
    category="numbers",
    examples=[
        ("net_to_gross(100, 19)", Decimal("119.00")),
        ("net_to_gross(9.35, 7)", Decimal("10.00")),
        ("net_to_gross(0.99, 19)", Decimal("1.18")),
    ],
)
def net_to_gross(net: Any, rate: Any, places: Any = 2, mode: Any = "half_up") -> Any:
    """The amount including VAT from an amount excluding VAT at ``rate`` percent, rounded."""
    if is_absent(net):
        return net
    amount = require_number("net_to_gross", "net", net)
    factor = HUNDRED + _rate("net_to_gross", rate)
    return quantize(
        "net_to_gross",
        amount * factor / HUNDRED,
        _places("net_to_gross", places, 2),
        rounding_mode("net_to_gross", mode),
    )


@builtin(
    category="numbers",
    examples=[("percent_of(200, 19)", 38), ("percent_of(19.99, 19)", Decimal("3.7981"))],
)
def percent_of(amount: Any, rate: Any) -> Any:
    """``rate`` percent of ``amount``, exact (not rounded: wrap it in ``money`` for cents)."""
    if is_absent(amount):
        return amount
    value = require_number("percent_of", "amount", amount) * require_number(
        "percent_of", "rate", rate
    )
    return value / HUNDRED


@builtin(name="abs", category="numbers", examples=[("abs(-5.20)", Decimal("5.20")), ("abs(3)", 3)])
def abs_(value: Any) -> Any:
    """The number without its sign."""
    if is_absent(value):
        return value
    return abs(require_number("abs", "value", value))


def _comparable(function: str, values: tuple[Any, ...]) -> list[Any]:
    """The present items of ``values`` (or of the one list given), all of one kind."""
    items = values[0] if len(values) == 1 and isinstance(values[0], list) else list(values)
    present = [item for item in items if not is_absent(item)]
    kinds = {_kind(function, item) for item in present}
    if len(kinds) > 1:
        fail(function, f"cannot compare {' and '.join(sorted(kinds))} values")
    return [require_number(function, "values", v) if kinds == {"number"} else v for v in present]


def _kind(function: str, value: Any) -> str:
    if isinstance(value, bool):
        fail(function, "cannot compare true/false values")
    if isinstance(value, int | Decimal):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, _dt.datetime):
        return "datetime"
    if isinstance(value, _dt.date):
        return "date"
    fail(function, f"cannot compare {got(value)}")


@builtin(
    name="min",
    category="numbers",
    examples=[("min(3, 1.5, 2)", Decimal("1.5")), ("min([4, null, 2])", 2), ("min([])", None)],
)
def min_(*values: Any) -> Any:
    """The smallest of several values, or of the items of one list; absent items are skipped.

    Numbers, texts or dates can be compared, but not mixed. Null when nothing is left.
    """
    if len(values) == 1 and is_absent(values[0]):
        return values[0]
    items = _comparable("min", values)
    return min(items) if items else None


@builtin(
    name="max",
    category="numbers",
    examples=[
        ('max("2024-01-31", "2024-02-01")', "2024-02-01"),
        ("max([4, null, 2])", 4),
        ("max([])", None),
    ],
)
def max_(*values: Any) -> Any:
    """The largest of several values, or of the items of one list; absent items are skipped."""
    if len(values) == 1 and is_absent(values[0]):
        return values[0]
    items = _comparable("max", values)
    return max(items) if items else None


@builtin(
    name="sum",
    category="numbers",
    examples=[
        ("sum([0.10, 0.20, 0.30])", Decimal("0.60")),
        ("sum([1, null, 2])", 3),
        ("sum([])", 0),
    ],
)
def sum_(values: Any) -> Any:
    """The exact sum of the numbers in a list; absent items count as nothing."""
    if is_absent(values):
        return values
    total = Decimal(0)
    for item in require_list("sum", "values", values):
        if not is_absent(item):
            total += require_number("sum", "values", item)
    return total
