"""Stable ids: a short hash of values, the same on every machine and every run.

``hash_id`` writes its arguments as canonical JSON (object keys sorted, numbers without
exponent or trailing zeros so ``19.50`` and ``19.5`` agree, dates in ISO 8601, no spaces)
and returns the first 16 hex digits of its SHA-256. Use it for idempotency keys and
references that must not change when a record is synced again.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from mapwright.dsl.functions.arguments import fail, got, plain_number
from mapwright.dsl.functions.registry import builtin
from mapwright.dsl.values import MISSING

MAX_DEPTH = 64


def canonical(value: Any, depth: int = 0) -> str:
    """The canonical JSON text of a value (missing counts as null)."""
    if depth > MAX_DEPTH:
        fail("hash_id", f"values nested deeper than {MAX_DEPTH} levels")
    if value is None or value is MISSING:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            fail("hash_id", f"cannot hash the number {value}")
        return plain_number(value.normalize()) if value else "0"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, _dt.date):
        return json.dumps(value.isoformat())
    if isinstance(value, list):
        return "[" + ",".join(canonical(item, depth + 1) for item in value) + "]"
    if isinstance(value, dict):
        fields = sorted(
            ((str(k), v) for k, v in value.items() if v is not MISSING), key=lambda kv: kv[0]
        )
        return (
            "{"
            + ",".join(
                f"{json.dumps(k, ensure_ascii=False)}:{canonical(v, depth + 1)}" for k, v in fields
            )
            + "}"
        )
    fail("hash_id", f"cannot hash {got(value)}")


@builtin(
    category="ids",
    examples=[
        ('hash_id("SO-1001", 2)', "e0845f4d511d3c7e"),
        ('hash_id("SO-1001", 2.0)', "e0845f4d511d3c7e"),
        ("hash_id({b: 1, a: [true, null]})", "eb19bc95032965fe"),
    ],
)
def hash_id(*parts: Any) -> str:
    """A stable 16-hex-digit id from any values: the same values always give the same id.

    Numbers compare by value (``2`` and ``2.0`` give the same id) and object field order does
    not matter. Computed as SHA-256 of the canonical JSON of the list of parts.
    """
    text = canonical(list(parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
