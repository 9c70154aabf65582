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
* store statements and commits per record of the real run (SQLAlchemy events; an
  ``executemany`` counts once): the ledger writes one batch of pending entries per page and
  its confirms in the page's own transaction, so both stay far below one per record;
* the PostgreSQL/SQLite throughput ratio;
* the page lookups' own costs: ``PageResolver.remember_write`` per record at pages of 100 and
  2,000 records, ``MemoryResolver.find`` per lookup in tables of 1,000 and 10,000 rows (both
  indexed by key: the ratios stay near 1x instead of growing with the page or table).

Machines are shared and noisy; only ratios measured in the same run mean anything. For
scale: Exact Online allows 60 calls per minute per division, so any engine rate above a few
records per second is far beyond what the target accepts; the point of watching these numbers
is that the store's share stays small.
"""

from __future__ import annotations

import argparse
import asyncio
import builtins
import contextlib
import gc
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import sqlalchemy as sa
from mapwright.connectors.base import Capability, ConnectionConfig, Connector, ObjectSpec, Page
from mapwright.dsl import Lookup, MemoryResolver
from mapwright.engine.connections import Connections
from mapwright.engine.flows import Flow, FlowCatalog
from mapwright.engine.resolver import PageResolver
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


async def measure(
    url: str, records: int, page_size: int, dry_run: bool
) -> tuple[float, float, Counter[str]]:
    """Records/s, lookups per record, and the store's statements and commits of the run."""
    store = Store.open(url)
    system = MemorySystem(records)
    catalog = FlowCatalog(store=store, flows={"orders": Flow("orders", SCRIPT)}, builtin_dir=None)
    engine = Engine(store, catalog=catalog, connections=Connections(instances={"mem": system}))
    tenant = f"bench-{uuid.uuid4().hex[:8]}"
    counts: Counter[str] = Counter()

    def statement(*_args: Any) -> None:
        counts["statements"] += 1

    def commit(*_args: Any) -> None:
        counts["commits"] += 1

    sa.event.listen(store.engine, "before_cursor_execute", statement)
    sa.event.listen(store.engine, "commit", commit)
    started = time.perf_counter()
    report = await engine.run_flow(tenant, "orders", dry_run=dry_run, page_size=page_size)
    elapsed = time.perf_counter() - started
    store.close()
    assert report.counts.get("total") == records, report.counts
    return records / elapsed, system.finds / records, counts


async def remember_cost(page: int) -> float:
    """Microseconds per ``remember_write`` in a page of ``page`` records."""
    system = MemorySystem(0)
    system.tables["customers"] = [{"id": n, "email": f"c{n}@x"} for n in range(page // 2)]
    resolver = PageResolver({"mem": system})
    resolver.want("mem", "customers", "email", [f"c{n}@x" for n in range(page)])
    resolver.want("mem", "customers", "id", list(range(page)))
    await resolver.fetch_pending()
    with paused_gc():
        started = time.perf_counter()
        for n in range(page):
            record = {"id": n + page, "email": f"c{n}@x"}
            resolver.remember_write("mem", "customers", record, "id")
        return (time.perf_counter() - started) / page * 1e6


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic GC paused while a micro-benchmark is timed: its cost grows with the whole
    heap (the test tables), not with the code measured."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def find_cost(rows: int) -> float:
    """Microseconds per ``MemoryResolver.find`` in a table of ``rows`` rows."""
    table = [{"id": n, "email": f"c{n}@x"} for n in range(rows)]
    resolver = MemoryResolver({"erp.customers": table})
    resolver.find(Lookup("erp", "customers", "email", "c1@x"))  # the index is built once
    with paused_gc():
        started = time.perf_counter()
        for n in range(500):
            resolver.find(Lookup("erp", "customers", "email", f"C{n * 7}@x"))
        return (time.perf_counter() - started) / 500 * 1e6


def print_resolver_costs() -> None:
    """Best of three rounds each (GC paused while timing)."""
    small = min(asyncio.run(remember_cost(100)) for _ in range(3))
    large = min(asyncio.run(remember_cost(2000)) for _ in range(3))
    print(
        f"remember_write per record: page of 100 {small:7.1f} us, page of 2,000 {large:7.1f} us"
        f"   ratio {large / small:5.2f}x"
    )
    small = min(find_cost(1000) for _ in range(3))
    large = min(find_cost(10_000) for _ in range(3))
    print(
        f"MemoryResolver.find: 1,000 rows {small:7.1f} us, 10,000 rows {large:7.1f} us"
        f"   ratio {large / small:5.2f}x"
    )


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
                real, lookups, db = asyncio.run(measure(url, args.records, args.page_size, False))
                dry, _, _ = asyncio.run(measure(url, args.records, args.page_size, True))
                results[name] = real
                print(
                    f"{name:10} run {real:8.0f} rec/s   dry run {dry:8.0f} rec/s   "
                    f"run/dry {real / dry:5.2f}   lookups per record {lookups:.3f}   "
                    f"per record: {db['statements'] / args.records:.3f} statements, "
                    f"{db['commits'] / args.records:.3f} commits"
                )
        finally:
            if postgres:
                drop(postgres)
    if "postgresql" in results:
        print(
            f"postgresql/sqlite throughput ratio: {results['postgresql'] / results['sqlite']:.2f}"
        )
    print_resolver_costs()


if __name__ == "__main__":
    main()
