"""The shop's ``/api/v1`` endpoints: categories, products (with variants), stock, shipments.

Lists answer ``{"data": [...], "meta": {"page", "per_page", "total"}}`` and a ``Link:
<...>; rel="next"`` header while more pages follow. Filters: ``sku``/``order_reference``
take a comma-separated list (bulk lookups), ``updated_since`` an ISO 8601 time (records
changed at or after it, oldest first).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from mapwright.connectors.shop.sandbox.app import Guarded, Shop, ShopError
from mapwright.connectors.shop.sandbox.seed import iso
from pydantic import BaseModel, ConfigDict, Field, field_validator

router = APIRouter(prefix="/api/v1")

Page = Annotated[int, Query(ge=1)]
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProductPatch(Strict):
    sku: str | None = Field(None, min_length=1, max_length=64, pattern=SKU_PATTERN)
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)
    short_description: str | None = Field(None, max_length=500)
    ean: str | None = Field(None, pattern=r"^([0-9]{8}|[0-9]{12,14})$")
    price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    category_ids: list[int] | None = None
    image_url: str | None = Field(None, max_length=1000)
    options: dict[str, str] | None = None
    active: bool | None = None

    @field_validator("image_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("image_url must be an http:// or https:// URL")
        return value


class ProductIn(ProductPatch):
    sku: str = Field(min_length=1, max_length=64, pattern=SKU_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    type: Literal["simple", "configurable", "variant"] = "simple"
    parent_id: int | None = None


class CategoryIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    parent_id: int | None = None


class StockIn(Strict):
    """A stock level; a field left out keeps its current value (a new level: 0, managed)."""

    sku: str | None = None
    quantity: int | None = Field(None, ge=0, le=10_000_000)
    manage_stock: bool | None = None


class ShipmentLine(Strict):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1)


class ShipmentIn(Strict):
    order_reference: str = Field(min_length=1, max_length=64)
    shipment_reference: str | None = Field(None, max_length=64)
    carrier: str = Field(min_length=1, max_length=50)
    tracking_number: str = Field(min_length=1, max_length=64)
    tracking_url: str | None = Field(None, max_length=1000)
    shipped_at: datetime | None = None
    lines: list[ShipmentLine] = Field(min_length=1)


def now(shop: Shop) -> str:
    return iso(datetime.fromtimestamp(shop.settings.clock(), UTC))


def since_filter(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ShopError(
            422,
            "invalid",
            f"updated_since {value!r} is not an ISO 8601 time (e.g. 2024-01-31T12:00:00Z)",
            field="updated_since",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def listing(
    shop: Shop,
    request: Request,
    response: Response,
    items: list[dict[str, Any]],
    *,
    page: int,
    per_page: int,
    since: datetime | None,
) -> dict[str, Any]:
    """One page of ``items`` (filtered by ``since``) with meta and a ``Link`` next header."""
    if per_page > shop.settings.max_per_page:
        raise ShopError(
            422,
            "invalid",
            f"per_page may be at most {shop.settings.max_per_page}",
            field="per_page",
        )
    if since is not None:
        items = [r for r in items if datetime.fromisoformat(r["updated_at"]) >= since]
        items.sort(key=lambda r: (datetime.fromisoformat(r["updated_at"]), str(r.get("id"))))
    start = (page - 1) * per_page
    data = items[start : start + per_page]
    if start + per_page < len(items):
        following = request.url.include_query_params(page=page + 1, per_page=per_page)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return {"data": data, "meta": {"page": page, "per_page": per_page, "total": len(items)}}


def wanted(values: str | None) -> set[str] | None:
    return {v.strip() for v in values.split(",") if v.strip()} if values else None


# -- categories ---------------------------------------------------------------------------
@router.get("/categories")
async def list_categories(
    shop: Guarded,
    request: Request,
    response: Response,
    page: Page = 1,
    per_page: int = 50,
    name: str | None = None,
) -> dict[str, Any]:
    names = {n.casefold() for n in wanted(name) or ()} if name else None
    items = sorted(
        (r for r in shop.store.all("categories") if names is None or r["name"].casefold() in names),
        key=lambda r: r["id"],
    )
    return listing(shop, request, response, items, page=page, per_page=per_page, since=None)


@router.get("/categories/{category_id}")
async def get_category(shop: Guarded, category_id: int) -> dict[str, Any]:
    return _found(shop, "categories", category_id, "category")


@router.post("/categories", status_code=201)
async def create_category(shop: Guarded, body: CategoryIn) -> dict[str, Any]:
    if body.parent_id is not None:
        _exists(shop, "categories", body.parent_id, "parent_id")
    for other in shop.store.all("categories"):
        if other["name"].casefold() == body.name.casefold() and (
            other["parent_id"] == body.parent_id
        ):
            raise ShopError(
                409,
                "duplicate_category",
                f"category {body.name!r} exists already (id {other['id']})",
                field="name",
            )
    cid = shop.store.next_id("categories")
    return shop.store.put("categories", cid, {"id": cid, **body.model_dump()})


# -- products -----------------------------------------------------------------------------
@router.get("/products")
async def list_products(
    shop: Guarded,
    request: Request,
    response: Response,
    page: Page = 1,
    per_page: int = 50,
    sku: str | None = None,
    updated_since: str | None = None,
    parent_id: int | None = None,
    category_id: int | None = None,
) -> dict[str, Any]:
    skus = wanted(sku)
    items = [
        r
        for r in sorted(shop.store.all("products"), key=lambda r: r["id"])
        if (skus is None or r["sku"] in skus)
        and (parent_id is None or r["parent_id"] == parent_id)
        and (category_id is None or category_id in r["category_ids"])
    ]
    since = since_filter(updated_since)
    return listing(shop, request, response, items, page=page, per_page=per_page, since=since)


@router.get("/products/{product_id}")
async def get_product(shop: Guarded, product_id: int) -> dict[str, Any]:
    return _found(shop, "products", product_id, "product")


@router.post("/products", status_code=201)
async def create_product(shop: Guarded, body: ProductIn) -> dict[str, Any]:
    return _create_product(shop, body)


@router.get("/products/{product_id}/variants")
async def list_variants(
    shop: Guarded,
    request: Request,
    response: Response,
    product_id: int,
    page: Page = 1,
    per_page: int = 50,
) -> dict[str, Any]:
    _found(shop, "products", product_id, "product")
    items = sorted(
        (r for r in shop.store.all("products") if r["parent_id"] == product_id),
        key=lambda r: r["id"],
    )
    return listing(shop, request, response, items, page=page, per_page=per_page, since=None)


@router.post("/products/{product_id}/variants", status_code=201)
async def create_variant(shop: Guarded, product_id: int, body: ProductIn) -> dict[str, Any]:
    _found(shop, "products", product_id, "product")
    return _create_product(shop, body.model_copy(update={"parent_id": product_id}))


@router.patch("/products/{product_id}")
async def update_product(shop: Guarded, product_id: int, body: ProductPatch) -> dict[str, Any]:
    record = _found(shop, "products", product_id, "product")
    changes = body.model_dump(exclude_unset=True)
    for name in ("sku", "name", "price", "currency"):
        if name in changes and changes[name] is None:
            raise ShopError(422, "invalid", f"{name} cannot be null", field=name)
    if "sku" in changes and changes["sku"] != record["sku"]:
        _unique_sku(shop, changes["sku"])
        stock = shop.store.get("stock", record["sku"])
        if stock is not None:
            shop.store.put("stock", changes["sku"], {**stock, "sku": changes["sku"]})
    if changes.get("category_ids"):
        _categories(shop, changes["category_ids"])
    if "price" in changes:
        changes["price"] = _money(changes["price"])
    record.update(changes)
    record["updated_at"] = now(shop)
    return shop.store.put("products", product_id, record)


def _create_product(shop: Shop, body: ProductIn) -> dict[str, Any]:
    _unique_sku(shop, body.sku)
    _categories(shop, body.category_ids or [])
    kind = body.type
    if body.parent_id is not None:
        parent = _exists(shop, "products", body.parent_id, "parent_id")
        if parent["type"] != "configurable":
            raise ShopError(
                422,
                "invalid",
                f"product {body.parent_id} is {parent['type']}; variants need a configurable "
                "parent",
                field="parent_id",
            )
        kind = "variant"
    elif kind == "variant":
        raise ShopError(422, "invalid", "a variant needs parent_id", field="parent_id")
    moment = now(shop)
    pid = shop.store.next_id("products")
    record = {
        "id": pid,
        "sku": body.sku,
        "name": body.name,
        "description": body.description,
        "short_description": body.short_description,
        "ean": body.ean,
        "type": kind,
        "parent_id": body.parent_id,
        "options": body.options or {},
        "price": _money(body.price),
        "currency": body.currency or "EUR",
        "category_ids": body.category_ids or [],
        "image_url": body.image_url,
        "active": True if body.active is None else body.active,
        "created_at": moment,
        "updated_at": moment,
    }
    if kind != "configurable":
        shop.store.put(
            "stock",
            body.sku,
            {
                "sku": body.sku,
                "quantity": 0,
                "manage_stock": False,
                "in_stock": True,
                "updated_at": moment,
            },
        )
    return shop.store.put("products", pid, record)


# -- stock --------------------------------------------------------------------------------
@router.get("/stock")
async def list_stock(
    shop: Guarded,
    request: Request,
    response: Response,
    page: Page = 1,
    per_page: int = 50,
    sku: str | None = None,
    updated_since: str | None = None,
) -> dict[str, Any]:
    skus = wanted(sku)
    items = sorted(
        (r for r in shop.store.all("stock") if skus is None or r["sku"] in skus),
        key=lambda r: r["sku"],
    )
    since = since_filter(updated_since)
    return listing(shop, request, response, items, page=page, per_page=per_page, since=since)


@router.get("/stock/{sku}")
async def get_stock(shop: Guarded, sku: str) -> dict[str, Any]:
    record = shop.store.get("stock", sku)
    if record is None:
        raise ShopError(404, "not_found", f"no stock level for SKU {sku!r}", field="sku")
    return record


@router.put("/stock/{sku}")
async def set_stock(shop: Guarded, sku: str, body: StockIn) -> dict[str, Any]:
    if body.sku is not None and body.sku != sku:
        raise ShopError(
            422, "invalid", f"body sku {body.sku!r} differs from the path's {sku!r}", field="sku"
        )
    product = next((p for p in shop.store.all("products") if p["sku"] == sku), None)
    if product is None:
        raise ShopError(404, "unknown_sku", f"no product with SKU {sku!r}", field="sku")
    if product["type"] == "configurable":
        raise ShopError(
            422,
            "invalid",
            f"{sku} is a configurable product; set the stock of its variants",
            field="sku",
        )
    current = shop.store.get("stock", sku) or {"quantity": 0, "manage_stock": True}
    quantity = current["quantity"] if body.quantity is None else body.quantity
    manage = current["manage_stock"] if body.manage_stock is None else body.manage_stock
    record = {
        "sku": sku,
        "quantity": quantity,
        "manage_stock": manage,
        "in_stock": not manage or quantity > 0,
        "updated_at": now(shop),
    }
    return shop.store.put("stock", sku, record)


# -- shipments ----------------------------------------------------------------------------
@router.get("/shipments")
async def list_shipments(
    shop: Guarded,
    request: Request,
    response: Response,
    page: Page = 1,
    per_page: int = 50,
    order_reference: str | None = None,
    shipment_reference: str | None = None,
    updated_since: str | None = None,
) -> dict[str, Any]:
    refs = wanted(order_reference)
    parcels = wanted(shipment_reference)
    items = sorted(
        (
            r
            for r in shop.store.all("shipments")
            if (refs is None or r["order_reference"] in refs)
            and (parcels is None or r["shipment_reference"] in parcels)
        ),
        key=lambda r: r["id"],
    )
    since = since_filter(updated_since)
    return listing(shop, request, response, items, page=page, per_page=per_page, since=since)


@router.get("/shipments/{shipment_id}")
async def get_shipment(shop: Guarded, shipment_id: int) -> dict[str, Any]:
    return _found(shop, "shipments", shipment_id, "shipment")


@router.post("/shipments", status_code=201)
async def create_shipment(shop: Guarded, body: ShipmentIn) -> dict[str, Any]:
    reference = body.shipment_reference or ""
    for other in shop.store.all("shipments"):
        if other["order_reference"] == body.order_reference and (
            (other["shipment_reference"] or "") == reference
        ):
            raise ShopError(
                409,
                "duplicate_shipment",
                f"order {body.order_reference} already has shipment "
                f"{reference or '(without shipment_reference)'} (id {other['id']})",
                field="shipment_reference",
            )
    skus = {p["sku"] for p in shop.store.all("products")}
    for index, line in enumerate(body.lines):
        if line.sku not in skus:
            raise ShopError(
                422, "unknown_sku", f"no product with SKU {line.sku!r}", field=f"lines.{index}.sku"
            )
    moment = now(shop)
    sid = shop.store.next_id("shipments")
    record = {
        "id": sid,
        **body.model_dump(mode="json"),
        "shipped_at": iso(body.shipped_at) if body.shipped_at else moment,
        "created_at": moment,
        "updated_at": moment,
    }
    return shop.store.put("shipments", sid, record)


# -- helpers ------------------------------------------------------------------------------
def _found(shop: Shop, table: str, id: int, what: str) -> dict[str, Any]:
    record = shop.store.get(table, id)
    if record is None:
        raise ShopError(404, "not_found", f"no {what} with id {id}")
    return record


def _exists(shop: Shop, table: str, id: int, field: str) -> dict[str, Any]:
    record = shop.store.get(table, id)
    if record is None:
        raise ShopError(422, "invalid", f"{field} {id} does not exist", field=field)
    return record


def _categories(shop: Shop, ids: list[int]) -> None:
    for index, cid in enumerate(ids):
        _exists(shop, "categories", cid, f"category_ids.{index}")


def _unique_sku(shop: Shop, sku: str) -> None:
    for other in shop.store.all("products"):
        if other["sku"] == sku:
            raise ShopError(
                409,
                "duplicate_sku",
                f"SKU {sku!r} is taken by product {other['id']}",
                field="sku",
            )


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"
