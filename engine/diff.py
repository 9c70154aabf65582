"""Field-level changes for updates: what to send and the before/after of what changed.

``changes`` applies the write policies of an operation to the target's current record:
``on_create`` fields are never sent on update, ``if_empty`` fields only when the target's
value is empty, all others when they differ. Numbers compare by value (``19.5`` equals
``19.50``; text is never read as a number), objects by the fields we send (extra fields the
target keeps are not a difference), lists item by item.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import regex
from mapwright.dsl.values import is_present


def same(new: Any, current: Any) -> bool:
    """True when writing ``new`` over ``current`` would change nothing."""
    if type(new) is str and type(current) is str and new == current:
        return True  # an unchanged text field (most of an upsert): no need to normalise it
    return _same(new, current)


def _same(new: Any, current: Any) -> bool:
    if isinstance(new, bool) or isinstance(current, bool):
        return new is current or (type(new) is type(current) and new == current)
    if isinstance(new, int | float | Decimal) and isinstance(current, int | float | Decimal):
        return _number(new) == _number(current)
    if isinstance(new, Mapping):
        if not isinstance(current, Mapping):
            return False
        return all(same(value, current.get(key)) for key, value in new.items())
    if isinstance(new, list | tuple):
        if not isinstance(current, list | tuple) or len(new) != len(current):
            return False
        return all(same(a, b) for a, b in zip(new, current, strict=True))
    if isinstance(new, str | None) and isinstance(current, str | None):
        return _text(new) == _text(current)
    return bool(new == current)


_SPACES = regex.compile(r"\s+")
_NUMBER_LETTERS = regex.compile(r"(?<=\d) (?=\p{L})")


def _text(value: str | None) -> str:
    if value is None:
        return ""
    return _NUMBER_LETTERS.sub("", _SPACES.sub(" ", value).strip())


def _number(value: int | float | Decimal) -> Decimal:
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return Decimal("NaN")


def changes(
    fields: Mapping[str, Any],
    current: Mapping[str, Any],
    policies: Mapping[str, str],
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The fields to send in an update and their diff ``{field: {before, after}}``."""
    body: dict[str, Any] = {}
    diff: dict[str, dict[str, Any]] = {}
    for name, value in fields.items():
        policy = policies.get(name, "always")
        before = current.get(name)
        if policy == "on_create":
            continue
        if policy == "if_empty" and is_present(before):
            continue
        if same(value, before):
            continue
        body[name] = value
        diff[name] = {"before": before, "after": value}
    return body, diff
