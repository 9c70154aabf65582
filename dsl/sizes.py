"""How big a value is when written out, counted without writing it.

A script can build a list that holds another list twice (``[a, a]``); doubling that twenty
times takes twenty small lists in memory but a million values when the result is written
as JSON, compared or turned into text. the counts here count every use of a shared value
again, the way JSON will, but looks at each distinct list or object only once (a memo keyed
by identity), so measuring a doubled structure costs as little as building it.

``measure`` gives two counts in one walk: values (every list item and object field, through
nesting: the ``list size`` limit) and chars (an estimate of the JSON text's length: the
``text length`` and ``output size`` limits). It recurses for speed and falls back to a loop
for values nested deeper than Python's stack.
"""

from __future__ import annotations

from typing import Any

from mapwright.dsl.errors import MappingLimitError
from mapwright.dsl.limits import MAX_LIST_SIZE, MAX_OUTPUT, MAX_TEXT, NAMES

Memo = dict[int, tuple[Any, int, int]]
"""``id(list or object)`` -> (the list or object, kept alive so its id stays unique;
values; chars). Lists and objects are never changed once built (``runtime.set_path`` copies
before it writes into one), so a memo stays true for a whole record."""


def _scalar_chars(value: Any) -> int:
    # a number, date, boolean or null: a few dozen characters (numbers a script computes
    # stay below 10**100; a longer number copied from a record is the record's size)
    return len(value) + 2 if type(value) is str else 30


def measure(value: Any, memo: Memo | None = None) -> tuple[int, int]:
    """``(values, chars)`` of ``value``: see the module docstring."""
    if type(value) is not list and type(value) is not dict:
        return 0, _scalar_chars(value)
    if memo is None:
        memo = {}
    known = memo.get(id(value))
    if known is None:
        try:
            _measure(value, memo)
        except RecursionError:  # records can nest deeper than the stack: walk with a loop
            _walk(value, memo)
        known = memo[id(value)]
    return known[1], known[2]


def count_values(value: Any, memo: Memo | None = None) -> int:
    """Values in a list or object, through nesting, counting each use (``[a, a]``: twice)."""
    return measure(value, memo)[0]


def json_chars(value: Any, memo: Memo | None = None) -> int:
    """Estimated length of ``value`` written as JSON (each use of a shared part counted)."""
    return measure(value, memo)[1]


def _measure(node: Any, memo: Memo) -> tuple[Any, int, int]:
    values = len(node)
    chars = 2
    if type(node) is dict:
        for key, child in node.items():
            kind = type(child)
            if kind is str:
                chars += len(key) + len(child) + 6
            elif kind is list or kind is dict:
                known = memo.get(id(child)) or _measure(child, memo)
                values += known[1]
                chars += len(key) + 4 + known[2]
            else:
                chars += len(key) + 34  # a number, date, boolean or null (see _scalar_chars)
    else:
        for child in node:
            kind = type(child)
            if kind is str:
                chars += len(child) + 3
            elif kind is list or kind is dict:
                known = memo.get(id(child)) or _measure(child, memo)
                values += known[1]
                chars += 1 + known[2]
            else:
                chars += 31
    entry = memo[id(node)] = (node, values, chars)
    return entry


def _combine(node: Any, memo: Memo) -> tuple[Any, int, int]:
    """``_measure`` of a node whose lists and objects are all in ``memo`` already."""
    values, chars = len(node), 2
    pairs = node.items() if type(node) is dict else (("", c) for c in node)
    for key, child in pairs:
        chars += len(key) + (4 if key else 1)
        if type(child) is list or type(child) is dict:
            _, child_values, child_chars = memo[id(child)]
            values += child_values
            chars += child_chars
        else:
            chars += _scalar_chars(child)
    return (node, values, chars)


def _walk(value: Any, memo: Memo) -> None:
    """``_measure`` without recursion: children first, then their parent."""
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in memo:
            continue
        if ready:
            memo[id(node)] = _combine(node, memo)
            continue
        stack.append((node, True))
        for child in node.values() if type(node) is dict else node:
            if (type(child) is list or type(child) is dict) and id(child) not in memo:
                stack.append((child, False))


def check_list_size(value: Any, memo: Memo) -> Any:
    """``value`` (a list or object) unchanged, or ``MappingLimitError`` if it holds too many
    values. Called on every list the script builds, so it skips ``measure``'s wrapping."""
    try:
        values = _measure(value, memo)[1]
    except RecursionError:
        _walk(value, memo)
        values = memo[id(value)][1]
    if values > MAX_LIST_SIZE:
        raise MappingLimitError(
            f"this list or object would hold {values:,} values (nested values and every "
            f"repeated use count); the limit is {MAX_LIST_SIZE:,}",
            limit=NAMES["list_size"],
            maximum=MAX_LIST_SIZE,
        )
    return value


def check_text_size(value: Any) -> int:
    """The JSON length of a list or object about to become text, if within ``MAX_TEXT``."""
    chars = json_chars(value)
    if chars > MAX_TEXT:
        raise text_limit(chars)
    return chars


def text_limit(length: int) -> MappingLimitError:
    return MappingLimitError(
        f"this text would be {length:,} characters long; the limit is {MAX_TEXT:,}",
        limit=NAMES["text"],
        maximum=MAX_TEXT,
    )


class OutputTooLarge(MappingLimitError):
    """The output size limit; ``largest`` is the output field name or the operation that
    holds most of the result (so the error can point at the rule that wrote it)."""

    largest: Any = None


def check_output(output: dict[str, Any], operations: list[Any], limit: int) -> None:
    """Refuse a record's result (output fields, operations' fields and keys) whose JSON
    would be longer than ``limit`` characters: ``_check_output_generic``, with a shortcut
    for the common result (no operations; output fields that are text or no list or
    object), counted in one loop as ``_bounded_chars`` counts them. A result the shortcut
    finds too large, or with a list or object in it, goes to ``_check_output_generic`` for
    the same answer (its size, error and ``largest``)."""
    if not operations:
        size = 2
        for key, child in output.items():
            kind = type(child)
            if kind is str:
                size += len(key) + len(child) + 6
            elif kind is dict or kind is list:
                break
            else:
                size += len(key) + 34
        else:
            if size <= limit:
                return
    _check_output_generic(output, operations, limit)


def _check_output_generic(output: dict[str, Any], operations: list[Any], limit: int) -> None:
    """Refuse a record's result (output fields, operations' fields and keys) whose JSON
    would be longer than ``limit`` characters.

    Runs on every record, so it walks without a memo (a result is rarely shared within
    itself) and stops as soon as the count passes the limit: a doubled structure costs at
    most about ``limit / 2`` steps before it is refused, and lists the script built were
    measured with a memo when they were built."""
    try:
        size = _bounded_chars(output, limit)
        for op in operations:
            if size > limit:
                break
            size += 60 + _bounded_chars(op.fields, limit - size)
            pair = op.match or op.unless_exists
            if pair is not None:
                size += _bounded_chars(pair[1], limit - size)
    except RecursionError:  # a record part nested deeper than the stack: measure with a loop
        memo: Memo = {}
        size = measure(output, memo)[1] + sum(_op_chars(op, memo) for op in operations)
    if size > limit:
        raise _too_large(output, operations, limit, size, {})


def _bounded_chars(node: Any, budget: int) -> int:
    """``json_chars`` without a memo, returning early once ``budget`` is exceeded."""
    kind = type(node)
    if kind is str:
        return len(node) + 2
    if kind is dict:
        chars = 2
        for key, child in node.items():
            kind = type(child)
            if kind is str:
                chars += len(key) + len(child) + 6
            elif kind is dict or kind is list:
                chars += len(key) + 4 + _bounded_chars(child, budget - chars)
                if chars > budget:
                    return chars
            else:
                chars += len(key) + 34
        return chars
    if kind is list:
        chars = 2
        for child in node:
            kind = type(child)
            if kind is str:
                chars += len(child) + 3
            elif kind is dict or kind is list:
                chars += 1 + _bounded_chars(child, budget - chars)
                if chars > budget:
                    return chars
            else:
                chars += 31
        return chars
    return 30


def _too_large(
    output: dict[str, Any], operations: list[Any], limit: int, size: int, memo: Memo
) -> OutputTooLarge:
    error = OutputTooLarge(
        f"this record's result would be about {size:,} characters of JSON; the limit is "
        f"{limit:,}. Write fewer or smaller fields, or split the record",
        limit=NAMES["output"],
        maximum=limit,
    )
    parts: list[tuple[int, Any]] = [(measure(v, memo)[1], k) for k, v in output.items()]
    parts += [(_op_chars(op, memo), op) for op in operations]
    error.largest = max(parts, key=lambda part: part[0])[1] if parts else None
    return error


def _op_chars(op: Any, memo: Memo) -> int:
    size = measure(op.fields, memo)[1] + 60
    pair = op.match or op.unless_exists
    if pair is not None:
        key = pair[1]
        size += len(key) + 2 if type(key) is str else measure(key, memo)[1]
    return size


__all__ = [
    "MAX_OUTPUT",
    "OutputTooLarge",
    "check_list_size",
    "check_output",
    "check_text_size",
    "count_values",
    "json_chars",
    "measure",
]
