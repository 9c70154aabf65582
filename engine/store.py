"""The store: flows, connections, runs, per-record log, parked records and cursors in one database.

``Store`` wraps a SQLAlchemy engine and offers small, named operations; every method runs in
its own short transaction, so what a method wrote is durable when it returns (the runner
relies on that: a record's outcome is stored before the page's cursor moves).

Calls are synchronous: each is a few rows in a local or nearby database, cheaper than handing
work to a thread. The runner calls them between awaits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypedDict, cast

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.db import create_engine, migrate
from mapwright.engine.errors import RecordInvalid, RunNotFound, StoreError
from mapwright.engine.status import RunStatus

RUN_STATUSES = tuple(RunStatus)
OUTCOMES = ("sent", "skipped", "parked", "failed", "planned")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


@dataclass
class StoredFlow:
    tenant: str
    name: str
    script: str
    settings: dict[str, Any]
    connections: dict[str, str]
    enabled: bool
    version: int


@dataclass
class StoredConnection:
    tenant: str
    name: str
    kind: str
    base_url: str | None
    credentials: dict[str, Any]
    options: dict[str, Any]


class Store:
    """All persistent state of the engine. ``Store.open(url)`` migrates and connects."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    @classmethod
    def open(
        cls, url: str, *, run_migrations: bool = True, sqlite_synchronous: str = "NORMAL"
    ) -> Store:
        engine = create_engine(url, sqlite_synchronous=sqlite_synchronous)
        if run_migrations:
            migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        """Raise ``StoreError`` unless the database answers (readiness checks)."""
        try:
            with self.engine.connect() as c:
                c.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"the store does not answer ({type(exc).__name__})") from None

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as connection:
            yield connection

    # -- tenants, connections, flows --------------------------------------------------------
    def ensure_tenant(self, tenant: str, name: str | None = None) -> None:
        with self.begin() as c:
            if c.execute(sa.select(t.tenants.c.id).where(t.tenants.c.id == tenant)).first():
                return
            c.execute(
                t.tenants.insert().values(id=tenant, name=name or tenant, created_at=utcnow())
            )

    def save_connection(self, tenant: str, connection: StoredConnection) -> None:
        values = {
            "kind": connection.kind,
            "base_url": connection.base_url,
            "credentials": connection.credentials,
            "options": connection.options,
            "updated_at": utcnow(),
        }
        where = (t.connections.c.tenant == tenant) & (t.connections.c.name == connection.name)
        with self.begin() as c:
            if c.execute(t.connections.update().where(where).values(**values)).rowcount == 0:
                c.execute(
                    t.connections.insert().values(tenant=tenant, name=connection.name, **values)
                )

    def connections(self, tenant: str) -> dict[str, StoredConnection]:
        with self.begin() as c:
            rows = c.execute(sa.select(t.connections).where(t.connections.c.tenant == tenant))
            return {
                row.name: StoredConnection(
                    tenant, row.name, row.kind, row.base_url, row.credentials, row.options
                )
                for row in rows
            }

    def save_flow(
        self,
        tenant: str,
        name: str,
        script: str,
        *,
        settings: dict[str, Any] | None = None,
        connections: dict[str, str] | None = None,
        enabled: bool = True,
    ) -> StoredFlow:
        """Create or replace a tenant's flow; every save bumps its version."""
        where = (t.flows.c.tenant == tenant) & (t.flows.c.name == name)
        with self.begin() as c:
            current = c.execute(sa.select(t.flows.c.version).where(where)).scalar()
            version = (current or 0) + 1
            values = {
                "script": script,
                "settings": settings or {},
                "connections": connections or {},
                "enabled": enabled,
                "version": version,
                "updated_at": utcnow(),
            }
            if current is None:
                c.execute(t.flows.insert().values(tenant=tenant, name=name, **values))
            else:
                c.execute(t.flows.update().where(where).values(**values))
        return StoredFlow(tenant, name, script, settings or {}, connections or {}, enabled, version)

    def flows(self, tenant: str) -> dict[str, StoredFlow]:
        with self.begin() as c:
            rows = c.execute(sa.select(t.flows).where(t.flows.c.tenant == tenant))
            return {
                row.name: StoredFlow(
                    tenant,
                    row.name,
                    row.script,
                    row.settings,
                    row.connections,
                    row.enabled,
                    row.version,
                )
                for row in rows
            }

    # -- runs -------------------------------------------------------------------------------
    def create_run(
        self,
        tenant: str,
        flow: str,
        *,
        dry_run: bool,
        trigger: str = "manual",
        params: dict[str, Any] | None = None,
        flow_version: int | None = None,
        script_hash: str | None = None,
        run_id: str | None = None,
        connection: sa.Connection | None = None,
    ) -> str:
        run_id = run_id or str(uuid.uuid4())
        values = {
            "id": run_id,
            "tenant": tenant,
            "flow": flow,
            "flow_version": flow_version,
            "script_hash": script_hash,
            "status": RunStatus.QUEUED.value,
            "dry_run": dry_run,
            "trigger": trigger,
            "params": params or {},
            "counts": {},
            "created_at": utcnow(),
        }
        if connection is not None:
            connection.execute(t.runs.insert().values(**values))
        else:
            with self.begin() as c:
                c.execute(t.runs.insert().values(**values))
        return run_id

    def update_run(self, run_id: str, **values: Any) -> None:
        with self.begin() as c:
            c.execute(t.runs.update().where(t.runs.c.id == run_id).values(**values))

    def run(self, run_id: str) -> Run:
        with self.begin() as c:
            row = c.execute(sa.select(t.runs).where(t.runs.c.id == run_id)).mappings().first()
            if row is None:
                rows = (
                    c.execute(sa.select(t.runs).where(t.runs.c.id.startswith(run_id)).limit(2))
                    .mappings()
                    .all()
                )
                if len(rows) != 1:
                    raise RunNotFound(f"no run with id {run_id!r}; see 'mapwright runs list'")
                row = rows[0]
        return _run_dict(row)

    def runs(self, tenant: str, flow: str | None = None, limit: int = 50) -> list[Run]:
        query = sa.select(t.runs).where(t.runs.c.tenant == tenant)
        if flow:
            query = query.where(t.runs.c.flow == flow)
        query = query.order_by(t.runs.c.created_at.desc()).limit(limit)
        with self.begin() as c:
            return [_run_dict(row) for row in c.execute(query).mappings()]

    # -- per-record log and parked records ---------------------------------------------------
    def store_page(
        self,
        rows: Sequence[dict[str, Any]],
        *,
        resolve_parked: bool = True,
        cursor: tuple[str, str, str, str] | None = None,
        also: Callable[[sa.Connection], None] | None = None,
        returning: bool = True,
    ) -> list[int]:
        """Store the log entries of a page and, in the same transaction, its cursor
        ``(tenant, flow, cursor, run_id)``: outcomes and cursor become durable together
        (``also`` writes more in that transaction: the page's ledger confirms).

        A row that went through (sent or skipped) resolves the open parked entries of the
        same source record; a replayed parked entry that is still open becomes ``replayed``
        (the new entry carries on). ``resolve_parked=False`` (dry runs) changes neither.
        Returns the new entries' ids in order (``returning=False``: none, and the entries
        are inserted in one statement).
        """
        ids: list[int] = []
        now = utcnow()
        full = [{"created_at": now, "replay_of": None, **values} for values in rows]
        with self.begin() as c:
            if full and not returning:
                c.execute(t.run_records.insert(), full)
                ids = [0] * len(full)  # new entries are never open: no id to exclude
            elif full:
                inserted = c.execute(
                    t.run_records.insert().returning(
                        t.run_records.c.id, sort_by_parameter_order=True
                    ),
                    full,
                )
                ids = [int(row[0]) for row in inserted]
            if resolve_parked:
                went = [
                    {"t": v["tenant"], "f": v["flow"], "s": v["source_id"], "i": new_id}
                    for v, new_id in zip(full, ids, strict=True)
                    if v["outcome"] in ("sent", "skipped") and v.get("source_id")
                ]
                went = _with_open_entries(c, went)
                if went:
                    c.execute(_RESOLVE, went)
                replayed = [{"i": v["replay_of"]} for v in full if v["replay_of"] is not None]
                if replayed:
                    c.execute(_REPLAYED, replayed)
            if also is not None:
                also(c)
            if cursor is not None:
                self._commit_cursor(c, *cursor)
        return ids if returning else []

    def records(self, run_id: str) -> list[dict[str, Any]]:
        query = (
            sa.select(t.run_records)
            .where(t.run_records.c.run_id == run_id)
            .order_by(t.run_records.c.seq, t.run_records.c.id)
        )
        with self.begin() as c:
            return [dict(row) for row in c.execute(query).mappings()]

    def record(self, record_id: int) -> dict[str, Any]:
        with self.begin() as c:
            row = (
                c.execute(sa.select(t.run_records).where(t.run_records.c.id == record_id))
                .mappings()
                .first()
            )
        if row is None:
            raise RunNotFound(f"no record with id {record_id}; see 'mapwright parked list'")
        return dict(row)

    def parked(
        self, tenant: str, flow: str | None = None, *, state: str = "open"
    ) -> list[dict[str, Any]]:
        query = sa.select(t.run_records).where(
            (t.run_records.c.tenant == tenant) & (t.run_records.c.parked_state == state)
        )
        if flow:
            query = query.where(t.run_records.c.flow == flow)
        with self.begin() as c:
            return [dict(row) for row in c.execute(query.order_by(t.run_records.c.id)).mappings()]

    def edit_parked_source(self, record_id: int, source: dict[str, Any]) -> None:
        """Replace the stored source record of a parked entry (the 'fix the record' step).

        The edit must fit the source object it fixes: every field of the stored record is
        still there (a value may change, ``null`` clears it, new fields may be added), so an
        edit cannot turn the record into an unrelated one; ``RecordInvalid`` names the fields
        that are gone."""
        before = self.record(record_id)["source"]
        if isinstance(before, dict):
            gone = sorted(set(before) - set(source))
            if gone:
                raise RecordInvalid(
                    f"the edit of record {record_id} drops fields of the source object: "
                    f"{', '.join(gone)}; keep every field (change its value, or set it to "
                    "null to clear it)"
                )
        with self.begin() as c:
            c.execute(
                t.run_records.update().where(t.run_records.c.id == record_id).values(source=source)
            )

    # -- cursors ----------------------------------------------------------------------------
    def cursor(self, tenant: str, flow: str) -> str | None:
        with self.begin() as c:
            return c.execute(
                sa.select(t.cursors.c.cursor).where(
                    (t.cursors.c.tenant == tenant) & (t.cursors.c.flow == flow)
                )
            ).scalar()

    def commit_cursor(self, tenant: str, flow: str, cursor: str | None, run_id: str) -> None:
        """Move (or reset, with ``None``) the flow's cursor."""
        with self.begin() as c:
            self._commit_cursor(c, tenant, flow, cursor, run_id)

    def reset_positions(self, tenant: str) -> tuple[int, int]:
        """Forget the tenant's cursors and ledger entries (its source and target data were
        replaced, so old positions and target ids mean nothing); returns the numbers
        removed. Runs, records and parked entries stay (history)."""
        with self.begin() as c:
            cursors = c.execute(t.cursors.delete().where(t.cursors.c.tenant == tenant)).rowcount
            ledger = c.execute(t.ledger.delete().where(t.ledger.c.tenant == tenant)).rowcount
        return cursors, ledger

    @staticmethod
    def _commit_cursor(
        c: sa.Connection, tenant: str, flow: str, cursor: str | None, run_id: str
    ) -> None:
        where = (t.cursors.c.tenant == tenant) & (t.cursors.c.flow == flow)
        values = {"cursor": cursor, "run_id": run_id, "updated_at": utcnow()}
        if c.execute(t.cursors.update().where(where).values(**values)).rowcount == 0:
            c.execute(t.cursors.insert().values(tenant=tenant, flow=flow, **values))


_R = t.run_records.c
#: open parked entries of a source record that has now gone through
_RESOLVE = (
    t.run_records.update()
    .where(
        (_R.tenant == sa.bindparam("t"))
        & (_R.flow == sa.bindparam("f"))
        & (_R.source_id == sa.bindparam("s"))
        & (_R.parked_state == "open")
        & (_R.id != sa.bindparam("i"))
    )
    .values(parked_state="resolved")
)
#: the source records among some that have open parked entries
_OPEN_SOURCES = (
    sa.select(_R.source_id)
    .where(
        (_R.tenant == sa.bindparam("t"))
        & (_R.flow == sa.bindparam("f"))
        & (_R.parked_state == "open")
        & (_R.source_id.in_(sa.bindparam("s", expanding=True)))
    )
    .distinct()
)
#: source ids per ``_OPEN_SOURCES`` query (well below SQLite's limit on parameters)
OPEN_CHUNK = 500


def _with_open_entries(c: sa.Connection, went: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of ``went`` whose source record has an open parked entry: only those can
    resolve one. One query per ``OPEN_CHUNK`` source ids instead of an UPDATE per row
    that went through (nearly all of a page; few have anything to resolve)."""
    wanted: dict[tuple[str, str], list[str]] = {}
    for row in went:
        wanted.setdefault((row["t"], row["f"]), []).append(row["s"])
    open_ones: set[tuple[str, str, str]] = set()
    for (tenant, flow), sources in wanted.items():
        distinct = list(dict.fromkeys(sources))
        for start in range(0, len(distinct), OPEN_CHUNK):
            chunk = distinct[start : start + OPEN_CHUNK]
            found = c.execute(_OPEN_SOURCES, {"t": tenant, "f": flow, "s": chunk})
            open_ones.update((tenant, flow, source) for (source,) in found)
    return [row for row in went if (row["t"], row["f"], row["s"]) in open_ones]


#: a replayed entry still open: the replay's own entry carries on
_REPLAYED = (
    t.run_records.update()
    .where((_R.id == sa.bindparam("i")) & (_R.parked_state == "open"))
    .values(parked_state="replayed")
)


class Run(TypedDict):
    """A run as the store keeps it (one row of ``runs``): a typed record, still a plain
    mapping, so the faces can hand it on as JSON."""

    id: str
    tenant: str
    flow: str
    flow_version: int | None
    script_hash: str | None
    status: RunStatus
    dry_run: bool
    trigger: str
    params: dict[str, Any]
    counts: dict[str, int]
    cursor_start: str | None
    cursor_end: str | None
    error: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def _run_dict(row: Any) -> Run:
    data = dict(row)
    for key in ("created_at", "started_at", "finished_at"):
        data[key] = as_utc(data[key])
    data["status"] = RunStatus(data["status"])
    return cast(Run, data)
