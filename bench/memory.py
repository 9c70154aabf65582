"""Benchmark: peak memory (RSS) of ``mapwright map`` and of a flow run, at two sizes.

Run: ``.venv/bin/python bench/memory.py`` (10,000 and 100,000 records; a few minutes) or
``.venv/bin/python bench/memory.py --small 2000 --large 20000`` for a quick look.

Each measurement is a fresh subprocess; its peak RSS comes from ``os.wait4`` (the child's
own ``ru_maxrss``), so nothing of this process counts. Printed per case: the peak at each
size and their ratio (goal <= 1.2x: memory must not grow with the records, only with a
page).

* **map**: ``mapwright map SCRIPT --input records.jsonl`` (output to /dev/null), a mapping
  with text, arithmetic and a comparison;
* **flow run**: a real run (SQLite store in a temporary folder) of a flow that looks up a
  product, upserts a customer and creates an invoice per order, against an in-process
  system that makes its records up as they are listed and keeps none (so the system
  itself does not grow with the records; what grows would be the engine's).
"""

from __future__ import annotations

import argparse
import asyncio
import builtins
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

MAP_SCRIPT = """
Id <- id
Name <- trim(name)
Email <- lower(email)
Total <- total * 2
Big <- total > 500
"""

FLOW_SCRIPT = """
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


def order(n: int) -> dict[str, Any]:
    return {
        "id": n,
        "number": f"N{n}",
        "email": f"c{n}@example.com",
        "name": f" Customer {n} ",
        "sku": f"S{n % 50}",
        "total": n % 1000,
    }


def peak_rss(command: list[str]) -> tuple[float, float]:
    """Run ``command``; its peak RSS in MB and its wall time in seconds."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    assert child.stderr is not None
    problems = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{problems[-2000:]}")
    return usage.ru_maxrss / 1024, elapsed  # Linux: kilobytes


def map_command(folder: Path, records: int) -> list[str]:
    script = folder / "bench.map"
    script.write_text(MAP_SCRIPT, encoding="utf-8")
    data = folder / f"records-{records}.jsonl"
    with data.open("w", encoding="utf-8") as out:
        for n in range(records):
            out.write(
                f'{{"id": {n}, "name": " Name {n} ", "email": "N{n}@Example.com", '
                f'"total": {n % 1000}.25}}\n'
            )
    return [sys.executable, "-m", "mapwright", "map", str(script), "--input", str(data)]


def flow_command(folder: Path, records: int) -> list[str]:
    url = f"sqlite:///{folder / f'store-{records}.db'}"
    return [sys.executable, __file__, "--child-flow", str(records), url]


def child_flow(records: int, url: str) -> None:
    """The flow run of one measurement (in the child process)."""
    from mapwright.connectors.base import (
        Capability,
        ConnectionConfig,
        Connector,
        ObjectSpec,
        Page,
    )
    from mapwright.engine.connections import Connections
    from mapwright.engine.flows import Flow, FlowCatalog
    from mapwright.engine.runs import Engine
    from mapwright.engine.store import Store

    everything: frozenset[Capability] = frozenset({"list", "get", "find", "create", "update"})

    class MadeUp(Connector):
        """Orders made up as they are listed; writes answered and forgotten."""

        kind: ClassVar[str] = "bench_made_up"
        title: ClassVar[str] = "Made-up records"
        objects: ClassVar[dict[str, ObjectSpec]] = {
            "orders": ObjectSpec("orders", "id", everything, find_keys=("id",)),
            "customers": ObjectSpec("customers", "id", everything, find_keys=("email", "id")),
            "invoices": ObjectSpec("invoices", "id", everything, find_keys=("ref", "id")),
            "items": ObjectSpec("items", "id", everything, find_keys=("sku", "id")),
        }

        def __init__(self) -> None:
            super().__init__(ConnectionConfig(kind=self.kind))
            self.next_id = 0

        async def list(
            self,
            object: str,
            *,
            cursor: str | None = None,
            page_size: int | None = None,
            filters: dict[str, Any] | None = None,
        ) -> Page:
            start = int(cursor or 0)
            end = min(start + (page_size or 100), records)
            return Page([order(n) for n in range(start, end)], str(end), end < records)

        async def find(
            self, object: str, key: str, values: Sequence[Any]
        ) -> dict[Any, builtins.list[dict[str, Any]]]:
            if object == "items":
                return {v: [{"id": int(str(v)[1:]), "sku": v}] for v in values}
            return {}

        async def create(self, object: str, record: dict[str, Any]) -> dict[str, Any]:
            self.next_id += 1
            return {**record, "id": self.next_id}

        async def update(self, object: str, id: Any, record: dict[str, Any]) -> dict[str, Any]:
            return {**record, "id": id}

    store = Store.open(url)
    catalog = FlowCatalog(
        store=store, flows={"orders": Flow("orders", FLOW_SCRIPT)}, builtin_dir=None
    )
    engine = Engine(store, catalog=catalog, connections=Connections(instances={"mem": MadeUp()}))
    report = asyncio.run(engine.run_flow("bench", "orders", page_size=500))
    if report.counts.get("sent") != records:
        raise SystemExit(f"the run did not send every order: {report.status} {report.counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--child-flow", nargs=2, metavar=("RECORDS", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_flow:
        child_flow(int(args.child_flow[0]), args.child_flow[1])
        return
    print(f"peak RSS (MB) of a fresh process, {args.small:,} and {args.large:,} records")
    print(f"  {'case':<10} {'small':>9} {'large':>9} {'large/small':>12}   (goal <= 1.2x)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, command in (("map", map_command), ("flow run", flow_command)):
            small, small_s = peak_rss(command(folder, args.small))
            large, large_s = peak_rss(command(folder, args.large))
            print(
                f"  {name:<10} {small:9.1f} {large:9.1f} {large / small:11.2f}x   "
                f"({small_s:.1f} s and {large_s:.1f} s)"
            )


if __name__ == "__main__":
    main()
