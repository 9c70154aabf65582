"""Response helpers: exact JSON numbers in and out.

Mapped records carry ``Decimal`` amounts; ``ExactJSON`` writes them as JSON numbers with
every digit (FastAPI's encoder would turn them into floats or strings). Request bodies are
parsed by FastAPI into floats; ``exact`` turns them back into ``Decimal`` through their
shortest text form (``19.99`` stays ``19.99``), so scripts see the numbers that were sent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path
from fastapi.responses import JSONResponse
from mapwright.dsl import jsonio


class ExactJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return jsonio.dumps(content).encode("utf-8")


def exact(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [exact(v) for v in value]
    return value


def utc_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row with every timestamp as aware UTC (SQLite hands them back without a zone)."""
    import datetime as dt

    from mapwright.engine.store import as_utc

    return {k: as_utc(v) if isinstance(v, dt.datetime) else v for k, v in row.items()}


#: a numeric id in a path: positive and small enough for every database
Id = Annotated[int, Path(ge=1, le=2**53)]
