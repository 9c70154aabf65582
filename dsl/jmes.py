"""JMESPath picks with exact numbers and a step budget.

``Decimal`` counts as a JMESPath number. Evaluation is counted: every node visited and every
list item a projection, flatten or function creates is one step, so a pick such as
``[@, @][] | [@, @][] | ...`` (doubling a list on every pipe) stops with a limit error
instead of filling the memory. ``to_string`` and ``join`` refuse to build text beyond the
text length limit before building it. In a script, a pick's steps count against the
record's step budget (``Context.spend``).
"""

from __future__ import annotations

import math
from decimal import Decimal
from functools import lru_cache
from typing import Any

import jmespath
from jmespath import exceptions as jmes_errors
from jmespath import functions as jmes_functions
from jmespath.functions import signature
from jmespath.parser import ParsedResult
from jmespath.visitor import TreeInterpreter
from mapwright.dsl.errors import MappingLimitError, MappingValueError
from mapwright.dsl.limits import MAX_STEPS, MAX_TEXT, NAMES
from mapwright.dsl.sizes import check_list_size, check_text_size, text_limit
from mapwright.dsl.values import MISSING


class _DecimalAwareFunctions(jmes_functions.Functions):
    def _get_allowed_pytypes(self, types: Any) -> Any:
        allowed, subtypes = super()._get_allowed_pytypes(types)
        if "float" in allowed:
            allowed = [*allowed, "Decimal"]
        subtypes = [
            (*sub, "Decimal") if isinstance(sub, tuple | list) and "float" in sub else sub
            for sub in subtypes
        ]
        return allowed, subtypes

    def _convert_to_jmespath_type(self, pyobject: str) -> str:
        if pyobject == "Decimal":
            return "number"
        return str(super()._convert_to_jmespath_type(pyobject))

    @signature({"types": []})
    def _func_to_string(self, arg: Any) -> Any:
        if not isinstance(arg, str):
            check_text_size(arg)
        return super()._func_to_string(arg)

    @signature({"types": ["string"]}, {"types": ["array-string"]})
    def _func_join(self, separator: str, array: list[str]) -> str:
        length = sum(map(len, array)) + len(separator) * max(len(array) - 1, 0)
        if length > MAX_TEXT:
            raise text_limit(length)
        return separator.join(array)

    @signature({"types": ["number"]})
    def _func_ceil(self, arg: Any) -> Any:
        return math.ceil(_integral(arg))

    @signature({"types": ["number"]})
    def _func_floor(self, arg: Any) -> Any:
        return math.floor(_integral(arg))


def _integral(number: Any) -> Any:
    if isinstance(number, Decimal) and (not number.is_finite() or number.adjusted() > 100):
        raise MappingValueError(f"the number {number} is too large to round to a whole number")
    return number


OPTIONS = jmespath.Options(custom_functions=_DecimalAwareFunctions())


class _CountingInterpreter(TreeInterpreter):
    """JMESPath's interpreter with a step budget (visits plus items created)."""

    def __init__(self, budget: int, maximum: int):
        super().__init__(OPTIONS)
        self.budget = budget
        self.maximum = maximum
        self.left = budget

    def visit(self, node: Any, *args: Any, **kwargs: Any) -> Any:
        self.left -= 1
        if self.left < 0:
            raise _pick_limit(self.maximum)
        result = super().visit(node, *args, **kwargs)
        if (type(result) is list or type(result) is dict) and node["type"] in _CREATES:
            self.left -= len(result)
            if self.left < 0:
                raise _pick_limit(self.maximum)
        return result


_CREATES = {
    "flatten",
    "projection",
    "filter_projection",
    "value_projection",
    "multi_select_list",
    "multi_select_dict",
    "slice",
    "function_expression",
}


def _pick_limit(maximum: int) -> MappingLimitError:
    return MappingLimitError(
        f"this JMESPath pick used up the record's {maximum:,} steps; it builds or walks "
        "too many values",
        limit=NAMES["steps"],
        maximum=maximum,
    )


@lru_cache(maxsize=2048)
def compile_expression(expression: str) -> ParsedResult:
    """Compile once; raises ``jmespath`` parse errors (callers turn them into ours)."""
    return jmespath.compile(expression)


def search(compiled: ParsedResult, data: Any, ctx: Any = None) -> Any:
    """Evaluate a compiled expression; ``missing`` input reads as null.

    With a run's ``ctx`` the steps count against the record's budget and a list or object
    result is checked against the list size limit.
    """
    if data is MISSING:
        data = None
    interpreter = (
        _CountingInterpreter(ctx.remaining(), ctx.max_steps)
        if ctx is not None
        else _CountingInterpreter(MAX_STEPS, MAX_STEPS)
    )
    try:
        result = interpreter.visit(compiled.parsed, data)
    except jmes_errors.JMESPathError as exc:
        raise MappingValueError(f"JMESPath {compiled.expression!r} failed: {exc}") from None
    except (TypeError, ArithmeticError, ValueError) as exc:
        raise MappingValueError(f"JMESPath {compiled.expression!r} failed: {exc}") from None
    except RecursionError:
        raise MappingValueError(
            f"JMESPath {compiled.expression!r} failed: the value is nested too deeply"
        ) from None
    if ctx is not None:
        ctx.spend(interpreter.budget - interpreter.left)
        if type(result) is list or type(result) is dict:
            check_list_size(result, ctx.memo)
    return result


def pick(expression: str, data: Any) -> Any:
    """Evaluate JMESPath ``expression`` against ``data`` (JMESPath semantics).

    Example: ``pick("lines[?qty > `1`].sku", {"lines": [{"sku": "A", "qty": 2}]})`` → ``["A"]``.
    Raises ``MappingValueError`` for an invalid expression or a type error.
    """
    try:
        compiled = compile_expression(expression)
    except jmes_errors.JMESPathError as exc:
        raise MappingValueError(f"invalid JMESPath {expression!r}: {exc}") from None
    return search(compiled, data)


def is_plain_path(expression: str) -> list[str | int] | None:
    """``a.b[0].c`` as steps when the expression is a plain path, else ``None``."""
    steps: list[str | int] = []
    import re

    pattern = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")
    for part in expression.split("."):
        m = pattern.fullmatch(part)
        if not m:
            return None
        steps.append(m.group(1))
        steps.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return steps


__all__ = ["Decimal", "compile_expression", "is_plain_path", "pick", "search"]
