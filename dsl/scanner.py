"""Split a script into statements and measure bracket nesting: the parser's first stage.

A statement starts on a new line with a statement keyword such as ``let`` or ``create``, or
with ``Field <-``; brackets and blocks keep it going across lines. Strings and ``$"..."``
picks are skipped (a pick may span lines); comments are collected for the formatter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mapwright.dsl import ast
from mapwright.dsl.errors import Position
from mapwright.dsl.limits import MAX_NESTING

STATEMENT_KEYWORDS = {
    "flow", "source", "target", "setting", "import", "def", "let", "where", "park",
    "create", "update", "upsert", "when", "test",
}  # fmt: skip
TOP_ONLY_KEYWORDS = {"flow", "source", "target", "setting", "import", "def", "test"}
_RULE_START = re.compile(
    r'\s*(?:[A-Za-z_]\w*|"(?:[^"\\\n]|\\.)*")(?:\s*\.\s*(?:[A-Za-z_]\w*|"(?:[^"\\\n]|\\.)*"))*\s*<-'
)
_WORD = re.compile(r"\s*([A-Za-z_]\w*)")
#: what the line scan stops at: quotes, picks, comments and brackets
_SPECIAL = re.compile(r'["#()\[\]{}]|\$"')
#: the rest of a text up to its closing quote (not found: the line ends first)
_STRING_BODY = re.compile(r'(?:[^"\\\n]|\\[\s\S]?)*')
_PICK_BODY = re.compile(r'(?:[^"\\]|\\[\s\S]?)*')


@dataclass
class Chunk:
    start: int  # offset of the first character of the statement's first line
    end: int
    line: int  # 1-based line of ``start``
    unclosed: tuple[str, int, int] | None = None  # bracket, line, column


def split_statements(source: str) -> tuple[list[Chunk], list[ast.Comment]]:
    """Split ``source`` into statement chunks and collect the comments."""
    chunks: list[Chunk] = []
    comments: list[ast.Comment] = []
    stack: list[tuple[str, int, int]] = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
    current: Chunk | None = None
    in_pick = [False]  # inside a $"..." pick that spans lines
    for index, start in enumerate(line_starts):
        line_no = index + 1
        end = line_starts[index + 1] if index + 1 < len(line_starts) else len(source)
        text = source[start:end]
        stripped = text.strip()
        if in_pick[0]:
            pass
        elif stripped and not stripped.startswith("#"):
            word = _WORD.match(text)
            first = word.group(1) if word else ""
            starts_statement = first in STATEMENT_KEYWORDS or bool(_RULE_START.match(text))
            if current is not None and stack:
                at_margin = not text[:1].isspace()
                in_parens = stack[-1][0] in "(["
                if (at_margin and first in TOP_ONLY_KEYWORDS) or (in_parens and starts_statement):
                    current.unclosed = stack[-1]
                    stack.clear()
                    chunks.append(current)
                    current = None
            if current is None or (not stack and starts_statement):
                if current is not None:
                    chunks.append(current)
                current = Chunk(start, end, line_no)
        if current is not None:
            current.end = end
        _scan_line(text, line_no, stack, comments, in_pick)
    if current is not None:
        if stack:
            current.unclosed = stack[-1]
        chunks.append(current)
    return chunks, comments


def _scan_line(
    text: str,
    line_no: int,
    stack: list[tuple[str, int, int]],
    comments: list[ast.Comment],
    in_pick: list[bool],
) -> None:
    """Track brackets outside strings; record a comment if the line has one.

    A ``$"..."`` pick may span lines (JMESPath allows newlines); ``in_pick`` carries that
    state from one line to the next.
    """
    i = 0
    n = len(text)
    if in_pick[0]:
        i = skip_string(text, 0, multiline=True)
        if i > n:
            return
        in_pick[0] = False
    while i < n:
        found = _SPECIAL.search(text, i)
        if found is None:
            return
        i = found.start()
        ch = text[i]
        if ch == '"' or ch == "$":
            pick = ch == "$"
            i = skip_string(text, i + (2 if pick else 1), multiline=pick)
            if i > n and pick:
                in_pick[0] = True
            continue
        if ch == "#":
            body = text[i + 1 :].rstrip("\r\n")
            comments.append(
                ast.Comment(body, pos=Position(line_no, i + 1, line_no, i + 1 + len(body)))
            )
            return
        if ch in "([{":
            stack.append((ch, line_no, i + 1))
        elif stack:
            stack.pop()
        i += 1


def skip_string(text: str, i: int, *, multiline: bool) -> int:
    """Index just after the closing quote; ``len(text) + 1`` when the line ends first."""
    n = len(text)
    body = (_PICK_BODY if multiline else _STRING_BODY).match(text, i)
    end = body.end() if body is not None else i
    return end + 1 if end < n and text[end] == '"' else n + 1


def max_depth(text: str, end: int | None = None) -> int:
    """Deepest bracket nesting outside strings and comments (plus a penalty for long chains
    of unary operators, which nest just as deeply). With ``end``, the nesting at that
    offset instead."""
    depth = best = 0
    code: list[str] = []
    i, n = 0, len(text)
    if end is not None:
        n = min(n, end)
    while i < n:
        ch = text[i]
        if ch == '"' or (ch == "$" and i + 1 < n and text[i + 1] == '"'):
            i = skip_string(text, i + (2 if ch == "$" else 1), multiline=True)
            code.append(" ")
            continue
        if ch == "#":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        if ch in "([{":
            depth += 1
            best = max(best, depth)
        elif ch in ")]}":
            depth -= 1
        code.append(ch)
        i += 1
    if end is not None:
        return depth
    unary = re.search(r"(?:-\s*|\bnot\s+){8,}", "".join(code))
    return best + (MAX_NESTING + 1 if unary else 0)
