"""Text builtins: case, trimming, replacing, splitting, padding and truncating.

Absent input (``missing`` or ``null``) comes back unchanged, so ``upper(d.city)`` writes
nothing when the source has no city. The tests ``contains``, ``starts_with`` and
``ends_with`` answer ``false`` for absent input instead, so they can be used in conditions.
Lengths count Unicode characters (code points), which is how target systems count a field's
maximum length in characters.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from decimal import Decimal
from typing import Any

from mapwright.dsl.functions.arguments import (
    check_size,
    fail,
    got,
    plain_number,
    require_int,
    require_list,
    require_text,
    text_of,
)
from mapwright.dsl.functions.registry import builtin
from mapwright.dsl.jsonio import dumps
from mapwright.dsl.values import is_absent

MAX_PAD = 10_000


@builtin(category="text", examples=[('upper("straße")', "STRASSE"), ("upper(null)", None)])
def upper(text: Any) -> Any:
    """Upper-case a text.

    Uses full Unicode case rules, so the German ß becomes SS.
    """
    if type(text) is str:
        return text.upper()
    return _upper(text)


def _upper(text: Any) -> Any:
    if is_absent(text):
        return text
    return require_text("upper", "text", text).upper()


@builtin(
    category="text", examples=[('lower("Jane@ACME.de")', "jane@acme.de"), ("lower(null)", None)]
)
def lower(text: Any) -> Any:
    """Lower-case a text."""
    if type(text) is str:
        return text.lower()
    return _lower(text)


def _lower(text: Any) -> Any:
    if is_absent(text):
        return text
    return require_text("lower", "text", text).lower()


@builtin(
    category="text",
    examples=[('trim("  Berlin \\n")', "Berlin"), ('trim("")', ""), ("trim(null)", None)],
)
def trim(text: Any) -> Any:
    """Remove spaces, tabs and line breaks at both ends of a text."""
    if type(text) is str:
        return text.strip()
    return _trim(text)


def _trim(text: Any) -> Any:
    if is_absent(text):
        return text
    return require_text("trim", "text", text).strip()


@builtin(
    category="text",
    examples=[
        ('replace("Hauptstr. 5", "str.", "straße")', "Hauptstraße 5"),
        ('replace("a-b-c", "-", "")', "abc"),
        ('replace(null, "a", "b")', None),
    ],
)
def replace(text: Any, old: Any, new: Any) -> Any:
    """Replace every occurrence of ``old`` in a text by ``new``.

    Plain text, no patterns: use ``regex_replace`` for patterns. ``old`` must not be empty.
    """
    if is_absent(text):
        return text
    value = require_text("replace", "text", text)
    old_text = text_of("replace", "old", old)
    new_text = "" if is_absent(new) else text_of("replace", "new", new)
    if not old_text:
        fail("replace", "'old' must not be empty text")
    count = value.count(old_text)
    check_size("replace", len(value) + count * (len(new_text) - len(old_text)))
    return value.replace(old_text, new_text)


@builtin(
    category="text",
    examples=[
        ('split("a;b;;c", ";")', ["a", "b", "", "c"]),
        ('split("", ",")', []),
        ('split(null, ",")', None),
    ],
)
def split(text: Any, separator: Any) -> Any:
    """Split a text at every ``separator`` into a list of texts.

    Empty parts are kept (``"a;;b"`` has three parts); an empty text gives an empty list.
    """
    if is_absent(text):
        return text
    value = require_text("split", "text", text)
    sep = require_text("split", "separator", separator)
    if not sep:
        fail("split", "'separator' must not be empty text")
    return value.split(sep) if value else []


@builtin(
    category="text",
    examples=[
        ('join(["Jane", null, "Doe"], " ")', "Jane Doe"),
        ('join([1, 2.50, "x"], "/")', "1/2.50/x"),
        ('join([], ", ")', ""),
    ],
)
def join(items: Any, separator: Any = "") -> Any:
    """Join the items of a list into one text, with ``separator`` between them.

    Missing and null items are left out; numbers, booleans and dates are written as text.
    """
    if is_absent(items):
        return items
    parts = [
        text_of("join", "items", item)
        for item in require_list("join", "items", items)
        if not is_absent(item)
    ]
    sep = "" if is_absent(separator) else require_text("join", "separator", separator)
    check_size("join", sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0))
    return sep.join(parts)


@builtin(
    category="text",
    examples=[('length("Größe")', 5), ("length([1, 2, 3])", 3), ("length({a: 1})", 1)],
)
def length(value: Any) -> Any:
    """The number of characters in a text, items in a list or fields in an object."""
    if is_absent(value):
        return value
    if isinstance(value, str | list | dict):
        return len(value)
    fail("length", f"'value' must be text, a list or an object, got {got(value)}")


@builtin(
    category="text",
    examples=[
        ('contains("Hauptstraße 5", "straße")', True),
        ('contains(["paid", "open"], "paid")', True),
        ('contains(null, "x")', False),
    ],
)
def contains(value: Any, part: Any) -> bool:
    """Whether a text contains a part, or a list contains an item (false when absent)."""
    if is_absent(value):
        return False
    if isinstance(value, str):
        return not is_absent(part) and text_of("contains", "part", part) in value
    if isinstance(value, list):
        return any(_same(item, part) for item in value)
    if isinstance(value, dict):
        return isinstance(part, str) and part in value
    fail("contains", f"'value' must be text, a list or an object, got {got(value)}")


def _same(left: Any, right: Any) -> bool:
    """Equality without Python's ``true == 1``."""
    return isinstance(left, bool) == isinstance(right, bool) and left == right


@builtin(
    category="text",
    examples=[('starts_with("DE123456789", "DE")', True), ('starts_with(null, "DE")', False)],
)
def starts_with(text: Any, prefix: Any) -> bool:
    """Whether a text begins with ``prefix`` (false when the text is absent)."""
    if is_absent(text):
        return False
    return require_text("starts_with", "text", text).startswith(
        text_of("starts_with", "prefix", prefix)
    )


@builtin(
    category="text",
    examples=[('ends_with("invoice.pdf", ".pdf")', True), ('ends_with("a.PDF", ".pdf")', False)],
)
def ends_with(text: Any, suffix: Any) -> bool:
    """Whether a text ends with ``suffix`` (false when the text is absent)."""
    if is_absent(text):
        return False
    return require_text("ends_with", "text", text).endswith(text_of("ends_with", "suffix", suffix))


def _pad(function: str, text: Any, width: Any, char: Any) -> tuple[str, int, str]:
    value = text_of(function, "text", text)
    size = require_int(function, "width", width, low=0, high=MAX_PAD)
    fill = require_text(function, "char", char)
    if len(fill) != 1:
        fail(function, f"'char' must be exactly one character, got {got(char)}")
    return value, size, fill


@builtin(
    category="text",
    examples=[
        ('pad_left("42", 6, "0")', "000042"),
        ('pad_left(42, 5, " ")', "   42"),
        ('pad_left("toolong", 3, " ")', "toolong"),
    ],
)
def pad_left(text: Any, width: Any, char: Any = " ") -> Any:
    """Fill a text from the left with ``char`` up to ``width`` characters.

    Numbers are written as text first, so ``pad_left(42, 18, " ")`` gives Exact's
    right-aligned account code. Longer texts are not cut. ``width`` is at most 10,000.
    """
    if is_absent(text):
        return text
    value, size, fill = _pad("pad_left", text, width, char)
    return value.rjust(size, fill)


@builtin(
    category="text",
    examples=[('pad_right("AB", 4, ".")', "AB.."), ('pad_right("ABCDE", 4, ".")', "ABCDE")],
)
def pad_right(text: Any, width: Any, char: Any = " ") -> Any:
    """Fill a text from the right with ``char`` up to ``width`` characters (at most 10,000)."""
    if is_absent(text):
        return text
    value, size, fill = _pad("pad_right", text, width, char)
    return value.ljust(size, fill)


@builtin(
    category="text",
    examples=[
        ('truncate("Schreibtischlampe", 8)', "Schreibt"),
        ('truncate("Schreibtischlampe", 8, "…")', "Schreib…"),
        ('truncate("Lampe", 8, "…")', "Lampe"),
        ("truncate(null, 8)", None),
    ],
)
def truncate(text: Any, max_length: Any, ellipsis: Any = "") -> Any:
    """Cut a text to at most ``max_length`` characters, e.g. a target field's maximum length.

    With an ``ellipsis`` such as ``"…"`` the shortened text ends with it and still fits.
    A cut never separates a letter from its accent.
    """
    if is_absent(text):
        return text
    value = text_of("truncate", "text", text)
    limit = require_int("truncate", "max_length", max_length, low=0)
    tail = "" if is_absent(ellipsis) else require_text("truncate", "ellipsis", ellipsis)
    if len(value) <= limit:
        return value
    if len(tail) > limit:
        fail("truncate", f"the ellipsis {tail!r} is longer than max_length {limit}")
    cut = limit - len(tail)
    while 0 < cut < len(value) and unicodedata.combining(value[cut]):
        cut -= 1
    return value[:cut] + tail


@builtin(
    category="text",
    examples=[
        ("text(19.50)", "19.50"),
        ("text(true)", "true"),
        ('text(date("2024-05-03"))', "2024-05-03"),
        ('text({a: [1, "x"]})', '{"a": [1, "x"]}'),
    ],
)
def text(value: Any) -> Any:
    """Write any value as text: numbers plainly, dates as ISO 8601, lists and objects as JSON."""
    kind = type(value)
    if kind is str:
        return value
    if kind is int:
        return str(value)  # what plain_number gives
    return _text(value)


def _text(value: Any) -> Any:
    if is_absent(value):
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return plain_number(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return dumps(value)
    fail("text", f"cannot write {got(value)} as text")
