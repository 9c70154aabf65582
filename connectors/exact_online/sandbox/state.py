"""Sandbox state: an injectable clock, the OAuth grants, and the record tables.

Tables hold raw rows per base endpoint (``crm/Accounts`` …): guids as lower-case strings,
``Edm.DateTime`` values as milliseconds since the epoch, a hidden ``_ts`` rowversion
(the sync ``Timestamp``, one counter per division, bumped on every insert and update; a value
mirrored from another record is written without a bump).
With ``data_file`` set the tables are also written through to SQLite and loaded on start.
"""

from __future__ import annotations

import contextlib
import json
import random
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mapwright.connectors.exact_online.sandbox.index import Column


class Clock:
    """Wall time plus an offset; ``frozen_at`` stops it (tests advance it by hand)."""

    def __init__(self, frozen_at: float | None = None):
        self.frozen_at = frozen_at
        self.offset = 0.0

    def now(self) -> float:
        base = self.frozen_at if self.frozen_at is not None else time.time()
        return base + self.offset

    def __call__(self) -> float:
        return self.now()

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def ms(self) -> int:
        return int(self.now() * 1000)


@dataclass
class Grant:
    """One consent: a chain of rotating refresh tokens for (client, user)."""

    client_id: str
    user_id: str
    current: str
    refresh_issued_at: float
    last_access_issued: float
    previous: str | None = None
    current_used: bool = True
    retired: set[str] = field(default_factory=set)


@dataclass
class AccessToken:
    grant: Grant
    refresh_token: str
    issued_at: float
    expires_at: float


class AuthState:
    """OAuth codes, grants and access tokens, with the rules of the reference notes."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.codes: dict[str, dict[str, Any]] = {}
        self.grants: dict[str, Grant] = {}  # any refresh token ever issued -> its grant
        self.tokens: dict[str, AccessToken] = {}
        self.token_calls: list[dict[str, Any]] = []
        self.token_calls_per_day: dict[tuple[str, str, int], int] = {}

    def new_secret(self, prefix: str) -> str:
        return f"{prefix}{self.rng.getrandbits(160):040x}"

    def issue(self, grant: Grant, now: float, lifetime: float) -> tuple[str, str]:
        """A fresh access/refresh pair for ``grant``; the presented token becomes old."""
        access = self.new_secret("at-")
        refresh = self.new_secret("rt-")
        if grant.previous:
            grant.retired.add(grant.previous)
        grant.previous = grant.current
        grant.current = refresh
        grant.current_used = False
        grant.refresh_issued_at = now
        grant.last_access_issued = now
        self.grants[refresh] = grant
        self.tokens[access] = AccessToken(grant, refresh, now, now + lifetime)
        return access, refresh

    def use(self, access: str, now: float) -> AccessToken | None:
        """The token record when ``access`` is valid now (marks the new pair as used)."""
        token = self.tokens.get(access)
        if token is None or now >= token.expires_at:
            return None
        if token.refresh_token == token.grant.current:
            token.grant.current_used = True
        return token


def new_guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class Store:
    """Record tables per base endpoint, counters, optional SQLite write-through."""

    def __init__(self, data_file: str | None = None, first_timestamp: int = 1_000_000):
        self.tables: dict[str, dict[str, dict[str, Any]]] = {}
        self.counters: dict[str, int] = {"timestamp": first_timestamp}
        #: ``index.Column``s by (table, fields, key): they check the rows on every use
        self.indexes: dict[Any, Column] = {}
        self.db: sqlite3.Connection | None = None
        if data_file:
            self.db = sqlite3.connect(data_file, check_same_thread=False)
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS rows (tbl TEXT, key TEXT, data TEXT, "
                "PRIMARY KEY (tbl, key))"
            )
            self.db.execute("CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INT)")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.commit()
        self._batching = False

    def load(self) -> bool:
        """Fill the tables from the SQLite file; False when there is nothing stored."""
        if self.db is None:
            return False
        rows = self.db.execute("SELECT tbl, key, data FROM rows").fetchall()
        for tbl, key, data in rows:
            self.tables.setdefault(tbl, {})[key] = json.loads(data)
        for name, n in self.db.execute("SELECT name, n FROM counters"):
            self.counters[name] = n
        return bool(rows)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Write many rows in one SQLite transaction (seeding)."""
        self._batching = True
        try:
            yield
        finally:
            self._batching = False
            if self.db is not None:
                self.db.commit()

    def _commit(self) -> None:
        if self.db is not None and not self._batching:
            self.db.commit()

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.tables.setdefault(name, {})

    def next(self, counter: str, start: int = 1) -> int:
        value = self.counters.get(counter, start - 1) + 1
        self.counters[counter] = value
        self._save_counter(counter)
        return value

    def put(
        self, name: str, key: str, row: dict[str, Any], *, touch: bool = True
    ) -> dict[str, Any]:
        """Insert or replace ``row`` and give it the next rowversion (``touch=False`` keeps
        the rowversion: for values mirrored from another record, such as an item's
        ``StandardSalesPrice``)."""
        if touch or "_ts" not in row:
            row["_ts"] = self.next("timestamp")
        self.table(name)[key] = row
        if self.db is not None:
            self.db.execute(
                "INSERT OR REPLACE INTO rows VALUES (?, ?, ?)", (name, key, json.dumps(row))
            )
            self._commit()
        return row

    def delete(self, name: str, key: str) -> dict[str, Any] | None:
        row = self.table(name).pop(key, None)
        if self.db is not None:
            self.db.execute("DELETE FROM rows WHERE tbl = ? AND key = ?", (name, key))
            self._commit()
        return row

    def _save_counter(self, counter: str) -> None:
        if self.db is not None:
            self.db.execute(
                "INSERT OR REPLACE INTO counters VALUES (?, ?)", (counter, self.counters[counter])
            )
            self._commit()
