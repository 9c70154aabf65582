"""JSON in and out with exact numbers: numbers with a fraction become ``Decimal``.

Reading: every number is kept exactly as written (``1.23456789012345678901e5`` and ``1e400``
too; a script that computes with a number beyond the number size limit stops with that
limit's error). ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON numbers and are refused
with an error that names the field (``JSONValueError.path``), and so is a whole number of
more than 4,300 digits (Python's limit for reading one). A text may hold half of a surrogate
pair (``"\\ud800"``, which JSON allows); it is kept, and written back escaped.

Writing: dates and datetimes are written as ISO 8601 text; ``missing`` values inside objects
are dropped (a missing field is not written), inside lists they become ``null``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import simplejson
from mapwright.dsl.values import MISSING


class JSONValueError(ValueError):
    """Valid JSON text holding a value the language does not accept; ``path`` names it."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(f"{path}: {message}" if path else message)
        self.message = message
        self.path = path


class _NotANumber:
    __slots__ = ("word",)

    def __init__(self, word: str):
        self.word = word


def loads(text: str | bytes) -> Any:
    """Parse JSON; fractions become ``Decimal`` so no precision is lost.

    Raises ``ValueError`` (``simplejson.JSONDecodeError`` with ``lineno`` and ``colno`` for
    text that is not JSON, ``JSONValueError`` for a refused value).
    """
    found: list[_NotANumber] = []

    def constant(word: str) -> _NotANumber:
        found.append(_NotANumber(word))
        return found[-1]

    try:
        data = simplejson.loads(text, use_decimal=True, allow_nan=True, parse_constant=constant)
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise
        raise JSONValueError(
            "a whole number has more than 4,300 digits; send it as text (in quotes)"
        ) from None
    if found:
        path = _path_to(data, _NotANumber) or ""
        raise JSONValueError(
            f"{found[0].word} is not a number JSON allows; send a number, null or text", path
        )
    return data


def iter_array(lines: Iterator[str]) -> Iterator[Any]:
    """The elements of one JSON array read from ``lines`` (text pieces that each end with a
    line break, except maybe the last), one at a time: the array is never held whole.

    Errors are those of ``loads``: ``simplejson.JSONDecodeError`` whose ``lineno``/``colno``
    count from the first piece, ``JSONValueError`` whose ``path`` starts with the element's
    index (``[1].a.b``).
    """
    reader = _Pieces(lines)
    reader.expect("[")
    index = 0
    if reader.peek() == "]":
        reader.pos += 1
    else:
        while True:
            yield reader.element(index)
            index += 1
            if reader.peek() == "]":
                reader.pos += 1
                break
            reader.expect(",", "Expecting ',' delimiter")
    if reader.peek() != "":
        reader.fail("Extra data")


class _Pieces:
    """A window on the text of ``lines``: what was read and not parsed yet (and the error
    positions counted from the first piece)."""

    KEEP = 1 << 13

    def __init__(self, lines: Iterator[str]):
        self.lines = lines
        self.text = ""
        self.pos = 0
        self.before = 0  # line breaks dropped from the front of the window
        self.offset = 0  # characters dropped from the window's first line
        self.done = False
        found: list[_NotANumber] = []
        self.found = found

        def constant(word: str) -> _NotANumber:
            found.append(_NotANumber(word))
            return found[-1]

        self.decoder = simplejson.JSONDecoder(
            parse_float=Decimal, parse_constant=constant, allow_nan=True
        )

    def more(self, wanted: int = 1) -> bool:
        """Read at least ``wanted`` more characters (or to the end); False at the end."""
        if self.done:
            return False
        batch: list[str] = []
        added = 0
        for piece in self.lines:
            batch.append(piece)
            added += len(piece)
            if added >= wanted:
                break  # no waiting for more than is needed (the text may come from a pipe)
        else:
            self.done = True
        self.text += "".join(batch)
        return added > 0

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str, message: str = "Expecting value") -> None:
        if self.peek() != char:
            self.fail(message)
        self.pos += 1

    def fail(self, message: str) -> None:
        raise self.placed(simplejson.JSONDecodeError(message, self.text, self.pos))

    def placed(self, error: simplejson.JSONDecodeError) -> simplejson.JSONDecodeError:
        """``error`` with its line and column counted from the first piece."""
        if error.lineno == 1:
            error.colno += self.offset
        error.lineno += self.before
        return error

    def drop_parsed(self) -> None:
        """Forget the text before ``pos`` (between elements: nothing points into it)."""
        if self.pos > self.KEEP:
            cut = self.pos
            newline = self.text.rfind("\n", 0, cut)
            if newline >= 0:
                self.before += self.text.count("\n", 0, cut)
                self.offset = cut - newline - 1
            else:
                self.offset += cut
            self.text, self.pos = self.text[cut:], 0

    def element(self, index: int) -> Any:
        self.peek()
        self.drop_parsed()
        while True:
            self.found.clear()
            try:
                value, end = self.decoder.raw_decode(self.text, self.pos)
            except simplejson.JSONDecodeError as exc:
                # maybe only cut off: read as much again as is waiting, then try again
                if self.more(len(self.text) - self.pos + 1):
                    continue
                raise self.placed(exc) from None
            except ValueError as exc:
                if "integer string conversion" not in str(exc):
                    raise
                raise JSONValueError(
                    "a whole number has more than 4,300 digits; send it as text (in quotes)",
                    f"[{index}]",
                ) from None
            if end >= len(self.text) and self.more():
                continue  # a number at the end of the window may go on
            break
        if self.found:
            path = _path_to(value, _NotANumber) or ""
            inner = "" if path == "the value" else path if path.startswith("[") else "." + path
            raise JSONValueError(
                f"{self.found[0].word} is not a number JSON allows; send a number, null or text",
                f"[{index}]{inner}",
            )
        self.pos = end
        return value


_SPACE = re.compile(r"[ \t\n\r]*")


def _path_to(data: Any, kind: type) -> str | None:
    """Where the first value of type ``kind`` is in ``data`` (``lines[0].price``)."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, kind):
            return path or "the value"
        if isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                stack.append((item, f"{path}.{key}" if path else str(key)))
        elif isinstance(value, list):
            for index in reversed(range(len(value))):
                stack.append((value[index], f"{path}[{index}]"))
    return None


def plain(value: Any) -> Any:
    """A JSON-ready copy of a runtime value (drops missing fields, dates to ISO text)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if v is not MISSING}
    if isinstance(value, list | tuple):
        return [None if v is MISSING else plain(v) for v in value]
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if value is MISSING:
        return None
    return value


def _ready(value: Any) -> Any:
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if value is MISSING:
        return None
    raise TypeError(f"{type(value).__name__} is not JSON")


def dumps_ready(value: Any) -> bytes:
    """UTF-8 JSON of a value that is JSON-ready already (what ``plain`` gives, or plain
    dicts and lists holding decimals and dates), without ``dumps``' deep copy: dates are
    written as ISO text and a stray ``missing`` as null on the way. For large answers
    (previews) where the copy costs more than the encoding."""
    try:
        text: str = simplejson.dumps(value, use_decimal=True, ensure_ascii=False, default=_ready)
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return simplejson.dumps(value, use_decimal=True, ensure_ascii=True, default=_ready).encode()


def dumps(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """Serialize with ``Decimal`` kept exact (``1.10`` stays ``1.10``).

    Text is written as UTF-8 characters; only a text holding half of a surrogate pair
    (which has no UTF-8 form) makes the whole result use ``\\uXXXX`` escapes instead. A value
    that is plain already (``is_plain``: most of what the store and the API write) is encoded
    as it is; anything else is first copied by ``plain`` (the same text either way).
    """
    try:
        ready = is_plain(value)
    except RecursionError:  # nested deeper than the stack: plain() fails the same way
        ready = False
    return _encode(value if ready else plain(value), indent, sort_keys)


def copied_dumps(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """``dumps`` by way of ``plain``'s copy whatever the value: the generic path that
    ``dumps`` must match (tests/dsl/test_jsonio_plain.py)."""
    return _encode(plain(value), indent, sort_keys)


def _encode(data: Any, indent: int | None, sort_keys: bool) -> str:
    text: str = simplejson.dumps(
        data, use_decimal=True, indent=indent, sort_keys=sort_keys, ensure_ascii=False
    )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = simplejson.dumps(
            data, use_decimal=True, indent=indent, sort_keys=sort_keys, ensure_ascii=True
        )
    return text


_PLAIN_LEAVES = frozenset({str, int, float, bool, type(None), Decimal})
"""The values ``plain`` returns unchanged (exact types: a subclass may be written otherwise)."""


def is_plain(value: Any) -> bool:
    """Whether ``plain(value)`` would be an equal copy: dicts with text keys and lists of
    plain values, nothing else (no ``missing``, dates, tuples or subclasses). The dict and
    list loops are kept apart on purpose: one loop over both (keys checked separately) measured
    ~15 % slower, and this walk runs on everything the store writes."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            inner = type(item)
            if inner is dict or inner is list:
                if not is_plain(item):
                    return False
            elif inner not in _PLAIN_LEAVES:
                return False
        return True
    if kind is list:
        for item in value:
            inner = type(item)
            if inner is dict or inner is list:
                if not is_plain(item):
                    return False
            elif inner not in _PLAIN_LEAVES:
                return False
        return True
    return kind in _PLAIN_LEAVES
