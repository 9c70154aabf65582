"""Operators of the language, which compiled scripts call at run time: arithmetic on exact
numbers (``+ - * /``, dates moved by days), ``&`` and text templates, truthiness, and the
comparisons, which treat ``missing``/``null`` sensibly.

The hot ones check for the common types first (``Decimal`` times ``Decimal``, ``==`` of
texts and numbers) and do what the general code below them does for those types; anything
else goes to that code (``_add``, ``_eq``...). tests/dsl/test_fast_paths.py checks both give
the same value or the same error for any input. Every failure is a ``MappingValueError``
with a message a person can act on, or a ``MappingLimitError`` naming a limit.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

from mapwright.dsl.errors import MappingLimitError, MappingValueError
from mapwright.dsl.limits import MAX_NUMBER_DIGITS, MAX_TEXT, NAMES, NUMBER_LIMIT, number_context
from mapwright.dsl.plan import Ref
from mapwright.dsl.sizes import check_text_size, text_limit
from mapwright.dsl.values import (
    MISSING,
    float_decimal,
    number_text,
    snippet,
    to_decimal,
    type_name,
)

NUMBERS = number_context()
"""Arithmetic on decimals goes through this context's methods (no per-record context
switch): 28 significant digits as Python's default, exponents bounded (``limits.py``)."""


class ValueFailure(MappingValueError):
    """A helper's failure that knows the value it failed on."""

    def __init__(self, message: str, value: Any = MISSING):
        super().__init__(message)
        self.value = value


def _num(value: Any, side: str, op: str) -> Any:
    if type(value) is int or type(value) is Decimal:
        return value
    if type(value) is float and value - value == 0.0:  # finite: what to_decimal gives
        return float_decimal(value)
    if value is MISSING or value is None:
        raise ValueFailure(
            f"cannot {op}: the {side} side is {type_name(value)} "
            "(use ?? to give a default, e.g. (x ?? 0))",
            value,
        )
    if isinstance(value, Ref):
        raise _ref_error(value)
    if isinstance(value, bool):
        raise ValueFailure(f"cannot {op}: the {side} side is true/false, not a number", value)
    if isinstance(value, float):
        return to_decimal(value)
    if isinstance(value, str):
        try:
            return to_decimal(value)
        except TypeError:
            pass
    raise ValueFailure(
        f"cannot {op}: the {side} side is {type_name(value)} {snippet(value)}, not a number",
        value,
    )


def _ref_error(ref: Ref) -> MappingValueError:
    name = ref.alias + "." + ".".join(ref.path)
    return ValueFailure(
        f"{name} is only known when the flow runs; assign it directly to a field "
        "(Field <- " + name + ") instead of computing with it"
    )


def _too_big(value: int) -> MappingLimitError:
    return MappingLimitError(
        f"a number grew to about {int(value.bit_length() * 0.30103) + 1:,} digits; numbers "
        f"must stay below 10^{MAX_NUMBER_DIGITS}",
        limit=NAMES["number_digits"],
        maximum=MAX_NUMBER_DIGITS,
    )


def _days(value: Any, op: str) -> _dt.timedelta:
    """A number of days to move a date by; refuses what no date can be moved by."""
    if isinstance(value, Decimal) and (not value.is_finite() or value.adjusted() > 7):
        raise ValueFailure(f"cannot {op} {snippet(value)} days: no date is that far away", value)
    days = int(value)
    if abs(days) > 3_650_000:
        raise ValueFailure(f"cannot {op} {days} days: no date is that far away", value)
    return _dt.timedelta(days=days)


def _moved(date: Any, delta: _dt.timedelta) -> Any:
    try:
        return date + delta
    except OverflowError:
        raise ValueFailure(
            f"moving {date.isoformat()} by {delta.days} days leaves the years 1-9999"
        ) from None


def add(a: Any, b: Any) -> Any:
    if type(a) is Decimal and (type(b) is Decimal or type(b) is int):  # what _add does then
        return NUMBERS.add(a, b)
    return _add(a, b)


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, _dt.date) and type(b) in (int, Decimal):
        return _moved(a, _days(b, "add"))
    x, y = _num(a, "left", "add"), _num(b, "right", "add")
    if type(x) is int and type(y) is int:
        result = x + y
        if not -NUMBER_LIMIT < result < NUMBER_LIMIT:
            raise _too_big(result)
        return result
    return NUMBERS.add(x, y)


def sub(a: Any, b: Any) -> Any:
    if type(a) is Decimal and (type(b) is Decimal or type(b) is int):  # what _sub does then
        return NUMBERS.subtract(a, b)
    return _sub(a, b)


def _sub(a: Any, b: Any) -> Any:
    if isinstance(a, _dt.date) and isinstance(b, _dt.date):
        return (a - b).days
    if isinstance(a, _dt.date) and type(b) in (int, Decimal):
        return _moved(a, -_days(b, "subtract"))
    x, y = _num(a, "left", "subtract"), _num(b, "right", "subtract")
    if type(x) is int and type(y) is int:
        result = x - y
        if not -NUMBER_LIMIT < result < NUMBER_LIMIT:
            raise _too_big(result)
        return result
    return NUMBERS.subtract(x, y)


def mul(a: Any, b: Any) -> Any:
    if type(a) is Decimal and (type(b) is Decimal or type(b) is int):  # what _mul does then
        return NUMBERS.multiply(a, b)
    return _mul(a, b)


def _mul(a: Any, b: Any) -> Any:
    x, y = _num(a, "left", "multiply"), _num(b, "right", "multiply")
    if type(x) is int and type(y) is int:
        result = x * y
        if not -NUMBER_LIMIT < result < NUMBER_LIMIT:
            raise _too_big(result)
        return result
    return NUMBERS.multiply(x, y)


def div(a: Any, b: Any) -> Any:
    left = _num(a, "left", "divide")
    right = _num(b, "right", "divide")
    if right == 0:
        raise ValueFailure("cannot divide by zero", b)
    try:
        result = NUMBERS.divide(left, right)
    except (DivisionByZero, InvalidOperation) as exc:
        raise ValueFailure(f"cannot divide: {exc}") from None
    return int(result) if result == result.to_integral_value() and type(left) is int else result


def neg(a: Any) -> Any:
    return -_num(a, "", "negate")


def text(value: Any) -> str:
    """How a value reads inside text: missing/null read as empty text."""
    if type(value) is str:
        return value
    if value is MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, _dt.date | _dt.datetime):
        return value.isoformat()
    if isinstance(value, Ref):
        raise _ref_error(value)
    if isinstance(value, float):
        return number_text(to_decimal(value))
    from mapwright.dsl.jsonio import dumps

    check_text_size(value)
    return dumps(value)


def concat(a: Any, b: Any) -> str:
    result = text(a) + text(b)
    if len(result) > MAX_TEXT:
        raise text_limit(len(result))
    return result


def template(*parts: Any) -> str:
    result = "".join([text(p) for p in parts])
    if len(result) > MAX_TEXT:
        raise text_limit(len(result))
    return result


def truthy(value: Any) -> bool:
    """JMESPath truthiness: false, missing, null, "", [] and {} are false; 0 is true."""
    if value is True:
        return True
    if value is False or value is MISSING or value is None:
        return False
    if isinstance(value, str | list | dict):
        return len(value) > 0
    return True


_PLAIN = frozenset({str, int, Decimal})
"""Types ``eq`` and the order comparisons compare with Python's own operators (no float, no
bool: a bool is not equal to 1 here, and a float compares as the decimal it prints as)."""

_ORDERED = frozenset({int, Decimal})


def eq(a: Any, b: Any) -> bool:
    if type(a) in _PLAIN and type(b) in _PLAIN:  # what _eq ends with
        return a == b
    return _eq(a, b)


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, Ref) or isinstance(b, Ref):
        raise _ref_error(a if isinstance(a, Ref) else b)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, float):
        a = to_decimal(a)
    if isinstance(b, float):
        b = to_decimal(b)
    return bool(a == b)


def _ordered(a: Any, b: Any, op: str) -> tuple[Any, Any] | None:
    if a is MISSING or a is None or b is MISSING or b is None:
        return None
    if isinstance(a, Ref) or isinstance(b, Ref):
        raise _ref_error(a if isinstance(a, Ref) else b)
    numeric = (int, Decimal, float)
    if (
        isinstance(a, numeric)
        and isinstance(b, numeric)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return to_decimal(a), to_decimal(b)
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    if isinstance(a, _dt.datetime) and isinstance(b, _dt.datetime):
        return a, b
    if isinstance(a, _dt.date) and isinstance(b, _dt.date):
        return a, b
    raise ValueFailure(
        f"cannot compare {type_name(a)} {snippet(a)} {op} {type_name(b)} {snippet(b)}", a
    )


def lt(a: Any, b: Any) -> bool:
    if type(a) in _ORDERED and type(b) in _ORDERED:  # _lt: compares what _ordered gives
        return a < b
    return _lt(a, b)


def _lt(a: Any, b: Any) -> bool:
    pair = _ordered(a, b, "<")
    return pair is not None and pair[0] < pair[1]


def le(a: Any, b: Any) -> bool:
    if type(a) in _ORDERED and type(b) in _ORDERED:  # _le: compares what _ordered gives
        return a <= b
    return _le(a, b)


def _le(a: Any, b: Any) -> bool:
    pair = _ordered(a, b, "<=")
    return pair is not None and pair[0] <= pair[1]


def gt(a: Any, b: Any) -> bool:
    if type(a) in _ORDERED and type(b) in _ORDERED:  # _gt: compares what _ordered gives
        return a > b
    return _gt(a, b)


def _gt(a: Any, b: Any) -> bool:
    pair = _ordered(a, b, ">")
    return pair is not None and pair[0] > pair[1]


def ge(a: Any, b: Any) -> bool:
    if type(a) in _ORDERED and type(b) in _ORDERED:  # _ge: compares what _ordered gives
        return a >= b
    return _ge(a, b)


def _ge(a: Any, b: Any) -> bool:
    pair = _ordered(a, b, ">=")
    return pair is not None and pair[0] >= pair[1]


def contains(container: Any, item: Any) -> bool:
    if container is MISSING or container is None:
        return False
    if isinstance(container, list):
        return any(eq(item, x) for x in container)
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if isinstance(container, dict):
        return isinstance(item, str) and item in container
    raise ValueFailure(
        f"'in' needs a list, text or object on its right, not {type_name(container)}"
    )
