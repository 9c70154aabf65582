"""Deterministic seed data for the shop sandbox: categories, products (some with variants),
stock levels and a few shipments. The same ``seed`` and ``records`` give the same data,
timestamps included (they start at ``SEED_EPOCH`` and advance one minute per record)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from mapwright.connectors.shop.sandbox.store import ShopStore

SEED_EPOCH = datetime(2024, 1, 2, 8, 0, tzinfo=UTC)

CATEGORIES = ("Getränke", "Backwaren", "Käse & Molkerei", "Obst & Gemüse", "Haushalt", "Textil")
PRODUCTS = {
    "Getränke": ("Apfelschorle", "Grüner Tee", "Kräuterlimonade", "Orangensaft", "Malzbier"),
    "Backwaren": ("Vollkornbrötchen", "Laugenbrezel", "Roggenbrot", "Mohnstrudel"),
    "Käse & Molkerei": ("Bergkäse", "Frischkäse", "Joghurt natur", "Quark 40 %"),
    "Obst & Gemüse": ("Äpfel Elstar", "Süßkartoffeln", "Möhren", "Weißkohl"),
    "Haushalt": ("Spülmittel", "Küchenrolle", "Müllbeutel 30 l", "Schwämme"),
    "Textil": ("T-Shirt Öko", "Kapuzenpullover", "Wollsocken"),
}
CARRIERS = ("DHL", "DPD", "GLS", "Hermes", "UPS")
SIZES = ("S", "M", "L")


def stamp(minutes: int) -> str:
    """The seed timestamp ``minutes`` after ``SEED_EPOCH`` (ISO 8601, UTC, ``Z``)."""
    return iso(SEED_EPOCH + timedelta(minutes=minutes))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fill(store: ShopStore, seed: int, records: int) -> None:
    """Put ``records`` products (variants count) and their categories, stock and shipments
    into an empty ``store``."""
    rng = random.Random(seed)
    minute = 0
    category_ids: dict[str, int] = {}
    for name in CATEGORIES:
        cid = store.next_id("categories")
        category_ids[name] = cid
        store.put("categories", cid, {"id": cid, "name": name, "parent_id": None})
    made = 0
    number = 0
    while made < records:
        category = rng.choice(CATEGORIES)
        base = rng.choice(PRODUCTS[category])
        number += 1
        price = f"{rng.randint(49, 4999) / 100:.2f}"
        configurable = category == "Textil" and records - made > len(SIZES)
        parent = _product(
            store,
            sku=f"SHOP-{number:04d}",
            name=base,
            price=price,
            category_id=category_ids[category],
            kind="configurable" if configurable else "simple",
            at=stamp(minute),
        )
        minute += 1
        made += 1
        if not configurable:
            _stock(store, parent["sku"], rng, stamp(minute))
            continue
        for size in SIZES:
            variant = _product(
                store,
                sku=f"SHOP-{number:04d}-{size}",
                name=f"{base} {size}",
                price=price,
                category_id=category_ids[category],
                kind="variant",
                at=stamp(minute),
                parent_id=parent["id"],
                options={"size": size},
            )
            _stock(store, variant["sku"], rng, stamp(minute))
            minute += 1
            made += 1
    _shipments(store, rng, minute)


def _product(
    store: ShopStore,
    *,
    sku: str,
    name: str,
    price: str,
    category_id: int,
    kind: str,
    at: str,
    parent_id: int | None = None,
    options: dict[str, str] | None = None,
) -> dict[str, Any]:
    pid = store.next_id("products")
    record = {
        "id": pid,
        "sku": sku,
        "name": name,
        "description": f"{name} aus dem Sandbox-Sortiment",
        "type": kind,
        "parent_id": parent_id,
        "options": options or {},
        "price": price,
        "currency": "EUR",
        "category_ids": [category_id],
        "image_url": f"https://images.shop.invalid/{sku.lower()}.jpg",
        "active": True,
        "created_at": at,
        "updated_at": at,
    }
    return store.put("products", pid, record)


def _stock(store: ShopStore, sku: str, rng: random.Random, at: str) -> None:
    managed = rng.random() > 0.15
    quantity = rng.randint(0, 120) if managed else 0
    store.put(
        "stock",
        sku,
        {
            "sku": sku,
            "quantity": quantity,
            "manage_stock": managed,
            "in_stock": not managed or quantity > 0,
            "updated_at": at,
        },
    )


def _shipments(store: ShopStore, rng: random.Random, minute: int) -> None:
    skus = sorted(r["sku"] for r in store.all("stock"))
    for n in range(min(3, len(skus))):
        sid = store.next_id("shipments")
        line_skus = rng.sample(skus, k=min(2, len(skus)))
        store.put(
            "shipments",
            sid,
            {
                "id": sid,
                "order_reference": f"SO-{1000 + n}",
                "shipment_reference": "1",
                "carrier": rng.choice(CARRIERS),
                "tracking_number": f"00340434{rng.randint(10**9, 10**10 - 1)}",
                "lines": [{"sku": s, "quantity": rng.randint(1, 3)} for s in line_skus],
                "shipped_at": stamp(minute + n),
                "created_at": stamp(minute + n),
                "updated_at": stamp(minute + n),
            },
        )
