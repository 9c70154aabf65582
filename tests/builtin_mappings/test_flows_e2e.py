"""The built-in flows end to end: real engine, real connectors, the three sandboxes in-process.

What each test checks is read back from the sandboxes' own state, i.e. what the flow really
wrote through the APIs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from flow_sandboxes import World, build, connector
from mapwright.connectors.sandbox import FaultOptions

ITEMS = {"19": "SHIRT-001-S", "7": "SHIRT-001-M", "0": "SHIRT-001-L"}
TENANT = "acme"
#: accounts with higher request limits than Exact's 60 and BB's 100 a minute (both sandboxes
#: enforce it, the connectors pace to it): the pacing is tested in tests/connectors, these
#: tests check what the flows write
FAST = 5000


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    w = build(tmp_path, bb_per_minute=FAST, exact_per_minute=FAST)
    yield w
    await w.close()


def exact(w: World, table: str) -> list[dict[str, Any]]:
    return list(w.apps["exact_online"].state.sandbox.store.table(table).values())


def bb(w: World, table: str) -> list[dict[str, Any]]:
    return list(w.apps["buchhaltungsbutler"].state.bb.store.all(table))


def shop(w: World, table: str) -> list[dict[str, Any]]:
    return list(w.apps["shop"].state.shop.store.all(table))


def outcomes(report: Any) -> dict[str, tuple[str, str | None]]:
    return {r.source_id: (r.outcome, r.reason) for r in report.records}


def receipt_numbers(w: World) -> set[str]:
    return {str(r["invoicenumber"]) for r in bb(w, "receipts")}


def paid_receipts(w: World) -> set[str]:
    return {
        r["invoicenumber"]
        for r in bb(w, "receipts")
        if r["type"] in ("invoice outbound", "credit outbound")
        and r["amount_paid"] == r["amount"]
        and float(r["amount"]) != 0
    }


# ---- orders ---------------------------------------------------------------------------------


async def test_orders_send_paid_receipts_once_as_sales_invoices(world: World) -> None:
    report = await world.engine.run_flow(TENANT, "orders", settings={"items_by_vat": ITEMS})
    sent = {r.source_id for r in report.records if r.outcome == "sent"}
    skipped = [r.reason for r in report.records if r.outcome == "skipped"]
    assert sent and all("payment state unpaid" in (reason or "") for reason in skipped)
    invoices = [
        i
        for i in exact(world, "salesinvoice/SalesInvoices")
        if str(i.get("YourRef", "")) in receipt_numbers(world)
    ]
    refs = [i["YourRef"] for i in invoices]
    assert len(refs) == len(set(refs)) == len(sent)
    assert set(refs) <= paid_receipts(world)

    again = await world.engine.run_flow(TENANT, "orders", settings={"items_by_vat": ITEMS})
    assert not [r for r in again.records if r.outcome == "sent"]
    refs_after = [
        i["YourRef"]
        for i in exact(world, "salesinvoice/SalesInvoices")
        if str(i.get("YourRef", "")) in receipt_numbers(world)
    ]
    assert sorted(refs_after) == sorted(refs), "a second run creates nothing"


async def test_orders_status_filter_all_sends_unpaid_too(world: World) -> None:
    report = await world.engine.run_flow(
        TENANT, "orders", settings={"items_by_vat": ITEMS, "payment_status": "all"}
    )
    assert not [r for r in report.records if r.outcome == "skipped"]


async def test_orders_company_becomes_account_with_contact_person_as_contact(world: World) -> None:
    await world.engine.run_flow(
        TENANT, "orders", settings={"items_by_vat": ITEMS, "payment_status": "all"}
    )
    companies = {
        d["name"]: d
        for d in bb(world, "debtors")
        if d["contact_person_name"] and d["contact_person_name"] != d["name"]
    }
    accounts = {a["Name"]: a for a in exact(world, "crm/Accounts")}
    contacts = exact(world, "crm/Contacts")
    linked = [
        n
        for n in companies
        if n in accounts and any(c.get("Account") == accounts[n]["ID"] for c in contacts)
    ]
    assert linked, "at least one company debtor arrived with its contact person"


async def test_orders_missing_item_stops_the_run_before_any_write(world: World) -> None:
    accounts = len(exact(world, "crm/Accounts"))
    report = await world.engine.run_flow(
        TENANT, "orders", settings={"items_by_vat": {"19": "NOPE", "7": ITEMS["7"], "0": "NOPE"}}
    )
    assert report.status == "failed" and not report.records
    assert "items_by_vat['19'] names Code 'NOPE'" in (report.error or "")
    assert "items_by_vat['0'] names Code 'NOPE'" in (report.error or "")
    assert "items_by_vat['7']" not in (report.error or "")
    assert len(exact(world, "crm/Accounts")) == accounts
    assert not [
        i
        for i in exact(world, "salesinvoice/SalesInvoices")
        if str(i.get("YourRef", "")) in receipt_numbers(world)
    ]


async def test_orders_vat_table_missing_an_entry_names_the_key(world: World) -> None:
    report = await world.engine.run_flow(
        TENANT, "orders", settings={"items_by_vat": ITEMS, "vat_codes": {"DE:7": "2"}}
    )
    reasons = [r.reason or "" for r in report.records if r.outcome in ("failed", "parked")]
    assert any('add "DE:19"' in reason for reason in reasons)


async def test_orders_default_debtor_forced_for_every_order(world: World) -> None:
    account = exact(world, "crm/Accounts")[0]
    code = account["Code"].strip()
    report = await world.engine.run_flow(
        TENANT,
        "orders",
        settings={"items_by_vat": ITEMS, "default_debtor": code, "default_debtor_mode": "force"},
    )
    assert [r for r in report.records if r.outcome == "sent"]
    invoices = [
        i
        for i in exact(world, "salesinvoice/SalesInvoices")
        if str(i.get("YourRef", "")) in receipt_numbers(world)
    ]
    assert invoices and {i["OrderedBy"] for i in invoices} == {account["ID"]}


async def test_orders_forced_default_debtor_is_not_rewritten_for_every_order(
    world: World,
) -> None:
    account = exact(world, "crm/Accounts")[0]
    assert account["Code"] != account["Code"].strip(), "Exact pads account codes"
    report = await world.engine.run_flow(
        TENANT,
        "orders",
        settings={"default_debtor": account["Code"].strip(), "default_debtor_mode": "force"},
    )
    actions = [
        op["action"]
        for record in report.records
        for op in record.operations
        if op["operation"] == "customer"
    ]
    assert actions and set(actions) == {"unchanged"}, actions


async def test_orders_default_debtor_mode_without_code_parks_clearly(world: World) -> None:
    report = await world.engine.run_flow(
        TENANT, "orders", settings={"items_by_vat": ITEMS, "default_debtor_mode": "force"}
    )
    assert any("default_debtor is empty" in (r.reason or "") for r in report.records)


async def test_orders_ambiguous_customer_match_parks(world: World) -> None:
    accounts = world.apps["exact_online"].state.sandbox.store.table("crm/Accounts")
    names = {r["counterparty"] for r in bb(world, "receipts")}
    debtor = next(d for d in bb(world, "debtors") if d["email"] and d["name"] in names)
    for record in list(accounts.values())[:2]:
        record["Email"] = debtor["email"]
    report = await world.engine.run_flow(
        TENANT, "orders", settings={"items_by_vat": ITEMS, "payment_status": "all"}
    )
    assert any(
        "ambiguous" in (r.reason or "").lower() or "2 records" in (r.reason or "")
        for r in report.records
        if r.outcome == "parked"
    )


async def test_orders_dry_run_writes_nothing(world: World) -> None:
    before = len(exact(world, "salesinvoice/SalesInvoices"))
    report = await world.engine.run_flow(
        TENANT, "orders", dry_run=True, settings={"items_by_vat": ITEMS}
    )
    assert report.records and len(exact(world, "salesinvoice/SalesInvoices")) == before


async def test_orders_with_timeouts_after_commit_give_exactly_one_invoice_each(
    tmp_path: Path,
) -> None:
    faults = {"exact_online": FaultOptions(timeout_after_commit_rate=0.5)}
    w = build(tmp_path, faults=faults, bb_per_minute=FAST, exact_per_minute=FAST)
    try:
        for _ in range(3):
            await w.engine.run_flow(TENANT, "orders", settings={"items_by_vat": ITEMS})
        refs = [
            i["YourRef"]
            for i in exact(w, "salesinvoice/SalesInvoices")
            if str(i.get("YourRef", "")) in receipt_numbers(w)
        ]
        assert refs, "some invoices arrived despite the faults"
        assert len(refs) == len(set(refs)), "no receipt became two invoices"
        assert set(refs) <= paid_receipts(w)
    finally:
        await w.close()


# ---- customers, invoices ------------------------------------------------------------------


async def test_customers_to_exact_company_and_person(world: World) -> None:
    report = await world.engine.run_flow(TENANT, "customers_to_exact")
    assert [r for r in report.records if r.outcome == "sent"]
    names = {a["Name"] for a in exact(world, "crm/Accounts")}
    sent_debtors = [d for d in bb(world, "debtors") if d["email"]]
    assert {d["name"] for d in sent_debtors} <= names
    no_mail = [r for r in report.records if r.outcome == "parked"]
    assert all("e-mail" in (r.reason or "") for r in no_mail)


async def test_customers_to_exact_picks_up_a_changed_debtor(world: World) -> None:
    await world.engine.run_flow(TENANT, "customers_to_exact")
    debtor = next(d for d in bb(world, "debtors") if d["email"])
    async with connector(world, "buchhaltungsbutler") as books:
        await books.update(
            "debtors", int(debtor["postingaccount_number"]), {"city": "Neustadt an der Weinstraße"}
        )
    report = await world.engine.run_flow(TENANT, "customers_to_exact")
    updated = [
        op for record in report.records for op in record.operations if op.get("action") == "updated"
    ]
    assert [op["diff"] for op in updated] == [
        {"City": {"before": debtor["city"], "after": "Neustadt an der Weinstraße"}}
    ]
    accounts = [
        a for a in exact(world, "crm/Accounts") if a.get("Email") == debtor["email"].lower()
    ]
    assert [a["City"] for a in accounts] == ["Neustadt an der Weinstraße"]


async def test_customers_to_buchhaltungsbutler_updates_changed_fields(world: World) -> None:
    await world.engine.run_flow(TENANT, "customers_to_buchhaltungsbutler")
    debtors = {d["email"]: d for d in bb(world, "debtors") if d["email"]}
    account = next(a for a in exact(world, "crm/Accounts") if a["Status"] == "C" and a["Email"])
    assert account["Email"].lower() in debtors
    async with connector(world, "exact_online") as erp:
        await erp.update("accounts", account["ID"], {"City": "Neustadt an der Weinstraße"})
    await world.engine.run_flow(TENANT, "customers_to_buchhaltungsbutler")
    debtors = {d["email"]: d for d in bb(world, "debtors") if d["email"]}
    assert debtors[account["Email"].lower()]["city"] == "Neustadt an der Weinstraße"


async def test_invoices_become_receipts_once(world: World) -> None:
    await world.engine.run_flow(TENANT, "invoices")
    await world.engine.run_flow(TENANT, "invoices")
    numbers = {str(i["InvoiceNumber"]) for i in exact(world, "salesinvoice/SalesInvoices")}
    receipts = [r["invoicenumber"] for r in bb(world, "receipts") if r["invoicenumber"] in numbers]
    assert receipts and len(receipts) == len(set(receipts))


# ---- products, stock, shipments ------------------------------------------------------------


async def test_products_variants_categories_and_create_only_description(world: World) -> None:
    report = await world.engine.run_flow(TENANT, "products")
    assert [r for r in report.records if r.outcome == "sent"]
    products = {p["sku"]: p for p in shop(world, "products")}
    codes = {i["Code"] for i in exact(world, "logistics/Items")}
    variants = [p for p in products.values() if p["type"] == "variant" and p["sku"] in codes]
    assert variants
    parent = next(p for p in products.values() if p["id"] == variants[0]["parent_id"])
    assert parent["type"] == "configurable"
    assert variants[0]["options"], "variant options come from the attribute mapping"
    assert shop(world, "categories")
    sku = variants[0]["sku"]
    store = world.apps["shop"].state.shop.store
    store.put("products", products[sku]["id"], {**products[sku], "description": "hand written"})
    item = next(i for i in exact(world, "logistics/Items") if i["Code"] == sku)
    async with connector(world, "exact_online") as erp:
        await erp.update(
            "items",
            item["ID"],
            {"Description": item["Description"] + " neu", "ExtraDescription": "from Exact"},
        )
    await world.engine.run_flow(TENANT, "products")
    after = {p["sku"]: p for p in shop(world, "products")}[sku]
    assert after["description"] == "hand written", "create-only field kept"
    assert after["name"].endswith(" neu"), "always-fields updated"


async def test_stock_levels_after_products(world: World) -> None:
    await world.engine.run_flow(TENANT, "products")
    report = await world.engine.run_flow(TENANT, "stock")
    assert [r for r in report.records if r.outcome == "sent"]
    rows = exact(world, "inventory/ItemWarehouses")
    stock = {s["sku"]: s for s in shop(world, "stock")}
    for sku in {r["ItemCode"] for r in rows if r["ItemCode"] in stock}:
        mine = [r for r in rows if r["ItemCode"] == sku]
        want = sum((r["CurrentStock"] or 0) - (r.get("PlannedStockOut") or 0) for r in mine)
        assert stock[sku]["quantity"] == max(0, int(want))
        assert stock[sku]["manage_stock"] is True


async def test_stock_projected_and_unmanaged(world: World) -> None:
    await world.engine.run_flow(TENANT, "products")
    await world.engine.run_flow(
        TENANT, "stock", settings={"calculation": "projected", "manage_stock": False}
    )
    rows = exact(world, "inventory/ItemWarehouses")
    for level in shop(world, "stock"):
        mine = [r for r in rows if r["ItemCode"] == level["sku"]]
        if mine:
            assert level["quantity"] == max(0, int(sum(r["ProjectedStock"] or 0 for r in mine)))
            assert level["manage_stock"] is False


async def test_shipments_one_per_delivery_with_its_own_lines(world: World) -> None:
    await world.engine.run_flow(TENANT, "products")
    report = await world.engine.run_flow(TENANT, "shipments")
    assert [r for r in report.records if r.outcome == "sent"], report.records
    deliveries = exact(world, "salesorder/GoodsDeliveries")
    ours = [s for s in shop(world, "shipments") if "/" in (s["shipment_reference"] or "")]
    assert len(ours) == len(deliveries)
    assert len({s["shipment_reference"] for s in ours}) == len(ours)
    lines = exact(world, "salesorder/GoodsDeliveryLines")
    for delivery in deliveries:
        mine = [line for line in lines if line["EntryID"] == delivery["EntryID"]]
        sent = next(s for s in ours if s["tracking_number"] == delivery["TrackingNumber"])
        assert sorted(x["sku"] for x in sent["lines"]) == sorted(x["ItemCode"] for x in mine)
    await world.engine.run_flow(TENANT, "shipments")
    again = [s for s in shop(world, "shipments") if "/" in (s["shipment_reference"] or "")]
    assert len(again) == len(deliveries), "a delivery is never sent twice"


async def test_exact_refresh_token_rotation_survives_between_runs(world: World) -> None:
    for _ in range(3):
        report = await world.engine.run_flow(TENANT, "customers_to_buchhaltungsbutler")
        assert report.status in ("succeeded", "partial"), report.error
    tokens = list(
        (Path(str(world.store.engine.url).removeprefix("sqlite:///")).parent / "tokens").glob(
            "*.json"
        )
    )
    assert len(tokens) == 1 and oct(tokens[0].stat().st_mode)[-3:] == "600"
