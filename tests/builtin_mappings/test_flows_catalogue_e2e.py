"""Products, stock and shipments end to end, checked against business truth (issue 9).

Real engine, real connectors, the sandboxes in-process. Each test reads back what the flow
really wrote (the shop's own state) and compares it with what Exact holds: the price to the
cent, the available stock by Exact's definition, the carrier of each delivery.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from flow_sandboxes import World, build, connector

TENANT = "acme"
CENT = Decimal("0.01")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    w = build(tmp_path)
    yield w
    await w.close()


def exact(w: World, table: str) -> list[dict[str, Any]]:
    return list(w.apps["exact_online"].state.sandbox.store.table(table).values())


def shop(w: World, table: str) -> dict[str, dict[str, Any]]:
    """The shop's records of ``table`` by SKU (shipments by shipment reference)."""
    key = "shipment_reference" if table == "shipments" else "sku"
    return {r[key]: dict(r) for r in w.apps["shop"].state.shop.store.all(table)}


def cents(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def sent(report: Any) -> list[Any]:
    return [r for r in report.records if r.outcome == "sent"]


def webshop_items(w: World) -> dict[str, dict[str, Any]]:
    return {i["Code"]: i for i in exact(w, "logistics/Items") if i.get("IsWebshopItem") == 1}


def day(offset: int) -> str:
    return (datetime.now(UTC) + timedelta(days=offset)).strftime("%Y-%m-%dT00:00:00Z")


async def touch_items(w: World, codes: list[str]) -> None:
    """Change a field the flow does not map, so the next run reads these items again."""
    items = webshop_items(w)
    async with connector(w, "exact_online") as erp:
        for code in codes:
            await erp.update("items", items[code]["ID"], {"Notes": f"checked {code}"})


# ---- item 6: products ------------------------------------------------------------------------


async def test_products_price_is_the_exact_sales_price_to_the_cent_and_a_second_run_changes_nothing(
    world: World,
) -> None:
    items = webshop_items(world)
    some = sorted(items)[0]
    customer = next(a for a in exact(world, "crm/Accounts") if a["Status"] == "C")
    async with connector(world, "exact_online") as erp:
        # a customer's own price and an expired price must not become the shop price
        await erp.create(
            "item_prices",
            {"Item": items[some]["ID"], "Account": customer["ID"], "Price": 1.11},
        )
        await erp.create(
            "item_prices",
            {"Item": items[some]["ID"], "Price": 2.22, "StartDate": day(-60), "EndDate": day(-30)},
        )

    report = await world.engine.run_flow(TENANT, "products")

    assert sent(report)
    products = shop(world, "products")
    simple_or_variant = [p for p in products.values() if p["sku"] in items]
    assert len(simple_or_variant) == len(items)
    for product in simple_or_variant:
        rows = [
            r
            for r in exact(world, "logistics/SalesItemPrices")
            if r["Item"] == items[product["sku"]]["ID"]
            and not r.get("Account")
            and not r.get("EndDate")
        ]
        assert len(rows) == 1
        assert Decimal(product["price"]) == cents(rows[0]["Price"]), product["sku"]
        assert Decimal(product["price"]) > 0
        assert product["currency"] == "EUR"

    before = shop(world, "products")
    await touch_items(world, sorted(items))
    again = await world.engine.run_flow(TENANT, "products")

    assert {r.outcome for r in again.records} == {"skipped"}, [
        (r.source_id, r.outcome, r.reason) for r in again.records if r.outcome != "skipped"
    ]
    assert len(again.records) >= len(items), "the second run read the items again"
    assert shop(world, "products") == before, "nothing in the shop changed"


async def test_products_an_item_without_an_exact_price_is_never_written_at_price_zero(
    world: World,
) -> None:
    await world.engine.run_flow(TENANT, "products")
    items = webshop_items(world)
    kept = next(code for code, i in items.items() if not i.get("Class_01"))
    kept_price = Decimal(shop(world, "products")[kept]["price"])
    price_row = next(
        r for r in exact(world, "logistics/SalesItemPrices") if r["Item"] == items[kept]["ID"]
    )
    async with connector(world, "exact_online") as erp:
        new = await erp.create(
            "items", {"Code": "GIFT-NOPRICE", "Description": "Geschenkbox", "IsWebshopItem": 1}
        )
        # the price of an item already in the shop ends; its name changes in the same run
        await erp.update("item_prices", price_row["ID"], {"EndDate": day(-1)})
        await erp.update("items", items[kept]["ID"], {"Description": "Neu im Sortiment"})

    report = await world.engine.run_flow(TENANT, "products")

    outcomes = {r.source_id: (r.outcome, r.reason or "") for r in report.records}
    outcome, reason = outcomes[new["ID"]]
    assert outcome == "parked" and "no active sales price" in reason
    assert "GIFT-NOPRICE" not in shop(world, "products")
    after = shop(world, "products")[kept]
    assert outcomes[items[kept]["ID"]][0] == "sent"
    assert after["name"] == "Neu im Sortiment", "the rest of the product is still updated"
    assert Decimal(after["price"]) == kept_price != 0, "the shop keeps its price"


async def test_products_a_non_stock_item_is_a_product_the_shop_does_not_count(
    world: World,
) -> None:
    async with connector(world, "exact_online") as erp:
        item = await erp.create(
            "items",
            {
                "Code": "GUTSCHEIN-25",
                "Description": "Gutschein 25 EUR",
                "IsStockItem": False,
                "IsWebshopItem": 1,
                "SalesVatCode": "1",
            },
        )
        await erp.create("item_prices", {"Item": item["ID"], "Price": 25.0, "Currency": "EUR"})
    await world.engine.run_flow(TENANT, "products")
    # someone makes the shop count it; the next products run sets it back
    store = world.apps["shop"].state.shop.store
    level = store.get("stock", "GUTSCHEIN-25")
    store.put("stock", "GUTSCHEIN-25", {**level, "manage_stock": True, "in_stock": False})
    async with connector(world, "exact_online") as erp:
        await erp.update("items", item["ID"], {"Notes": "Geschenk"})

    await world.engine.run_flow(TENANT, "products")
    await world.engine.run_flow(TENANT, "stock")

    stock = shop(world, "stock")["GUTSCHEIN-25"]
    assert stock["manage_stock"] is False and stock["in_stock"] is True
    product = shop(world, "products")["GUTSCHEIN-25"]
    assert product["type"] == "simple" and Decimal(product["price"]) == Decimal("25.00")


# ---- item 7: stock ---------------------------------------------------------------------------


async def test_stock_default_is_current_stock_minus_planned_stock_out(world: World) -> None:
    await world.engine.run_flow(TENANT, "products")
    rows = exact(world, "inventory/ItemWarehouses")
    by_item: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_item.setdefault(row["ItemCode"], []).append(row)
    code, mine = next(
        (c, r)
        for c, r in sorted(by_item.items())
        if sum((x["CurrentStock"] or 0) - (x.get("PlannedStockOut") or 0) for x in r) >= 10
        and c in shop(world, "products")
    )
    customer = next(a for a in exact(world, "crm/Accounts") if a["Status"] == "C")
    async with connector(world, "exact_online") as erp:
        await erp.create(
            "sales_orders",
            {
                "OrderedBy": customer["ID"],
                "YourRef": "STOCK-TEST-1",
                "SalesOrderLines": [{"Item": mine[0]["Item"], "Quantity": 4, "UnitPrice": 10.0}],
            },
        )
    rows = exact(world, "inventory/ItemWarehouses")
    mine = [r for r in rows if r["ItemCode"] == code]
    planned = sum(r.get("PlannedStockOut") or 0 for r in mine)
    reserved = sum(r.get("ReservedStock") or 0 for r in mine)
    assert planned >= 4 and planned != reserved, "the test item's reservations differ"

    report = await world.engine.run_flow(TENANT, "stock")

    assert sent(report)
    stock = shop(world, "stock")
    products = shop(world, "products")
    skus = {r["ItemCode"] for r in rows if r["ItemCode"] in products}
    assert code in skus and len(skus) >= 5
    for sku in sorted(skus):
        available = sum(
            (r["CurrentStock"] or 0) - (r.get("PlannedStockOut") or 0)
            for r in rows
            if r["ItemCode"] == sku
        )
        assert stock[sku]["quantity"] == max(0, math.floor(available)), sku
        assert stock[sku]["manage_stock"] is True
    current = sum(r["CurrentStock"] for r in mine)
    assert stock[code]["quantity"] == math.floor(current - planned) > 0


# ---- item 8: shipments -----------------------------------------------------------------------


async def test_shipments_carrier_is_the_mapped_shipping_method_not_the_default(
    world: World,
) -> None:
    carriers = {"DHL": "DHL", "DPD": "DPD"}
    settings = {"carriers": carriers, "default_carrier": "GLS", "comment_on_receipt": False}
    await world.engine.run_flow(TENANT, "products")
    methods = {m["ID"]: m for m in exact(world, "sales/ShippingMethods")}
    dhl = next(m for m in methods.values() if m["Code"].strip() == "DHL")
    customer = next(a for a in exact(world, "crm/Accounts") if a["Status"] == "C")
    item = next(i for i in exact(world, "logistics/Items") if i["Code"] in shop(world, "products"))
    async with connector(world, "exact_online") as erp:
        order = await erp.create(
            "sales_orders",
            {
                "OrderedBy": customer["ID"],
                "YourRef": "WEB-DHL-1",
                "ShippingMethod": dhl["ID"],
                "SalesOrderLines": [{"Item": item["ID"], "Quantity": 1, "UnitPrice": 10.0}],
            },
        )
        line = (await erp.find("sales_order_lines", "OrderID", [order["OrderID"]]))[
            order["OrderID"]
        ][0]
        # posted without ShippingMethod, as Exact allows: the delivery's own method stays empty
        await erp.create(
            "goods_deliveries",
            {
                "DeliveryDate": day(0),
                "TrackingNumber": "JJD000DHL1",
                "GoodsDeliveryLines": [{"SalesOrderLineID": line["ID"], "QuantityDelivered": 1}],
            },
        )

    report = await world.engine.run_flow(TENANT, "shipments", settings=settings)

    assert sent(report)
    shipments = shop(world, "shipments")
    by_tracking = {s["tracking_number"]: s for s in shipments.values()}
    assert by_tracking["JJD000DHL1"]["carrier"] == "DHL"
    orders = {o["OrderNumber"]: o for o in exact(world, "salesorder/SalesOrders")}
    lines = exact(world, "salesorder/GoodsDeliveryLines")
    checked = 0
    for delivery in exact(world, "salesorder/GoodsDeliveries"):
        first = next(x for x in lines if x["EntryID"] == delivery["EntryID"])
        method_id = delivery.get("ShippingMethod") or orders[first["SalesOrderNumber"]].get(
            "ShippingMethod"
        )
        method = methods.get(method_id)
        code = (method or {}).get("Code", "").strip()
        want = carriers.get(code) or (method or {}).get("Description") or "GLS"
        assert by_tracking[delivery["TrackingNumber"]]["carrier"] == want, delivery["EntryID"]
        checked += 1
    assert checked >= 2, "the seeded deliveries and the posted one were checked"
