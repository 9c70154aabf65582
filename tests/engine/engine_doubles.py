"""A stand-in source/target system for runner-unit tests: records in a real SQLite file.

``TableSystem`` is a ``Connector`` whose objects live in one SQLite table, so a second process
(the killed-run test) sees the same data. It models the behaviour the runner must cope with:
incremental listing by id, bulk ``find`` (one call for many values), create/update, a
refused record (validation), and writes whose answer is lost after the commit.
"""

from __future__ import annotations

import builtins
import json
import os
import signal
import sqlite3
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from mapwright.connectors.base import Capability, ConnectionConfig, Connector, ObjectSpec, Page
from mapwright.connectors.errors import RetriableError, SkippableError

ALL: frozenset[Capability] = frozenset({"list", "incremental", "get", "find", "create", "update"})


def _json(value: Any) -> str:
    """JSON as a real API answers it: numbers are plain JSON numbers."""
    return json.dumps(value, default=lambda v: float(v) if isinstance(v, Decimal) else str(v))


class TableSystem(Connector):
    """Objects: ``orders`` (source), ``customers`` (find by email/id), ``invoices`` (find by
    ref/id), ``notes`` (create only, no natural key)."""

    kind: ClassVar[str] = "table_double"
    title: ClassVar[str] = "Test table system"
    objects: ClassVar[dict[str, ObjectSpec]] = {
        "orders": ObjectSpec("orders", "id", ALL, find_keys=("id",), cursor_field="id"),
        "customers": ObjectSpec("customers", "id", ALL, find_keys=("email", "id")),
        "invoices": ObjectSpec("invoices", "id", ALL, find_keys=("ref", "id")),
        "items": ObjectSpec("items", "id", ALL, find_keys=("sku", "id")),
        "notes": ObjectSpec("notes", "id", frozenset({"create", "list"})),  # no natural key
    }

    def __init__(
        self, config: ConnectionConfig | str, *, transport: Any = None, page_size: int = 3
    ):
        if isinstance(config, str):
            config = ConnectionConfig(kind=self.kind, options={"path": config})
        super().__init__(config, transport=transport)
        self.path = str(config.options["path"])
        self.page_size = int(config.options.get("page_size", page_size))
        self.calls: list[tuple[str, str]] = []
        #: object -> list of faults for the next creates: "lose" (commit, then timeout),
        #: "refuse" (validation error), "busy" (429 before handling), "kill" (commit, then
        #: the process dies)
        self.create_faults: dict[str, list[str]] = {}
        with self._db() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS rows (object TEXT, id INTEGER PRIMARY KEY "
                "AUTOINCREMENT, data TEXT)"
            )

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    # -- seeding and reading in tests -------------------------------------------------------
    def seed(self, object: str, records: Sequence[dict[str, Any]]) -> None:
        with self._db() as db:
            for record in records:
                data = dict(record)
                if "id" in data:
                    db.execute(
                        "INSERT INTO rows (object, id, data) VALUES (?, ?, ?)",
                        (object, data["id"], _json(data)),
                    )
                else:
                    cur = db.execute(
                        "INSERT INTO rows (object, data) VALUES (?, ?)", (object, _json(data))
                    )
                    data["id"] = cur.lastrowid
                    db.execute("UPDATE rows SET data = ? WHERE id = ?", (_json(data), data["id"]))

    def rows(self, object: str) -> builtins.list[dict[str, Any]]:
        with self._db() as db:
            cur = db.execute("SELECT data FROM rows WHERE object = ? ORDER BY id", (object,))
            return [json.loads(row[0]) for row in cur]

    def writes(self) -> int:
        return sum(1 for method, _ in self.calls if method in ("create", "update"))

    # -- the connector hooks ----------------------------------------------------------------
    async def list(
        self,
        object: str,
        *,
        cursor: str | None = None,
        page_size: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> Page:
        self.require(object, "list")
        self.calls.append(("list", object))
        size = page_size or self.page_size
        after = int(cursor) if cursor else 0
        with self._db() as db:
            cur = db.execute(
                "SELECT id, data FROM rows WHERE object = ? AND id > ? ORDER BY id LIMIT ?",
                (object, after, size + 1),
            )
            rows = [(row[0], json.loads(row[1])) for row in cur]
        page = rows[:size]
        last = str(page[-1][0]) if page else cursor
        return Page([data for _, data in page], last, len(rows) > size)

    async def get(self, object: str, id: Any) -> dict[str, Any] | None:
        self.require(object, "get")
        self.calls.append(("get", object))
        found = [row for row in self.rows(object) if str(row["id"]) == str(id)]
        return found[0] if found else None

    async def find(
        self, object: str, key: str, values: Sequence[Any]
    ) -> dict[Any, builtins.list[dict[str, Any]]]:
        self.require(object, "find")
        self.calls.append(("find", object))
        wanted = {str(v).casefold(): v for v in values}
        result: dict[Any, builtins.list[dict[str, Any]]] = {}
        for row in self.rows(object):
            value = row.get(key)
            if value is not None and str(value).casefold() in wanted:
                result.setdefault(wanted[str(value).casefold()], []).append(row)
        return result

    async def create(self, object: str, record: dict[str, Any]) -> dict[str, Any]:
        self.require(object, "create")
        self.calls.append(("create", object))
        faults = self.create_faults.get(object) or []
        fault = faults.pop(0) if faults else None
        if fault == "busy":
            raise RetriableError("too many requests", status=429, retry_after=2)
        if fault == "refuse":
            raise SkippableError(f"{object}: field 'name' is required", status=400, code="E_VALID")
        data = {k: v for k, v in record.items() if k != "id"}
        with self._db() as db:
            cur = db.execute("INSERT INTO rows (object, data) VALUES (?, ?)", (object, "{}"))
            data["id"] = cur.lastrowid
            db.execute("UPDATE rows SET data = ? WHERE id = ?", (_json(data), data["id"]))
        if fault == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if fault == "lose":
            raise RetriableError("read timeout after POST", maybe_committed=True)
        return json.loads(_json(data))

    async def update(self, object: str, id: Any, record: dict[str, Any]) -> dict[str, Any]:
        self.require(object, "update")
        self.calls.append(("update", object))
        current = next(row for row in self.rows(object) if str(row["id"]) == str(id))
        current.update(record)
        with self._db() as db:
            db.execute("UPDATE rows SET data = ? WHERE id = ?", (_json(current), current["id"]))
        return json.loads(_json(current))
