"""Turn Lark's parse tree of one statement into ``mapwright.dsl.ast`` nodes (the parser's
last stage).

The transformation runs without recursion (Lark's ``Transformer_NonRecursive``), so a chain
of 500 ``+`` or 500 nested ``if`` cannot exhaust Python's stack; how deep the resulting tree
may nest is checked afterwards (``nesting.py``). Positions are shifted from the statement to
the script. Text literals are split into their ``{...}`` parts by ``text_literals.py``, and
each part is parsed as an expression by the parser (``parse_inner``), nested one level deeper.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lark import Token, v_args
from lark.visitors import Transformer_NonRecursive
from mapwright.dsl import ast
from mapwright.dsl.errors import MappingLimitError, MappingSyntaxError, Position
from mapwright.dsl.limits import MAX_NUMBER_DIGITS, NAMES
from mapwright.dsl.text_literals import TextLiterals
from mapwright.dsl.values import MISSING


class Builder(TextLiterals, Transformer_NonRecursive[Any, Any]):
    """Turn Lark's tree into ``ast`` nodes with script positions (without recursion, so a
    chain of 500 ``+`` or 500 nested ``if`` cannot exhaust Python's stack)."""

    def __init__(
        self,
        first_line: int,
        first_column: int,
        name: str | None,
        text: str,
        outer_depth: int,
        parse_inner: Callable[..., Any],
    ):
        super().__init__()
        self.parse_inner = parse_inner
        self.first_line = first_line
        self.first_column = first_column
        self.script_name = name
        self.text = text
        self.outer_depth = outer_depth

    def _pos(self, meta: Any) -> Position:
        if getattr(meta, "empty", True):
            return ast.NOWHERE
        return self._shift(meta.line, meta.column, meta.end_line, meta.end_column)

    def _tpos(self, token: Token) -> Position:
        return self._shift(
            token.line or 1, token.column or 1, token.end_line or 1, token.end_column or 1
        )

    def _shift(self, line: int, column: int, end_line: int, end_column: int) -> Position:
        if line == 1:
            column += self.first_column - 1
        if end_line == 1:
            end_column += self.first_column - 1
        return Position(
            line + self.first_line - 1, column, end_line + self.first_line - 1, end_column
        )

    def __default__(self, data: str, children: list[Any], meta: Any) -> Any:
        raise MappingSyntaxError(
            f"internal: no builder for {data}", self._pos(meta), self.script_name
        )

    # statements
    @v_args(meta=True)
    def statement(self, meta: Any, c: list[Any]) -> Any:
        return c[0]

    @v_args(meta=True)
    def flow_stmt(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.FlowStmt(str(c[0]), self._text(c[1]) if c[1] else None, pos=self._pos(meta))

    @v_args(meta=True)
    def source_stmt(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.SourceStmt(str(c[0]), str(c[1]), c[2], pos=self._pos(meta))

    @v_args(meta=True)
    def target_stmt(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.TargetStmt(str(c[0]), pos=self._pos(meta))

    @v_args(meta=True)
    def setting_stmt(self, meta: Any, c: list[Any]) -> ast.Node:
        type_name, choices = c[1]
        help_text = self._text(c[4]) if c[4] else None
        return ast.SettingStmt(
            str(c[0]), type_name, choices, c[2], help_text, refers=c[3], pos=self._pos(meta)
        )

    def setting_ref(self, c: list[Any]) -> str:
        return ".".join(str(t) for t in c)

    @v_args(meta=True)
    def simple_type(self, meta: Any, c: list[Any]) -> tuple[str, tuple[str, ...]]:
        return str(c[0]), ()

    @v_args(meta=True)
    def enum_type(self, meta: Any, c: list[Any]) -> tuple[str, tuple[str, ...]]:
        return "enum", tuple(self._text(t) for t in c)

    @v_args(meta=True)
    def import_stmt(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.ImportStmt(self._text(c[0]), str(c[1]), pos=self._pos(meta))

    @v_args(meta=True)
    def def_stmt(self, meta: Any, c: list[Any]) -> ast.Node:
        params = tuple(str(p) for p in c[1:-1] if p is not None)
        return ast.DefStmt(str(c[0]), params, c[-1], pos=self._pos(meta))

    @v_args(meta=True)
    def let_stmt(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.LetStmt(str(c[0]), c[1], pos=self._pos(meta))

    @v_args(meta=True)
    def where_stmt(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.WhereStmt(c[0], c[1], pos=self._pos(meta))

    @v_args(meta=True)
    def park_stmt(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.ParkStmt(c[0], c[1], pos=self._pos(meta))

    @v_args(meta=True)
    def rule(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.Rule(c[0], c[1], c[2] or "always", pos=self._pos(meta))

    @v_args(meta=True)
    def target_path(self, meta: Any, c: list[Any]) -> tuple[str, ...]:
        return tuple(c)

    @v_args(meta=True)
    def field_name(self, meta: Any, c: list[Any]) -> str:
        token = c[0]
        return self._text(token) if token.type == "STRING" else str(token)

    def on_create(self, c: list[Any]) -> str:
        return "on_create"

    def if_empty(self, c: list[Any]) -> str:
        return "if_empty"

    def always(self, c: list[Any]) -> str:
        return "always"

    @v_args(meta=True)
    def operation(self, meta: Any, c: list[Any]) -> ast.Node:
        kind, system, obj, alias, clause, body = c
        clause_kind, key, key_value = clause if clause else (None, None, None)
        return ast.Operation(
            str(kind),
            str(system),
            str(obj),
            str(alias) if alias else None,
            clause_kind,
            key,
            key_value,
            body,
            pos=self._pos(meta),
        )

    def match_clause(self, c: list[Any]) -> tuple[str, Any, Any]:
        return "match", c[0], c[1]

    def unless_clause(self, c: list[Any]) -> tuple[str, Any, Any]:
        return "unless_exists", c[0], c[1]

    def static_key(self, c: list[Any]) -> str:
        return str(c[0])

    def dynamic_key(self, c: list[Any]) -> Any:
        return c[0]

    @v_args(meta=True)
    def block(self, meta: Any, c: list[Any]) -> ast.Block:
        return ast.Block(tuple(c), pos=self._pos(meta))

    @v_args(meta=True)
    def when_stmt(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.WhenStmt(c[0], c[1], c[2], pos=self._pos(meta))

    @v_args(meta=True)
    def test_stmt(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.TestStmt(self._text(c[0]), c[1], pos=self._pos(meta))

    # expressions
    @v_args(meta=True)
    def if_expr(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.IfExpr(c[0], c[1], c[2], pos=self._pos(meta))

    @v_args(meta=True)
    def coalesce(self, meta: Any, c: list[Any]) -> ast.Node:
        return self._fold("??", c, meta)

    @v_args(meta=True)
    def or_expr(self, meta: Any, c: list[Any]) -> ast.Node:
        return self._fold("or", c, meta)

    @v_args(meta=True)
    def and_expr(self, meta: Any, c: list[Any]) -> ast.Node:
        return self._fold("and", c, meta)

    @v_args(meta=True)
    def concat(self, meta: Any, c: list[Any]) -> ast.Node:
        return self._fold("&", c, meta)

    def _fold(self, op: str, items: list[Any], meta: Any) -> ast.Node:
        node = items[0]
        for item in items[1:]:
            node = ast.Binary(op, node, item, pos=self._span(node, item))
        return node

    def _span(self, a: ast.Node, b: ast.Node) -> Position:
        return Position(a.pos.line, a.pos.column, b.pos.end_line, b.pos.end_column)

    @v_args(meta=True)
    def sum(self, meta: Any, c: list[Any]) -> ast.Node:
        return self._fold_ops(c)

    @v_args(meta=True)
    def product(self, meta: Any, c: list[Any]) -> ast.Node:
        return self._fold_ops(c)

    def _fold_ops(self, c: list[Any]) -> ast.Node:
        node = c[0]
        for op, item in zip(c[1::2], c[2::2], strict=True):
            node = ast.Binary(str(op), node, item, pos=self._span(node, item))
        return node

    @v_args(meta=True)
    def not_op(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.Unary("not", c[0], pos=self._pos(meta))

    @v_args(meta=True)
    def neg(self, meta: Any, c: list[Any]) -> ast.Node:
        if str(c[0]) == "+":
            return c[1]
        return ast.Unary("-", c[1], pos=self._pos(meta))

    @v_args(meta=True)
    def compare(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.Binary(str(c[1]), c[0], c[2], pos=self._pos(meta))

    @v_args(meta=True)
    def in_op(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.Binary("in", c[0], c[1], pos=self._pos(meta))

    @v_args(meta=True)
    def not_in_op(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.Binary("not in", c[0], c[1], pos=self._pos(meta))

    @v_args(meta=True)
    def get_field(self, meta: Any, c: list[Any]) -> ast.Node:
        token = c[1]
        name = self._text(token) if token.type == "STRING" else str(token)
        return ast.GetField(c[0], name, pos=self._pos(meta))

    @v_args(meta=True)
    def get_index(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.GetIndex(c[0], c[1], pos=self._pos(meta))

    @v_args(meta=True)
    def name(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.Name(str(c[0]), pos=self._tpos(c[0]))

    @v_args(meta=True)
    def record_ref(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.RecordRef(pos=self._pos(meta))

    @v_args(meta=True)
    def settings_ref(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.SettingsRef(pos=self._pos(meta))

    @v_args(meta=True)
    def call(self, meta: Any, c: list[Any]) -> ast.Node:
        args = tuple(a for a in c[1:] if a is not None)
        return ast.Call(str(c[0]), args, pos=self._pos(meta))

    @v_args(meta=True)
    def module_call(self, meta: Any, c: list[Any]) -> ast.Node:
        base = c[0]
        if not isinstance(base, ast.Name):
            raise MappingSyntaxError(
                "only functions of an imported script can be called with a dot "
                '(import "file.map" as name, then name.function(...))',
                self._pos(meta),
                self.script_name,
            )
        args = tuple(a for a in c[2:] if a is not None)
        return ast.Call(f"{base.name}.{c[1]}", args, pos=self._pos(meta))

    @v_args(meta=True)
    def lookup(self, meta: Any, c: list[Any]) -> ast.Node:
        kind, system, obj, key, value, message = c
        return ast.Lookup(
            str(kind), str(system), str(obj), str(key), value, message, pos=self._pos(meta)
        )

    @v_args(meta=True)
    def jmes(self, meta: Any, c: list[Any]) -> ast.Node:
        raw = str(c[0])[2:-1]
        text = re.sub(r'\\(["\\])', r"\1", raw)
        return ast.Jmes(text, pos=self._tpos(c[0]))

    @v_args(meta=True)
    def pick_on(self, meta: Any, c: list[Any]) -> ast.Node:
        picked = self.jmes(meta, [c[1]])
        return ast.Jmes(picked.expression, c[0], pos=self._pos(meta))

    @v_args(meta=True)
    def list_lit(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.ListLit(tuple(x for x in c if x is not None), pos=self._pos(meta))

    @v_args(meta=True)
    def object_lit(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.ObjectLit(tuple(x for x in c if x is not None), pos=self._pos(meta))

    def pair(self, c: list[Any]) -> tuple[str, Any]:
        return c[0], c[1]

    @v_args(meta=True)
    def each_expr(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.Each(c[0], str(c[1]), c[2], c[3], pos=self._pos(meta))

    @v_args(meta=True)
    def each_value(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.Each(c[0], str(c[1]), c[2], c[3], pos=self._pos(meta))

    @v_args(meta=True)
    def match_expr(self, meta: Any, c: list[Any]) -> ast.Node:
        arms = tuple(x for x in c[1:] if isinstance(x, ast.MatchArm))
        defaults = [x[1] for x in c[1:] if isinstance(x, tuple)]
        if len(defaults) > 1 or (
            defaults
            and not isinstance(c[-1], tuple)
            and not (c[-1] is None and isinstance(c[-2], tuple))
        ):
            raise MappingSyntaxError(
                "a match has one 'else' arm, and it comes last", self._pos(meta), self.script_name
            )
        default = defaults[0] if defaults else None
        return ast.Match(c[0], arms, default, pos=self._pos(meta))

    @v_args(meta=True)
    def arm(self, meta: Any, c: list[Any]) -> ast.Node:
        items = [x for x in c if x is not None]
        return ast.MatchArm(tuple(items[:-1]), items[-1], pos=self._pos(meta))

    def else_arm(self, c: list[Any]) -> tuple[str, Any]:
        return "else", c[0]

    # literals
    @v_args(meta=True)
    def string(self, meta: Any, c: list[Any]) -> ast.Node:
        return self._template(c[0])

    @v_args(meta=True)
    def number(self, meta: Any, c: list[Any]) -> ast.Node:
        text = str(c[0])
        digits = len(text) - text.count(".")
        if digits > MAX_NUMBER_DIGITS:
            raise MappingLimitError(
                f"this number has {digits:,} digits; the limit is {MAX_NUMBER_DIGITS}",
                self._tpos(c[0]),
                self.script_name,
                limit=NAMES["number_digits"],
                maximum=MAX_NUMBER_DIGITS,
            )
        value: int | Decimal = Decimal(text) if "." in text else int(text)
        return ast.Literal(value, pos=self._tpos(c[0]))

    @v_args(meta=True)
    def true(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.Literal(True, pos=self._pos(meta))

    @v_args(meta=True)
    def false(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.Literal(False, pos=self._pos(meta))

    @v_args(meta=True)
    def null(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.Literal(None, pos=self._pos(meta))

    @v_args(meta=True)
    def missing(self, meta: Any, c: list[Any]) -> ast.Node:
        return ast.Literal(MISSING, pos=self._pos(meta))
