"""The seeded German division: VAT codes and their checks, prices, stock, deliveries."""

from __future__ import annotations

import pytest
from mapwright.connectors.exact_online.testing import make_sandbox

from .conftest import Wire, open_wire

INVALID_VAT = "Invalid reference: VAT code"
CONTRACT_VAT = {
    "1": ("Umsatzsteuer 19 %", 0.19, "E", "S", "N"),
    "2": ("Umsatzsteuer 7 %", 0.07, "E", "S", "N"),
    "0": ("Steuerfrei Inland 0 %", 0.0, "B", "S", "N"),
    "4": ("Innergemeinschaftliche Lieferung 0 % (EU)", 0.0, "B", "S", "L"),
    "5": ("Sonstige Leistung EU, Reverse Charge 0 %", 0.0, "B", "S", "S"),
    "6": ("Ausfuhrlieferung Drittland 0 %", 0.0, "B", "S", "N"),
    "11": ("Vorsteuer 19 %", 0.19, "E", "P", "N"),
    "12": ("Vorsteuer 7 %", 0.07, "E", "P", "N"),
}


def message(answer: object) -> str:
    return str(answer.json()["error"]["message"]["value"])  # type: ignore[attr-defined]


def customer(wire: Wire) -> str:
    return next(a["ID"] for a in wire.rows("crm/Accounts") if a["Status"] == "C")


def item(wire: Wire, code: str) -> str:
    return str(wire.one("logistics/Items", Code=code)["ID"])


async def test_the_division_has_the_german_vat_codes(wire: Wire) -> None:
    answer = await wire.get("vat/VATCodes", **{"$filter": "Code ne ''"})
    rows = answer.json()["d"]["results"]
    seen = {
        r["Code"]: (
            r["Description"],
            r["Percentage"],
            r["Type"],
            r["VATTransactionType"],
            r["EUSalesListing"],
        )
        for r in rows
    }
    assert seen == CONTRACT_VAT
    charged = {r["Code"] for r in rows if r["Charged"]}
    assert charged == {"4", "5"}
    division = (await wire.get("system/Divisions")).json()["d"]["results"][0]
    assert (division["Country"], division["Currency"]) == ("DE", "EUR")


@pytest.mark.parametrize(
    ("code", "why"), [("3", "unknown"), ("D1", "unknown"), ("11", "purchase"), ("12", "purchase")]
)
async def test_a_sales_line_with_an_unusable_vat_code_is_refused(
    wire: Wire, code: str, why: str
) -> None:
    before = (
        len(wire.rows("salesorder/SalesOrders")),
        len(wire.rows("salesinvoice/SalesInvoices")),
    )
    line = {"Item": item(wire, "UMSATZ19"), "AmountFC": 10.0, "VATCode": code}
    for path, lines in (
        ("salesorder/SalesOrders", "SalesOrderLines"),
        ("salesinvoice/SalesInvoices", "SalesInvoiceLines"),
    ):
        refused = await wire.post(path, {"OrderedBy": customer(wire), lines: [line]})
        assert (refused.status_code, message(refused)) == (500, INVALID_VAT), why
    after = (len(wire.rows("salesorder/SalesOrders")), len(wire.rows("salesinvoice/SalesInvoices")))
    assert after == before


async def test_a_blocked_vat_code_is_refused_on_entries_in_dutch_too() -> None:
    app, _, _ = make_sandbox(records=12, language="nl")
    wire = await open_wire(app)
    seven = wire.one("vat/VATCodes", Code="2")
    assert (await wire.put("vat/VATCodes", seven["ID"], {"IsBlocked": True})).status_code == 204
    gl = wire.rows("salesentry/SalesEntryLines")[0]["GLAccount"]
    body = {
        "Customer": customer(wire),
        "Journal": "70",
        "SalesEntryLines": [{"AmountFC": 10.0, "GLAccount": gl, "VATCode": "2"}],
    }
    before = len(wire.rows("salesentry/SalesEntries"))
    refused = await wire.post("salesentry/SalesEntries", body)
    assert (refused.status_code, message(refused)) == (500, "Ongeldige referentie: BTW-code")
    assert len(wire.rows("salesentry/SalesEntries")) == before
    await wire.http.aclose()


async def test_account_and_item_default_vat_codes_must_be_sales_codes(wire: Wire) -> None:
    accounts, items = len(wire.rows("crm/Accounts")), len(wire.rows("logistics/Items"))
    refused = await wire.post("crm/Accounts", {"Name": "Falsch GmbH", "SalesVATCode": "99"})
    assert (refused.status_code, message(refused)) == (500, INVALID_VAT)
    refused = await wire.post(
        "logistics/Items", {"Code": "X-1", "Description": "x", "SalesVatCode": "11"}
    )
    assert (refused.status_code, message(refused)) == (500, INVALID_VAT)
    assert (len(wire.rows("crm/Accounts")), len(wire.rows("logistics/Items"))) == (accounts, items)
    account = customer(wire)
    before = wire.one("crm/Accounts", ID=account)["SalesVATCode"]
    assert (await wire.put("crm/Accounts", account, {"SalesVATCode": "12"})).status_code == 500
    assert wire.one("crm/Accounts", ID=account)["SalesVATCode"] == before
    assert (await wire.put("crm/Accounts", account, {"SalesVATCode": "5"})).status_code == 204
    changed = wire.one("crm/Accounts", ID=account)
    assert (changed["SalesVATCode"], changed["SalesVATCodeDescription"]) == (
        "5",
        CONTRACT_VAT["5"][0],
    )
    key = item(wire, "UMSATZ7")
    assert (await wire.put("logistics/Items", key, {"SalesVatCode": "7"})).status_code == 500
    assert wire.one("logistics/Items", ID=key)["SalesVatCode"] == "2"


async def test_revenue_items_book_one_rate_each_and_have_no_price(wire: Wire) -> None:
    prices = {p["Item"] for p in wire.rows("logistics/SalesItemPrices")}
    for code, vat in (("UMSATZ19", "1"), ("UMSATZ7", "2"), ("UMSATZ0", "0")):
        row = wire.one("logistics/Items", Code=code)
        assert (row["SalesVatCode"], row["StandardSalesPrice"], row["IsStockItem"]) == (
            vat,
            None,
            False,
        )
        assert row["ID"] not in prices


async def test_every_sellable_stock_item_has_one_active_price_mirrored_on_the_item(
    wire: Wire,
) -> None:
    answer = await wire.get(
        "logistics/SalesItemPrices",
        **{"$filter": "Currency eq 'EUR'", "$select": "Item,Price,Currency,Account,StartDate"},
    )
    rows = answer.json()["d"]["results"]
    link = answer.json()["d"].get("__next")
    while link:
        page = (await wire.http.get(link)).json()["d"]
        rows += page["results"]
        link = page.get("__next")
    by_item = {r["Item"]: r for r in rows}
    assert len(by_item) == len(rows), "one price row per item"
    sellable = [i for i in wire.rows("logistics/Items") if i["IsStockItem"] and i["IsSalesItem"]]
    assert len(sellable) >= 40
    for row in sellable:
        price = by_item[row["ID"]]
        assert price["Account"] is None and price["StartDate"].startswith("/Date(")
        assert row["StandardSalesPrice"] == price["Price"] > 0


async def test_price_writes_keep_the_item_price_in_step_and_sync_sees_them(wire: Wire) -> None:
    code = wire.rows("logistics/Items")[0]["Code"]
    key = item(wire, code)
    row = wire.one("logistics/SalesItemPrices", Item=key)
    select = {"$select": "Timestamp,ID,Item,Price"}
    start = max(r["_ts"] for t in wire.sandbox.store.tables.values() for r in t.values())
    assert (
        await wire.put("logistics/SalesItemPrices", row["ID"], {"Price": 77.7})
    ).status_code == 204
    assert wire.one("logistics/Items", ID=key)["StandardSalesPrice"] == 77.7
    changed = await wire.get(
        "sync/Logistics/SalesItemPrices", **select, **{"$filter": f"Timestamp gt {start}"}
    )
    assert [(r["ID"], r["Price"]) for r in changed.json()["d"]["results"]] == [(row["ID"], 77.7)]
    items = await wire.get(
        "sync/Logistics/Items", **{"$select": "Timestamp,ID", "$filter": f"Timestamp gt {start}"}
    )
    assert items.json()["d"]["results"] == [], "the item record itself did not change"
    assert (await wire.delete("logistics/SalesItemPrices", row["ID"])).status_code == 204
    assert wire.one("logistics/Items", ID=key)["StandardSalesPrice"] is None
    made = await wire.post("logistics/SalesItemPrices", {"Item": key, "Price": 12.34})
    assert made.status_code == 201 and made.json()["d"]["Currency"] == "EUR"
    assert wire.one("logistics/Items", ID=key)["StandardSalesPrice"] == 12.34
    refused = await wire.post("logistics/SalesItemPrices", {"Item": key})
    assert (refused.status_code, message(refused)) == (400, "Mandatory: Price")


async def test_reserved_stock_is_back_to_back_not_the_planned_sales(wire: Wire) -> None:
    rows = wire.rows("inventory/ItemWarehouses")
    planned_only = [r for r in rows if r["PlannedStockOut"] > 0 and r["ReservedStock"] == 0]
    reserved = [r for r in rows if r["ReservedStock"] > 0]
    assert len(planned_only) >= 10 and 1 <= len(reserved) <= len(rows) // 10
    assert all(r["ReservedStock"] <= min(r["PlannedStockOut"], r["CurrentStock"]) for r in reserved)
    one = reserved[0]
    position = await wire.http.get(
        f"{wire.root}/read/logistics/StockPosition", params={"itemId": f"guid'{one['Item']}'"}
    )
    total = sum(r["ReservedStock"] for r in rows if r["Item"] == one["Item"])
    assert position.json()["d"][0]["ReservedStock"] == total > 0
    synced = await wire.get(
        "sync/Inventory/StockPositions",
        **{"$select": "ItemId,ReservedStock,PlanningOut", "$filter": "Timestamp gt 1"},
    )
    mine = [r for r in synced.json()["d"]["results"] if r["ItemId"] == one["Item"]]
    assert sum(r["ReservedStock"] for r in mine) == total


async def test_delivering_a_back_to_back_line_releases_its_reservation(wire: Wire) -> None:
    lines = [line for line in wire.rows("salesorder/SalesOrderLines") if line.get("_reserved")]
    line = lines[0]
    stock = wire.one(
        "inventory/ItemWarehouses",
        Item=line["Item"],
        Warehouse=wire.rows("inventory/Warehouses")[0]["ID"],
    )
    reserved, planned = stock["ReservedStock"], stock["PlannedStockOut"]
    body = {
        "DeliveryDate": "2027-01-04T00:00:00",
        "GoodsDeliveryLines": [
            {"SalesOrderLineID": line["ID"], "QuantityDelivered": line["Quantity"]}
        ],
    }
    assert (await wire.post("salesorder/GoodsDeliveries", body)).status_code == 201
    after = wire.one("inventory/ItemWarehouses", ID=stock["ID"])
    assert after["ReservedStock"] == reserved - line["Quantity"]
    assert after["PlannedStockOut"] == planned - line["Quantity"]


async def test_deliveries_name_their_shipping_method(wire: Wire) -> None:
    methods = {m["ID"]: m for m in wire.rows("sales/ShippingMethods")}
    seeded = wire.rows("salesorder/GoodsDeliveries")
    assert seeded
    for delivery in seeded:
        first = wire.one("salesorder/GoodsDeliveryLines", EntryID=delivery["EntryID"], LineNumber=1)
        order_line = wire.one("salesorder/SalesOrderLines", ID=first["SalesOrderLineID"])
        order = wire.one("salesorder/SalesOrders", OrderID=order_line["OrderID"])
        method = methods[order["ShippingMethod"]]
        assert delivery["ShippingMethod"] == order["ShippingMethod"]
        assert (delivery["ShippingMethodCode"], delivery["ShippingMethodDescription"]) == (
            method["Code"],
            method["Description"],
        )
    open_line = next(
        r for r in wire.rows("salesorder/SalesOrderLines") if r["QuantityDelivered"] == 0
    )
    dpd = next(m for m in methods.values() if m["Code"] == "DPD")
    body = {
        "DeliveryDate": "2027-01-04T00:00:00",
        "ShippingMethod": dpd["ID"],
        "GoodsDeliveryLines": [{"SalesOrderLineID": open_line["ID"], "QuantityDelivered": 1}],
    }
    made = await wire.post("salesorder/GoodsDeliveries", body)
    assert made.status_code == 201, made.text
    assert (
        made.json()["d"]["ShippingMethodCode"],
        made.json()["d"]["ShippingMethodDescription"],
    ) == (
        "DPD",
        "DPD Classic",
    )


async def test_an_unknown_shipping_method_is_an_invalid_reference(wire: Wire) -> None:
    open_line = next(
        r for r in wire.rows("salesorder/SalesOrderLines") if r["QuantityDelivered"] == 0
    )
    body = {
        "DeliveryDate": "2027-01-04T00:00:00",
        "ShippingMethod": "00000000-0000-4000-8000-000000000001",
        "GoodsDeliveryLines": [{"SalesOrderLineID": open_line["ID"], "QuantityDelivered": 1}],
    }
    before = len(wire.rows("salesorder/GoodsDeliveries"))
    refused = await wire.post("salesorder/GoodsDeliveries", body)
    assert (refused.status_code, message(refused)) == (500, "Invalid reference: ShippingMethod")
    assert len(wire.rows("salesorder/GoodsDeliveries")) == before
    assert wire.one("salesorder/SalesOrderLines", ID=open_line["ID"])["QuantityDelivered"] == 0


async def test_orders_name_a_known_shipping_method(wire: Wire) -> None:
    line = {"Item": item(wire, "UMSATZ19"), "AmountFC": 10.0}
    body = {
        "OrderedBy": customer(wire),
        "ShippingMethod": "00000000-0000-4000-8000-000000000002",
        "SalesOrderLines": [line],
    }
    refused = await wire.post("salesorder/SalesOrders", body)
    assert (refused.status_code, message(refused)) == (500, "Invalid reference: ShippingMethod")
    dhl = next(m for m in wire.rows("sales/ShippingMethods") if m["Code"] == "DHL")
    made = await wire.post("salesorder/SalesOrders", {**body, "ShippingMethod": dhl["ID"]})
    assert made.json()["d"]["ShippingMethodDescription"] == "DHL Paket"
