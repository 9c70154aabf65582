"""Parse one statement (or one ``{...}`` expression) with Lark: the parser's second stage.

The grammar (``grammar.lark``) is compiled once into an LALR parser with positions. A
statement's text is parsed on its own, its Lark tree is turned into ``ast`` nodes by
``builder.py`` and its nesting is checked (``nesting.py``). Lark's exceptions become friendly
``MappingSyntaxError``s that name what was found and what was expected there.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

from lark import Lark, Token
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from mapwright.dsl.builder import Builder
from mapwright.dsl.errors import MappingLimitError, MappingSyntaxError, Position, PositionedError
from mapwright.dsl.limits import MAX_NESTING, NAMES
from mapwright.dsl.nesting import check_nesting
from mapwright.dsl.scanner import max_depth


@lru_cache(maxsize=1)
def lark_parser() -> Lark:
    grammar = resources.files("mapwright.dsl").joinpath("grammar.lark").read_text("utf-8")
    return Lark(
        grammar,
        parser="lalr",
        start=["statement", "expr"],
        propagate_positions=True,
        maybe_placeholders=True,
    )


def parse_chunk(
    text: str,
    first_line: int,
    *,
    start: str,
    name: str | None = None,
    first_column: int = 1,
    outer_depth: int = 0,
) -> Any:
    """Parse one statement (or expression) whose text begins on ``first_line``.

    ``outer_depth`` is how deeply the text is nested already (the brackets around a
    ``"{...}"`` interpolation), so brackets inside text count against ``MAX_NESTING`` too.
    The tree is built without recursion, and its nesting is checked before anything walks it
    recursively (see ``nesting.py``).
    """
    depth = outer_depth + max_depth(text)
    if depth > MAX_NESTING:
        raise MappingLimitError(
            f"the brackets here are nested {depth} deep; the limit is {MAX_NESTING}. "
            "Use let to name parts of the expression.",
            Position(first_line, first_column, first_line, first_column + 1),
            name,
            limit=NAMES["nesting"],
            maximum=MAX_NESTING,
        )
    try:
        tree = lark_parser().parse(text, start=start)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, first_line, first_column, name) from None
    builder = Builder(first_line, first_column, name, text, outer_depth, parse_chunk)
    try:
        node = builder.transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, PositionedError):
            raise exc.orig_exc from None
        raise
    if start == "statement":
        check_nesting(node, name)
    return node


# ---- friendly syntax errors --------------------------------------------------------------

_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": 'a text in double quotes ("...")',
    "NUMBER": "a number",
    "JMES": 'a JMESPath pick ($"...")',
    "OP_KIND": "create, update or upsert",
    "LOOKUP_KIND": "find, find_all, exists or require",
    "COMP_OP": "a comparison (==, !=, <, >, <=, >=)",
    "ADD_OP": "+ or -",
    "MUL_OP": "* or /",
    "$END": "the end of the statement",
}


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    try:
        pattern = lark_parser().get_terminal(name).pattern
    except KeyError:
        return name.lower()
    return f"'{pattern.value}'" if pattern.type == "str" else name.lower()


def _syntax_error(
    exc: UnexpectedInput, text: str, first_line: int, first_column: int, name: str | None
) -> MappingSyntaxError:
    line = (exc.line if exc.line and exc.line > 0 else text.count("\n") + 1) + first_line - 1
    column = exc.column if exc.column and exc.column > 0 else 1
    if (exc.line or 1) == 1:
        column += first_column - 1
    width = 1
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        found = _describe_token(exc.token)
        width = max(1, len(str(exc.token)))
        message = f"unexpected {found}"
        expected = sorted({_describe_terminal(t) for t in exc.expected if not t.startswith("_")})
    elif isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        ch = text[pos] if pos < len(text) else "?"
        message = f"the character '{ch}' is not allowed here"
        if ch == "'":
            message += '; write text in double quotes ("...")'
        expected = sorted({_describe_terminal(t) for t in (exc.allowed or ())})
    else:
        message = "the statement ends too early"
        expected = sorted({_describe_terminal(t) for t in getattr(exc, "expected", ())})
        if isinstance(exc, UnexpectedEOF | UnexpectedToken):
            line, column = _end_position(text, first_line)
            if line == first_line:
                column += first_column - 1
    if expected and len(expected) <= 8:
        message += "; expected " + _or_list(expected)
    hint = _hint(text)
    if hint:
        message += ". " + hint
    return MappingSyntaxError(message, Position(line, column, line, column + width), name)


def _end_position(text: str, first_line: int) -> tuple[int, int]:
    body = text.rstrip()
    last_line = body.count("\n")
    column = len(body) - (body.rfind("\n") + 1) + 1
    return first_line + last_line, column


def _describe_token(token: Token) -> str:
    if token.type == "NAME":
        return f"name '{token}'"
    if token.type == "STRING":
        return f"text {token}"
    if token.type == "NUMBER":
        return f"number {token}"
    return f"'{token}'"


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _hint(text: str) -> str:
    if re.match(r"\s*[A-Za-z_][\w.]*\s*=[^=]", text) and not re.match(
        r"\s*(let|def|setting)\b", text
    ):
        return "To set a field write 'Field <- value'; to name a value write 'let name = value'"
    if re.search(r"\bif\b", text) and not re.search(r"\belse\b", text) and "<-" in text:
        return "An 'if' needs both 'then' and 'else' (use 'else missing' to leave a field out)"
    return ""
