"""The external-ID ledger: which target record a source record's operation produced.

Before a create is sent the runner makes a ``pending`` entry durable; after the create it
``confirm``s the entry with the target id. A ``pending`` entry found later means an earlier
attempt may have created the record (a crash or a timeout after the write): the runner then
checks the target by the operation's natural key before anything is sent again, and parks
the record when no natural key can settle it. A ``confirmed`` entry means "already
created": no second create.

Entries are keyed by (tenant, flow, source id, operation), where the operation is the
script's alias (``as debtor``) or ``system.object``.

The runner batches writes per page (``batch=True``) where that loses nothing:

* ``prewrite`` stores, in one transaction before the page's first request, the pending
  entries of every create the page's bulk lookups show will be sent and that a natural key
  can find again; an operation without a natural key (or whose key is only known after an
  earlier write) still gets its own pending entry right before its create;
* confirms of operations with a natural key are kept in memory and written by ``flush``
  inside the page's own transaction (its log entries and cursor), and every
  ``CONFIRM_EVERY`` seconds within a long page. A crash before that leaves the pending
  entry, and the natural key finds the created record again: nothing is lost or sent twice.
  Confirms without a natural key are written at once;
* every write is one ``INSERT … ON CONFLICT DO UPDATE`` statement (one per batch).

A prewritten entry whose create was never sent (the record stopped earlier) is removed by
``flush`` again, and one whose record turned out to exist is confirmed with ``created``
false: ``created`` stays true only where this flow sent the create.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.store import Store, utcnow
from sqlalchemy.dialects import postgresql, sqlite

LedgerState = Literal["pending", "confirmed"]

#: seconds between writes of the confirms of a long page (another flow reading the target
#: meanwhile learns from them that the records came from mapwright)
CONFIRM_EVERY = 2.0

Key = tuple[str, str]


@dataclass(frozen=True)
class LedgerEntry:
    source_id: str
    operation: str
    target: str
    target_id: str | None
    state: LedgerState
    natural_key: dict[str, Any] | None


@dataclass(frozen=True)
class PendingCreate:
    """A create the page will send (``prewrite``)."""

    source_id: str
    operation: str
    target: str
    natural_key: dict[str, Any]


class Ledger:
    """The ledger of one flow of one tenant."""

    def __init__(self, store: Store, tenant: str, flow: str, *, batch: bool = False):
        self.store = store
        self.tenant = tenant
        self.flow = flow
        #: keep confirms with a natural key for ``flush`` (the runner's page transaction);
        #: without it every confirm is written at once
        self.batch = batch
        #: confirms not written yet: key -> row (with "created": None = keep the stored one)
        self._confirms: dict[Key, dict[str, Any]] = {}
        #: pending entries written by ``prewrite`` for this page, with their natural keys
        self._prewritten: dict[Key, dict[str, Any]] = {}
        #: prewritten entries whose create was really sent
        self._sent: set[Key] = set()
        self._written_at = time.monotonic()

    def entries(self, source_ids: Iterable[str]) -> dict[Key, LedgerEntry]:
        """Every entry of these source records, in one query (used once per page)."""
        ids = sorted(set(source_ids))
        if not ids:
            return {}
        wanted = set(ids)
        query = sa.select(t.ledger).where(
            (_L.tenant == self.tenant) & (_L.flow == self.flow) & (_L.source_id.in_(ids))
        )
        with self.store.begin() as conn:
            found = {(row.source_id, row.operation): _entry(row) for row in conn.execute(query)}
        for key, row in self._confirms.items():
            if key[0] in wanted:
                found[key] = _row_entry(row)
        return found

    def get(self, source_id: str, operation: str) -> LedgerEntry | None:
        row = self._confirms.get((source_id, operation))
        if row is not None:
            return _row_entry(row)
        with self.store.begin() as conn:
            found = conn.execute(_SELECT, self._key(source_id, operation)).first()
        return _entry(found) if found is not None else None

    @property
    def dirty(self) -> bool:
        """Confirms or prewritten entries wait for ``flush``."""
        return bool(self._confirms or self._prewritten)

    def prewrite(self, creates: Iterable[PendingCreate], run_id: str) -> int:
        """Make the pending entries of the page's creates durable in one transaction (before
        the first of them is sent); returns how many."""
        rows = [
            self._row(c.source_id, c.operation, c.target, None, "pending", c.natural_key, run_id)
            for c in creates
            if (c.source_id, c.operation) not in self._prewritten
        ]
        if not rows:
            return 0
        for row in rows:
            row["created"] = True
        with self.store.begin() as conn:
            _upsert(conn, rows, created=True)
        for row in rows:
            self._prewritten[(row["source_id"], row["operation"])] = row["natural_key"]
        return len(rows)

    def pending(
        self,
        source_id: str,
        operation: str,
        target: str,
        natural_key: dict[str, Any] | None,
        run_id: str,
    ) -> None:
        """Record that a create is about to be sent (durable before the request leaves); the
        entry keeps ``created`` from then on: the target record's origin is this flow."""
        key = (source_id, operation)
        self._confirms.pop(key, None)
        if key in self._prewritten and self._prewritten[key] == natural_key:
            self._sent.add(key)  # written with the page's other creates already
            return
        row = self._row(source_id, operation, target, None, "pending", natural_key, run_id)
        row["created"] = True
        with self.store.begin() as conn:
            _upsert(conn, [row], created=True)
        self._prewritten.pop(key, None)

    def confirm(
        self,
        source_id: str,
        operation: str,
        target: str,
        target_id: Any,
        natural_key: dict[str, Any] | None,
        run_id: str,
    ) -> None:
        """Record the target id a source record's operation created or matched."""
        key = (source_id, operation)
        target_text = None if target_id is None else str(target_id)
        row = self._row(source_id, operation, target, target_text, "confirmed", natural_key, run_id)
        # a prewritten entry whose create was not sent: the record existed, not ours
        row["created"] = False if key in self._prewritten and key not in self._sent else None
        if natural_key is None or not self.batch:
            # nothing could find the record again: durable at once
            self._confirms.pop(key, None)
            self._prewritten.pop(key, None)
            with self.store.begin() as conn:
                _write_confirms(conn, [row])
            return
        self._confirms[key] = row
        if time.monotonic() - self._written_at >= CONFIRM_EVERY:
            with self.store.begin() as conn:
                self._write(conn, all_prewritten=False)

    def forget(self, source_id: str, operation: str | None = None) -> int:
        """Drop entries (after a person checked the target); returns how many went."""
        for store in (self._confirms, self._prewritten):
            for key in [k for k in store if k[0] == source_id]:
                if operation is None or key[1] == operation:
                    del store[key]
        where = (_L.tenant == self.tenant) & (_L.flow == self.flow) & (_L.source_id == source_id)
        if operation is not None:
            where = where & (_L.operation == operation)
        with self.store.begin() as conn:
            return int(conn.execute(t.ledger.delete().where(where)).rowcount)

    def flush(self, conn: sa.Connection) -> None:
        """Write the page's confirms and remove its unused prewritten entries, in the
        caller's transaction (the page's log entries and cursor)."""
        self._write(conn, all_prewritten=True)

    def _write(self, conn: sa.Connection, *, all_prewritten: bool) -> None:
        rows = list(self._confirms.values())
        if rows:
            _write_confirms(conn, rows)
        for key in self._confirms:
            self._prewritten.pop(key, None)
        self._confirms = {}
        if all_prewritten:
            unused = [
                {"k_tenant": self.tenant, "k_flow": self.flow, "k_source": s, "k_op": o}
                for (s, o) in self._prewritten
                if (s, o) not in self._sent
            ]
            if unused:
                conn.execute(_DROP_PENDING, unused)
            self._prewritten, self._sent = {}, set()
        self._written_at = time.monotonic()

    def _key(self, source_id: str, operation: str) -> dict[str, str]:
        return {
            "k_tenant": self.tenant,
            "k_flow": self.flow,
            "k_source": source_id,
            "k_op": operation,
        }

    def _row(
        self,
        source_id: str,
        operation: str,
        target: str,
        target_id: str | None,
        state: LedgerState,
        natural_key: dict[str, Any] | None,
        run_id: str,
    ) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "flow": self.flow,
            "source_id": source_id,
            "operation": operation,
            "target": target,
            "target_id": target_id,
            "state": state,
            "natural_key": natural_key,
            "run_id": run_id,
            "updated_at": utcnow(),
        }


_L = t.ledger.c
#: statements built once; their parameters are the k_* key values
_KEY = (
    (_L.tenant == sa.bindparam("k_tenant"))
    & (_L.flow == sa.bindparam("k_flow"))
    & (_L.source_id == sa.bindparam("k_source"))
    & (_L.operation == sa.bindparam("k_op"))
)
_SELECT = sa.select(t.ledger).where(_KEY)
_DROP_PENDING = t.ledger.delete().where(_KEY & (_L.state == "pending"))
_VALUES = ("target", "target_id", "state", "natural_key", "run_id", "updated_at")


def _upsert(conn: sa.Connection, rows: list[dict[str, Any]], *, created: bool) -> None:
    """``INSERT … ON CONFLICT (tenant, flow, source_id, operation) DO UPDATE`` for many rows;
    ``created`` also overwrites the stored ``created`` flag (else it is kept)."""
    insert = sqlite.insert if conn.dialect.name == "sqlite" else postgresql.insert
    statement = insert(t.ledger)
    columns = (*_VALUES, "created") if created else _VALUES
    statement = statement.on_conflict_do_update(
        index_elements=[_L.tenant, _L.flow, _L.source_id, _L.operation],
        set_={name: statement.excluded[name] for name in columns},
    )
    conn.execute(statement, rows)


def _write_confirms(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Confirms keep the stored ``created`` flag, except those that reset it (``False``)."""
    keep = [{**row, "created": False} for row in rows if row["created"] is None]
    reset = [row for row in rows if row["created"] is not None]
    if keep:
        _upsert(conn, keep, created=False)
    if reset:
        _upsert(conn, reset, created=True)


def created_by_flows(
    store: Store, tenant: str, target: str, target_ids: Iterable[str]
) -> dict[str, tuple[str, str]]:
    """Which of ``target_ids`` (records of ``target``, e.g. "exact_online.sales_invoices") a
    flow of this tenant created: ``{target_id: (flow, source_id)}``, in one query."""
    ids = sorted({str(i) for i in target_ids})
    if not ids:
        return {}
    query = sa.select(_L.target_id, _L.flow, _L.source_id).where(
        (_L.tenant == tenant)
        & (_L.target == target)
        & (_L.created.is_(True))
        & (_L.state == "confirmed")
        & (_L.target_id.in_(ids))
    )
    with store.begin() as conn:
        return {row.target_id: (row.flow, row.source_id) for row in conn.execute(query)}


def _entry(row: Any) -> LedgerEntry:
    return LedgerEntry(
        row.source_id, row.operation, row.target, row.target_id, row.state, row.natural_key
    )


def _row_entry(row: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        row["source_id"],
        row["operation"],
        row["target"],
        row["target_id"],
        row["state"],
        row["natural_key"],
    )
