"""Benchmark: the engine's page loop, its store overhead and its bulk lookups.

Run: ``.venv/bin/python bench/engine_runs.py [--records 2000] [--page-size 100]``

A flow maps orders to customers (upsert by e-mail) and invoices (create unless the
reference exists) with one product lookup per order, against an in-memory system with no
latency, so what is measured is the engine itself. Printed, per store (SQLite file, and
PostgreSQL on 127.0.0.1 when reachable):

* records/s of a real run and of a dry run, and their ratio (the cost of the ledger and the
  writes' log entries);
* lookups per record: target ``find`` calls divided by records (bulk lookups keep this near
  ``3 / page size``; one call per record and key would be 3.0);
* the PostgreSQL/SQLite throughput ratio.

Machines are shared and noisy; only ratios measured in the same run mean anything. For
scale: Exact Online allows 60 calls per minute per division, so any engine rate above a few
records per second is far beyond what the target accepts; the point of watching these numbers
is that the store's share stays small (a real run costs about three short ledger transactions
per created record, plus one log insert per page).
"""

from __future__ import annotations

import argparse
import asyncio
import builtins
import tempfile
import time
import uuid
from collections.abc import Sequence
from typing import Any, ClassVar

from mapwright.connectors.base import Capability, ConnectionConfig, Connector, ObjectSpec, Page
from mapwright.engine.connections import Connections
from mapwright.engine.flows import Flow, FlowCatalog
from mapwright.engine.runs import Engine
from mapwright.engine.store import Store

ALL: frozenset[Capability] = frozenset({"list", "get", "find", "create", "update"})

SCRIPT = """
flow orders
source mem.orders
let item = require(mem.items, sku = sku, "unknown product {sku}")
upsert mem.customers as customer match email = email {
  email <- email
  name <- name
}
create mem.invoices as invoice unless exists ref = number {
  customer_id <- customer.id
  ref <- number
  item_id <- item.id
  total <- total
}
"""


class MemorySystem(Connector):
    """Records in dicts; counts calls. Source and target in one, ids are counters."""

    kind: ClassVar[str] = "bench_memory"
    title: ClassVar[str] = "In-memory bench system"
    objects: ClassVar[dict[str, ObjectSpec]] = {
        "orders": ObjectSpec("orders", "id", ALL, find_keys=("id",)),
        "customers": ObjectSpec("customers", "id", ALL, find_keys=("email", "id")),
        "invoices": ObjectSpec("invoices", "id", ALL, find_keys=("ref", "id")),
        "items": ObjectSpec("items", "id", ALL, find_keys=("sku", "id")),
    }

    def __init__(self, orders: int):
        super().__init__(ConnectionConfig(kind=self.kind))
        self.tables: dict[str, builtins.list[dict[str, Any]]] = {
            "orders": [
                {
                    "id": n,
                    "number": f"N{n}",
                    "email": f"c{n % 400}@example.com",
                    "name": f"Customer {n % 400}",
                    "sku": f"S{n % 50}",
                    "total": n,
                }
                for n in range(1, orders + 1)
            ],
            "customers": [],
            "invoices": [],
            "items": [{"id": n, "sku": f"S{n}"} for n in range(50)],
        }
        self.finds = 0
        self.next_id = 10_000

    async def list(
        self,
        object: str,
        *,
        cursor: str | None = None,
        page_size: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> Page:
        start = int(cursor or 0)
        rows = self.tables[object][start : start + (page_size or 100)]
        end = start + len(rows)
        return Page(rows, str(end), end < len(self.tables[object]))

    async def find(
        self, object: str, key: str, values: Sequence[Any]
    ) -> dict[Any, builtins.list[dict[str, Any]]]:
        self.finds += 1
        wanted = set(values)
        found: dict[Any, builtins.list[dict[str, Any]]] = {}
        for row in self.tables[object]:
            if row.get(key) in wanted:
                found.setdefault(row[key], []).append(row)
        return found

    async def create(self, object: str, record: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        row = {**record, "id": self.next_id}
        self.tables[object].append(row)
        return row

    async def update(self, object: str, id: Any, record: dict[str, Any]) -> dict[str, Any]:
        row = next(r for r in self.tables[object] if r["id"] == id)
        row.update(record)
        return row


async def measure(url: str, records: int, page_size: int, dry_run: bool) -> tuple[float, float]:
    store = Store.open(url)
    system = MemorySystem(records)
    catalog = FlowCatalog(store=store, flows={"orders": Flow("orders", SCRIPT)}, builtin_dir=None)
    engine = Engine(store, catalog=catalog, connections=Connections(instances={"mem": system}))
    tenant = f"bench-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    report = await engine.run_flow(tenant, "orders", dry_run=dry_run, page_size=page_size)
    elapsed = time.perf_counter() - started
    store.close()
    assert report.counts.get("total") == records, report.counts
    return records / elapsed, system.finds / records


def pg_url() -> str | None:
    try:
        import psycopg

        admin = psycopg.connect(
            "host=127.0.0.1 user=postgres dbname=test", autocommit=True, connect_timeout=3
        )
    except Exception:  # noqa: BLE001 - PostgreSQL is optional for the bench
        return None
    name = f"mapwright_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return f"postgresql+psycopg://postgres@127.0.0.1/{name}"


def drop(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        stores = {"sqlite": f"sqlite:///{tmp}/bench.db"}
        postgres = pg_url()
        if postgres:
            stores["postgresql"] = postgres
        try:
            for name, url in stores.items():
                real, lookups = asyncio.run(measure(url, args.records, args.page_size, False))
                dry, _ = asyncio.run(measure(url, args.records, args.page_size, True))
                results[name] = real
                print(
                    f"{name:10} run {real:8.0f} rec/s   dry run {dry:8.0f} rec/s   "
                    f"run/dry {real / dry:5.2f}   lookups per record {lookups:.3f}"
                )
        finally:
            if postgres:
                drop(postgres)
    if "postgresql" in results:
        print(
            f"postgresql/sqlite throughput ratio: {results['postgresql'] / results['sqlite']:.2f}"
        )


if __name__ == "__main__":
    main()
