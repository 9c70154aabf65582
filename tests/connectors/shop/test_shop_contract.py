"""Contract of the shop connector (declarative REST + shop.yaml) against the shop sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from mapwright.connectors.base import CONNECTORS
from mapwright.connectors.errors import RetriableError, SkippableError, UnsupportedObject
from mapwright.connectors.faults import fault_state
from mapwright.connectors.sandbox import FaultOptions
from mapwright.connectors.shop import ShopConnector


def new_product(sku: str, **more: Any) -> dict[str, Any]:
    return {"sku": sku, "name": f"Neues Produkt {sku} – Größe M", "price": "12.50", **more}


async def read_all(shop: ShopConnector, object: str, cursor: str | None = None) -> tuple:
    records, pages = [], 0
    while True:
        page = await shop.list(object, cursor=cursor, page_size=7)
        records += page.records
        cursor, pages = page.cursor, pages + 1
        if not page.has_more:
            return records, cursor, pages


def test_shop_is_a_registered_kind() -> None:
    assert CONNECTORS["shop"] is ShopConnector


async def test_declared_objects_and_capabilities(shop: ShopConnector) -> None:
    products = shop.object("products")
    assert products.key == "id"
    assert products.find_keys == ("sku", "id")
    assert products.cursor_field == "updated_at"
    assert {"list", "incremental", "get", "find", "create", "update"} <= products.capabilities
    assert not shop.object("shipments").supports("update")
    with pytest.raises(UnsupportedObject, match="it has: categories, products"):
        shop.object("orders")


async def test_lists_every_product_across_pages(shop: ShopConnector, shop_app: FastAPI) -> None:
    records, _, pages = await read_all(shop, "products")
    expected = shop_app.state.shop.store.all("products")
    assert sorted(r["id"] for r in records) == sorted(r["id"] for r in expected)
    assert pages == -(-len(expected) // 7)
    assert any("ö" in r["name"] or "ü" in r["name"] or "ä" in r["name"] for r in records)


async def test_incremental_list_returns_changes_since_the_stored_cursor(
    shop: ShopConnector,
) -> None:
    _, cursor, _ = await read_all(shop, "products")
    created = await shop.create("products", new_product("INC-1"))
    changed, _, _ = await read_all(shop, "products", cursor)
    assert created["id"] in [r["id"] for r in changed]
    assert len(changed) <= 2


async def test_get_by_id_and_missing_is_none(shop: ShopConnector) -> None:
    first = await shop.get("products", 1)
    assert first is not None and first["sku"] == "SHOP-0001"
    assert await shop.get("products", 99_999) is None


async def test_find_by_sku_is_one_bulk_call(shop_app: FastAPI, connect: Any) -> None:
    shop, transport = connect(shop_app)
    found = await shop.find("products", "sku", ["SHOP-0002", "SHOP-0003", "NOPE"])
    assert sorted(found) == ["SHOP-0002", "SHOP-0003"]
    assert found["SHOP-0002"][0]["sku"] == "SHOP-0002"
    assert transport.calls == [("GET", "/api/v1/products")]


async def test_find_by_id_uses_get(shop: ShopConnector) -> None:
    found = await shop.find("products", "id", [2, 99_999])
    assert list(found) == [2]


async def test_create_and_update_a_product(shop: ShopConnector) -> None:
    category = await shop.create("categories", {"name": "Süßwaren"})
    created = await shop.create(
        "products",
        new_product("NEW-1", category_ids=[category["id"]], image_url="https://img.test/a.jpg"),
    )
    assert created["price"] == "12.50"
    assert created["category_ids"] == [category["id"]]
    updated = await shop.update("products", created["id"], {"price": "9.99"})
    assert updated["price"] == "9.99"
    fetched = await shop.get("products", created["id"])
    assert fetched is not None and fetched["price"] == "9.99"


async def test_variant_has_its_own_sku_under_a_configurable_parent(shop: ShopConnector) -> None:
    parent = await shop.create("products", new_product("TEE", type="configurable"))
    variant = await shop.create("products", new_product("TEE-L", parent_id=parent["id"]))
    assert variant["type"] == "variant"
    with pytest.raises(SkippableError, match="parent_id"):
        await shop.create("products", new_product("X-1", parent_id=variant["id"]))


async def test_duplicate_sku_is_parked_with_the_shops_message(shop: ShopConnector) -> None:
    await shop.create("products", new_product("DUP-1"))
    with pytest.raises(SkippableError) as caught:
        await shop.create("products", new_product("DUP-1"))
    assert caught.value.status == 409
    assert caught.value.code == "duplicate_sku"
    assert str(caught.value).startswith("sku: SKU 'DUP-1' is taken")


async def test_missing_required_fields_are_refused_before_sending(
    shop_app: FastAPI, connect: Any
) -> None:
    shop, transport = connect(shop_app)
    with pytest.raises(SkippableError, match="needs sku, price"):
        await shop.create("products", {"name": "ohne SKU"})
    assert transport.calls == []


async def test_validation_error_names_the_field(shop: ShopConnector) -> None:
    with pytest.raises(SkippableError, match="image_url") as caught:
        await shop.create("products", new_product("IMG-1", image_url="ftp://x"))
    assert caught.value.status == 422


async def test_stock_levels_are_set_read_and_found_in_bulk(shop: ShopConnector) -> None:
    await shop.create("products", new_product("STK-1"))
    await shop.create("stock", {"sku": "STK-1", "quantity": 7, "manage_stock": True})
    level = await shop.get("stock", "STK-1")
    assert level is not None and level["quantity"] == 7
    await shop.update("stock", "STK-1", {"quantity": 0, "manage_stock": True})
    seeded = (await shop.list("stock", page_size=1)).records[0]["sku"]
    found = await shop.find("stock", "sku", ["STK-1", seeded])
    assert found["STK-1"][0]["in_stock"] is False
    assert found[seeded][0]["sku"] == seeded


async def test_stock_of_an_unknown_sku_is_parked(shop: ShopConnector) -> None:
    with pytest.raises(SkippableError) as caught:
        await shop.create("stock", {"sku": "NOPE", "quantity": 1})
    assert caught.value.code == "unknown_sku"


async def test_shipments_are_unique_per_order_and_reference(shop: ShopConnector) -> None:
    shipment = {
        "order_reference": "SO-77",
        "shipment_reference": "1",
        "carrier": "DHL",
        "tracking_number": "003404341234",
        "lines": [{"sku": "SHOP-0001", "quantity": 2}],
    }
    created = await shop.create("shipments", shipment)
    assert created["carrier"] == "DHL"
    with pytest.raises(SkippableError) as caught:
        await shop.create("shipments", shipment)
    assert caught.value.code == "duplicate_shipment"
    found = await shop.find("shipments", "order_reference", ["SO-77"])
    assert [s["id"] for s in found["SO-77"]] == [created["id"]]


async def test_rate_limit_429_is_waited_out_with_retry_after(
    make_shop: Any, connect: Any, fake_time: Any
) -> None:
    app = make_shop(rate_limit=3, clock=fake_time)
    shop, transport = connect(app, fake_time)
    for _ in range(4):
        assert await shop.get("products", 1) is not None
    assert len(transport.calls) == 5
    assert len(fake_time.sleeps) == 1
    assert fake_time.sleeps[0] >= 60


async def test_lost_create_response_is_maybe_committed_and_findable(
    shop_app: FastAPI, shop: ShopConnector
) -> None:
    fault_state(shop_app).replace(FaultOptions(timeout_after_commit_rate=1.0))
    with pytest.raises(RetriableError) as caught:
        await shop.create("products", new_product("LOST-1"))
    assert caught.value.maybe_committed
    fault_state(shop_app).reset()
    assert "LOST-1" in await shop.find("products", "sku", ["LOST-1"])


async def test_server_errors_on_reads_are_retried(
    shop_app: FastAPI, connect: Any, fake_time: Any
) -> None:
    fault_state(shop_app).replace(FaultOptions(burst_429=2))
    shop, transport = connect(shop_app, fake_time)
    assert await shop.get("products", 1) is not None
    assert len(transport.calls) == 3


async def test_writes_are_not_retried_on_a_server_error(shop_app: FastAPI, connect: Any) -> None:
    fault_state(shop_app).replace(FaultOptions(error_rates={503: 1.0}))
    shop, transport = connect(shop_app)
    with pytest.raises(RetriableError):
        await shop.create("products", new_product("FAIL-1"))
    assert len(transport.calls) == 1
