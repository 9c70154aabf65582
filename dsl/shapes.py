"""What the compiler learns from the shape of a tree, without compiling it.

* ``counts_as_step``: a statement that calls a function, looks up or picks costs a step of
  the record's budget (loops and ``def`` calls count their own).
* ``needs_size_check``: whether a list holding a value must be measured when it is built
  (texts, numbers and parts of the record need not: see ``limits.py``, list size).
* ``copies_only``: a script whose result is at most a fixed multiple of the record's size
  (fixed values, copied record fields, and a few builtins whose result is bounded by their
  arguments: see ``GROWTH``) is not measured against the output size limit.
"""

from __future__ import annotations

from mapwright.dsl import ast
from mapwright.dsl.functions.registry import MAY_RETURN_LISTS, REGISTRY
from mapwright.dsl.jmes import is_plain_path
from mapwright.dsl.nesting import binary_chain, path_chain
from mapwright.dsl.scope import Scope


def needs_size_check(node: ast.Node, scope: Scope) -> bool:
    """Whether a list or object holding this value must be measured when it is built.

    Texts, numbers and booleans never need it, nor parts of the record (a field, or an
    ``each`` variable walking a list of the record): a list of those is at most a few times
    the record, whatever the script does. Anything else (a ``let`` value, a call of a
    ``def``, a list) may already be a list that doubles when it is used twice.
    """
    if isinstance(node, ast.Literal | ast.Template | ast.Unary):
        return False
    if isinstance(node, ast.Binary):
        if node.op != "??":
            return False
        first, steps = binary_chain(node)  # a ?? chain can be thousands long: no recursion
        return any(needs_size_check(n, scope) for n in [first, *(s.right for s in steps)])
    if isinstance(node, ast.IfExpr):
        return needs_size_check(node.then, scope) or needs_size_check(node.else_, scope)
    if isinstance(node, ast.Call):
        return node.name not in REGISTRY or node.name in MAY_RETURN_LISTS
    return not record_part(node, scope)


def record_part(node: ast.Node, scope: Scope) -> bool:
    """A field of the record (``x``, ``record``, ``x.a[0]``) or of an ``each`` variable that
    walks a list of the record."""
    base, steps = path_chain(node)
    if any(isinstance(step, ast.Jmes) for step in steps):  # a pick may build new lists
        return False
    if isinstance(base, ast.RecordRef):
        return not scope.in_def
    if isinstance(base, ast.Name) and base.name not in scope.aliases:
        if base.name in scope.names:
            return base.name in scope.rooted
        return not scope.in_def
    return False


def rules_of(block: ast.Block) -> list[ast.Rule]:
    """The rules of a block, with those of its ``when`` blocks."""
    found: list[ast.Rule] = []
    stack = list(block.items)
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Rule):
            found.append(item)
        elif isinstance(item, ast.WhenStmt):
            stack += item.body.items
            stack += item.else_body.items if item.else_body else ()
    return found


def does_work(node: ast.Node) -> bool:
    """Whether evaluating ``node`` calls a function, looks up or picks (a counted step)."""
    return any(isinstance(n, ast.Call | ast.Lookup | ast.Jmes) for n in ast.walk(node))


COPY_RULES = 256
"""A script whose rules add up to at most this many times the record's size (and has at
most this many rules) is not measured against the output size limit."""

MAX_NODES = 10_000
"""...and has at most this many expression nodes in its rules (each may add a constant of
at most ~130 characters: a number or date written out, a boolean)."""

GROWTH: dict[str, int] = {
    # a number, date or boolean (or the absent value passed through): a constant size
    "date": 0,
    "money": 0,
    "round": 0,
    "round_money": 0,
    # a text no longer than its text argument (a non-text argument is an error)
    "trim": 1,
    # Unicode case mapping makes at most 3 characters of one (\u0390 -> 3 when upper-cased)
    "lower": 3,
    "upper": 3,
    # a text as it is; a number or date written out; a list or object as JSON, which is at
    # most 6 times its values' own size (\u0000 escapes), and never over MAX_TEXT
    "text": 6,
}
"""Builtins whose result is at most ``GROWTH[name]`` times their arguments' size together,
plus a constant: each was checked against its implementation (tests/dsl/test_shapes.py
checks the bound on generated records)."""


def copies_only(script: ast.Script) -> bool:
    """Whether the script's result is at most ``COPY_RULES`` times the record's size (plus
    constants): its rules, all at the top, write fixed values, copied record fields and what
    the ``GROWTH`` builtins, operators and templates make of them. Then measuring it (a loop
    over every field, on every record) can be skipped: it cannot grow the way a list that
    holds itself twice can."""
    rules = 0
    total = 0
    nodes = 0
    for stmt in script.statements:
        if isinstance(stmt, ast.Rule):
            rules += 1
            try:
                grows = growth(stmt.value)
            except RecursionError:  # nested deeper than the stack: measure it
                return False
            if grows is None:
                return False
            total += grows
            nodes += sum(1 for _ in ast.walk(stmt.value))
        elif not isinstance(
            stmt,
            ast.FlowStmt
            | ast.SourceStmt
            | ast.TargetStmt
            | ast.SettingStmt
            | ast.ImportStmt
            | ast.DefStmt
            | ast.TestStmt,
        ):
            return False
    return rules <= COPY_RULES and total <= COPY_RULES and nodes <= MAX_NODES


def growth(node: ast.Node) -> int | None:
    """How many times the record's size ``node``'s value can be (plus a constant), or None
    when that has no bound the compiler knows (a list built, a lookup, a ``def``, a pick)."""
    if isinstance(node, ast.Literal):
        return 0
    if _copied(node):
        return 1
    if isinstance(node, ast.Unary):
        return 0 if growth(node.operand) is not None else None  # a number or a boolean
    if isinstance(node, ast.Template):
        return _sum([p for p in node.parts if isinstance(p, ast.Node)], as_text=True)
    if isinstance(node, ast.IfExpr):
        return _sum([node.cond, node.then, node.else_])
    if isinstance(node, ast.Binary):
        first, steps = binary_chain(node)
        parts = [first, *(s.right for s in steps)]
        if node.op == "&":
            return _sum(parts, as_text=True)
        if node.op == "??":
            return _sum(parts)
        # arithmetic gives a number or date, the rest a boolean: a constant size
        return 0 if _sum(parts) is not None else None
    if isinstance(node, ast.Call) and node.name in GROWTH:
        factor = GROWTH[node.name]
        if node.name == "text" and all(_text_or_scalar(a) for a in node.args):
            factor = 1  # a text stays itself; a number or date is a constant
        return _sum(list(node.args), factor=factor)
    return None


def _sum(parts: list[ast.Node], *, factor: int = 1, as_text: bool = False) -> int | None:
    """The growth of ``parts`` together, each times ``factor``; ``as_text``: each written as
    ``text()`` writes it (a list or object as JSON: ``GROWTH["text"]``)."""
    total = 0
    for part in parts:
        grows = growth(part)
        if grows is None:
            return None
        if as_text and not _text_or_scalar(part):
            grows *= GROWTH["text"]
        total += grows * factor
    return total


def _text_or_scalar(node: ast.Node) -> bool:
    """Whether ``node`` can only give a text, a number, a date, a boolean or an absent value
    (never a list or object), among the shapes ``growth`` knows."""
    if isinstance(node, ast.Literal | ast.Template | ast.Unary | ast.Binary | ast.Call):
        if isinstance(node, ast.Binary) and node.op == "??":
            first, steps = binary_chain(node)
            return all(_text_or_scalar(n) for n in [first, *(s.right for s in steps)])
        return not isinstance(node, ast.Call) or node.name in GROWTH
    if isinstance(node, ast.IfExpr):
        return _text_or_scalar(node.then) and _text_or_scalar(node.else_)
    return False


def _copied(node: ast.Node) -> bool:
    if isinstance(node, ast.Literal):
        return True
    if isinstance(node, ast.Jmes) and node.base is None:
        return is_plain_path(node.expression) is not None
    base, steps = path_chain(node)
    for step in steps:
        if isinstance(step, ast.Jmes) or (
            isinstance(step, ast.GetIndex) and not isinstance(step.index, ast.Literal)
        ):
            return False
    return isinstance(base, ast.RecordRef | ast.Name)


def counts_as_step(node: ast.Node) -> bool:
    """A statement that calls a function, looks up or picks costs a step (its blocks and
    ``each`` bodies count their own)."""
    if isinstance(node, ast.WhenStmt):
        return does_work(node.cond)
    if isinstance(node, ast.Operation):
        key = node.key if isinstance(node.key, ast.Node) else None
        return any(does_work(n) for n in (key, node.key_value) if n is not None)
    return does_work(node)
