"""Contract suite: the connector against the sandbox (and the real API when opted in)."""

from __future__ import annotations

import json
import uuid

import pytest
from mapwright.connectors.errors import FatalError, SkippableError, UnsupportedObject
from mapwright.connectors.exact_online.testing import Target


def requests(t: Target) -> int:
    return t.sandbox.counters.requests if t.sandbox else 0


async def test_division_comes_from_current_me(target: Target) -> None:
    division = await target.connector.division()
    assert isinstance(division, int)
    me = await target.connector.me()
    assert me["CurrentDivision"] == division
    if target.sandbox:
        assert division == target.sandbox.division


async def test_sync_list_is_resumable_by_timestamp(target: Target) -> None:
    c = target.connector
    first = await c.list("accounts", page_size=5)
    assert len(first.records) == 5 and first.has_more
    stamps = [r["Timestamp"] for r in first.records]
    assert stamps == sorted(stamps)
    second = await c.list("accounts", cursor=first.cursor, page_size=5)
    assert min(r["Timestamp"] for r in second.records) > max(stamps)
    assert not {r["ID"] for r in first.records} & {r["ID"] for r in second.records}


async def test_new_record_shows_up_after_the_stored_cursor(target: Target) -> None:
    c = target.connector
    page = await c.list("accounts")
    while page.has_more:
        page = await c.list("accounts", cursor=page.cursor)
    name = f"mapwright contract Jürgen Größ {uuid.uuid4().hex[:6]}"
    created = await c.create("accounts", {"Name": name, "Status": "C", "Country": "DE"})
    after = await c.list("accounts", cursor=page.cursor)
    mine = [r for r in after.records if r["ID"] == created["ID"]]
    assert len(mine) == 1 and mine[0]["Name"] == name
    if target.sandbox:
        assert len(after.records) == 1


async def test_modified_list_pages_with_next_and_resumes_mid_way(target: Target) -> None:
    c = target.connector
    first = await c.list("item_warehouses")
    seen = [r["ID"] for r in first.records]
    assert len(first.records) <= 60
    cursor = first.cursor
    while True:
        page = await c.list("item_warehouses", cursor=cursor)
        seen += [r["ID"] for r in page.records]
        cursor = page.cursor
        if not page.has_more:
            break
        assert cursor is not None and "next" in json.loads(cursor)
    assert len(seen) == len(set(seen))
    if target.sandbox:
        assert first.has_more, "seed has more than one page of item warehouses"
        assert len(seen) == len(target.sandbox.store.table("inventory/ItemWarehouses"))
    assert cursor is not None
    final = json.loads(cursor)
    assert set(final) == {"since"} and final["since"].endswith("Z")


async def test_find_accounts_by_unpadded_code_in_one_call(target: Target) -> None:
    c = target.connector
    page = await c.list("accounts", page_size=3)
    codes = [r["Code"].strip() for r in page.records]
    before = requests(target)
    found = await c.find("accounts", "Code", codes + ["999999999"])
    if target.sandbox:
        assert requests(target) - before == 1
    for code, record in zip(codes, page.records, strict=True):
        assert [r["ID"] for r in found[code]] == [record["ID"]]
    assert found["999999999"] == []


async def test_find_chunks_many_values(target: Target) -> None:
    c = target.connector
    items = (await c.list("items", page_size=40)).records
    codes = [r["Code"] for r in items]
    before = requests(target)
    found = await c.find("items", "Code", codes)
    if target.sandbox:
        assert requests(target) - before == 2  # 40 values, 25 per filter
    assert all(len(found[code]) == 1 for code in codes)


async def test_get_by_key_and_miss_costs_no_error_budget(target: Target) -> None:
    c = target.connector
    item = (await c.list("items", page_size=1)).records[0]
    got = await c.get("items", item["ID"])
    assert got is not None and got["Code"] == item["Code"]
    assert await c.get("items", str(uuid.uuid4())) is None
    if target.sandbox:
        assert not any(target.sandbox.counters.errors.values())


async def test_create_account_pads_code_and_returns_the_record(target: Target) -> None:
    code = str(uuid.uuid4().int % 10**8)
    created = await target.connector.create(
        "accounts", {"Name": "Bäckerei Öztürk GmbH", "Code": code, "Status": "C"}
    )
    assert created["Code"] == code.rjust(18)
    assert uuid.UUID(created["ID"])
    found = await target.connector.find("accounts", "Code", [code])
    assert [r["ID"] for r in found[code]] == [created["ID"]]


async def test_missing_required_field_is_refused_before_any_call(target: Target) -> None:
    before = requests(target)
    with pytest.raises(SkippableError, match="Name"):
        await target.connector.create("accounts", {"City": "Köln"})
    with pytest.raises(SkippableError, match=r"SalesOrderLines\[0\]\.Item"):
        await target.connector.create(
            "sales_orders", {"OrderedBy": str(uuid.uuid4()), "SalesOrderLines": [{"Quantity": 1}]}
        )
    assert requests(target) == before


async def test_unknown_field_is_a_configuration_error(target: Target) -> None:
    with pytest.raises(FatalError, match="IsPerson"):
        await target.connector.create("accounts", {"Name": "X", "IsPerson": True})


async def test_sales_order_with_lines_then_goods_delivery(target: Target) -> None:
    c = target.connector
    accounts = (await c.list("accounts", page_size=20)).records
    customer = next(a for a in accounts if a.get("Status") == "C")
    items = (await c.list("items", page_size=50)).records
    item = next(i for i in items if i.get("IsStockItem") and i.get("IsSalesItem"))
    before = await c.get("stock_position", item["ID"])
    order = await c.create(
        "sales_orders",
        {
            "OrderedBy": customer["ID"],
            "YourRef": f"WEB-{uuid.uuid4().hex[:8]}",
            "SalesOrderLines": [{"Item": item["ID"], "Quantity": 2, "UnitPrice": 10.0}],
        },
    )
    assert order["OrderNumber"] > 0
    assert order["AmountFCExclVat"] == pytest.approx(20.0)
    lines = (await c.find("sales_order_lines", "OrderID", [order["OrderID"]]))[order["OrderID"]]
    assert len(lines) == 1 and lines[0]["ItemCode"] == item["Code"]
    found = await c.find("sales_orders", "YourRef", [order["YourRef"]])
    assert [o["OrderID"] for o in found[order["YourRef"]]] == [order["OrderID"]]
    planned = await c.get("stock_position", item["ID"])
    assert planned is not None and before is not None
    assert planned["PlanningOut"] == pytest.approx(before["PlanningOut"] + 2)
    delivery = await c.create(
        "goods_deliveries",
        {
            "DeliveryDate": "2026-11-25T10:00:00",
            "GoodsDeliveryLines": [{"SalesOrderLineID": lines[0]["ID"], "QuantityDelivered": 2}],
        },
    )
    assert delivery["DeliveryNumber"] > 0
    after = await c.get("stock_position", item["ID"])
    assert after is not None
    assert after["InStock"] == pytest.approx(before["InStock"] - 2)
    assert after["PlanningOut"] == pytest.approx(before["PlanningOut"])
    done = await c.get("sales_orders", order["OrderID"])
    assert done is not None and done["Status"] == 21
    assert [ln["QuantityDelivered"] for ln in done["SalesOrderLines"]] == [2.0]


async def test_update_then_read_back(target: Target) -> None:
    c = target.connector
    account = await c.create("accounts", {"Name": "Straßenbau Weiß", "Status": "C"})
    await c.update("accounts", account["ID"], {"City": "Düsseldorf", "AddressLine1": "Kö 12a"})
    got = await c.get("accounts", account["ID"])
    assert got is not None and got["City"] == "Düsseldorf" and got["AddressLine1"] == "Kö 12a"


async def test_business_rule_violations_are_skippable(target: Target) -> None:
    c = target.connector
    item = (await c.list("items", page_size=1)).records[0]
    with pytest.raises(SkippableError) as duplicate:
        await c.create("items", {"Code": item["Code"], "Description": "Doppelt"})
    assert duplicate.value.status == 500
    prospect = await c.create("accounts", {"Name": "Interessent Lemaître", "Status": "P"})
    with pytest.raises(SkippableError, match=r"\(Type\)"):
        await c.create(
            "sales_invoices",
            {"OrderedBy": prospect["ID"], "SalesInvoiceLines": [{"Item": item["ID"]}]},
        )


async def test_stock_positions_and_extra_fields(target: Target) -> None:
    c = target.connector
    page = await c.list("stock_positions")
    assert page.records and all("ItemId" in r and "Timestamp" in r for r in page.records)
    item = (await c.list("items", page_size=1)).records[0]
    extra = await c.find("item_extra_fields", "ItemID", [item["ID"]])
    if target.sandbox:
        assert {r["Number"] for r in extra[item["ID"]]} == {1, 2}


async def test_invoice_and_entry_lists(target: Target) -> None:
    c = target.connector
    invoices = await c.list("sales_invoices")
    entries = await c.list("sales_entries")
    if target.sandbox:
        assert invoices.records and entries.records
        inv = invoices.records[0]
        lines = await c.find("sales_invoice_lines", "InvoiceID", [inv["InvoiceID"]])
        assert sum(r["AmountFC"] for r in lines[inv["InvoiceID"]]) == pytest.approx(
            inv["AmountFCExclVat"]
        )


async def test_variants_are_named_as_unsupported_with_the_alternative(target: Target) -> None:
    with pytest.raises(UnsupportedObject) as info:
        await target.connector.list("item_variants")
    assert "Class_01" in (info.value.alternative or "")


async def test_impossible_keys_cost_no_call(target: Target) -> None:
    c = target.connector
    item = (await c.list("items", page_size=1)).records[0]
    before = requests(target)
    assert await c.get("items", "not-a-guid") is None
    found = await c.find("items", "ID", ["not-a-guid", item["ID"].upper()])
    assert found["not-a-guid"] == []
    assert [r["ID"] for r in found[item["ID"].upper()]] == [item["ID"]]
    if target.sandbox:
        assert requests(target) - before == 1
    with pytest.raises(SkippableError, match="not a valid ID"):
        await c.update("items", "not-a-guid", {"Notes": "x"})
