"""List and object builtins: table lookups, defaults, first/last, unique, sort.

Lists keep their order; ``unique`` and ``contains`` compare values the way the language does
(``1`` equals ``1.0``, ``true`` is not ``1``). An empty list has no first item: ``first([])``
is null.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

from mapwright.dsl.functions.arguments import (
    NO_DEFAULT,
    fail,
    got,
    plain_number,
    require_list,
    require_object,
    require_text,
)
from mapwright.dsl.functions.registry import builtin
from mapwright.dsl.jsonio import dumps
from mapwright.dsl.values import MISSING, is_absent

SHOWN_KEYS = 5


def _key_text(value: Any) -> str | None:
    """How a key is written in an object: numbers plainly (``19.0`` -> ``"19"``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return plain_number(value if isinstance(value, int) else value.normalize())
    return None


@builtin(
    category="collections",
    examples=[
        ('lookup({paypal: "PP", invoice: "RE"}, "paypal")', "PP"),
        ('lookup({"19": "V19", "7": "V7"}, 19.00)', "V19"),
        ('lookup({paypal: "PP"}, "cash", "XX")', "XX"),
        ('lookup({paypal: "PP"}, null, "XX")', "XX"),
    ],
)
def lookup(table: Any, key: Any, default: Any = NO_DEFAULT) -> Any:
    """The value stored under ``key`` in a table (an object, e.g. a setting).

    Numbers find their plain text key (``19.00`` finds ``"19"``); surrounding spaces in text
    keys are ignored. An unknown key gives ``default``, or without one an error that names
    the key. An absent key gives ``default`` if given, else stays absent.
    """
    entries = require_object("lookup", "table", table)
    if is_absent(key):
        return key if default is NO_DEFAULT else default
    wanted = _key_text(key)
    if wanted is None:
        fail("lookup", f"'key' must be text or a number, got {got(key)}")
    for candidate in (wanted, wanted.strip()):
        if candidate in entries:
            return entries[candidate]
    stripped = {str(k).strip(): v for k, v in entries.items()}
    if wanted.strip() in stripped:
        return stripped[wanted.strip()]
    if default is not NO_DEFAULT:
        return default
    known = ", ".join(f'"{k}"' for k in list(entries)[:SHOWN_KEYS])
    more = f" and {len(entries) - SHOWN_KEYS} more" if len(entries) > SHOWN_KEYS else ""
    listing = f"known keys: {known}{more}" if entries else "the table is empty"
    fail(
        "lookup",
        f'no entry for "{wanted}" ({listing}); add "{wanted}" to the table or give a default '
        "as the third argument",
    )


def _blank(value: Any) -> bool:
    return is_absent(value) or (isinstance(value, str) and not value.strip())


@builtin(
    category="collections",
    examples=[
        ('coalesce(null, "", "  ", "EUR")', "EUR"),
        ("coalesce(0, 5)", 0),
        ('coalesce(null, "")', None),
    ],
)
def coalesce(*values: Any) -> Any:
    """The first value that is present: not missing, null, empty or blank text.

    ``0``, ``false`` and empty lists count as present. Missing when none is present.
    """
    for value in values:
        if not _blank(value):
            return value
    return MISSING


@builtin(
    category="collections",
    examples=[('first(["a", "b"])', "a"), ("first([])", None), ("first(null)", None)],
)
def first(items: Any) -> Any:
    """The first item of a list; null for an empty list."""
    if is_absent(items):
        return items
    values = require_list("first", "items", items)
    return values[0] if values else None


@builtin(category="collections", examples=[('last(["a", "b"])', "b"), ("last([])", None)])
def last(items: Any) -> Any:
    """The last item of a list; null for an empty list."""
    if is_absent(items):
        return items
    values = require_list("last", "items", items)
    return values[-1] if values else None


def identity(value: Any) -> Any:
    """A hashable stand-in with the language's equality (``1 == 1.0``, ``true != 1``)."""
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, int | Decimal):
        return ("number", Decimal(value))
    if isinstance(value, str | _dt.date) or value is None:
        return (type(value).__name__, value)
    return ("json", dumps(value, sort_keys=True))


@builtin(
    category="collections",
    examples=[('unique(["a", "b", "a"])', ["a", "b"]), ("unique([1, 1.0, true, 2])", [1, True, 2])],
)
def unique(items: Any) -> Any:
    """The items of a list without repeats, in first-seen order."""
    if is_absent(items):
        return items
    seen: set[Any] = set()
    result = []
    for item in require_list("unique", "items", items):
        marker = identity(item)
        if marker not in seen:
            seen.add(marker)
            result.append(item)
    return result


def _sort_value(item: Any) -> tuple[str, Any]:
    if isinstance(item, bool):
        return ("boolean", item)
    if isinstance(item, int | Decimal):
        return ("number", item)
    if isinstance(item, str):
        return ("text", item)
    if isinstance(item, _dt.datetime):
        return ("datetime", item)
    if isinstance(item, _dt.date):
        return ("date", item)
    fail("sort", f"cannot sort by {got(item)}")


@builtin(
    name="sort",
    category="collections",
    examples=[
        ("sort([3, 1.5, 2])", [Decimal("1.5"), 2, 3]),
        ('sort(["b", null, "a"])', ["a", "b", None]),
        ('sort([{n: "b"}, {n: "a"}], "n")', [{"n": "a"}, {"n": "b"}]),
    ],
)
def sort_(items: Any, by: Any = MISSING) -> Any:
    """The items of a list in ascending order; ``by`` names a field to sort objects by.

    Items must be of one kind (numbers, texts or dates); absent ones go last.
    """
    if is_absent(items):
        return items
    values = require_list("sort", "items", items)
    field = None if is_absent(by) else require_text("sort", "by", by)

    def sort_key_of(item: Any) -> Any:
        if field is None:
            return item
        if not isinstance(item, dict):
            fail("sort", f"sorting by {field!r} needs objects, got {got(item)}")
        return item.get(field, MISSING)

    keyed = [(sort_key_of(item), item) for item in values]
    present = [(_sort_value(key), item) for key, item in keyed if not is_absent(key)]
    kinds = {kind for (kind, _), _ in present}
    if len(kinds) > 1:
        fail("sort", f"cannot sort a mix of {' and '.join(sorted(kinds))} values")
    present.sort(key=lambda pair: pair[0][1])
    return [item for _, item in present] + [item for key, item in keyed if is_absent(key)]


@builtin(
    name="reverse",
    category="collections",
    examples=[("reverse([1, 2, 3])", [3, 2, 1]), ("reverse([])", [])],
)
def reverse(items: Any) -> Any:
    """The items of a list in reverse order."""
    if is_absent(items):
        return items
    return list(reversed(require_list("reverse", "items", items)))


@builtin(category="collections", examples=[("keys({a: 1, b: 2})", ["a", "b"]), ("keys({})", [])])
def keys(obj: Any) -> Any:
    """The field names of an object, in order."""
    if is_absent(obj):
        return obj
    return list(require_object("keys", "obj", obj))


@builtin(
    category="collections", examples=[('values({a: 1, b: "x"})', [1, "x"]), ("values({})", [])]
)
def values(obj: Any) -> Any:
    """The field values of an object, in order."""
    if is_absent(obj):
        return obj
    return list(require_object("values", "obj", obj).values())


@builtin(
    category="collections",
    examples=[
        (
            'remap({FreeTextField_01: "S", FreeTextField_02: "Blau", Code: "X"}, '
            '{FreeTextField_01: "size", FreeTextField_02: "colour"})',
            {"size": "S", "colour": "Blau"},
        ),
        ('remap({FreeTextField_01: ""}, {FreeTextField_01: "size", Other: "x"})', {}),
    ],
)
def remap(record: Any, table: Any) -> Any:
    """Rename fields: the table maps a record's field names to new names.

    Empty and absent fields are left out.
    Use it to turn source attributes into target options, with the mapping in a setting:
    ``options <- remap(record, settings.attributes)``.
    """
    if is_absent(record):
        return {}
    source = require_object("remap", "record", record)
    names = require_object("remap", "table", table)
    result: dict[str, Any] = {}
    for field, target in names.items():
        value = source.get(field, MISSING)
        if is_absent(value) or (isinstance(value, str) and not value.strip()):
            continue
        result[require_text("remap", "table value", target)] = value
    return result
