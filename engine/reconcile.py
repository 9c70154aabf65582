"""Reconciliation: what a flow's source says against what its target holds, side by side.

A **reconciler** reads both systems independently of the flow's own bookkeeping (the ledger)
for a period and reports, per document and in total (count, gross, net, VAT, to the cent,
``Decimal`` only), what is missing, duplicated or different in the target. Each problem links
to the record's activity log (run id, record id, the API path of the run's record log).

::

    result = await reconcile(engine, "acme", "orders", date_from=date(2025, 1, 1))
    result.differences, result.totals(), [line.status for line in result.lines]

Reconcilers are registered per flow name (``register``); the built-in ones live in their own
modules (``BUILTIN``: flow name -> module), imported on first use. ``reconcilable()`` names
the flows that have one; any other flow raises ``NoReconciler``.

Statuses of a document line: ``ok``; ``missing`` (no target document); ``duplicated`` (two or
more target documents for one source document); ``different`` (gross, net or VAT differ);
``sign`` (a credit note that became a positive document, or the other way round); ``parked``
(the flow parked the record: not sent, the reason says why). Records the flow leaves out on
purpose (e.g. unpaid receipts when only paid ones are sent, or records mapwright itself created
from the other system, which are never sent back) are counted as ``skipped``, per reason, and
are not differences.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.errors import EngineError
from mapwright.engine.ledger import created_by_flows

if TYPE_CHECKING:
    from mapwright.engine.connections import FlowConnectors
    from mapwright.engine.flows import Flow
    from mapwright.engine.runs import Engine

CENT = Decimal("0.01")
OK, MISSING, DUPLICATED, DIFFERENT, SIGN, PARKED = (
    "ok",
    "missing",
    "duplicated",
    "different",
    "sign",
    "parked",
)
STATUSES = (OK, MISSING, DUPLICATED, DIFFERENT, SIGN, PARKED)
#: statuses that count as differences (exit code 1 of ``mapwright reconcile``)
PROBLEMS = (MISSING, DUPLICATED, DIFFERENT, SIGN)
#: flow name -> module whose import registers the flow's reconciler
BUILTIN = {
    "orders": "mapwright.engine.reconcile_orders",
    "invoices": "mapwright.engine.reconcile_invoices",
}

T = TypeVar("T")


class ReconcileError(EngineError):
    """Reconciliation cannot be done as asked (period, flow shape); the message says why."""


class NoReconciler(ReconcileError):
    """The flow has no reconciler; ``available`` names the flows that have one."""

    def __init__(self, flow: str, available: list[str]):
        names = ", ".join(available) or "none"
        super().__init__(
            f"flow '{flow}' has no reconciler; reconciliation exists for: {names} "
            "(see docs/reconcile.md)"
        )
        self.flow = flow
        self.available = available


def money(value: Any) -> Decimal | None:
    """An amount as ``Decimal`` rounded to the cent (half up); ``None`` when absent.

    Numbers that arrive as JSON floats go through their shortest text form (``119.0`` ->
    ``119.00``), so no binary fraction enters the sums.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return number.quantize(CENT, ROUND_HALF_UP)


def net_of(gross: Decimal, rate: Decimal) -> Decimal:
    """The net part of a gross amount at ``rate`` percent, to the cent (VAT = gross - net)."""
    return (gross / (1 + rate / 100)).quantize(CENT, ROUND_HALF_UP)


@dataclass
class Amounts:
    """Gross, net and VAT of one document; ``None`` where a side cannot tell."""

    gross: Decimal | None
    net: Decimal | None = None
    vat: Decimal | None = None

    def to_json(self) -> dict[str, Any]:
        return {"gross": self.gross, "net": self.net, "vat": self.vat}


@dataclass
class TargetDocument:
    """A document found in the target for a source document."""

    id: str
    number: str | None
    amounts: Amounts

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, **self.amounts.to_json()}


@dataclass
class RecordLog:
    """The newest activity-log entry of a source record (real runs only, no dry runs)."""

    run_id: str
    record_id: int
    outcome: str
    reason: str | None
    parked_state: str | None

    @property
    def path(self) -> str:
        """The REST path of the run's record log (the entry is ``records[].id``)."""
        return f"/api/v1/runs/{self.run_id}/records"

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "record_id": self.record_id,
            "outcome": self.outcome,
            "reason": self.reason,
            "parked_state": self.parked_state,
            "path": self.path,
        }


@dataclass
class Difference:
    """One field whose values differ: ``source`` and ``target`` side by side."""

    field: str
    source: Decimal | None
    target: Decimal | None

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "source": self.source, "target": self.target}


@dataclass
class DocumentLine:
    """One source document and what the target holds for it."""

    ref: str
    source_id: str
    kind: str  # "invoice" or "credit"
    date: str | None
    party: str | None
    source: Amounts
    targets: list[TargetDocument] = field(default_factory=list)
    status: str = OK
    differences: list[Difference] = field(default_factory=list)
    note: str | None = None
    log: RecordLog | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "source_id": self.source_id,
            "status": self.status,
            "kind": self.kind,
            "date": self.date,
            "party": self.party,
            "source": self.source.to_json(),
            "target": [doc.to_json() for doc in self.targets],
            "differences": [d.to_json() for d in self.differences],
            "note": self.note,
            "log": self.log.to_json() if self.log else None,
        }


@dataclass
class Totals:
    """Count and sums of one side; ``unknown`` counts documents whose net/VAT is unknown."""

    count: int = 0
    gross: Decimal = Decimal("0.00")
    net: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")
    unknown: int = 0

    def add(self, amounts: Amounts) -> None:
        self.count += 1
        self.gross += amounts.gross or Decimal("0.00")
        if amounts.net is None or amounts.vat is None:
            self.unknown += 1
        self.net += amounts.net or Decimal("0.00")
        self.vat += amounts.vat or Decimal("0.00")

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "gross": self.gross,
            "net": self.net,
            "vat": self.vat,
            "unknown": self.unknown,
        }


@dataclass
class Reconciliation:
    """The result: both sides' totals, every source document's line, skipped records."""

    flow: str
    tenant: str
    date_from: dt.date | None
    date_to: dt.date | None
    source: str  # e.g. "buchhaltungsbutler.receipts (outbound, payment_status = paid)"
    target: str  # e.g. "exact_online.sales_invoices"
    lines: list[DocumentLine] = field(default_factory=list)
    #: records the flow leaves out on purpose: reason -> count
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count

    def totals(self) -> dict[str, Totals]:
        source, target = Totals(), Totals()
        for line in self.lines:
            source.add(line.source)
            for doc in line.targets:
                target.add(doc.amounts)
        return {"source": source, "target": target}

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for line in self.lines:
            counts[line.status] += 1
        counts["skipped"] = sum(self.skipped.values())
        return counts

    @property
    def differences(self) -> int:
        return sum(1 for line in self.lines if line.status in PROBLEMS)

    def problems(self) -> list[DocumentLine]:
        return [line for line in self.lines if line.status != OK]

    def to_json(self) -> dict[str, Any]:
        totals = self.totals()
        return {
            "flow": self.flow,
            "tenant": self.tenant,
            "period": {
                "from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None,
            },
            "source": self.source,
            "target": self.target,
            "differences": self.differences,
            "counts": self.counts(),
            "skipped": dict(self.skipped),
            "totals": {side: sums.to_json() for side, sums in totals.items()},
            "documents": [line.to_json() for line in self.lines],
        }


def compare(line: DocumentLine) -> None:
    """Set ``status`` and ``differences`` of a line whose target documents were found."""
    if not line.targets:
        line.status = MISSING
        return
    if len(line.targets) > 1:
        line.status = DUPLICATED
        numbers = ", ".join(doc.number or doc.id for doc in line.targets)
        line.note = f"{len(line.targets)} target documents for {line.ref}: {numbers}"
        return
    mine, theirs = line.source, line.targets[0].amounts
    for name in ("gross", "net", "vat"):
        want, got = getattr(mine, name), getattr(theirs, name)
        # net and VAT only where both sides can tell (a side may know only the gross)
        if want is not None and want != got and (got is not None or name == "gross"):
            line.differences.append(Difference(name, want, got))
    gross, found = mine.gross, theirs.gross
    if gross and found and (gross < 0) != (found < 0):
        line.status = SIGN
        expected = "negative (credit note)" if gross < 0 else "positive (invoice)"
        line.note = f"the source document is a {line.kind}: the target amount should be {expected}"
    elif line.differences:
        line.status = DIFFERENT


# -- the registry and the entry point --------------------------------------------------------
@dataclass
class ReconcileContext:
    """What a reconciler gets: the flow, its resolved settings, live connectors, the period."""

    engine: Engine
    tenant: str
    flow: Flow
    script: Any
    settings: dict[str, Any]
    connectors: FlowConnectors
    date_from: dt.date | None
    date_to: dt.date | None

    async def read(self, action: Callable[[], Awaitable[T]]) -> T:
        """A read with the engine's retry policy (429/5xx/timeouts back off)."""
        return await self.engine.retry.call(action)

    def echoes(self, source: str, source_ids: Iterable[str]) -> dict[str, str]:
        """Source records a flow of this tenant created (``{id: reason}``): the runner never
        sends them back, so they are skipped on purpose here too."""
        made = created_by_flows(self.engine.store, self.tenant, source, source_ids)
        return {
            record: f"created by mapwright (flow {flow}): not sent back"
            for record, (flow, _) in made.items()
        }

    def logs(self, source_ids: Iterable[str]) -> dict[str, RecordLog]:
        """The newest log entry of each source record in this flow's real runs."""
        return latest_records(self.engine, self.tenant, self.flow.name, source_ids)

    def in_period(self, day: str | None) -> bool:
        if day is None:
            return self.date_from is None and self.date_to is None
        text = str(day)[:10]
        if self.date_from is not None and text < self.date_from.isoformat():
            return False
        return self.date_to is None or text <= self.date_to.isoformat()


Reconciler = Callable[[ReconcileContext], Awaitable[Reconciliation]]
RECONCILERS: dict[str, Reconciler] = {}


def register(flow: str) -> Callable[[Reconciler], Reconciler]:
    """Decorator: ``@register("orders")`` makes the function the reconciler of that flow."""

    def add(function: Reconciler) -> Reconciler:
        RECONCILERS[flow] = function
        return function

    return add


def reconcilable() -> list[str]:
    """The names of the flows that have a reconciler."""
    return sorted(set(BUILTIN) | set(RECONCILERS))


def reconciler_for(flow: str) -> Reconciler:
    if flow not in RECONCILERS and flow in BUILTIN:
        importlib.import_module(BUILTIN[flow])
    found = RECONCILERS.get(flow)
    if found is None:
        raise NoReconciler(flow, reconcilable())
    return found


async def reconcile(
    engine: Engine,
    tenant: str,
    flow_name: str,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Reconciliation:
    """Compare the flow's source and target for the period (dates of the source documents,
    both ends included; no date = no bound)."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ReconcileError(
            f"the period starts ({date_from}) after it ends ({date_to}); swap --from and --to"
        )
    flow = engine.catalog.get(tenant, flow_name)
    run = reconciler_for(flow_name)
    script = flow.compile()
    settings = flow.resolve_settings(script)
    connectors = engine.connections.for_flow(tenant, flow)
    context = ReconcileContext(
        engine, tenant, flow, script, settings, connectors, date_from, date_to
    )
    try:
        return await run(context)
    finally:
        await connectors.aclose()


def latest_records(
    engine: Engine, tenant: str, flow: str, source_ids: Iterable[str]
) -> dict[str, RecordLog]:
    """Newest entry per source id in ``run_records`` of real (not dry) runs."""
    wanted = sorted({str(s) for s in source_ids})
    found: dict[str, RecordLog] = {}
    r = t.run_records.c
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = (
            sa.select(r.id, r.run_id, r.source_id, r.outcome, r.reason, r.parked_state)
            .join(t.runs, t.runs.c.id == r.run_id)
            .where(
                (r.tenant == tenant)
                & (r.flow == flow)
                & r.source_id.in_(chunk)
                & (t.runs.c.dry_run == sa.false())
            )
            .order_by(r.id)
        )
        with engine.store.begin() as c:
            for row in c.execute(query):
                found[row.source_id] = RecordLog(
                    row.run_id, int(row.id), row.outcome, row.reason, row.parked_state
                )
    return found
