"""Reconciliation of the orders flow against the real BB and Exact sandboxes (in-process).

The source side's expected totals are computed here from the BuchhaltungsButler sandbox's own
state (paid outbound receipts, credit notes negative, net per posting rounded half up); target
documents are written or changed through Exact's API, so each test knows to the cent what
reconciliation must report, whatever the flow itself wrote.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
import uuid
from collections.abc import AsyncIterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

# appended, not inserted: that folder's conftest must not shadow another folder's
sys.path.append(str(Path(__file__).parents[1] / "builtin_mappings"))

from flow_sandboxes import MODULES, World, _config, connector  # noqa: E402
from mapwright.connectors.base import ConnectionConfig  # noqa: E402
from mapwright.connectors.sandbox import SandboxOptions  # noqa: E402
from mapwright.engine.connections import Connections  # noqa: E402
from mapwright.engine.errors import FlowNotFound  # noqa: E402
from mapwright.engine.reconcile import (  # noqa: E402
    NoReconciler,
    ReconcileError,
    Reconciliation,
    reconcile,
)
from mapwright.engine.retry import RetryPolicy  # noqa: E402
from mapwright.engine.runs import Engine  # noqa: E402
from mapwright.engine.store import Store  # noqa: E402

TENANT = "acme"
CENT = Decimal("0.01")
D = Decimal


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """BB and Exact in-process, each with ids of its own: the connectors count quotas per
    Exact app id and per BB base URL across the whole test process."""
    apps: dict[str, Any] = {}
    configs: dict[str, ConnectionConfig] = {}
    transports: dict[str, httpx.AsyncBaseTransport] = {}
    for system, extra in (
        ("exact_online", {"client_id": str(uuid.uuid4())}),
        ("buchhaltungsbutler", {}),
    ):
        module = importlib.import_module(MODULES[system])
        app = module.create_app(SandboxOptions(seed=11, records=12, extra=extra))
        base = f"http://{system}-{uuid.uuid4().hex[:8]}.sandbox"
        apps[system] = app
        configs[system] = _config(system, module.describe(app, base))
        transports[system] = httpx.ASGITransport(app=app)
    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    connections = Connections(configs, store=store, transports=transports)
    engine = Engine(store, connections=connections, retry=RetryPolicy(base_delay=0, max_delay=0))
    w = World(apps, configs, engine, store)
    yield w
    await w.close()


def dt_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def bb_rows(w: World, table: str) -> list[dict[str, Any]]:
    return list(w.apps["buchhaltungsbutler"].state.bb.store.all(table))


def paid(receipt: dict[str, Any]) -> bool:
    return D(receipt["amount"]) != 0 and abs(D(receipt["amount_paid"] or "0")) >= abs(
        D(receipt["amount"])
    )


def expected_source(w: World, receipts: list[dict[str, Any]]) -> dict[str, tuple[D, D, D]]:
    """invoice number -> (gross, net, VAT) as BB booked it, credit notes negative."""
    postings: dict[int, list[dict[str, Any]]] = {}
    for p in bb_rows(w, "postings"):
        postings.setdefault(p["receipt_id_by_customer"], []).append(p)
    out = {}
    for r in receipts:
        gross = abs(D(r["amount"]))
        parts = [
            (abs(D(p["amount"])), D(p["vat"].split("_")[0])) for p in postings.get(r["id"], [])
        ]
        if not parts:
            parts = [(gross, D(r["vat_rate"]))]
        assert sum(g for g, _ in parts) == gross
        net = sum(
            ((g * 100 / (100 + rate)).quantize(CENT, ROUND_HALF_UP) for g, rate in parts), D(0)
        )
        sign = -1 if r["type"].startswith("credit") else 1
        out[r["invoicenumber"]] = (sign * gross, sign * net, sign * (gross - net))
    return out


def outbound(w: World) -> list[dict[str, Any]]:
    return [
        r
        for r in bb_rows(w, "receipts")
        if r["type"].endswith("outbound") and not r["deleted"] and not r["offer"]
    ]


def amounts(line: Any) -> tuple[Any, Any, Any]:
    return (line.gross, line.net, line.vat)


def by_ref(result: Reconciliation) -> dict[str, Any]:
    return {line.ref: line for line in result.lines}


async def save_orders(w: World, **settings: Any) -> None:
    flow = w.engine.catalog.get(TENANT, "orders")
    w.store.ensure_tenant(TENANT)
    w.store.save_flow(TENANT, "orders", flow.script, settings=settings)


class Exact:
    """Writes to the Exact sandbox through its REST API (the engine's connection)."""

    def __init__(self, live: Any):
        self.live = live
        self.known: dict[str, str] = {}

    async def item(self, code: str) -> str:
        if code not in self.known:
            found = await self.live.find("items", "Code", [code])
            self.known[code] = str(found[code][0]["ID"])
        return self.known[code]

    async def customer(self) -> str:
        if "customer" not in self.known:
            page = await self.live.list("accounts", filters={"Status": "C"})
            self.known["customer"] = str(page.records[0]["ID"])
        return self.known["customer"]

    async def invoices(self, ref: str) -> list[dict[str, Any]]:
        return list((await self.live.find("sales_invoices", "YourRef", [ref]))[ref])

    async def post_invoice(self, ref: str, net: D, vat: D, *, credit: bool = False) -> None:
        sign = -1 if credit else 1
        await self.live.create(
            "sales_invoices",
            {
                "OrderedBy": await self.customer(),
                "YourRef": ref,
                "Journal": "70",
                "Type": 8021 if credit else 8020,
                "SalesInvoiceLines": [
                    {
                        "Item": await self.item("UMSATZ19"),
                        "Quantity": sign,
                        "UnitPrice": net,
                        "VATAmountFC": sign * vat,
                    }
                ],
            },
        )

    async def delete_invoice(self, invoice_id: str) -> None:
        path = f"/api/v1/{await self.live.division()}/salesinvoice/SalesInvoices"
        await self.live.call("DELETE", f"{path}(guid'{invoice_id}')")


# ---- end to end ----------------------------------------------------------------------------


async def test_after_an_orders_run_reconciliation_reports_no_differences(world: World) -> None:
    report = await world.engine.run_flow(TENANT, "orders")
    assert report.status == "succeeded", report.error
    result = await reconcile(world.engine, TENANT, "orders")

    assert result.differences == 0
    assert {line.status for line in result.lines} == {"ok"}
    receipts = [r for r in outbound(world) if paid(r)]
    truth = expected_source(world, receipts)
    assert {line.ref: amounts(line.source) for line in result.lines} == truth
    assert any(line.kind == "credit" for line in result.lines), "the world has a credit note"
    totals = result.totals()
    source, target = totals["source"], totals["target"]
    assert source.count == target.count == len(receipts)
    assert source.gross == target.gross == sum(g for g, _, _ in truth.values())
    assert (source.net, source.vat) == (target.net, target.vat)
    assert result.skipped == {
        "payment state is not paid (setting payment_status = paid)": len(outbound(world))
        - len(receipts)
    }
    assert result.counts()["skipped"] > 0


async def test_sales_orders_park_credit_notes_and_show_them_as_parked(world: World) -> None:
    await save_orders(world, document="sales_order")
    report = await world.engine.run_flow(TENANT, "orders")
    parked = {r.source_id: r for r in report.records if r.outcome == "parked"}
    assert parked, "credit notes cannot be Exact sales orders"
    result = await reconcile(world.engine, TENANT, "orders")

    assert result.target.startswith("exact_online.sales_orders")
    assert result.differences == 0
    for line in result.lines:
        if line.source_id in parked:
            record = parked[line.source_id]
            assert line.status == "parked" and line.targets == []
            assert line.note == record.reason
            assert line.log is not None and line.log.record_id == record.record_id
            assert line.log.path == f"/api/v1/runs/{report.run_id}/records"
        else:
            assert line.status == "ok", line
    assert result.counts()["parked"] == len(parked)


# ---- differences made by hand in Exact -------------------------------------------------------


async def test_reports_exactly_the_differences_made_in_exact(world: World) -> None:
    report = await world.engine.run_flow(TENANT, "orders")
    records = {r.source_id: r for r in report.records}
    first = await reconcile(world.engine, TENANT, "orders")
    before = by_ref(first)
    invoices = sorted(ref for ref, line in before.items() if line.kind == "invoice")
    dup, gone, renamed, wrong = invoices[:4]
    credit = next(ref for ref, line in before.items() if line.kind == "credit")
    async with connector(world, "exact_online") as live:
        exact = Exact(live)
        await exact.post_invoice(dup, D("100.00"), D("19.00"))
        await exact.delete_invoice(before[gone].targets[0].id)
        await live.update("sales_invoices", before[renamed].targets[0].id, {"YourRef": "X-1"})
        await exact.delete_invoice(before[wrong].targets[0].id)
        await exact.post_invoice(wrong, D("500.00"), D("95.00"))
        await exact.delete_invoice(before[credit].targets[0].id)
        net, vat = -before[credit].source.net, -before[credit].source.vat
        await exact.post_invoice(credit, net, vat)  # a credit note sent as an invoice

    result = await reconcile(world.engine, TENANT, "orders")
    after = by_ref(result)

    line = after[dup]
    assert line.status == "duplicated"
    assert sorted(amounts(t.amounts) for t in line.targets) == sorted(
        [amounts(before[dup].targets[0].amounts), (D("119.00"), D("100.00"), D("19.00"))]
    )
    for ref in (gone, renamed):
        line = after[ref]
        assert line.status == "missing" and line.targets == []
        assert line.log is not None and line.log.outcome == "sent"
        assert line.log.record_id == records[line.source_id].record_id
        assert line.log.run_id == report.run_id
    line = after[wrong]
    assert line.status == "different"
    assert amounts(line.targets[0].amounts) == (D("595.00"), D("500.00"), D("95.00"))
    src = line.source
    assert [(d.field, d.source, d.target) for d in line.differences] == [
        (name, getattr(src, name), value)
        for name, value in (("gross", D("595.00")), ("net", D("500.00")), ("vat", D("95.00")))
        if getattr(src, name) != value
    ]
    line = after[credit]
    assert line.status == "sign"
    assert line.source.gross < 0 < line.targets[0].amounts.gross
    assert line.targets[0].amounts.gross == -line.source.gross
    assert [d.field for d in line.differences] == ["gross", "net", "vat"] or (
        [d.field for d in line.differences] == ["gross", "net"] and line.source.vat == 0
    )
    untouched = set(before) - {dup, gone, renamed, wrong, credit}
    for ref in untouched:
        assert after[ref].status == before[ref].status
        assert after[ref].targets == before[ref].targets
    assert result.differences == 5

    old, new = first.totals()["target"], result.totals()["target"]
    removed = [before[ref].targets[0].amounts for ref in (gone, renamed, wrong, credit)]
    added = [(D("119.00"), D("100.00"), D("19.00")), (D("595.00"), D("500.00"), D("95.00"))]
    added.append((-before[credit].source.gross, net, vat))
    assert new.count == old.count + 3 - 4
    assert new.gross == old.gross - sum(a.gross for a in removed) + sum(a[0] for a in added)
    assert new.net == old.net - sum(a.net for a in removed) + sum(a[1] for a in added)
    assert new.vat == old.vat - sum(a.vat for a in removed) + sum(a[2] for a in added)
    assert result.totals()["source"] == first.totals()["source"]


async def test_a_clean_world_built_by_hand_reports_no_differences(world: World) -> None:
    receipts = [r for r in outbound(world) if paid(r)]
    truth = expected_source(world, receipts)
    async with connector(world, "exact_online") as live:
        exact = Exact(live)
        for ref, (gross, net, vat) in truth.items():
            await exact.post_invoice(ref, abs(net), abs(vat), credit=gross < 0)
    result = await reconcile(world.engine, TENANT, "orders")

    assert result.differences == 0
    assert [line.status for line in result.lines] == ["ok"] * len(truth)
    assert all(line.log is None and line.note is None for line in result.lines)
    totals = result.totals()
    assert totals["source"] == totals["target"]
    assert totals["target"].gross == sum(g for g, _, _ in truth.values())


async def test_sales_entries_compare_gross_and_vat_of_the_entry(world: World) -> None:
    await save_orders(world, document="sales_entry")
    receipts = sorted((r for r in outbound(world) if paid(r)), key=lambda r: r["date"])[:2]
    first, last = receipts[0]["date"], receipts[-1]["date"]
    in_period = [r for r in outbound(world) if paid(r) and first <= r["date"] <= last]
    truth = expected_source(world, in_period)
    async with connector(world, "exact_online") as live:
        exact = Exact(live)
        customer = await exact.customer()
        seeded = (await live.list("sales_entry_lines")).records
        gl_account = next(line["GLAccount"] for line in seeded if line.get("GLAccount"))
        for ref, (_, net, vat) in truth.items():
            wrong = ref == receipts[0]["invoicenumber"]
            line = {
                "GLAccount": gl_account,
                "AmountFC": net,
                "VATAmountFC": vat + (1 if wrong else 0),
            }
            await live.create(
                "sales_entries",
                {"Customer": customer, "Journal": "70", "YourRef": ref, "SalesEntryLines": [line]},
            )
    result = await reconcile(
        world.engine,
        TENANT,
        "orders",
        date_from=dt_date(first),
        date_to=dt_date(last),
    )

    assert result.target.startswith("exact_online.sales_entries")
    assert {line.ref for line in result.lines} == set(truth)
    wrong_line = by_ref(result)[receipts[0]["invoicenumber"]]
    gross, net, vat = truth[wrong_line.ref]
    assert wrong_line.status == "different"
    assert amounts(wrong_line.targets[0].amounts) == (gross + 1, net, vat + 1)
    assert [(d.field, d.source, d.target) for d in wrong_line.differences] == [
        ("gross", gross, gross + 1),
        ("vat", vat, vat + 1),
    ]
    assert result.differences == 1


# ---- what the source side holds --------------------------------------------------------------


async def test_payment_status_all_puts_unpaid_receipts_on_the_source_side(world: World) -> None:
    await save_orders(world, payment_status="all")
    result = await reconcile(world.engine, TENANT, "orders")

    receipts = outbound(world)
    assert any(not paid(r) for r in receipts)
    assert {line.ref for line in result.lines} == {r["invoicenumber"] for r in receipts}
    assert result.skipped == {}
    assert {line.status for line in result.lines} == {"missing"}
    assert {line.note for line in result.lines} == {
        "no run of the flow has processed this receipt yet"
    }
    assert result.differences == len(receipts)


async def test_period_limits_the_receipts_by_date(world: World) -> None:
    receipts = sorted((r for r in outbound(world) if paid(r)), key=lambda r: r["date"])
    start, end = receipts[1]["date"], receipts[-2]["date"]
    result = await reconcile(
        world.engine, TENANT, "orders", date_from=dt_date(start), date_to=dt_date(end)
    )
    wanted = {r["invoicenumber"] for r in receipts if start <= r["date"] <= end}
    assert {line.ref for line in result.lines} == wanted
    assert len(wanted) < len(receipts)
    assert result.to_json()["period"] == {"from": start, "to": end}


async def test_a_receipt_with_mixed_rates_is_split_by_its_postings(world: World) -> None:
    await save_orders(world, payment_status="all")
    day = dt_date("2026-02-03")
    async with connector(world, "exact_online") as live:
        exact = Exact(live)
        await live.create(
            "sales_invoices",
            {
                "OrderedBy": await exact.customer(),
                "YourRef": "RE-MIX-1",
                "Journal": "70",
                "SalesInvoiceLines": [
                    {"Item": await exact.item("UMSATZ19"), "UnitPrice": D("100.00")},
                    {"Item": await exact.item("UMSATZ7"), "UnitPrice": D("50.00")},
                ],
            },
        )
    async with connector(world, "buchhaltungsbutler") as bb:
        receipt = await bb.create(
            "receipts",
            {
                "type": "invoice outbound",
                "counterparty": "Mischsatz GmbH",
                "invoice_number": "RE-MIX-1",
                "date": day.isoformat(),
                "amount": D("172.50"),
                "currency": "EUR",
            },
        )
        unbooked = await reconcile(world.engine, TENANT, "orders", date_from=day, date_to=day)
        await bb.create(
            "postings",
            {
                "receipt_id_by_customer": receipt["id_by_customer"],
                "postingaccounts": ["8400", "8300"],
                "postingtexts": ["Waren 19 %", "Bücher 7 %"],
                "vats": ["19_vat", "7_vat"],
                "amounts": [D("119.00"), D("53.50")],
            },
        )
    booked = await reconcile(world.engine, TENANT, "orders", date_from=day, date_to=day)

    [line] = unbooked.lines
    assert amounts(line.source) == (D("172.50"), None, None)
    assert line.status == "ok" and "only the gross is compared" in (line.note or "")
    assert unbooked.totals()["source"].unknown == 1
    [line] = booked.lines
    assert amounts(line.source) == (D("172.50"), D("150.00"), D("22.50"))
    assert line.status == "ok" and line.note is None
    assert amounts(line.targets[0].amounts) == (D("172.50"), D("150.00"), D("22.50"))


# ---- the invoices flow (Exact -> BB) ---------------------------------------------------------


def exact_rows(w: World, table: str) -> list[dict[str, Any]]:
    return list(w.apps["exact_online"].state.sandbox.store.table(table).values())


async def test_invoices_reconcile_exact_invoices_against_bb_receipts(world: World) -> None:
    orders = await world.engine.run_flow(TENANT, "orders")
    made = {r.source_id for r in orders.records if r.outcome == "sent"}
    report = await world.engine.run_flow(TENANT, "invoices")
    assert report.status == "succeeded", report.error
    result = await reconcile(world.engine, TENANT, "invoices")

    every = {i["InvoiceNumber"] for i in exact_rows(world, "salesinvoice/SalesInvoices")}
    assert result.skipped == {"created by mapwright (flow orders): not sent back": len(made)}
    assert result.differences == 0 and {line.status for line in result.lines} == {"ok"}
    truth = {
        str(i["InvoiceNumber"]): D(repr(i["AmountFC"])).quantize(CENT)
        for i in exact_rows(world, "salesinvoice/SalesInvoices")
        if i.get("YourRef") not in {r["invoicenumber"] for r in outbound(world)}
    }
    assert {line.ref: line.source.gross for line in result.lines} == truth
    assert len(truth) < len(every)
    assert any(line.kind == "credit" for line in result.lines)
    for line in result.lines:
        assert line.targets[0].amounts.gross == line.source.gross
        assert line.targets[0].amounts.net is None, "BB gets only the gross from this flow"

    duplicate = result.lines[0]
    async with connector(world, "buchhaltungsbutler") as bb:
        await bb.create(
            "receipts",
            {
                "type": "invoice outbound",
                "counterparty": "Doppelt GmbH",
                "invoice_number": duplicate.ref,
                "date": duplicate.date,
                "amount": D("10.00"),
                "currency": "EUR",
            },
        )
    async with connector(world, "exact_online") as live:
        exact = Exact(live)
        await exact.post_invoice("NEW-1", D("200.00"), D("38.00"))
    new = next(
        i for i in exact_rows(world, "salesinvoice/SalesInvoices") if i.get("YourRef") == "NEW-1"
    )
    after = by_ref(await reconcile(world.engine, TENANT, "invoices"))

    line = after[duplicate.ref]
    assert line.status == "duplicated"
    assert sorted(str(t.amounts.gross) for t in line.targets) == sorted(
        [str(D("10.00")), str(duplicate.source.gross)]
    )
    line = after[str(new["InvoiceNumber"])]
    assert line.status == "missing" and line.log is None
    assert amounts(line.source) == (D("238.00"), D("200.00"), D("38.00"))


# ---- what cannot be reconciled -----------------------------------------------------------------


async def test_a_flow_without_reconciler_names_the_flows_that_have_one(world: World) -> None:
    with pytest.raises(NoReconciler) as caught:
        await reconcile(world.engine, TENANT, "stock")
    assert "flow 'stock' has no reconciler" in str(caught.value)
    assert "orders" in str(caught.value) and caught.value.available == ["invoices", "orders"]


async def test_an_unknown_flow_and_a_reversed_period_are_refused(world: World) -> None:
    with pytest.raises(FlowNotFound):
        await reconcile(world.engine, TENANT, "nope")
    with pytest.raises(ReconcileError, match="swap --from and --to"):
        await reconcile(
            world.engine,
            TENANT,
            "orders",
            date_from=dt_date("2025-03-01"),
            date_to=dt_date("2025-02-01"),
        )
