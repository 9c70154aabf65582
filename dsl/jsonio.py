"""JSON in and out with exact numbers: numbers with a fraction become ``Decimal``.

Dates and datetimes are written as ISO 8601 text; ``missing`` values inside objects are
dropped (a missing field is not written), inside lists they become ``null``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import simplejson
from mapwright.dsl.values import MISSING


def loads(text: str | bytes) -> Any:
    """Parse JSON; fractions become ``Decimal`` so no precision is lost."""
    return simplejson.loads(text, use_decimal=True)


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
    """Serialize with ``Decimal`` kept exact (``1.10`` stays ``1.10``)."""
    return simplejson.dumps(
        plain(value), use_decimal=True, indent=indent, sort_keys=sort_keys, ensure_ascii=False
    )
