"""Parse a mapping script into a typed syntax tree, reporting every mistake at once.

Three stages, one module each: the scanner splits the text into statements
(``scanner.py``); each statement is parsed on its own with Lark (``lark_driver.py``) and
turned into ``mapwright.dsl.ast`` nodes (``builder.py``). A mistake in one statement is
reported with its line and column, and parsing goes on with the next one, so the editor can
show all errors of a script together. Each statement's result is remembered
(``statement_cache.py``), so an edit reparses only the statements it changed.
"""

from __future__ import annotations

import re

from mapwright.dsl import ast
from mapwright.dsl.errors import MappingLimitError, MappingSyntaxError, Position, PositionedError
from mapwright.dsl.lark_driver import lark_parser, parse_chunk
from mapwright.dsl.limits import MAX_NESTING, MAX_SCRIPT_CHARS, NAMES
from mapwright.dsl.scanner import split_statements
from mapwright.dsl.statement_cache import StatementCache

_SURROGATE = re.compile("[\ud800-\udfff]")
_CLOSING = {"(": ")", "[": "]", "{": "}"}

#: every statement parsed in this process, by text (see ``statement_cache.py``)
STATEMENTS = StatementCache()


def parse(source: str, *, name: str | None = None) -> ast.Script:
    """Parse a whole script; raise ``MappingSyntaxError`` listing every error found."""
    script, errors = parse_with_errors(source, name=name)
    if errors:
        first = errors[0]
        raise MappingSyntaxError(first.message, first.position, name, errors=errors)
    return script


def parse_with_errors(
    source: str, *, name: str | None = None, cache: StatementCache | None = STATEMENTS
) -> tuple[ast.Script, list[PositionedError]]:
    """Parse what can be parsed; return the tree and the list of errors (maybe empty).

    With ``cache=None`` every statement is parsed afresh (the cache gives the same result).
    """
    if len(source) > MAX_SCRIPT_CHARS:
        raise MappingLimitError(
            f"the script has {len(source):,} characters; the limit is {MAX_SCRIPT_CHARS:,}. "
            "Split it into several scripts and use import.",
            Position(1, 1, 1, 1),
            name,
            limit=NAMES["script_chars"],
            maximum=MAX_SCRIPT_CHARS,
        )
    bad = _SURROGATE.search(source)
    if bad is not None:
        line = source.count("\n", 0, bad.start()) + 1
        column = bad.start() - (source.rfind("\n", 0, bad.start()) + 1) + 1
        raise MappingSyntaxError(
            f"the script holds half of a surrogate pair (U+{ord(bad.group()):04X}), which is "
            "not a character; the text was not decoded correctly",
            Position(line, column, line, column + 1),
            name,
        )
    chunks, comments = split_statements(source)
    statements: list[ast.Node] = []
    errors: list[PositionedError] = []
    for chunk in chunks:
        text = source[chunk.start : chunk.end]
        line = chunk.line

        def parse_it(text: str = text, line: int = line) -> ast.Node:
            node: ast.Node = parse_chunk(text, line, start="statement", name=name)
            return node

        if cache is None:
            try:
                result: ast.Node | PositionedError = parse_it()
            except PositionedError as exc:
                result = exc
        else:
            result = cache.parse(text, line, name, parse_it)
        if isinstance(result, PositionedError):
            errors.append(result)
            if chunk.unclosed is not None:
                bracket, at_line, column = chunk.unclosed
                errors.append(
                    MappingSyntaxError(
                        f"this '{bracket}' is never closed; add the matching '{_CLOSING[bracket]}'",
                        Position(at_line, column, at_line, column + 1),
                        name,
                    )
                )
            continue
        statements.append(result)
    errors.sort(key=lambda e: (e.line, e.column))
    return ast.Script(tuple(statements), tuple(comments)), errors


__all__ = [
    "MAX_NESTING",
    "MAX_SCRIPT_CHARS",
    "StatementCache",
    "lark_parser",
    "parse",
    "parse_chunk",
    "parse_with_errors",
]
