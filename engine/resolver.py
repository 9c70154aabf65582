"""Page lookups: one bulk query per (system, object, key) per page, shared by mapping and sending.

``PageResolver`` answers the lookups of mapping scripts (it implements the DSL's ``Resolver``
protocol) and the engine's own target checks (``match`` of an upsert, ``unless exists`` of a
create, ledger ids). It only answers from records it has fetched; an unknown key raises
``LookupPending`` (from the script's point of view) and is remembered. ``fetch_pending`` then
asks each connector once per (object, key) for all pending values of the page through
``Connector.find``; the runner maps the waiting records again (scripts are pure).

While the runner maps a page it sets ``probing``: an unknown key is then answered
``Unanswered()`` (empty) and the run goes on, so one run shows more than its first missing key.
Such a run's result is never used (``waits``); the record is mapped again once the keys are
fetched, and only a run that met no unknown key gives its outcome. What a probe queues:

* the run's first unknown key, as without probing (so every round is at least as far along);
* its later unknown keys of the same (system, object, key): they ride along in the same bulk
  call (``find`` per line of an ``each`` takes one round, not one per line). Keys of other
  lookups are not queued: after a made-up empty answer the run may take a path the data never
  takes (a ``??`` fallback, an ``if`` on the answer), and each such key could cost a call.

Writes of the page are fed back with ``remember_write``, so the second order of a new customer
in the same page finds the debtor the first one created instead of creating another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from mapwright.connectors.base import Connector
from mapwright.dsl import jsonio
from mapwright.dsl.plan import Lookup
from mapwright.dsl.resolver import LookupPending, Unanswered, hashable
from mapwright.dsl.values import exact_numbers
from mapwright.engine.errors import FlowInvalid
from mapwright.engine.retry import RetryPolicy

TableKey = tuple[str, str, str]


def normalize(value: Any) -> Any:
    """The comparison form of a key value: text ignores case and outer spaces, numbers
    compare by value (``10`` equals ``10.00``)."""
    if isinstance(value, str):
        return ("s", value.strip().casefold())
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return ("n", number.normalize())
    if value is None:
        return ("z", None)
    return ("j", jsonio.dumps(value, sort_keys=True))


class PageResolver:
    """Lookups of one page, fetched in bulk; see the module docstring."""

    def __init__(self, connectors: Mapping[str, Connector], retry: RetryPolicy | None = None):
        self.connectors = connectors
        self.retry = retry or RetryPolicy()
        self._tables: dict[TableKey, dict[Any, list[dict[str, Any]]]] = {}
        self._pending: dict[TableKey, dict[Any, Any]] = {}
        #: (system, object) -> the keys it has tables for
        self._keys: dict[tuple[str, str], list[str]] = {}
        #: (table, id field) -> {record id: the table's buckets that may hold it}; built on the
        #: first ``remember_write`` of the table, kept current from then on
        self._ids: dict[tuple[TableKey, str], dict[Any, set[Any]]] = {}
        self.calls: list[tuple[str, str, str, int]] = []
        #: answer unknown keys with ``Unanswered()`` instead of raising (see the module doc)
        self.probing = False
        #: the table of the current run's first unknown key (``None``: none met yet)
        self._first: TableKey | None = None

    # -- the DSL Resolver protocol ----------------------------------------------------------
    def find(self, lookup: Lookup) -> list[dict[str, Any]]:
        found = self.known(lookup.system, lookup.object, lookup.key, lookup.value)
        if found is not None:
            return found
        table = (lookup.system, lookup.object, lookup.key)
        if not self.probing:
            self.want(*table, [lookup.value])
            raise LookupPending(lookup)
        if self._first is None:
            self._first = table
        if table == self._first:
            self.want(*table, [lookup.value])
        return Unanswered()

    def start_record(self) -> None:
        """A new run starts: it has met no unknown key yet (see ``waits``)."""
        self._first = None

    @property
    def waits(self) -> bool:
        """Whether the current run met a key not fetched yet: its result is not the record's
        (the run went on with made-up empty answers); it is mapped again after the fetch."""
        return self._first is not None

    # -- engine side ------------------------------------------------------------------------
    def known(self, system: str, object: str, key: str, value: Any) -> list[dict[str, Any]] | None:
        """The records with ``key == value`` if fetched already (copies), else ``None``."""
        table = self._tables.get((system, object, key))
        if table is None:
            return None
        rows = table.get(normalize(value))
        return None if rows is None else [dict(row) for row in rows]

    def want(self, system: str, object: str, key: str, values: Iterable[Any]) -> None:
        """Queue values to fetch with the next ``fetch_pending`` (known ones are ignored)."""
        table = self._tables.get((system, object, key), {})
        pending = self._pending.setdefault((system, object, key), {})
        for value in values:
            norm = normalize(value)
            if norm not in table:
                pending.setdefault(norm, value)

    @property
    def has_pending(self) -> bool:
        return any(self._pending.values())

    async def fetch_pending(self) -> int:
        """Fetch every queued value: one ``find`` call per (system, object, key)."""
        pending, self._pending = self._pending, {}
        calls = 0
        for (system, object, key), values in pending.items():
            if not values:
                continue
            connector = self.connector(system)
            wanted = list(values.values())
            result = await self.retry.call(partial(connector.find, object, key, wanted))
            calls += 1
            self.calls.append((system, object, key, len(wanted)))
            table = self._table((system, object, key))
            for norm in values:
                table.setdefault(norm, [])
            indexes = self._indexes((system, object, key))
            for group, rows in result.items():
                norm = normalize(group)
                bucket = table.setdefault(norm, [])
                for row in map(exact_numbers, rows):
                    if all(row is not seen for seen in bucket):
                        bucket.append(row)
                        for id_key, index in indexes:
                            _index_row(index, row, id_key, norm)
        return calls

    def _table(self, table_key: TableKey) -> dict[Any, list[dict[str, Any]]]:
        table = self._tables.get(table_key)
        if table is None:
            table = self._tables[table_key] = {}
            self._keys.setdefault((table_key[0], table_key[1]), []).append(table_key[2])
        return table

    def _indexes(self, table_key: TableKey) -> list[tuple[str, dict[Any, set[Any]]]]:
        return [(id_key, index) for (key, id_key), index in self._ids.items() if key == table_key]

    def _id_index(self, table_key: TableKey, id_key: str) -> dict[Any, set[Any]]:
        index = self._ids.get((table_key, id_key))
        if index is None:
            index = self._ids[(table_key, id_key)] = {}
            for norm, bucket in self._tables[table_key].items():
                for row in bucket:
                    _index_row(index, row, id_key, norm)
        return index

    async def lookup(self, system: str, object: str, key: str, value: Any) -> list[dict[str, Any]]:
        """Known records, or fetch this one value now (used for values only known late)."""
        found = self.known(system, object, key, value)
        if found is None:
            self.want(system, object, key, [value])
            await self.fetch_pending()
            found = self.known(system, object, key, value) or []
        return found

    async def fresh(self, system: str, object: str, key: str, value: Any) -> list[dict[str, Any]]:
        """Ask the target again, ignoring what is cached (after a write that timed out)."""
        table = self._tables.get((system, object, key))
        if table is not None:
            table.pop(normalize(value), None)
        return await self.lookup(system, object, key, value)

    def remember_write(
        self, system: str, object: str, record: Mapping[str, Any], id_key: str
    ) -> None:
        """Make a record this page created or changed visible to later lookups of the page;
        an older copy of the same target record (same ``id_key``) is replaced."""
        record_id = record.get(id_key)
        for key in self._keys.get((system, object), ()):
            table_key = (system, object, key)
            table = self._tables[table_key]
            if record_id is not None:
                if hashable(record_id):
                    # only the buckets the id was seen in can hold an older copy
                    index = self._id_index(table_key, id_key)
                    buckets = [table[n] for n in index.get(record_id, ()) if n in table]
                else:
                    buckets = list(table.values())
                for bucket in buckets:
                    bucket[:] = [row for row in bucket if row.get(id_key) != record_id]
            if key in record:
                norm = normalize(record[key])
                row = dict(record)
                table.setdefault(norm, []).append(row)
                for index_key, index in self._indexes(table_key):
                    _index_row(index, row, index_key, norm)

    def connector(self, system: str) -> Connector:
        try:
            return self.connectors[system]
        except KeyError:
            known = ", ".join(sorted(self.connectors)) or "none"
            raise FlowInvalid(
                f"the script uses system '{system}', but the flow has no connection for it "
                f"(connected: {known}); add [connections.{system}] to mapwright.toml or map "
                "the system to a connection in the flow's settings"
            ) from None


def _index_row(index: dict[Any, set[Any]], row: Mapping[str, Any], id_key: str, norm: Any) -> None:
    """Note that bucket ``norm`` holds ``row`` under its id (rows without a hashable id
    cannot equal a hashable record id, so they need no entry)."""
    value = row.get(id_key)
    if value is not None and hashable(value):
        index.setdefault(value, set()).add(norm)
