"""State of the shop sandbox: records by table and id, in memory or in a SQLite file.

The SQLite layout is one table ``records(tbl, id, body)`` with the record as JSON text, plus
a ``counters`` table for ids; filtering happens in Python (the sandbox holds hundreds of
records, not millions). One lock serialises access, so the store is safe under uvicorn.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any

TABLES = ("categories", "products", "stock", "shipments")


class ShopStore:
    """Records (JSON objects) per table, keyed by text id; ``data_file`` makes it durable."""

    def __init__(self, data_file: str | None = None):
        self._lock = threading.RLock()
        self._memory: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in TABLES}
        self._counters: dict[str, int] = {}
        self._db: sqlite3.Connection | None = None
        if data_file:
            self._db = sqlite3.connect(data_file, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS records ("
                "tbl TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (tbl, id))"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS counters (tbl TEXT PRIMARY KEY, value INTEGER)"
            )
            self._db.commit()

    @property
    def empty(self) -> bool:
        with self._lock:
            if self._db is None:
                return not any(self._memory.values())
            return self._db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None

    def next_id(self, table: str) -> int:
        """A new integer id for ``table`` (1, 2, 3...)."""
        with self._lock:
            if self._db is None:
                self._counters[table] = self._counters.get(table, 0) + 1
                return self._counters[table]
            row = self._db.execute("SELECT value FROM counters WHERE tbl = ?", (table,)).fetchone()
            value = (row[0] if row else 0) + 1
            self._db.execute(
                "INSERT INTO counters (tbl, value) VALUES (?, ?) "
                "ON CONFLICT (tbl) DO UPDATE SET value = excluded.value",
                (table, value),
            )
            self._db.commit()
            return value

    def put(self, table: str, id: Any, record: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if self._db is None:
                self._memory[table][str(id)] = json.loads(json.dumps(record))
            else:
                self._db.execute(
                    "INSERT INTO records (tbl, id, body) VALUES (?, ?, ?) "
                    "ON CONFLICT (tbl, id) DO UPDATE SET body = excluded.body",
                    (table, str(id), json.dumps(record, ensure_ascii=False)),
                )
                self._db.commit()
        return record

    def get(self, table: str, id: Any) -> dict[str, Any] | None:
        with self._lock:
            if self._db is None:
                found = self._memory[table].get(str(id))
                return json.loads(json.dumps(found)) if found is not None else None
            row = self._db.execute(
                "SELECT body FROM records WHERE tbl = ? AND id = ?", (table, str(id))
            ).fetchone()
            return json.loads(row[0]) if row else None

    def all(self, table: str) -> list[dict[str, Any]]:
        with self._lock:
            if self._db is None:
                return [json.loads(json.dumps(r)) for r in self._memory[table].values()]
            rows = self._db.execute("SELECT body FROM records WHERE tbl = ?", (table,))
            return [json.loads(body) for (body,) in rows]

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
