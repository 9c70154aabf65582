"""The page loop of one run: fetch → map → resolve lookups in bulk → send → log → move cursor.

For each page of the flow's source object (starting after the committed cursor):

1. every record is mapped; lookups a script asks for are queued instead of fetched (a run
   that meets one goes on with an empty answer to show its further lookups of the same kind,
   and its result is thrown away), fetched with one ``find`` per (system, object, key) for the
   whole page, and the waiting records are mapped again, until none waits;
2. the natural keys and ledger ids the plans need are fetched in bulk the same way;
3. each record's operations are sent (``operations.OperationSender``) and its outcome is
   stored at once: ``sent``, ``skipped`` (with the reason), ``parked`` or ``failed`` (both
   kept open for replay), or ``planned`` in a dry run;
4. only then the page's cursor is committed and the run lock's lease extended.

A crash anywhere leaves the cursor at the last fully stored page; the ledger makes the rerun
of the interrupted page safe. A replay runs the same steps on stored records instead of a
page, without touching the cursor.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mapwright.connectors.base import Connector
from mapwright.connectors.errors import ConnectorError, FatalError
from mapwright.dsl import batch, jsonio
from mapwright.dsl.errors import MappingError
from mapwright.dsl.plan import Outcome, Ref
from mapwright.dsl.resolver import LookupPending
from mapwright.dsl.script import Script
from mapwright.dsl.values import exact_numbers
from mapwright.engine.errors import EngineError, FlowInvalid
from mapwright.engine.ledger import Ledger, PendingCreate, created_by_flows
from mapwright.engine.locks import RunLock
from mapwright.engine.operations import (
    WRITE_ACTIONS,
    OperationLog,
    OperationSender,
    RecordStopped,
    operation_keys,
)
from mapwright.engine.resolver import PageResolver
from mapwright.engine.retry import RetryPolicy
from mapwright.engine.store import Store

MAX_LOOKUP_ROUNDS = 25
EventHandler = Callable[[str, dict[str, Any]], None]


@dataclass
class SourceItem:
    """A record to process: from a source page, or a stored record being replayed."""

    record: dict[str, Any]
    source_id: str
    replay_of: int | None = None


@dataclass
class RecordReport:
    seq: int
    source_id: str
    outcome: str
    reason: str | None
    operations: list[dict[str, Any]]
    plan: Any = None
    record_id: int | None = None
    replay_of: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "record_id": self.record_id,
            "source_id": self.source_id,
            "outcome": self.outcome,
            "reason": self.reason,
            "operations": self.operations,
            "replay_of": self.replay_of,
        }


@dataclass
class RunContext:
    """What a run needs: where to store, what to run, with which connectors."""

    store: Store
    tenant: str
    flow: str
    run_id: str
    script: Any
    settings: dict[str, Any]
    connectors: Mapping[str, Connector]
    retry: RetryPolicy
    dry_run: bool
    lock: RunLock | None = None
    on_event: EventHandler | None = None
    #: outcome counts of the run; the records' reports are in the store (one page at a time
    #: in memory), read back with ``runs.StoredRecords``
    counts: dict[str, int] = field(default_factory=dict)
    cursor: str | None = None


class FlowRunner:
    """Runs pages (or replayed records) of one flow; see the module docstring."""

    def __init__(self, ctx: RunContext):
        self.ctx = ctx
        self.ledger = Ledger(ctx.store, ctx.tenant, ctx.flow, batch=True)
        self.seq = 0
        self._lock_refreshed = time.monotonic()

    def _keep_lock(self, *, force: bool = False) -> None:
        """Extend the run lock's lease after each page, and within a long page once a third
        of the lease has passed; stop when another run took the lock over."""
        lock, ctx = self.ctx.lock, self.ctx
        if lock is None:
            return
        if not force and time.monotonic() - self._lock_refreshed < lock.lease.total_seconds() / 3:
            return
        if not lock.refresh(ctx.tenant, ctx.flow, ctx.run_id):
            raise EngineError(
                f"run {ctx.run_id} lost its lock on flow '{ctx.flow}' (another run took it "
                "over after the lease ran out); stopping"
            )
        self._lock_refreshed = time.monotonic()

    def _event(self, kind: str, **data: Any) -> None:
        if self.ctx.on_event is not None:
            self.ctx.on_event(kind, data)

    async def run_pages(self, *, page_size: int | None, max_pages: int | None) -> None:
        ctx = self.ctx
        if ctx.script.source is None:
            raise FlowInvalid(
                f"flow '{ctx.flow}' has no 'source' line; add e.g. "
                "'source buchhaltungsbutler.receipts' to the script"
            )
        system, object_name = ctx.script.source
        source = PageResolver(ctx.connectors, ctx.retry).connector(system)
        filters = ctx.script.source_params(ctx.settings) or None
        ctx.cursor = ctx.store.cursor(ctx.tenant, ctx.flow)
        ctx.store.update_run(ctx.run_id, cursor_start=ctx.cursor)
        page_no = 0
        while max_pages is None or page_no < max_pages:
            page_no += 1
            cursor = ctx.cursor
            page = await ctx.retry.call(
                lambda c=cursor: source.list(  # type: ignore[misc]
                    object_name, cursor=c, page_size=page_size, filters=filters
                )
            )
            self._event("page", page=page_no, records=len(page.records))
            items = [
                SourceItem(exact_numbers(record), source_id(source, object_name, record))
                for record in page.records
            ]
            move = page.cursor is not None and not ctx.dry_run
            await self.process(items, page_no, cursor=page.cursor if move else None)
            if not ctx.dry_run:
                if move:
                    ctx.cursor = page.cursor
                self._keep_lock(force=True)
            elif page.cursor is not None:
                ctx.cursor = page.cursor
            ctx.counts["pages"] = ctx.counts.get("pages", 0) + 1
            if not page.has_more or not page.records:
                break

    async def process(
        self, items: list[SourceItem], page_no: int, *, cursor: str | None = None
    ) -> None:
        """Map, resolve, send and log one batch of records (a page or a replay set).

        The records' log entries are stored together at the end, with ``cursor`` in the same
        transaction; when the batch stops early (fatal error, cancel) the entries made so far
        are stored and the cursor stays where it was.
        """
        self._rows: list[dict[str, Any]] = []
        try:
            await self._process(items, page_no)
        except BaseException:
            self._flush(None)
            raise
        self._flush(cursor)

    def _flush(self, cursor: str | None) -> None:
        ctx = self.ctx
        move = None if cursor is None else (ctx.tenant, ctx.flow, cursor, ctx.run_id)
        if not self._rows and move is None and not self.ledger.dirty:
            return
        ctx.store.store_page(
            self._rows,
            resolve_parked=not ctx.dry_run,
            cursor=move,
            also=self.ledger.flush,
            returning=False,
        )
        self._rows = []

    async def _process(self, items: list[SourceItem], page_no: int) -> None:
        ctx = self.ctx
        lookups = PageResolver(ctx.connectors, ctx.retry)
        planned = await self._map_all(items, lookups, self._echoes(items))
        entries = self.ledger.entries(item.source_id for item in items)
        self._want_targets(planned, lookups, entries, items)
        await lookups.fetch_pending()
        if not ctx.dry_run:
            self.ledger.prewrite(_creates(planned, lookups, entries, items), ctx.run_id)
        sender = OperationSender(
            connectors=ctx.connectors,
            lookups=lookups,
            ledger=self.ledger,
            run_id=ctx.run_id,
            retry=ctx.retry,
            dry_run=ctx.dry_run,
            ledger_entries=entries,
            ledger_sources=[item.source_id for item in items],
        )
        for index, item in enumerate(items):
            await self._finish(item, planned[index], sender, page_no)

    def _echoes(self, items: list[SourceItem]) -> dict[str, str]:
        """Source records that a flow of this tenant created (their origin is mapwright,
        e.g. Exact invoices the orders flow made from BuchhaltungsButler receipts): sending
        them back would copy them into the system they came from. ``{source_id: reason}``."""
        source = self.ctx.script.source
        if source is None:
            return {}
        target = f"{source[0]}.{source[1]}"
        made = created_by_flows(
            self.ctx.store, self.ctx.tenant, target, (item.source_id for item in items)
        )
        return {
            target_id: (
                f"{target} {target_id} was created by mapwright (flow {flow}, from source "
                f"record {source_id}); it is not sent back"
            )
            for target_id, (flow, source_id) in made.items()
        }

    async def _map_all(
        self, items: list[SourceItem], lookups: PageResolver, echoes: Mapping[str, str]
    ) -> list[Outcome | Exception]:
        """Map the page's records, fetching their lookups in bulk round by round.

        The records are probed (``PageResolver.probing``): a run that meets a key not fetched
        yet goes on with an empty answer (queueing its further keys of the same table), and
        whatever it ends in (an outcome, a park, a skip, an error) only means "waiting". A
        record's result comes from a run that met no unknown key, so it is what
        ``script.run`` gives it with every key fetched; probing only changes how many rounds
        that takes. Before the first fetch, the values of settings declared
        ``refers system.object.Field`` that the script looks up by that field join it
        (``_want_references``)."""
        results: list[Outcome | Exception] = [EngineError("not mapped")] * len(items)
        todo = []
        for index, item in enumerate(items):
            if item.source_id in echoes:
                results[index] = Outcome(skipped=echoes[item.source_id])
            else:
                todo.append(index)
        run = self._mapper(lookups)

        def records(start: int) -> Iterator[dict[str, Any]]:
            for k in range(start, len(todo)):
                lookups.start_record()
                yield items[todo[k]].record

        lookups.probing = True
        try:
            for round_no in range(MAX_LOOKUP_ROUNDS):
                waiting: list[int] = []
                done = 0
                while done < len(todo):
                    # one pass over the records still to map; an exception out of the loop
                    # ends the pass's iterator, the next pass starts after that record
                    lookups.start_record()
                    try:
                        for result in run(records(done)):
                            index = todo[done]
                            done += 1
                            if lookups.waits or isinstance(result, Exception) and _pending(result):
                                waiting.append(index)
                            else:
                                results[index] = result
                    except Exception as exc:
                        index = todo[done]
                        done += 1
                        if lookups.waits or _pending(exc):
                            waiting.append(index)
                        elif isinstance(exc, MappingError | ConnectorError):
                            results[index] = exc
                        else:
                            raise
                if not waiting:
                    return results
                if round_no == 0:
                    self._want_references(lookups)
                await lookups.fetch_pending()
                todo = waiting
        finally:
            lookups.probing = False
        for index in todo:
            results[index] = EngineError(
                f"the mapping needed more than {MAX_LOOKUP_ROUNDS} rounds of lookups"
            )
        return results

    def _want_references(self, lookups: PageResolver) -> None:
        """Queue the values of the settings declared ``refers system.object.Field`` that the
        script looks up by that field (the orders flow's VAT codes and items): such lookups
        come late in a mapping, after the ones they depend on, and would each cost a round of
        reruns; the run checked before its start that these records exist
        (``preflight.check_references``). Called only before the page's first fetch, so they
        join that fetch's calls (one more call per such table when no record of the page
        would have looked it up)."""
        script = self.ctx.script
        if not isinstance(script, Script):
            return
        try:
            resolved = script.resolve_settings(self.ctx.settings)
        except MappingError:
            return  # every record fails on its settings; nothing to look up
        for spec in script.settings.values():
            if not spec.refers or spec.refers.count(".") < 2:
                continue
            system, object_name, key = spec.refers.split(".", 2)
            if (system, object_name, key) not in script.lookups:
                continue
            connector = lookups.connectors.get(system)
            object_spec = connector.objects.get(object_name) if connector is not None else None
            if object_spec is None or key not in object_spec.find_keys:
                continue
            named = spec.named_values(resolved.get(spec.name))
            lookups.want(system, object_name, key, _key_values(named))

    def _mapper(
        self, lookups: PageResolver
    ) -> Callable[[Iterable[dict[str, Any]]], Iterator[Outcome | MappingError]]:
        """Maps records in turn: what ``script.run`` gives each (an ``Outcome``, or its
        ``MappingError`` in its place; ``LookupPending`` raises). A compiled script maps
        with ``Script.run_many``'s loop on settings resolved once for the page; settings
        that do not resolve fail every record as ``run`` would, one at a time."""
        script, settings = self.ctx.script, self.ctx.settings
        if isinstance(script, Script):
            try:
                resolved = script.resolve_settings(settings)
            except MappingError:
                pass
            else:
                return lambda records: batch.outcomes(
                    script, records, resolved, lookups, errors="yield"
                )

        def one_by_one(records: Iterable[dict[str, Any]]) -> Iterator[Outcome | MappingError]:
            for record in records:
                try:
                    yield script.run(record, settings=settings, resolver=lookups)
                except MappingError as exc:
                    if isinstance(exc, LookupPending):
                        raise
                    yield exc

        return one_by_one

    def _want_targets(
        self,
        planned: list[Outcome | Exception],
        lookups: PageResolver,
        entries: Mapping[tuple[str, str], Any],
        items: list[SourceItem],
    ) -> None:
        """Queue the natural keys and ledger ids the plans will check, for one bulk fetch."""
        for item, outcome in zip(items, planned, strict=True):
            if not isinstance(outcome, Outcome) or outcome.skipped or outcome.parked:
                continue
            keys = operation_keys(outcome.operations)
            for op_key, op in zip(keys, outcome.operations, strict=True):
                pair = op.unless_exists if op.kind == "create" else op.match
                if pair is not None and not _has_ref(pair[1]) and op.system in lookups.connectors:
                    lookups.want(op.system, op.object, pair[0], [jsonio.plain(pair[1])])
                entry = entries.get((item.source_id, op_key))
                if entry is None or entry.target_id is None or op.system not in lookups.connectors:
                    continue
                spec = lookups.connectors[op.system].objects.get(op.object)
                if spec is not None and spec.key in spec.find_keys:
                    lookups.want(op.system, op.object, spec.key, [entry.target_id])

    async def _finish(
        self, item: SourceItem, planned: Outcome | Exception, sender: OperationSender, page: int
    ) -> None:
        ctx = self.ctx
        logs: list[OperationLog] = []
        fatal: FatalError | None = None
        plan: Any = None
        reason: str | None
        if isinstance(planned, Exception):
            outcome, reason = "failed", str(planned)
        else:
            plan = planned.to_json()
            try:
                outcome, reason, logs = await self._send(item, planned, sender)
            except FatalError as exc:
                fatal = exc
                outcome, reason = "failed", f"the run stopped here: {type(exc).__name__}: {exc}"
        self.seq += 1
        parked_state = "open" if outcome in ("parked", "failed") and not ctx.dry_run else None
        operations = [log.to_json() for log in logs]
        self._rows.append(
            {
                "run_id": ctx.run_id,
                "tenant": ctx.tenant,
                "flow": ctx.flow,
                "seq": self.seq,
                "page": page,
                "source_id": item.source_id,
                "source": item.record,
                "plan": plan,
                "operations": operations,
                "outcome": outcome,
                "reason": reason,
                "parked_state": parked_state,
                "replay_of": item.replay_of,
            }
        )
        ctx.counts[outcome] = ctx.counts.get(outcome, 0) + 1
        ctx.counts["total"] = ctx.counts.get("total", 0) + 1
        self._event("record", seq=self.seq, source_id=item.source_id, outcome=outcome)
        if fatal is not None:
            raise fatal
        self._keep_lock()

    async def _send(
        self, item: SourceItem, planned: Outcome, sender: OperationSender
    ) -> tuple[str, str | None, list[OperationLog]]:
        if planned.skipped is not None:
            return "skipped", planned.skipped, []
        if planned.parked is not None:
            return "parked", planned.parked, []
        if not planned.operations:
            return "skipped", "the mapping planned no operations for this record", []
        try:
            logs = await sender.send(item.source_id, planned.operations)
        except RecordStopped as stop:
            return stop.outcome, stop.reason, stop.logs
        except FatalError:
            raise
        except ConnectorError as exc:
            return "failed", f"{type(exc).__name__}: {exc}", []
        if self.ctx.dry_run:
            return "planned", None, logs
        if any(log.action in WRITE_ACTIONS for log in logs):
            return "sent", None, logs
        notes = "; ".join(f"{log.operation}: {log.note or log.action}" for log in logs)
        return "skipped", f"nothing to send ({notes})", logs


def source_id(connector: Connector, object_name: str, record: dict[str, Any]) -> str:
    """The source record's id as text; records without one are identified by content."""
    value = connector.record_id(object_name, record)
    if value is None or value == "":
        digest = hashlib.sha256(jsonio.dumps(record, sort_keys=True).encode()).hexdigest()
        return f"sha256:{digest[:32]}"
    return str(value)


def _key_values(named: list[tuple[str, Any]]) -> list[Any]:
    """The lookup keys among a ``refers`` setting's values (``SettingSpec.named_values``): texts
    and numbers as they are (a number key finds what a script's number lookup finds); empty
    texts and other kinds of values name nothing."""
    return [
        v
        for _, v in named
        if isinstance(v, str | int | Decimal) and not isinstance(v, bool) and v != ""
    ]


def _pending(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, LookupPending):
            return True
        seen = seen.__cause__
    return False


def _creates(
    planned: list[Outcome | Exception],
    lookups: PageResolver,
    entries: Mapping[tuple[str, str], Any],
    items: list[SourceItem],
) -> list[PendingCreate]:
    """The creates the page will send that a natural key can find again: no ledger entry,
    a natural key known before sending, and the page's bulk lookup found no record by it."""
    found = []
    for item, outcome in zip(items, planned, strict=True):
        if not isinstance(outcome, Outcome) or outcome.skipped or outcome.parked:
            continue
        keys = operation_keys(outcome.operations)
        for op_key, op in zip(keys, outcome.operations, strict=True):
            pair = op.unless_exists if op.kind == "create" else op.match
            if op.kind == "update" or pair is None or _has_ref(pair[1]):
                continue
            value = jsonio.plain(pair[1])
            if value in (None, "") or (item.source_id, op_key) in entries:
                continue
            if op.system not in lookups.connectors:
                continue
            if lookups.known(op.system, op.object, pair[0], value) != []:
                continue
            found.append(
                PendingCreate(item.source_id, op_key, f"{op.system}.{op.object}", {pair[0]: value})
            )
    return found


def _has_ref(value: Any) -> bool:
    if isinstance(value, Ref):
        return True
    if isinstance(value, dict):
        return any(_has_ref(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_ref(v) for v in value)
    return False
