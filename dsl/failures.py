"""Where a run failed: turn an exception from generated code into a positioned error.

The traceback is walked through the frames of the generated code, using only what the
compiler recorded: each generated line maps to the statement it came from
(``compiler.LineInfo``), which gives the rule and the field path (``Lines[2].AmountFC``); the
functions of ``each`` loops are known by their code objects (``CompiledCode.loops``), which
name the local holding the item index. The failing instruction's span in the generated line
(``co_positions``) is matched against the expressions compiled for the statement, so the
position is that of the expression that failed, not just of its statement. A limit error
keeps its class and names the limit (``RecordLimitError``); where a step or time budget ran
out is chance, so that error names the outermost statement that spent it. The output size
limit names the rule or operation that wrote most of the result.
"""

from __future__ import annotations

import decimal
from types import CodeType, TracebackType
from typing import TYPE_CHECKING

from mapwright.dsl import ast
from mapwright.dsl.compiler import LineInfo
from mapwright.dsl.errors import (
    MappingError,
    MappingLimitError,
    MappingRuntimeError,
    PositionedError,
    RecordLimitError,
)
from mapwright.dsl.limits import MAX_NUMBER_DIGITS, NAMES
from mapwright.dsl.sizes import OutputTooLarge
from mapwright.dsl.values import MISSING, snippet

if TYPE_CHECKING:
    from mapwright.dsl.script import Script

_BUDGETS = {NAMES["steps"], NAMES["seconds"]}


def output_error(script: Script, exc: OutputTooLarge) -> RecordLimitError:
    """The output limit, pointed at the rule or operation that wrote most of it."""
    node: ast.Node | None = None
    if isinstance(exc.largest, str):
        stack = list(reversed(script.tree.statements))
        while stack:  # rules of the output: top level and in when blocks
            stmt = stack.pop()
            if isinstance(stmt, ast.Rule) and stmt.target[0] == exc.largest:
                node = stmt  # the last rule writing the field wins
            elif isinstance(stmt, ast.WhenStmt):
                stack += reversed([*stmt.body.items, *(stmt.else_body or ast.Block(())).items])
    elif exc.largest is not None:
        for stmt in ast.walk(script.tree):
            if isinstance(stmt, ast.Operation) and stmt.pos.line == exc.largest.line:
                node = stmt
    position = node.pos if node is not None else None
    lines = script.text.splitlines()
    rule = None
    if position is not None and 0 < position.line <= len(lines):
        rule = lines[position.line - 1].strip()
    path = exc.largest if isinstance(exc.largest, str) else None
    return RecordLimitError(
        exc.message,
        position,
        script.name,
        rule=rule,
        path=path,
        limit=exc.limit,
        maximum=exc.maximum,
    )


def runtime_error(script: Script, exc: BaseException, tb: TracebackType | None) -> PositionedError:
    filename = f"<mapping {script.name}>"
    info: LineInfo | None = None
    outermost: LineInfo | None = None
    path: list[str] = []
    rule_op: ast.Operation | None = None
    failed: ast.Node | None = None
    generated = script.code.source.split("\n")
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_filename == filename:
            index = script.code.loops.get(frame.f_code)
            if index is not None and index in frame.f_locals:
                path.append(f"[{frame.f_locals[index]}]")
            found = script.code.lines.get(tb.tb_lineno)
            if found is not None:
                failed = _failed_expression(found, frame.f_code, tb.tb_lasti, generated)
            if found is not None and found is not info:
                info = found
                outermost = outermost or found
                if found.target:
                    path.append(("." if path else "") + ".".join(found.target))
                if found.operation is not None:
                    rule_op = found.operation
        tb = tb.tb_next
    if isinstance(exc, MappingLimitError) and exc.limit in _BUDGETS:
        # where a budget runs out is chance: name the statement that spent it
        info = outermost
        failed = None
    if isinstance(exc, decimal.Overflow):
        exc = MappingLimitError(
            f"a number grew beyond 10^{MAX_NUMBER_DIGITS}",
            limit=NAMES["number_digits"],
            maximum=MAX_NUMBER_DIGITS,
        )
    if isinstance(exc, MappingError) and not isinstance(exc, PositionedError):
        message = str(exc)
    elif isinstance(exc, MappingLimitError):
        message = exc.message
    elif isinstance(exc, RecursionError):
        message = "the values are nested too deeply to map"
    elif isinstance(exc, decimal.DecimalException):
        message = "a calculation failed: a number is too large or not a number"
    else:
        message = f"unexpected {type(exc).__name__}: {exc}"
    position = info.node.pos if info else None
    if failed is not None and failed.pos != ast.NOWHERE:
        position = failed.pos
    rule = None
    if info is not None and position is not None:
        lines = script.text.splitlines()
        if 0 < position.line <= len(lines):
            rule = lines[position.line - 1].strip()
        if rule_op is not None and not isinstance(info.node, ast.Operation):
            rule = f"{rule}   (in {rule_op.kind} {rule_op.system}.{rule_op.object})"
    value = getattr(exc, "value", MISSING)
    if isinstance(exc, MappingLimitError):
        return RecordLimitError(
            message,
            position,
            script.name,
            rule=rule,
            path="".join(path).lstrip(".") or None,
            limit=exc.limit,
            maximum=exc.maximum,
        )
    return MappingRuntimeError(
        message,
        position,
        script.name,
        rule=rule,
        path="".join(path).lstrip(".") or None,
        value=snippet(value) if value is not MISSING else None,
    )


def _failed_expression(
    info: LineInfo, code: CodeType, lasti: int, generated: list[str]
) -> ast.Node | None:
    """The expression of ``info``'s statement whose generated code holds the instruction at
    ``lasti`` (``None`` when no compiled expression matches it).

    The instruction's span is a byte range of the generated line; an expression whose text
    is exactly that span is taken (when the same text appears twice on the line, the
    occurrence at that column picks the expression compiled in that order); otherwise the
    longest expression text inside the span (a call that wraps an expression, such as
    ``truthy(...)``).
    """
    try:
        line, end_line, start, end = list(code.co_positions())[lasti // 2]
    except IndexError:
        return None
    if line is None or line != end_line or start is None or end is None:
        return None
    if not 0 < line <= len(generated):
        return None
    raw = generated[line - 1].encode()
    span = raw[start:end].decode(errors="replace")
    same = [node for text, node in info.exprs if text == span]
    if same:
        nth = raw.count(span.encode(), 0, start)
        return same[min(nth, len(same) - 1)]
    inside = [(len(text), node) for text, node in info.exprs if text in span]
    return max(inside, key=lambda item: item[0])[1] if inside else None
