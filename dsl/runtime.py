"""Helpers that compiled scripts call at run time.

Generated code (see ``compiler.py``) inlines plain field access and calls these helpers for
everything with rules of its own: arithmetic on exact numbers, comparisons that treat
``missing``/``null`` sensibly, text templates, lookups through the resolver, and the safety
counters of ``Context`` (steps, time, list items per record; see ``limits.py``). Every helper
raises ``MappingValueError`` with a message a person can act on, or ``MappingLimitError``
naming a limit; the script turns either into a positioned error.

The step budget costs one integer decrement per counted step: ``ctx.left`` counts down to
the next checkpoint, where the steps are added up and the clock is read (every
``CLOCK_EVERY`` steps), so a tight loop never calls ``time.monotonic()``.
"""

from __future__ import annotations

import datetime as _dt
import time
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

from mapwright.dsl.errors import MappingLimitError, MappingValueError
from mapwright.dsl.limits import (
    CLOCK_EVERY,
    MAX_EACH_ITEMS,
    MAX_NUMBER_DIGITS,
    MAX_SECONDS,
    MAX_STEPS,
    MAX_TEXT,
    NAMES,
    NUMBER_LIMIT,
    number_context,
)
from mapwright.dsl.plan import Lookup, Operation, Ref
from mapwright.dsl.sizes import Memo, check_list_size, check_text_size, text_limit
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


class SkipRecord(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, reason: str):
        self.reason = reason


class ParkRecord(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, message: str):
        self.message = message


class Context:
    """Per-run state: the resolver, the planned operations and the safety counters."""

    __slots__ = (
        "resolver",
        "ops",
        "items",
        "max_items",
        "deadline",
        "max_seconds",
        "max_steps",
        "spent",
        "window",
        "left",
        "memo",
    )

    def __init__(
        self,
        resolver: Any,
        *,
        max_seconds: float = MAX_SECONDS,
        max_items: int = MAX_EACH_ITEMS,
        max_steps: int = MAX_STEPS,
    ):
        self.resolver = resolver
        self.max_items = max_items
        self.max_seconds = max_seconds
        self.max_steps = max_steps
        self.restart()

    def restart(self) -> Context:
        """Start a record: no operations, items or steps yet, the clock from now. One
        context can map record after record (``Script.run_many``)."""
        self.ops: list[Operation] = []
        self.items = 0
        self.deadline = time.monotonic() + self.max_seconds
        self.spent = 0
        self.window = CLOCK_EVERY if self.max_steps >= CLOCK_EVERY else self.max_steps + 1
        self.left = self.window - 1  # generated code: ``ctx.left -= 1`` then this check
        self.memo: Memo = {}
        return self

    def checkpoint(self) -> None:
        """Called when ``left`` drops below zero: count the steps, read the clock."""
        self.spent += self.window - 1 - self.left
        if self.spent > self.max_steps:
            raise MappingLimitError(
                f"this record took more than {self.max_steps:,} steps to map (def calls, "
                "each rounds, function calls and picks); look for defs that call other defs "
                "several times, or loops over large lists",
                limit=NAMES["steps"],
                maximum=self.max_steps,
            )
        self.clock()
        self.window = min(CLOCK_EVERY, self.max_steps - self.spent + 1)
        self.left = self.window - 1

    def spend(self, steps: int) -> None:
        """Count ``steps`` at once (the steps of a JMESPath evaluation)."""
        self.left -= steps
        if self.left < 0:
            self.checkpoint()

    def remaining(self) -> int:
        return max(0, self.max_steps - self.spent - (self.window - 1 - self.left))

    def clock(self) -> None:
        """Stop when the record's time is up (before slow calls and at checkpoints)."""
        if time.monotonic() > self.deadline:
            raise MappingLimitError(
                f"this record took too long to map (time limit of {self.max_seconds:g} s reached)",
                limit=NAMES["seconds"],
                maximum=self.max_seconds,
            )

    def count_items(self, count: int) -> None:
        self.items += count
        if self.items > self.max_items:
            raise MappingLimitError(
                f"this record produced more than {self.max_items:,} list items; "
                "check the each-loops or split the record",
                limit=NAMES["each_items"],
                maximum=self.max_items,
            )


def sized(ctx: Context | None, value: Any) -> Any:
    """A list or object the script built, checked against the list size limit."""
    return check_list_size(value, ctx.memo if ctx is not None else {})


# ---- values ------------------------------------------------------------------------------


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


def get(value: Any, key: Any) -> Any:
    """``value.key`` or ``value[key]`` for any key: missing when not there."""
    if type(value) is dict:
        return value.get(key, MISSING) if type(key) is str else MISSING
    if type(value) is list and type(key) is int:
        if -len(value) <= key < len(value):
            return value[key]
        return MISSING
    if isinstance(value, Ref) and type(key) is str:
        return Ref(value.alias, (*value.path, key))
    if (
        isinstance(key, Decimal)
        and key.is_finite()
        and key.adjusted() < 19  # larger is no index of any list, and slow to convert
        and key == key.to_integral_value()
    ):
        return get(value, int(key))
    return MISSING


def items(value: Any, ctx: Context) -> list[Any]:
    """The list an ``each`` walks over: missing/null walk nothing."""
    if type(value) is list:
        ctx.count_items(len(value))
        return value
    if value is MISSING or value is None:
        return []
    raise ValueFailure(f"each needs a list, but got {type_name(value)} {snippet(value)}", value)


def set_path(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Write ``value`` at ``path`` (``A.B.C``), creating objects on the way.

    An object already on the way is copied before it is written to: it may be a part of the
    record (``A <- address`` then ``A.Zip <- ...``) or a value measured already (``sizes``),
    and neither may change."""
    node = target
    for key in path[:-1]:
        child = node.get(key)
        child = dict(child) if isinstance(child, dict) else {}
        node[key] = child
        node = child
    node[path[-1]] = value


# ---- lookups -----------------------------------------------------------------------------


def _lookup(ctx: Context, system: str, obj: str, key: str, value: Any) -> list[dict[str, Any]]:
    if isinstance(value, Ref):
        raise _ref_error(value)
    found = ctx.resolver.find(Lookup(system, obj, key, value))
    return list(found)


def find(ctx: Context, system: str, obj: str, key: str, value: Any) -> Any:
    if value is MISSING or value is None or value == "":
        return MISSING
    rows = _lookup(ctx, system, obj, key, value)
    if not rows:
        return MISSING
    if len(rows) > 1:
        raise ParkRecord(
            f"{len(rows)} records of {system}.{obj} have {key} = {snippet(value)}; "
            "the match is ambiguous, so the record was parked: make the key unique or "
            "choose another match key"
        )
    return rows[0]


def find_all(ctx: Context, system: str, obj: str, key: str, value: Any) -> list[Any]:
    if value is MISSING or value is None or value == "":
        return []
    return _lookup(ctx, system, obj, key, value)


def exists(ctx: Context, system: str, obj: str, key: str, value: Any) -> bool:
    if value is MISSING or value is None or value == "":
        return False
    return bool(_lookup(ctx, system, obj, key, value))


def require(
    ctx: Context, system: str, obj: str, key: str, value: Any, message: Any = MISSING
) -> Any:
    found = find(ctx, system, obj, key, value)
    if found is MISSING:
        if message is MISSING or message is None:
            message = f"no {system}.{obj} with {key} = {snippet(value)}"
        raise ParkRecord(text(message))
    return found


def key_name(value: Any) -> str:
    """A match key given as an expression (``match [settings.key] = ...``) must be text."""
    if isinstance(value, str) and value:
        return value
    raise ValueFailure(
        f"a match key must be a field name (text), not {type_name(value)} {snippet(value)}", value
    )


def operation(ctx: Context, op: Operation) -> None:
    ctx.ops.append(op)


def park(message: Any) -> None:
    raise ParkRecord(text(message) or "parked by the script")


def skip(reason: Any) -> None:
    raise SkipRecord(text(reason))
