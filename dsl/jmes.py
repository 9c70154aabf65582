"""JMESPath picks with exact numbers: ``Decimal`` counts as a JMESPath number."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

import jmespath
from jmespath import exceptions as jmes_errors
from jmespath import functions as jmes_functions
from jmespath.parser import ParsedResult
from mapwright.dsl.errors import MappingValueError
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


OPTIONS = jmespath.Options(custom_functions=_DecimalAwareFunctions())


@lru_cache(maxsize=2048)
def compile_expression(expression: str) -> ParsedResult:
    """Compile once; raises ``jmespath`` parse errors (callers turn them into ours)."""
    return jmespath.compile(expression)


def search(compiled: ParsedResult, data: Any) -> Any:
    """Evaluate a compiled expression; ``missing`` input reads as null."""
    if data is MISSING:
        data = None
    try:
        return compiled.search(data, options=OPTIONS)
    except jmes_errors.JMESPathError as exc:
        raise MappingValueError(f"JMESPath {compiled.expression!r} failed: {exc}") from None
    except (TypeError, ArithmeticError, ValueError) as exc:
        raise MappingValueError(f"JMESPath {compiled.expression!r} failed: {exc}") from None


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
