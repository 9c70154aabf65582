"""How deeply a statement's syntax tree nests, checked before anything walks it recursively.

The parser builds trees without recursion, so a script may hold a tree of any depth. The
compiler, the formatter and Python's own compiler do recurse, so a statement may nest at
most ``MAX_NESTING`` levels, and ``each`` loops at most ``MAX_EACH_NESTING`` inside each
other. Long flat chains are not nesting: the left side of ``a + b + c`` (an operator of the
same precedence) and the base of ``x.a.b[0].c`` stay on the chain's level, because the
compiler and the formatter walk chains with loops (``binary_chain``, ``path_chain``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mapwright.dsl import ast
from mapwright.dsl.errors import MappingLimitError
from mapwright.dsl.limits import MAX_EACH_NESTING, MAX_NESTING, NAMES

#: operators that chain on the left with each other (one precedence level each)
CHAIN_CLASSES = {
    "+": "sum",
    "-": "sum",
    "*": "product",
    "/": "product",
    "&": "concat",
    "and": "and",
    "or": "or",
    "??": "coalesce",
}
POSTFIX = (ast.GetField, ast.GetIndex)


def is_postfix(node: Any) -> bool:
    """A step of a path chain: ``.name``, ``[index]`` or ``.$"pick"`` on a value."""
    return isinstance(node, POSTFIX) or (isinstance(node, ast.Jmes) and node.base is not None)


def binary_chain(node: ast.Binary) -> tuple[ast.Node, list[ast.Binary]]:
    """``a + b - c`` as its first operand and the steps in order (``+ b``, ``- c``)."""
    kind = CHAIN_CLASSES.get(node.op)
    steps = []
    current: ast.Node = node
    while (
        isinstance(current, ast.Binary)
        and kind is not None
        and CHAIN_CLASSES.get(current.op) == kind
    ):
        steps.append(current)
        current = current.left
    if not steps:
        return node.left, [node]
    steps.reverse()
    return current, steps


def path_chain(node: ast.Node) -> tuple[ast.Node, list[ast.Node]]:
    """``x.a[0].$"b"`` as its base ``x`` and the steps in order."""
    steps = []
    current = node
    while is_postfix(current):
        steps.append(current)
        current = current.base  # type: ignore[attr-defined]
    steps.reverse()
    return current, steps


def children(node: ast.Node) -> Iterator[tuple[Any, bool]]:
    """The child nodes of ``node``, each with whether it continues ``node``'s chain."""
    for name in node.__dataclass_fields__:
        if name == "pos":
            continue
        value = getattr(node, name)
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            if isinstance(item, tuple):  # object literal pairs
                for part in item:
                    if isinstance(part, ast.Node):
                        yield part, False
            elif isinstance(item, ast.Node):
                yield item, _continues(node, name, item)


def _continues(parent: ast.Node, field: str, child: ast.Node) -> bool:
    if isinstance(parent, ast.Block):  # the block's braces were counted at its statement
        return True
    if isinstance(parent, ast.Binary) and field == "left" and isinstance(child, ast.Binary):
        kind = CHAIN_CLASSES.get(parent.op)
        return kind is not None and CHAIN_CLASSES.get(child.op) == kind
    return field == "base" and is_postfix(parent) and is_postfix(child)


def check_nesting(statement: ast.Node, script: str | None) -> None:
    """Raise ``MappingLimitError`` at the first node nested deeper than the limits allow."""
    stack: list[tuple[ast.Node, int, int]] = [(statement, 0, 0)]
    while stack:
        node, depth, loops = stack.pop()
        if depth > MAX_NESTING:
            raise MappingLimitError(
                f"this is nested {depth} deep; the limit is {MAX_NESTING}. "
                "Use let to name parts of the expression (or def for repeated parts).",
                node.pos,
                script,
                limit=NAMES["nesting"],
                maximum=MAX_NESTING,
            )
        if isinstance(node, ast.Each):
            loops += 1
            if loops > MAX_EACH_NESTING:
                raise MappingLimitError(
                    f"this each is inside {loops - 1} other each loops; the limit is "
                    f"{MAX_EACH_NESTING}. Map the inner lists with a def or a separate step.",
                    node.pos,
                    script,
                    limit=NAMES["each_nesting"],
                    maximum=MAX_EACH_NESTING,
                )
        for child, same_level in children(node):
            stack.append((child, depth if same_level else depth + 1, loops))
