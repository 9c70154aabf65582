"""The typed syntax tree of a mapping script.

Nodes are frozen dataclasses. ``pos`` is left out of equality so that two scripts that
differ only in layout (``mapwright fmt``) have equal trees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mapwright.dsl.errors import Position

NOWHERE = Position(0, 0, 0, 0)


@dataclass(frozen=True)
class Node:
    pos: Position = field(default=NOWHERE, compare=False, repr=False, kw_only=True)


# ---- expressions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal(Node):
    value: Any  # str, int, Decimal, bool, None or MISSING


@dataclass(frozen=True)
class Template(Node):
    """A string with ``{expr}`` parts: ``"order {number}"``."""

    parts: tuple[str | Node, ...]


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class RecordRef(Node):
    pass


@dataclass(frozen=True)
class SettingsRef(Node):
    pass


@dataclass(frozen=True)
class GetField(Node):
    base: Node
    name: str


@dataclass(frozen=True)
class GetIndex(Node):
    base: Node
    index: Node


@dataclass(frozen=True)
class Jmes(Node):
    """``$"expr"`` picks from the record; ``value.$"expr"`` picks from ``base``."""

    expression: str
    base: Node | None = None


@dataclass(frozen=True)
class Call(Node):
    name: str  # "split_street" or "common.label"
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Lookup(Node):
    kind: str  # find | find_all | exists | require
    system: str
    object: str
    key: str
    value: Node
    message: Node | None = None


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "-" | "not"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str  # + - * / & == != < <= > >= in "not in" and or ??
    left: Node
    right: Node


@dataclass(frozen=True)
class IfExpr(Node):
    cond: Node
    then: Node
    else_: Node


@dataclass(frozen=True)
class MatchArm(Node):
    patterns: tuple[Node, ...]
    value: Node


@dataclass(frozen=True)
class Match(Node):
    subject: Node
    arms: tuple[MatchArm, ...]
    default: Node | None


@dataclass(frozen=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class ObjectLit(Node):
    items: tuple[tuple[str, Node], ...]


@dataclass(frozen=True)
class Block(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Each(Node):
    source: Node
    var: str
    where: Node | None
    body: Block | Node  # a Block builds objects, an expression builds values


# ---- statements --------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowStmt(Node):
    name: str
    description: str | None


@dataclass(frozen=True)
class SourceStmt(Node):
    system: str
    object: str
    params: Node | None


@dataclass(frozen=True)
class TargetStmt(Node):
    system: str


@dataclass(frozen=True)
class SettingStmt(Node):
    name: str
    type: str
    choices: tuple[str, ...]
    default: Node | None
    help: str | None
    #: ``refers system.object.Field``: every value must exist there (checked before a run)
    refers: str | None = None


@dataclass(frozen=True)
class ImportStmt(Node):
    path: str
    alias: str


@dataclass(frozen=True)
class DefStmt(Node):
    name: str
    params: tuple[str, ...]
    body: Node


@dataclass(frozen=True)
class LetStmt(Node):
    name: str
    value: Node


@dataclass(frozen=True)
class WhereStmt(Node):
    cond: Node
    reason: Node | None


@dataclass(frozen=True)
class ParkStmt(Node):
    message: Node
    cond: Node | None


@dataclass(frozen=True)
class Rule(Node):
    target: tuple[str, ...]
    value: Node
    policy: str  # always | on_create | if_empty


@dataclass(frozen=True)
class Operation(Node):
    kind: str  # create | update | upsert
    system: str
    object: str
    alias: str | None
    clause: str | None  # match | unless_exists
    key: str | Node | None  # a field name, or an expression in [...] that gives one
    key_value: Node | None
    body: Block


@dataclass(frozen=True)
class WhenStmt(Node):
    cond: Node
    body: Block
    else_body: Block | None


@dataclass(frozen=True)
class TestStmt(Node):
    name: str
    value: Node


@dataclass(frozen=True)
class Comment(Node):
    text: str  # without the leading "#"


@dataclass(frozen=True)
class Script(Node):
    statements: tuple[Node, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)


def walk(node: Any) -> Any:
    """Yield ``node`` and every node below it (depth first)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Node):
            yield current
            for name in current.__dataclass_fields__:
                if name != "pos":
                    stack.append(getattr(current, name))
        elif isinstance(current, tuple | list):
            stack.extend(reversed(current))
