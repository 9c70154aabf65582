"""Remember each statement's parse, so that an edited script reparses only what changed.

Lint runs on every keystroke of the editor, and nearly all of its time is Lark parsing.
The scanner already splits a script into statements, and a statement's parse depends only
on its text, the line it starts on and the script's name. So the result (its ``ast`` node,
or the error it raised) is kept by text and name. When the same text comes back on
another line (lines above it were added or removed), the cached tree is copied with every
position moved by the difference: the result is exactly what parsing it there gives
(``tests/dsl/test_parse_cache.py`` checks this against fresh parses of random edits).

Nodes are immutable and shared between results; errors are copied on the way out, since
raising an exception changes it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from mapwright.dsl import ast
from mapwright.dsl.errors import Position, PositionedError

#: statements kept (a few scripts' worth); the oldest are dropped first
CACHE_SIZE = 4096
#: how many lines one text is kept at (the same statement can appear more than once)
LINES_PER_TEXT = 4

Result = ast.Node | PositionedError


class StatementCache:
    """Parse results by (statement text, script name), each at up to a few start lines."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._entries: OrderedDict[tuple[str, str | None], dict[int, Result]] = OrderedDict()
        self._lock = threading.Lock()

    def parse(self, text: str, line: int, name: str | None, parse: Callable[[], Any]) -> Result:
        """The statement's node, or the ``PositionedError`` parsing it gives (not raised).

        ``parse`` parses ``text`` at ``line``; it is called only when nothing is cached.
        """
        key = (text, name)
        with self._lock:
            lines = self._entries.get(key)
            if lines is not None:
                self._entries.move_to_end(key)
                found = lines.get(line)
                if found is None:
                    known, cached = next(iter(lines.items()))
                    found = shift(cached, line - known)
                    lines[line] = found
                    while len(lines) > LINES_PER_TEXT:
                        del lines[next(iter(lines))]
                return _copy_error(found, 0) if isinstance(found, PositionedError) else found
        result: Result
        try:
            result = parse()
        except PositionedError as exc:
            result = exc
        stored = _copy_error(result, 0) if isinstance(result, PositionedError) else result
        with self._lock:
            self._entries.setdefault(key, {})[line] = stored
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return result

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def shift(result: Result, lines: int) -> Result:
    """``result`` with every position moved down by ``lines`` (up when negative)."""
    if isinstance(result, PositionedError):
        return _copy_error(result, lines)
    return shift_node(result, lines)


def shift_node(root: ast.Node, lines: int) -> ast.Node:
    """A copy of the tree under ``root`` with every position moved by ``lines``.

    Without recursion: a statement may nest deeper than Python's stack (``nesting.py``
    checks the depth later, on the parsed tree).
    """
    if lines == 0:
        return root
    done: dict[int, ast.Node] = {}
    stack: list[ast.Node] = [root]
    while stack:
        node = stack[-1]
        if id(node) in done:
            stack.pop()
            continue
        waiting = [child for child in _children(node) if id(child) not in done]
        if waiting:
            stack += waiting
            continue
        stack.pop()
        done[id(node)] = _moved(node, done, lines)
    return done[id(root)]


def _children(node: ast.Node) -> Iterator[ast.Node]:
    for value in node.__dict__.values():
        if isinstance(value, ast.Node):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, ast.Node):
                    yield item
                elif isinstance(item, tuple):
                    yield from (x for x in item if isinstance(x, ast.Node))


def _moved(node: ast.Node, done: dict[int, ast.Node], lines: int) -> ast.Node:
    fields: dict[str, Any] = {}
    for key, value in node.__dict__.items():
        if isinstance(value, ast.Node):
            value = done[id(value)]
        elif isinstance(value, Position):
            value = _moved_position(value, lines)
        elif isinstance(value, tuple) and value:
            value = tuple(_moved_item(item, done) for item in value)
        fields[key] = value
    copy = object.__new__(type(node))
    copy.__dict__.update(fields)
    return copy


def _moved_item(item: Any, done: dict[int, ast.Node]) -> Any:
    if isinstance(item, ast.Node):
        return done[id(item)]
    if isinstance(item, tuple):
        return tuple(done[id(x)] if isinstance(x, ast.Node) else x for x in item)
    return item


def _moved_position(pos: Position, lines: int) -> Position:
    if pos == ast.NOWHERE:
        return pos
    return Position(pos.line + lines, pos.column, pos.end_line + lines, pos.end_column)


def _copy_error(exc: PositionedError, lines: int) -> PositionedError:
    """A fresh copy of ``exc`` (no traceback), its position moved by ``lines``."""
    copy = type(exc).__new__(type(exc), *exc.args)
    copy.__dict__.update(exc.__dict__)
    copy.args = exc.args
    if exc.position is not None:
        copy.position = _moved_position(exc.position, lines)
    errors = exc.__dict__.get("errors")
    if isinstance(errors, list):
        copy.__dict__["errors"] = [copy if e is exc else e for e in errors]
    return copy
