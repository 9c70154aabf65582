"""Text literals of the tree builder: escapes, ``\\uXXXX`` and ``{...}`` interpolations.

``"order {number}"`` becomes an ``ast.Template`` whose ``{...}`` parts are parsed as
expressions by the parser (``parse_inner``), nested one level deeper than the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lark import Token
from mapwright.dsl import ast
from mapwright.dsl.errors import MappingSyntaxError, Position
from mapwright.dsl.scanner import max_depth

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "{": "{", "}": "}", "/": "/"}


class TextLiterals:
    """The text-literal half of ``builder.Builder``."""

    parse_inner: Callable[..., Any]
    first_line: int
    first_column: int
    script_name: str | None
    text: str
    outer_depth: int

    def _tpos(self, token: Token) -> Position:
        raise NotImplementedError

    def _text(self, token: Token) -> str:
        """A string literal's text; ``{...}`` is not allowed where only plain text fits."""
        node = self._template(token)
        if isinstance(node, ast.Literal):
            return str(node.value)
        raise MappingSyntaxError(
            "only plain text is allowed here (no {...}); write \\{ for a literal brace",
            self._tpos(token),
            self.script_name,
        )

    def _template(self, token: Token) -> ast.Node:
        """Split ``"text {expr} text"`` into parts.

        Inside ``{...}`` the text is an expression; quotes and backslashes in it are
        escaped once more for the outer text (``"Hi {name ?? \\"you\\"}"``).
        """
        chars = self._unescape(token)
        parts: list[str | ast.Node] = []
        buf: list[str] = []
        i = 0
        while i < len(chars):
            ch, escaped, offset = chars[i]
            if ch == "{" and not escaped:
                close = _close_of(chars, i)
                if close < 0:
                    raise MappingSyntaxError(
                        "a '{' in this text is never closed; write \\{ for a literal brace",
                        self._tpos(token),
                        self.script_name,
                    )
                if buf:
                    parts.append("".join(buf))
                    buf = []
                line = token.line or 1
                column = (token.column or 1) + 1 + offset + 1
                inner = self.parse_inner(
                    "".join(c for c, _, _ in chars[i + 1 : close]),
                    line + self.first_line - 1,
                    start="expr",
                    name=self.script_name,
                    first_column=column + (self.first_column - 1 if line == 1 else 0),
                    outer_depth=self._depth_at(token) + 1,
                )
                parts.append(inner)
                i = close + 1
                continue
            if ch == "}" and not escaped:
                raise MappingSyntaxError(
                    "a '}' in this text has no '{'; write \\} for a brace",
                    self._tpos(token),
                    self.script_name,
                )
            buf.append(ch)
            i += 1
        if buf:
            parts.append("".join(buf))
        if all(isinstance(p, str) for p in parts):
            return ast.Literal(
                "".join(p for p in parts if isinstance(p, str)), pos=self._tpos(token)
            )
        return ast.Template(tuple(parts), pos=self._tpos(token))

    def _depth_at(self, token: Token) -> int:
        """How deeply ``token`` (a text literal) is nested in the statement."""
        start = token.start_pos if token.start_pos is not None else 0
        return self.outer_depth + max_depth(self.text, start)

    def _unescape(self, token: Token) -> list[tuple[str, bool, int]]:
        """The text's characters: (character, was it escaped, offset in the raw text)."""
        raw = str(token)[1:-1]
        out: list[tuple[str, bool, int]] = []
        i = 0
        while i < len(raw):
            ch = raw[i]
            if ch == "\\" and i + 1 < len(raw):
                nxt = raw[i + 1]
                if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", raw[i + 2 : i + 6]):
                    code, width = self._code_point(token, raw, i)
                    out.append((chr(code), True, i))
                    i += width
                    continue
                if nxt not in _ESCAPES:
                    raise MappingSyntaxError(
                        f"unknown escape '\\{nxt}' in text; use \\\\ for a backslash",
                        self._tpos(token),
                        self.script_name,
                    )
                out.append((_ESCAPES[nxt], True, i))
                i += 2
                continue
            out.append((ch, False, i))
            i += 1
        return out

    def _code_point(self, token: Token, raw: str, i: int) -> tuple[int, int]:
        """The character of ``\\uXXXX`` at ``raw[i]`` and how many characters it takes: a
        surrogate pair (``\\ud83d\\ude00``) is one character; half of one is an error, since
        it is not a character and cannot be written as UTF-8."""
        code = int(raw[i + 2 : i + 6], 16)
        if 0xD800 <= code <= 0xDBFF:
            low = re.fullmatch(r"\\u([dD][c-fC-F][0-9a-fA-F]{2})", raw[i + 6 : i + 12])
            if low:
                return 0x10000 + ((code - 0xD800) << 10) + (int(low.group(1), 16) - 0xDC00), 12
        if 0xD800 <= code <= 0xDFFF:
            raise MappingSyntaxError(
                f"'\\u{raw[i + 2 : i + 6]}' is half of a surrogate pair, not a character; "
                "write the character itself, or both halves (\\ud83d\\ude00)",
                self._tpos(token),
                self.script_name,
            )
        return code, 6


def _close_of(chars: list[tuple[str, bool, int]], start: int) -> int:
    """Index of the ``}`` closing the expression opened at ``start`` (strings skipped)."""
    depth = 0
    in_string = False
    i = start
    while i < len(chars):
        ch = chars[i][0]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1
