"""The sandbox's state: tables of records in memory, optionally kept in a SQLite file.

Every table maps an id (text) to a JSON-able record. With ``data_file`` each write is stored
at once (``records(tbl, id, body)`` plus ``counters``), so a restarted sandbox continues where
it stopped; a new or empty file is filled with the seed data first.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TABLES = (
    "debtors",
    "creditors",
    "receipts",
    "postings",
    "postingaccounts",
    "accounts",
    "comments",
    "drafts",
    "transactions",
    "assignments",
)


class Store:
    """Tables of records by id; ``next_id`` hands out increasing numbers per counter."""

    def __init__(self, data_file: str | None = None):
        self.tables: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in TABLES}
        self.counters: dict[str, int] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._deferred = False
        if data_file:
            self._db = sqlite3.connect(data_file, check_same_thread=False)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS records "
                "(tbl TEXT, id TEXT, body TEXT, PRIMARY KEY (tbl, id))"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INT)"
            )
            for tbl, key, body in self._db.execute("SELECT tbl, id, body FROM records"):
                self.tables.setdefault(tbl, {})[key] = json.loads(body)
            for name, value in self._db.execute("SELECT name, value FROM counters"):
                self.counters[name] = value

    @property
    def empty(self) -> bool:
        return not any(self.tables.values())

    def put(self, table: str, key: Any, record: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace ``record`` under ``key`` (and write it through to the file)."""
        with self._lock:
            self.tables[table][str(key)] = record
            if self._db is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO records VALUES (?, ?, ?)",
                    (table, str(key), json.dumps(record)),
                )
                self._commit()
        return record

    def delete(self, table: str, key: Any) -> None:
        """Remove the record under ``key`` (nothing happens when there is none)."""
        with self._lock:
            self.tables[table].pop(str(key), None)
            if self._db is not None:
                self._db.execute("DELETE FROM records WHERE tbl = ? AND id = ?", (table, str(key)))
                self._commit()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Write many records in one transaction (seeding a new file)."""
        self._deferred = True
        try:
            yield
        finally:
            self._deferred = False
            self._commit()

    def _commit(self) -> None:
        if self._db is not None and not self._deferred:
            self._db.commit()

    def get(self, table: str, key: Any) -> dict[str, Any] | None:
        return self.tables[table].get(str(key))

    def all(self, table: str) -> list[dict[str, Any]]:
        return list(self.tables[table].values())

    def next_id(self, counter: str, start: int = 1) -> int:
        """The next number of ``counter`` (at least ``start``)."""
        with self._lock:
            value = max(self.counters.get(counter, start - 1) + 1, start)
            self.counters[counter] = value
            if self._db is not None:
                self._db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (counter, value))
                self._commit()
            return value

    def set_counter(self, counter: str, value: int) -> None:
        with self._lock:
            self.counters[counter] = value
            if self._db is not None:
                self._db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (counter, value))
                self._commit()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
