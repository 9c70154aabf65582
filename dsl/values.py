"""Runtime values of the mapping language.

The language keeps three states of a field apart:

* ``MISSING``: the field is not there at all (a key absent from the record);
* ``None``: the field is there and is JSON ``null``;
* any other value: strings, ``Decimal`` numbers, booleans, lists, dicts,
  ``datetime.date`` and ``datetime.datetime`` values.

Numbers are always ``int`` or ``Decimal`` (never ``float``) so money adds up exactly.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any, Final


class _Missing:
    """The type of ``MISSING``: one instance, falsy, printed as ``missing``."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "missing"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


def is_absent(value: Any) -> bool:
    """True for ``missing`` and ``null``: the value the ``??`` operator replaces."""
    return value is MISSING or value is None


def is_present(value: Any) -> bool:
    """True unless missing, null, an empty string, an empty list or an empty object."""
    if value is MISSING or value is None:
        return False
    if isinstance(value, str | list | dict):
        return len(value) > 0
    return True


def to_decimal(value: Any) -> Decimal:
    """Turn an int, float or numeric string into a ``Decimal`` without float drift."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a true/false value is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise TypeError(f"{value!r} is not a finite number")
        return float_decimal(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            number = Decimal(text)
        except ArithmeticError:
            raise TypeError(f"the text {value!r} is not a number") from None
        if not number.is_finite():
            raise TypeError(f"the text {value!r} is not a finite number")
        return number
    raise TypeError(f"{type_name(value)} is not a number")


FLOAT_CACHE = 4096
"""How many float -> Decimal conversions ``float_decimal`` remembers (then it starts over)."""

_FLOATS: dict[float, Decimal] = {}


def float_decimal(value: float) -> Decimal:
    """``Decimal(repr(value))``: the decimal a float prints as (``19.9``, not ``19.899…``).

    Records parsed with floats repeat the same few amounts (prices, rates), and ``repr`` is
    the slow part, so conversions are remembered. Zero is not (``0.0 == -0.0`` would share
    one entry, but they print differently), nor is NaN (never equal to itself)."""
    if type(value) is not float:  # a subclass may print differently
        return Decimal(repr(value))
    found = _FLOATS.get(value)
    if found is not None:
        return found
    result = Decimal(repr(value))
    if value and value == value:
        if len(_FLOATS) >= FLOAT_CACHE:
            _FLOATS.clear()
        _FLOATS[value] = result
    return result


PLAIN_DIGITS = 100
"""Numbers beyond 10**100 (or below 10**-100) keep their exponent when written as text."""


def number_text(value: int | Decimal) -> str:
    """A number as plain text without exponent: ``Decimal("1E+3")`` -> ``"1000"``.

    Absurdly large or small exponents stay in scientific form, so ``1E+999999999`` read from
    a record cannot blow up into a text of a billion digits.
    """
    if type(value) is int:
        return str(value)
    if isinstance(value, int):  # a bool is an int too; the language writes it as a word
        return "true" if value else "false"
    if value.is_finite() and abs(value.adjusted()) <= PLAIN_DIGITS:
        return format(value, "f")
    return str(value)


def type_name(value: Any) -> str:
    """The language's name for a value's type, used in error messages."""
    if value is MISSING:
        return "missing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | Decimal | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, _dt.datetime):
        return "datetime"
    if isinstance(value, _dt.date):
        return "date"
    return type(value).__name__


def snippet(value: Any, limit: int = 60) -> str:
    """A short, printable rendering of a value for error messages."""
    from mapwright.dsl.jsonio import dumps

    try:
        text = dumps(value) if value is not MISSING else "missing"
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def exact_numbers(value: Any) -> Any:
    """``value`` with every float turned into the ``Decimal`` it prints as (``19.9`` stays
    ``19.9``, not ``19.899999…``). Records from JSON parsed with floats go through this
    before a script sees them; objects without floats come back unchanged (not copied)."""
    if isinstance(value, float):
        return float_decimal(value)
    if isinstance(value, dict):
        changed = None
        for key, item in value.items():
            fixed = exact_numbers(item)
            if fixed is not item:
                if changed is None:
                    changed = dict(value)
                changed[key] = fixed
        return value if changed is None else changed
    if isinstance(value, list):
        fixed_items = [exact_numbers(item) for item in value]
        if any(a is not b for a, b in zip(fixed_items, value, strict=True)):
            return fixed_items
        return value
    return value
