"""What the compiler learns from the shape of a tree, without compiling it.

* ``counts_as_step``: a statement that calls a function, looks up or picks costs a step of
  the record's budget (loops and ``def`` calls count their own).
* ``needs_size_check``: whether a list holding a value must be measured when it is built
  (texts, numbers and parts of the record need not: see ``limits.py``, list size).
* ``copies_only``: a script whose result can only hold fixed values and copied record fields
  is not measured against the output size limit.
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
"""A script of at most this many rules that only copy record fields is not measured."""


def copies_only(script: ast.Script) -> bool:
    """Whether the script's result can only hold fixed values and values copied from the
    record, by at most ``COPY_RULES`` rules: then it is at most that many times the record's
    size, and measuring it (a loop over every field, on every record) can be skipped."""
    rules = 0
    for stmt in script.statements:
        if isinstance(stmt, ast.Rule):
            rules += 1
            if not _copied(stmt.value):
                return False
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
    return rules <= COPY_RULES


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
    return isinstance(base, ast.Name | ast.RecordRef)


def counts_as_step(node: ast.Node) -> bool:
    """A statement that calls a function, looks up or picks costs a step (its blocks and
    ``each`` bodies count their own)."""
    if isinstance(node, ast.WhenStmt):
        return does_work(node.cond)
    if isinstance(node, ast.Operation):
        key = node.key if isinstance(node.key, ast.Node) else None
        return any(does_work(n) for n in (key, node.key_value) if n is not None)
    return does_work(node)
