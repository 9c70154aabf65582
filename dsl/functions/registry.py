"""The registry of builtin functions that scripts may call.

A builtin is a plain Python function registered with ``@builtin``. Its docstring's first line
is its summary; its ``examples`` are DSL calls with the JSON value they must return. The
examples are run as tests and rendered into ``docs/functions.md``.

Conventions for builtins:
* arguments arrive as runtime values (see ``mapwright.dsl.values``): ``MISSING``, ``None``,
  ``str``, ``int``/``Decimal``, ``bool``, ``list``, ``dict``, ``date``/``datetime``;
* a missing or null input usually gives a missing/null output rather than an error;
* bad input raises ``MappingValueError`` with a message that says what was expected.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Example:
    """``call`` is DSL text such as ``split_street("Am Markt 3b")``; ``result`` its JSON value."""

    call: str
    result: Any


@dataclass(frozen=True)
class Function:
    name: str
    impl: Callable[..., Any]
    min_args: int
    max_args: int | None
    summary: str
    doc: str
    category: str
    examples: tuple[Example, ...]
    #: may run for a noticeable time (a regular expression): the script reads the clock first
    slow: bool = False


REGISTRY: dict[str, Function] = {}

MAY_RETURN_LISTS = frozenset(
    {
        "coalesce",
        "first",
        "keys",
        "last",
        "lookup",
        "remap",
        "reverse",
        "sort",
        "split",
        "split_street",
        "unique",
        "values",
    }
)
"""Builtins whose result may be a list or an object; every other builtin gives a text, a
number, a date, a boolean or null (the compiler relies on it to skip size checks;
tests/dsl/functions/test_function_registry.py checks it against the examples)."""


def builtin(
    name: str | None = None,
    *,
    category: str = "general",
    examples: list[tuple[str, Any]] | None = None,
    slow: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as a builtin function callable from scripts."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        fname = name or fn.__name__.rstrip("_")
        if fname in REGISTRY:
            raise ValueError(f"builtin {fname!r} registered twice")
        params = inspect.signature(fn).parameters.values()
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        required = [p for p in positional if p.default is p.empty]
        variadic = any(p.kind == p.VAR_POSITIONAL for p in params)
        doc = inspect.cleandoc(fn.__doc__ or "")
        REGISTRY[fname] = Function(
            name=fname,
            impl=fn,
            min_args=len(required),
            max_args=None if variadic else len(positional),
            summary=doc.splitlines()[0] if doc else "",
            doc=doc,
            category=category,
            examples=tuple(Example(c, r) for c, r in (examples or [])),
            slow=slow,
        )
        return fn

    return register
