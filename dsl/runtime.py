"""Helpers that compiled scripts call at run time.

Generated code (see ``compiler.py``) inlines plain field access and calls these helpers for
everything with rules of its own: the operators (``operators.py``, imported here), paths,
lookups through the resolver, and the safety counters of ``Context`` (steps, time, list
items per record; see ``limits.py``). Every helper
raises ``MappingValueError`` with a message a person can act on, or ``MappingLimitError``
naming a limit; the script turns either into a positioned error.

The step budget costs one integer decrement per counted step: ``ctx.left`` counts down to
the next checkpoint, where the steps are added up and the clock is read (every
``CLOCK_EVERY`` steps), so a tight loop never calls ``time.monotonic()``.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from mapwright.dsl.errors import MappingLimitError
from mapwright.dsl.limits import CLOCK_EVERY, MAX_EACH_ITEMS, MAX_SECONDS, MAX_STEPS, NAMES
from mapwright.dsl.operators import (  # the operators compiled code calls, with the rest
    NUMBERS,
    ValueFailure,
    _ref_error,
    add,
    concat,
    contains,
    div,
    eq,
    ge,
    gt,
    le,
    lt,
    mul,
    neg,
    sub,
    template,
    text,
    truthy,
)
from mapwright.dsl.plan import Lookup, Operation, Ref
from mapwright.dsl.resolver import Unanswered
from mapwright.dsl.sizes import Memo, check_list_size
from mapwright.dsl.values import MISSING, snippet, type_name


class RecordSignal(Exception):  # noqa: N818 - control flow, not an error
    """The one base of the language's control-flow signals: a ``where`` or ``park``
    statement ends the record's mapping early. ``Script.run`` turns them into an
    ``Outcome`` (``skipped`` / ``parked``); they never leave the dsl package."""


class SkipRecord(RecordSignal):
    def __init__(self, reason: str):
        self.reason = reason


class ParkRecord(RecordSignal):
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


def _answer(ctx: Context, system: str, obj: str, key: str, value: Any) -> list[dict[str, Any]]:
    """The resolver's answer as it is (``Unanswered`` while the engine probes)."""
    if isinstance(value, Ref):
        raise _ref_error(value)
    return ctx.resolver.find(Lookup(system, obj, key, value))


def _lookup(ctx: Context, system: str, obj: str, key: str, value: Any) -> list[dict[str, Any]]:
    return list(_answer(ctx, system, obj, key, value))


def _single(rows: list[dict[str, Any]], system: str, obj: str, key: str, value: Any) -> Any:
    """What ``find`` gives for the rows found: missing, the one record, or a park."""
    if not rows:
        return MISSING
    if len(rows) > 1:
        raise ParkRecord(
            f"{len(rows)} records of {system}.{obj} have {key} = {snippet(value)}; "
            "the match is ambiguous, so the record was parked: make the key unique or "
            "choose another match key"
        )
    return rows[0]


def find(ctx: Context, system: str, obj: str, key: str, value: Any) -> Any:
    if value is MISSING or value is None or value == "":
        return MISSING
    return _single(_lookup(ctx, system, obj, key, value), system, obj, key, value)


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
    if value is MISSING or value is None or value == "":
        found = MISSING
    else:
        rows = _answer(ctx, system, obj, key, value)
        if type(rows) is Unanswered:
            # the engine probes this record (its result is thrown away): no park that only
            # the missing answer would cause, so the run goes on to its further lookups
            return MISSING
        found = _single(list(rows), system, obj, key, value)
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


__all__ = [  # with the operators, so compiled code finds every helper here
    "NUMBERS",
    "Context",
    "ParkRecord",
    "SkipRecord",
    "ValueFailure",
    "add",
    "concat",
    "contains",
    "div",
    "eq",
    "exists",
    "find",
    "find_all",
    "ge",
    "get",
    "gt",
    "items",
    "key_name",
    "le",
    "lt",
    "mul",
    "neg",
    "operation",
    "park",
    "require",
    "set_path",
    "sized",
    "skip",
    "sub",
    "template",
    "text",
    "truthy",
]
