"""Print a syntax tree in the canonical layout (``mapwright fmt``).

The layout: one statement per line, blocks indented by two spaces, one space around binary
operators and ``<-``, objects and lists on one line when they fit in 88 characters.
Comments are kept: a comment on its own line stays before the statement that follows it, a
comment at the end of a line stays at the end of that line. Formatting twice gives the same
text, and the formatted text parses to the same tree.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from mapwright.dsl import ast
from mapwright.dsl.nesting import binary_chain, is_postfix, path_chain
from mapwright.dsl.parser import parse
from mapwright.dsl.values import MISSING

WIDTH = 88
INDENT = "  "
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_KEYWORDS = {
    "if", "then", "else", "and", "or", "not", "in", "true", "false", "null", "missing", "each",
    "as", "where", "match", "record", "settings", "find", "find_all", "exists", "require",
    "create", "update", "upsert", "on", "empty", "always", "let", "def", "park", "when", "with",
    "flow", "source", "target", "setting", "import", "test", "help", "unless", "enum",
}  # fmt: skip

# precedence: higher binds tighter
_PREC = {
    "??": 2,
    "or": 3,
    "and": 4,
    "==": 6,
    "!=": 6,
    "<": 6,
    "<=": 6,
    ">": 6,
    ">=": 6,
    "in": 6,
    "not in": 6,
    "&": 7,
    "+": 8,
    "-": 8,
    "*": 9,
    "/": 9,
}
_NOT, _NEG, _POSTFIX, _ATOM = 5, 10, 11, 12


def format_source(source: str, *, name: str | None = None) -> str:
    """The canonical layout of ``source``; raises ``MappingSyntaxError`` if it does not parse."""
    return Printer(parse(source, name=name)).print()


def _quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\t", "\\t")
        .replace("\r", "\\r")
        .replace("{", "\\{")
        .replace("}", "\\}")
    )
    return f'"{escaped}"'


def _pick(expression: str) -> str:
    return '$"' + expression.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _field(name: str) -> str:
    return name if _IDENT.match(name) and name not in _KEYWORDS else _quote(name)


def _key(name: str) -> str:
    return name if _IDENT.match(name) and name not in _KEYWORDS else _quote(name)


class Printer:
    def __init__(self, script: ast.Script):
        self.script = script
        self.comments = sorted(script.comments, key=lambda c: (c.pos.line, c.pos.column))
        self.ci = 0
        self.out: list[str] = []
        self.inline = 0

    # -- comments --------------------------------------------------------------------------
    def _leading(self, line: int, depth: int) -> None:
        last = None
        while self.ci < len(self.comments) and self.comments[self.ci].pos.line < line:
            last = self.comments[self.ci].pos.line
            self.out.append(INDENT * depth + "#" + self.comments[self.ci].text.rstrip())
            self.ci += 1
        if last is not None and line - last > 1 and line < 10**9:
            self.out.append("")

    def _trailing(self, line: int) -> str:
        parts = []
        while self.ci < len(self.comments) and self.comments[self.ci].pos.line == line:
            parts.append("#" + self.comments[self.ci].text.rstrip())
            self.ci += 1
        return ("  " + " ".join(parts)) if parts else ""

    # -- statements ------------------------------------------------------------------------
    def print(self) -> str:
        previous: ast.Node | None = None
        for stmt in self.script.statements:
            if previous is not None and self._blank_between(previous, stmt):
                self.out.append("")
            self.statement(stmt, 0)
            previous = stmt
        self._leading(10**9, 0)
        return "\n".join(self.out).rstrip() + "\n"

    def _blank_between(self, a: ast.Node, b: ast.Node) -> bool:
        grouped = (ast.FlowStmt, ast.SourceStmt, ast.TargetStmt)
        if isinstance(a, grouped) and isinstance(b, grouped):
            return False
        same_kind = ast.SettingStmt | ast.LetStmt | ast.Rule | ast.ImportStmt | ast.WhereStmt
        return not (type(a) is type(b) and isinstance(a, same_kind | ast.DefStmt))

    def statement(self, node: ast.Node, depth: int) -> None:
        self._leading(node.pos.line, depth)
        pad = INDENT * depth
        if isinstance(node, ast.Operation | ast.WhenStmt) or self._has_block(node):
            self._block_statement(node, depth)
            return
        text = pad + self.line_of(node, depth)
        # comments of a statement written over several lines: those at the end of its first
        # or last line stay at the end of the printed statement, those on lines in between
        # go before it, so that formatting the result again changes nothing
        trail = self._trailing(node.pos.line)
        while self.ci < len(self.comments) and self.comments[self.ci].pos.line < node.pos.end_line:
            self.out.append(pad + "#" + self.comments[self.ci].text.rstrip())
            self.ci += 1
        if node.pos.end_line != node.pos.line:
            trail += self._trailing(node.pos.end_line)
        self.out.append(text + trail)
        self._leading(node.pos.end_line + 1, depth)

    def _has_block(self, node: ast.Node) -> bool:
        return any(isinstance(n, ast.Block) for n in ast.walk(node))

    def line_of(self, node: ast.Node, depth: int) -> str:
        e = lambda x: self.expr(x, 0, depth)  # noqa: E731
        if isinstance(node, ast.FlowStmt):
            return f"flow {node.name}" + (
                f" {_quote(node.description)}" if node.description else ""
            )
        if isinstance(node, ast.SourceStmt):
            return f"source {node.system}.{node.object}" + (
                f" with {e(node.params)}" if node.params is not None else ""
            )
        if isinstance(node, ast.TargetStmt):
            return f"target {node.system}"
        if isinstance(node, ast.SettingStmt):
            kind = (
                f"enum({', '.join(_quote(c) for c in node.choices)})"
                if node.type == "enum"
                else node.type
            )
            text = f"setting {node.name}: {kind}"
            if node.default is not None:
                text += f" = {e(node.default)}"
            if node.refers:
                text += f" refers {node.refers}"
            if node.help:
                text += f" help {_quote(node.help)}"
            return text
        if isinstance(node, ast.ImportStmt):
            return f"import {_quote(node.path)} as {node.alias}"
        if isinstance(node, ast.DefStmt):
            return f"def {node.name}({', '.join(node.params)}) = {e(node.body)}"
        if isinstance(node, ast.LetStmt):
            return f"let {node.name} = {e(node.value)}"
        if isinstance(node, ast.WhereStmt):
            return f"where {e(node.cond)}" + (f" else {e(node.reason)}" if node.reason else "")
        if isinstance(node, ast.ParkStmt):
            return f"park {e(node.message)}" + (f" if {e(node.cond)}" if node.cond else "")
        if isinstance(node, ast.Rule):
            target = ".".join(_field(t) for t in node.target)
            policy = {"always": "", "on_create": " on create", "if_empty": " if empty"}[node.policy]
            return f"{target} <- {e(node.value)}{policy}"
        if isinstance(node, ast.TestStmt):
            return f"test {_quote(node.name)} {e(node.value)}"
        raise ValueError(f"cannot print {type(node).__name__}")

    def _block_statement(self, node: ast.Node, depth: int) -> None:
        pad = INDENT * depth
        if isinstance(node, ast.Operation):
            head = f"{node.kind} {node.system}.{node.object}"
            if node.alias:
                head += f" as {node.alias}"
            if node.key is not None and node.key_value is not None:
                key = (
                    node.key
                    if isinstance(node.key, str)
                    else "[" + self.expr(node.key, 0, depth) + "]"
                )
                clause = "match" if node.clause == "match" else "unless exists"
                head += f" {clause} {key} = {self.expr(node.key_value, 0, depth)}"
            self._open(pad + head + " {", node.pos.line)
            self._items(node.body, depth + 1)
            self.out.append(pad + "}" + self._trailing(node.body.pos.end_line))
            return
        if isinstance(node, ast.WhenStmt):
            self._open(pad + f"when {self.expr(node.cond, 0, depth)} {{", node.pos.line)
            self._items(node.body, depth + 1)
            if node.else_body is not None:
                self._open(pad + "} else {", node.body.pos.end_line)
                self._items(node.else_body, depth + 1)
                self.out.append(pad + "}" + self._trailing(node.else_body.pos.end_line))
            else:
                self.out.append(pad + "}" + self._trailing(node.body.pos.end_line))
            return
        # a statement whose expression holds an each-block: print it over several lines
        text = pad + self.line_of(node, depth)
        lines = text.split("\n")
        lines[0] += self._trailing(node.pos.line)
        lines[-1] += self._trailing(node.pos.end_line)
        self.out.extend(lines)
        self._leading(node.pos.end_line + 1, depth)

    def _open(self, text: str, line: int) -> None:
        self.out.append(text + self._trailing(line))

    def _items(self, block: ast.Block, depth: int) -> None:
        for item in block.items:
            self.statement(item, depth)
        self._leading(block.pos.end_line, depth)

    # -- expressions -----------------------------------------------------------------------
    def expr(self, node: ast.Node, parent: int, depth: int) -> str:
        text, prec = self._expr(node, depth)
        return f"({text})" if prec < parent else text

    def _expr(self, node: ast.Node, depth: int) -> tuple[str, int]:
        e = self.expr
        if isinstance(node, ast.Literal):
            return self._literal(node.value), _ATOM
        if isinstance(node, ast.Template):
            parts = []
            for part in node.parts:
                if isinstance(part, str):
                    parts.append(_quote(part)[1:-1])
                else:
                    self.inline += 1  # a text literal cannot hold a line break
                    try:
                        printed = e(part, 0, depth)
                    finally:
                        self.inline -= 1
                    inner = printed.replace("\\", "\\\\").replace('"', '\\"')
                    parts.append("{" + inner + "}")
            return '"' + "".join(parts) + '"', _ATOM
        if isinstance(node, ast.Name):
            return node.name, _ATOM
        if isinstance(node, ast.RecordRef):
            return "record", _ATOM
        if isinstance(node, ast.SettingsRef):
            return "settings", _ATOM
        if is_postfix(node):  # a chain: printed with a loop, however long it is
            base, steps = path_chain(node)
            parts = [e(base, _POSTFIX, depth)]
            for step in steps:
                if isinstance(step, ast.GetField):
                    parts.append("." + _field(step.name))
                elif isinstance(step, ast.GetIndex):
                    parts.append(f"[{e(step.index, 0, depth)}]")
                else:
                    parts.append("." + _pick(step.expression))  # type: ignore[attr-defined]
            return "".join(parts), _POSTFIX
        if isinstance(node, ast.Jmes):
            return _pick(node.expression), _ATOM
        if isinstance(node, ast.Call):
            args = ", ".join(e(a, 0, depth) for a in node.args)
            return f"{node.name}({args})", _POSTFIX
        if isinstance(node, ast.Lookup):
            text = (
                f"{node.kind}({node.system}.{node.object}, {node.key} = {e(node.value, 0, depth)}"
            )
            if node.message is not None:
                text += f", {e(node.message, 0, depth)}"
            return text + ")", _ATOM
        if isinstance(node, ast.Unary):
            if node.op == "not":
                return f"not {e(node.operand, _NOT, depth)}", _NOT
            return f"-{e(node.operand, _NEG, depth)}", _NEG
        if isinstance(node, ast.Binary):
            prec = _PREC[node.op]
            if prec == 6:
                return (
                    f"{e(node.left, prec + 1, depth)} {node.op} {e(node.right, prec + 1, depth)}"
                ), prec
            first, chain = binary_chain(node)  # a chain: printed with a loop
            rest = "".join(f" {s.op} {e(s.right, prec + 1, depth)}" for s in chain)
            return e(first, prec, depth) + rest, prec
        if isinstance(node, ast.IfExpr):
            return (
                f"if {e(node.cond, 0, depth)} then {e(node.then, 0, depth)} "
                f"else {e(node.else_, 0, depth)}"
            ), 1
        if isinstance(node, ast.Match):
            arms = [
                " | ".join(e(p, 1, depth) for p in arm.patterns) + " => " + e(arm.value, 0, depth)
                for arm in node.arms
            ]
            if node.default is not None:
                arms.append("else => " + e(node.default, 0, depth))
            inline = f"match {e(node.subject, 0, depth)} {{ " + ", ".join(arms) + " }"
            if len(inline) <= WIDTH or self.inline:
                return inline, _ATOM
            pad = INDENT * (depth + 1)
            body = ",\n".join(pad + a for a in arms)
            return (f"match {e(node.subject, 0, depth)} {{\n{body}\n" + INDENT * depth + "}", _ATOM)
        if isinstance(node, ast.ListLit):
            items = [e(i, 0, depth + 1) for i in node.items]
            return self._bracketed("[", "]", items, depth), _ATOM
        if isinstance(node, ast.ObjectLit):
            items = [f"{_key(k)}: {e(v, 0, depth + 1)}" for k, v in node.items]
            return self._bracketed("{", "}", items, depth, spaced=True), _ATOM
        if isinstance(node, ast.Each):
            head = f"each {e(node.source, 2, depth)} as {node.var}"
            if node.where is not None:
                head += f" where {e(node.where, 0, depth)}"
            if isinstance(node.body, ast.Block):
                saved = self.out
                self.out = []
                self._items(node.body, depth + 1)
                inner = "\n".join(self.out)
                self.out = saved
                return f"{head} {{\n{inner}\n" + INDENT * depth + "}", _ATOM
            return f"{head} => {e(node.body, 0, depth)}", 1
        raise ValueError(f"cannot print {type(node).__name__}")

    def _bracketed(
        self, open_: str, close: str, items: list[str], depth: int, spaced: bool = False
    ) -> str:
        if not items:
            return open_ + close
        inline = (
            open_ + (" " if spaced else "") + ", ".join(items) + (" " if spaced else "") + close
        )
        if (len(inline) <= WIDTH or self.inline) and "\n" not in inline:
            return inline
        pad = INDENT * (depth + 1)
        return open_ + "\n" + ",\n".join(pad + i for i in items) + "\n" + INDENT * depth + close

    def _literal(self, value: Any) -> str:
        if value is MISSING:
            return "missing"
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, str):
            return _quote(value)
        if isinstance(value, Decimal):
            text = format(value, "f")
            return text if "." in text else text + ".0"
        return str(value)
