"""The engine's front door: start, execute, replay and report runs.

::

    store = Store.open("sqlite:///mapwright.db")
    engine = Engine(store, connections=Connections(config.connection_configs()))
    report = await engine.run_flow("default", "orders", dry_run=True)
    report.status, report.counts, [r.outcome for r in report.records]

``start`` checks the flow (script compiles, settings valid), takes the run lock (a second
start of the same flow and tenant raises ``RunRefused``) and stores a ``queued`` run;
``execute`` does the work (normally through the executor); ``run_flow`` is both plus waiting.
Dry runs write nothing to any target, store no ledger entries, leave the cursor alone and
take no lock.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import sqlalchemy as sa
from mapwright.connectors.errors import ConnectorError
from mapwright.dsl.errors import MappingError
from mapwright.engine import schema as t
from mapwright.engine.config import EngineConfig
from mapwright.engine.connections import Connections
from mapwright.engine.errors import EngineError, RunNotFound
from mapwright.engine.executor import AfterRun, EventHandler, Executor, InProcessExecutor
from mapwright.engine.flows import Flow, FlowCatalog
from mapwright.engine.ledger import Ledger
from mapwright.engine.locks import DEFAULT_LEASE, RunLock
from mapwright.engine.preflight import check_references
from mapwright.engine.retry import RetryPolicy
from mapwright.engine.runner import FlowRunner, RecordReport, RunContext, SourceItem
from mapwright.engine.status import ACTIVE, RunStatus
from mapwright.engine.store import Store, utcnow

log = logging.getLogger("mapwright.engine")


class StoredRecords(Sequence[RecordReport]):
    """The per-record reports of a run, read from the store's activity log when asked for.

    A run keeps only its counts and the current page in memory; ``report.records`` reads
    the log back: iterating reads it in chunks of ``CHUNK`` (memory stays flat however long
    the run), ``len``, indexing and slicing query what they need.
    """

    CHUNK = 500

    def __init__(self, store: Store, run_id: str):
        self.store = store
        self.run_id = run_id
        self._len: int | None = None

    def __iter__(self) -> Iterator[RecordReport]:
        after: tuple[int, int] | None = None
        while True:
            query = _RECORDS.where(_R.run_id == self.run_id)
            if after is not None:
                query = query.where(sa.tuple_(_R.seq, _R.id) > after)
            with self.store.begin() as conn:
                rows = conn.execute(query.limit(self.CHUNK)).mappings().all()
            for row in rows:
                yield _record_report(row)
            if len(rows) < self.CHUNK:
                return
            after = (rows[-1]["seq"], rows[-1]["id"])

    def __len__(self) -> int:
        if self._len is None:
            query = sa.select(sa.func.count()).where(_R.run_id == self.run_id)
            with self.store.begin() as conn:
                self._len = int(conn.execute(query).scalar_one())
        return self._len

    @overload
    def __getitem__(self, index: int) -> RecordReport: ...

    @overload
    def __getitem__(self, index: slice) -> list[RecordReport]: ...

    def __getitem__(self, index: int | slice) -> RecordReport | list[RecordReport]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1 or stop <= start:
                return list(self)[index]
            query = _RECORDS.where(_R.run_id == self.run_id).offset(start).limit(stop - start)
            with self.store.begin() as conn:
                return [_record_report(r) for r in conn.execute(query).mappings()]
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError(f"run {self.run_id} has {len(self)} records; no record {index}")
        query = _RECORDS.where(_R.run_id == self.run_id).offset(position).limit(1)
        with self.store.begin() as conn:
            return _record_report(conn.execute(query).mappings().one())

    def __repr__(self) -> str:
        return f"<StoredRecords of run {self.run_id}>"


_R = t.run_records.c
_RECORDS = sa.select(t.run_records).order_by(_R.seq, _R.id)


def _record_report(row: Any) -> RecordReport:
    return RecordReport(
        row["seq"],
        row["source_id"],
        row["outcome"],
        row["reason"],
        row["operations"],
        row["plan"],
        row["id"],
        row["replay_of"],
    )


@dataclass
class RunReport:
    """A run's status, counts and per-record outcomes (``to_json`` for ``--json`` and the API).

    ``records`` is a ``StoredRecords`` (read from the store when used) for a run the engine
    executed or reports; code building a report itself may give a list.
    """

    run_id: str
    tenant: str
    flow: str
    status: str
    dry_run: bool
    counts: dict[str, int]
    records: Sequence[RecordReport] = field(default_factory=list)
    error: str | None = None
    trigger: str = "manual"

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "tenant": self.tenant,
            "flow": self.flow,
            "status": self.status,
            "dry_run": self.dry_run,
            "trigger": self.trigger,
            "counts": self.counts,
            "error": self.error,
            "records": [record.to_json() for record in self.records],
        }


class Engine:
    """Runs flows for tenants; see the module docstring."""

    def __init__(
        self,
        store: Store,
        *,
        catalog: FlowCatalog | None = None,
        connections: Connections | None = None,
        retry: RetryPolicy | None = None,
        executor: Executor | None = None,
        lock_lease: Any = DEFAULT_LEASE,
    ):
        self.store = store
        self.catalog = catalog or FlowCatalog(store=store)
        self.connections = connections or Connections(store=store)
        self.retry = retry or RetryPolicy()
        self.lock = RunLock(store, lease=lock_lease)
        #: called once each run has finished (see ``after``); the service adds its steps
        self.after_run: list[AfterRun] = []
        self.executor: Executor = executor or InProcessExecutor(self.execute, after=self.after)
        #: edits of a dry-run replay live only in memory: a dry run changes nothing stored
        self._dry_edits: dict[str, dict[int, dict[str, Any]]] = {}

    @classmethod
    def from_config(
        cls, config: EngineConfig, *, store: Store | None = None, **kwargs: Any
    ) -> Engine:
        """An engine wired from ``mapwright.toml``: store, flows and connections."""
        if store is None:
            if config.uses_data_dir():
                config.data_dir.mkdir(parents=True, exist_ok=True)
            store = Store.open(
                config.database_url(), sqlite_synchronous=config.store.sqlite_synchronous
            )
        catalog = FlowCatalog(store=store, config=config)
        connections = Connections(
            config.connection_configs(),
            store=store,
            transports=kwargs.pop("transports", None),
            instances=kwargs.pop("instances", None),
            vault=config.vault(),
        )
        return cls(store, catalog=catalog, connections=connections, **kwargs)

    # -- starting and running ---------------------------------------------------------------
    def start(
        self,
        tenant: str,
        flow_name: str,
        *,
        dry_run: bool = False,
        settings: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        max_pages: int | None = None,
        trigger: str = "manual",
        replay: Sequence[int] | None = None,
    ) -> str:
        """Check the flow, take the lock (unless dry run) and store a queued run; its id."""
        flow = self.catalog.get(tenant, flow_name)
        script = flow.compile()
        flow.resolve_settings(script, settings)
        self.store.ensure_tenant(tenant)
        run_id = _new_id()
        if not dry_run:
            stale = self.lock.acquire(tenant, flow_name, run_id)
            if stale is not None:
                self._abandon(stale.run_id)
        params = {
            "settings": dict(settings or {}),
            "page_size": page_size,
            "max_pages": max_pages,
            "replay": list(replay) if replay is not None else None,
        }
        try:
            self.store.create_run(
                tenant,
                flow_name,
                dry_run=dry_run,
                trigger=trigger,
                params=params,
                flow_version=flow.version,
                script_hash=flow.script_hash,
                run_id=run_id,
            )
        except BaseException:
            if not dry_run:
                self.lock.release(tenant, flow_name, run_id)
            raise
        return run_id

    def submit(
        self,
        tenant: str,
        flow_name: str,
        *,
        on_event: EventHandler | None = None,
        **options: Any,
    ) -> str:
        """Start a run and hand it to the executor without waiting (the REST endpoint's
        way: return the run id at once, let the caller poll ``report``)."""
        run_id = self.start(tenant, flow_name, **options)
        self.executor.submit(run_id, on_event)
        return run_id

    async def run_flow(
        self,
        tenant: str,
        flow_name: str,
        *,
        dry_run: bool = False,
        settings: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        max_pages: int | None = None,
        on_event: EventHandler | None = None,
    ) -> RunReport:
        """Start a run, let the executor do it, wait for the report."""
        run_id = self.start(
            tenant,
            flow_name,
            dry_run=dry_run,
            settings=settings,
            page_size=page_size,
            max_pages=max_pages,
        )
        self.executor.submit(run_id, on_event)
        report: RunReport = await self.executor.wait(run_id)
        return report

    async def execute(self, run_id: str, on_event: EventHandler | None = None) -> RunReport:
        """Do the work of a queued run (executors call this) and return its report."""
        run = self.store.run(run_id)
        if run["status"] != "queued":
            raise EngineError(f"run {run_id} is {run['status']}, not queued; it cannot start")
        tenant, flow_name, params = run["tenant"], run["flow"], run["params"]
        self.store.update_run(run_id, status="running", started_at=utcnow())
        connectors = None
        ctx: RunContext | None = None
        status, error = "failed", None
        try:
            flow = self.catalog.get(tenant, flow_name)
            script = flow.compile()
            settings = flow.resolve_settings(script, params.get("settings"))
            connectors = self.connections.for_flow(tenant, flow)
            ctx = RunContext(
                store=self.store,
                tenant=tenant,
                flow=flow_name,
                run_id=run_id,
                script=script,
                settings=settings,
                connectors=connectors,
                retry=self.retry,
                dry_run=bool(run["dry_run"]),
                lock=None if run["dry_run"] else self.lock,
                on_event=on_event,
            )
            await check_references(script, settings, connectors, self.retry)
            runner = FlowRunner(ctx)
            if params.get("replay") is not None:
                edited = self._dry_edits.pop(run_id, {})
                await runner.process(self._replay_items(params["replay"], edited), 0)
            else:
                await runner.run_pages(
                    page_size=params.get("page_size"), max_pages=params.get("max_pages")
                )
            problems = ctx.counts.get("parked", 0) + ctx.counts.get("failed", 0)
            status = "partial" if problems else "succeeded"
        except asyncio.CancelledError:
            status, error = "cancelled", "the run was cancelled"
            raise
        except (EngineError, MappingError, ConnectorError) as exc:
            status, error = "failed", f"{type(exc).__name__}: {exc}"
        except Exception as exc:
            status, error = "failed", f"internal error: {type(exc).__name__}: {exc}"
            raise
        finally:
            counts = dict(ctx.counts) if ctx is not None else {}
            self.store.update_run(
                run_id,
                status=status,
                counts=counts,
                error=error,
                finished_at=utcnow(),
                cursor_end=ctx.cursor if ctx is not None else None,
            )
            if not run["dry_run"]:
                self.lock.release(tenant, flow_name, run_id)
            if connectors is not None:
                await connectors.aclose()
        if on_event is not None:
            on_event("finished", {"status": status, "counts": counts, "error": error})
        return RunReport(
            run_id,
            tenant,
            flow_name,
            status,
            bool(run["dry_run"]),
            counts,
            StoredRecords(self.store, run_id),
            error,
            run["trigger"],
        )

    async def after(self, run_id: str) -> None:
        """Call the after-run hooks of a finished run, in order; a failing hook is logged and
        the next one still runs."""
        for hook in list(self.after_run):
            try:
                await hook(run_id)
            except Exception:  # noqa: BLE001 - after-run steps never break a run
                log.exception("after-run hook %r of run %s failed", hook, run_id)

    def crashed(self, run_id: str, exc: Exception) -> None:
        """End a run whose ``execute`` raised (an internal error): it must not stay
        ``queued`` or ``running``."""
        if self.store.run(run_id)["status"] in ACTIVE:
            self.store.update_run(
                run_id,
                status=RunStatus.FAILED.value,
                error=f"internal error: {type(exc).__name__}",
                finished_at=utcnow(),
            )

    # -- parked records ---------------------------------------------------------------------
    async def replay(
        self,
        tenant: str,
        record_ids: Sequence[int],
        *,
        edits: Mapping[int, dict[str, Any]] | None = None,
        forget_pending: bool = False,
        dry_run: bool = False,
        on_event: EventHandler | None = None,
    ) -> list[RunReport]:
        """Run stored records again with the flow's current script (one run per flow).

        ``edits`` replaces the stored source record of a parked entry first (the "fix the
        record" step); fixing the mapping means saving the flow, then replaying.
        ``forget_pending`` drops the ledger's pending entries of these records: use it after
        checking in the target that an unsure create did not happen.
        """
        by_flow: dict[str, list[int]] = {}
        for record_id in record_ids:
            row = self.store.record(record_id)
            if row["tenant"] != tenant:
                raise RunNotFound(f"record {record_id} does not belong to tenant '{tenant}'")
            if row["source"] is None:
                raise EngineError(f"record {record_id} has no stored source record to replay")
            if edits and record_id in edits and not dry_run:
                self.store.edit_parked_source(record_id, edits[record_id])
            if forget_pending and not dry_run:
                ledger = Ledger(self.store, tenant, row["flow"])
                for (_source, operation), entry in ledger.entries([row["source_id"]]).items():
                    if entry.state == "pending":
                        ledger.forget(row["source_id"], operation)
            by_flow.setdefault(row["flow"], []).append(record_id)
        reports = []
        for flow_name, ids in by_flow.items():
            run_id = self.start(tenant, flow_name, dry_run=dry_run, trigger="replay", replay=ids)
            if dry_run and edits:
                self._dry_edits[run_id] = {i: dict(edits[i]) for i in ids if i in edits}
            self.executor.submit(run_id, on_event)
            reports.append(await self.executor.wait(run_id))
        return reports

    def _replay_items(
        self, record_ids: Sequence[int], edited: Mapping[int, dict[str, Any]]
    ) -> list[SourceItem]:
        items = []
        for record_id in record_ids:
            row = self.store.record(record_id)
            source = edited.get(record_id, row["source"])
            items.append(SourceItem(source, row["source_id"], replay_of=row["id"]))
        return items

    # -- reading ----------------------------------------------------------------------------
    def flows(self, tenant: str) -> dict[str, Flow]:
        return self.catalog.all(tenant)

    def report(self, run_id: str) -> RunReport:
        """The stored report of a run (status, counts, every record's log)."""
        run = self.store.run(run_id)
        records = StoredRecords(self.store, run["id"])
        return RunReport(
            run["id"],
            run["tenant"],
            run["flow"],
            run["status"],
            bool(run["dry_run"]),
            run["counts"],
            records,
            run["error"],
            run["trigger"],
        )

    def _abandon(self, run_id: str) -> None:
        """Mark a run whose process died (its lock was taken over) as failed."""
        try:
            run = self.store.run(run_id)
        except RunNotFound:
            return
        if run["status"] in ("queued", "running"):
            self.store.update_run(
                run_id,
                status="failed",
                finished_at=utcnow(),
                error="abandoned: the process running it ended; a later run resumed the flow "
                "from the last committed cursor",
            )


def _new_id() -> str:
    return str(uuid.uuid4())
