"""OData v2 helpers for Exact Online: filter literals, ``/Date(ms)/`` values, envelopes.

Exact speaks OData v2 "verbose" JSON: collections come as ``{"d": {"results": [...],
"__next": url}}``, single records and function-style endpoints as ``{"d": {...}}`` or
``{"d": [...]}``. Dates travel as ``"/Date(1641034800000)/"`` (milliseconds since the epoch,
UTC). Filter literals are typed: ``guid'…'``, ``datetime'2024-01-31T00:00:00'``, ``'text'``
(a quote doubled inside), plain integers and ``true``/``false``.

Examples::

    >>> literal("O'Brien", "String")
    "'O''Brien'"
    >>> any_of("Code", ["A1", "B2"], "String")
    "Code eq 'A1' or Code eq 'B2'"
    >>> parse_date("/Date(1641034800000)/").isoformat()
    '2022-01-01T11:00:00+00:00'
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def parse_date(value: Any) -> datetime | None:
    """``"/Date(ms)/"`` (or an ISO string) as an aware UTC datetime; ``None`` stays ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        match = _DATE.match(value)
        if match:
            return datetime.fromtimestamp(int(match.group(1)) / 1000, tz=UTC)
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"not an Exact date: {value!r}; expected '/Date(ms)/' or an ISO date-time"
            ) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"not an Exact date: {value!r}")


def format_date(value: datetime | date) -> str:
    """A datetime/date as Exact's ``"/Date(ms)/"`` (naive values are taken as UTC)."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return f"/Date({int(round(value.timestamp() * 1000))})/"


def _iso_naive(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat()


def literal(value: Any, edm: str = "String") -> str:
    """``value`` as an OData v2 literal for a field of Edm type ``edm`` (``Guid``, ``Int32``...).

    Guids are checked (a malformed guid would cost an error-budget 400 at Exact), strings have
    quotes doubled, datetimes become ``datetime'YYYY-MM-DDTHH:MM:SS'`` in UTC.
    """
    if value is None:
        return "null"
    if edm == "Guid":
        try:
            return f"guid'{uuid.UUID(str(value))}'"
        except ValueError:
            raise ValueError(
                f"{value!r} is not a guid (Exact ids look like 'xxxxxxxx-…')"
            ) from None
    if edm == "DateTime":
        moment = parse_date(value) if not isinstance(value, datetime | date) else value
        if isinstance(moment, date) and not isinstance(moment, datetime):
            moment = datetime(moment.year, moment.month, moment.day)
        assert moment is not None
        return f"datetime'{_iso_naive(moment)}'"
    if edm == "Boolean" or isinstance(value, bool):
        return "true" if value else "false"
    if edm in ("Int16", "Int32", "Int64", "Byte"):
        try:
            return str(int(value))
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a whole number (field type {edm})") from None
    if edm == "Double":
        return repr(float(value))
    return "'" + str(value).replace("'", "''") + "'"


def any_of(field: str, values: Iterable[Any], edm: str = "String", *, trim: bool = False) -> str:
    """``field eq v1 or field eq v2 …`` — one filter for a bulk lookup."""
    target = f"trim({field})" if trim else field
    parts = [f"{target} eq {literal(v, edm)}" for v in values]
    if not parts:
        raise ValueError(f"any_of({field!r}) needs at least one value")
    return " or ".join(parts)


def pad_account_code(code: Any) -> str:
    """Exact's Account.Code: right-aligned to 18 characters with leading spaces."""
    text = str(code).strip()
    if len(text) > 18:
        raise ValueError(f"Account code {text!r} is longer than Exact's 18 characters")
    return text.rjust(18)


def results(body: Any) -> list[dict[str, Any]]:
    """The records of a response body: ``d.results``, ``d`` as a list, or ``d`` as one record."""
    if not isinstance(body, dict) or "d" not in body:
        raise ValueError("Exact response has no 'd' envelope")
    d = body["d"]
    if isinstance(d, list):
        return [r for r in d if isinstance(r, dict)]
    if isinstance(d, dict):
        if isinstance(d.get("results"), list):
            return [r for r in d["results"] if isinstance(r, dict)]
        return [d]
    return []


def next_link(body: Any) -> str | None:
    """``d.__next``: the absolute URL of the next page, or ``None`` on the last page."""
    d = body.get("d") if isinstance(body, dict) else None
    link = d.get("__next") if isinstance(d, dict) else None
    return link if isinstance(link, str) and link else None


def clean(record: dict[str, Any]) -> dict[str, Any]:
    """A record without OData plumbing: drops ``__metadata`` and unexpanded ``__deferred``
    links, and turns expanded ``{"results": [...]}`` collections into plain lists."""
    out: dict[str, Any] = {}
    for name, value in record.items():
        if name == "__metadata":
            continue
        if isinstance(value, dict):
            if "__deferred" in value:
                continue
            if isinstance(value.get("results"), list):
                out[name] = [clean(v) if isinstance(v, dict) else v for v in value["results"]]
                continue
        out[name] = value
    return out


def error_message(body: Any) -> str | None:
    """The human text of an Exact error body (OData ``error.message.value`` or OAuth
    ``error_description``/``error``), or ``None`` when the body holds none."""
    if not isinstance(body, dict):
        return None
    err = body.get("error")
    if isinstance(err, dict):
        message = err.get("message")
        if isinstance(message, dict):
            value = message.get("value")
            return str(value) if value else None
        if isinstance(message, str):
            return message or None
        return None
    if isinstance(err, str):
        desc = body.get("error_description")
        return f"{err}: {desc}" if desc else err
    return None
