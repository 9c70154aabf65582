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


def dumps(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """Serialize with ``Decimal`` kept exact (``1.10`` stays ``1.10``).

    Text is written as UTF-8 characters; only a text holding half of a surrogate pair
    (which has no UTF-8 form) makes the whole result use ``\\uXXXX`` escapes instead.
    """
    data = plain(value)
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
