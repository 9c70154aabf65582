"""Argument checks shared by the builtin functions.

Each check takes the function's name and the parameter's name so that an error reads like
``round_money: 'places' must be a whole number, got text "two"``: the runtime adds the
script line and rule, the message says what was expected.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from mapwright.dsl import limits
from mapwright.dsl.errors import MappingLimitError, MappingValueError
from mapwright.dsl.values import float_decimal, number_text, snippet, type_name

MAX_TEXT = limits.MAX_TEXT
"""No builtin builds a text longer than this (about 1 MB)."""

MAX_ITEMS = limits.MAX_LIST_SIZE
"""No builtin builds a list longer than this."""


class NoDefault:
    """Marks an optional parameter that was not given (distinct from ``missing``)."""

    def __repr__(self) -> str:
        return "not given"


NO_DEFAULT = NoDefault()


def fail(function: str, message: str) -> NoReturn:
    """Raise the error a builtin reports for bad input."""
    raise MappingValueError(f"{function}: {message}")


def got(value: Any) -> str:
    """``text "abc"`` / ``number 12``: what a parameter received, for error messages."""
    return f"{type_name(value)} {snippet(value, 40)}"


def require_text(function: str, param: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    fail(function, f"'{param}' must be text, got {got(value)}")


def text_of(function: str, param: str, value: Any) -> str:
    """Text, or a number/boolean/date written as text (``12`` -> ``"12"``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return plain_number(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    fail(function, f"'{param}' must be text or a number, got {got(value)}")


def require_number(function: str, param: str, value: Any) -> Decimal:
    """A ``Decimal`` from an int, a ``Decimal`` or a plain numeric text like ``"19.5"``."""
    if isinstance(value, bool):
        fail(function, f"'{param}' must be a number, got {got(value)}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            fail(function, f"'{param}' must be a finite number, got {value}")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return float_decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return number
        fail(function, f"'{param}' must be a number, got {got(value)}; use number(...) first")
    fail(function, f"'{param}' must be a number, got {got(value)}")


def require_int(
    function: str, param: str, value: Any, *, low: int | None = None, high: int | None = None
) -> int:
    """A whole number (``Decimal("2")`` counts) within ``low..high``."""
    number = require_number(function, param, value)
    if number.adjusted() > 18:
        fail(function, f"'{param}' is far too large: {number:.3E}")
    if number != number.to_integral_value():
        fail(function, f"'{param}' must be a whole number, got {plain_number(number)}")
    result = int(number)
    if low is not None and result < low:
        fail(function, f"'{param}' must be at least {low}, got {result}")
    if high is not None and result > high:
        fail(function, f"'{param}' must be at most {high}, got {result}")
    return result


def require_list(function: str, param: str, value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    fail(function, f"'{param}' must be a list, got {got(value)}")


def require_object(function: str, param: str, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    fail(function, f"'{param}' must be an object, got {got(value)}")


def check_size(function: str, length: int) -> None:
    """Refuse to build a text longer than ``MAX_TEXT`` characters (the ``text length`` limit)."""
    if length > MAX_TEXT:
        raise MappingLimitError(
            f"{function}: the result would be {length:,} characters long; "
            f"the limit is {MAX_TEXT:,}",
            limit=limits.NAMES["text"],
            maximum=MAX_TEXT,
        )


def plain_number(value: int | Decimal) -> str:
    """A number as plain text without exponent: ``Decimal("1E+3")`` -> ``"1000"``.

    Absurdly large or small exponents stay in scientific form, so ``1E+100000000`` read from
    a record cannot blow up into a text of 100 million digits.
    """
    return number_text(value)
