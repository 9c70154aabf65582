"""The ledger writes per page, not per record: statements and commits of a run counted with
SQLAlchemy event listeners (a regression shows as a count that grows with the records), and
the page-batched entries end in the same states as before (created marks, no stray pending
entries), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from engine_doubles import TableSystem
from mapwright.engine import ledger as ledger_module
from mapwright.engine.connections import Connections
from mapwright.engine.flows import Flow, FlowCatalog
from mapwright.engine.ledger import Ledger, created_by_flows
from mapwright.engine.runs import Engine
from mapwright.engine.store import Store
from test_engine_runner import ORDERS, order


@pytest.fixture(autouse=True)
def no_checkpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Confirms are written within a page only after CONFIRM_EVERY seconds: a slow machine
    must not change the counts."""
    monkeypatch.setattr(ledger_module, "CONFIRM_EVERY", 1e9)


@contextmanager
def counting(store: Store) -> Iterator[Counter[str]]:
    """Statements (an executemany counts once) and commits on the store's engine."""
    counts: Counter[str] = Counter()

    def statement(conn: Any, cursor: Any, text: str, params: Any, context: Any, many: Any) -> None:
        counts["statements"] += 1
        words = text.split()
        if words[0] in ("INSERT", "UPDATE", "DELETE"):
            table = words[2] if words[0] != "UPDATE" else words[1]
            counts[f"{words[0]} {table}"] += 1

    def commit(conn: Any) -> None:
        counts["commits"] += 1

    sa.event.listen(store.engine, "before_cursor_execute", statement)
    sa.event.listen(store.engine, "commit", commit)
    try:
        yield counts
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", statement)
        sa.event.remove(store.engine, "commit", commit)


def world(store: Store, folder: Path, orders: int) -> tuple[Engine, TableSystem, TableSystem]:
    folder.mkdir()
    shop, erp = TableSystem(str(folder / "shop.db")), TableSystem(str(folder / "erp.db"))
    shop.seed("orders", [order(n) for n in range(1, orders + 1)])
    erp.seed("items", [{"sku": "A"}])
    catalog = FlowCatalog(store=store, flows={"orders": Flow("orders", ORDERS)}, builtin_dir=None)
    connections = Connections(instances={"shop": shop, "erp": erp})
    return Engine(store, catalog=catalog, connections=connections), shop, erp


async def counted_run(
    store: Store, folder: Path, tenant: str, orders: int, page_size: int
) -> Counter[str]:
    engine, _shop, erp = world(store, folder, orders)
    with counting(store) as counts:
        report = await engine.run_flow(tenant, "orders", page_size=page_size)
    assert report.counts["sent"] == orders
    assert len(erp.rows("invoices")) == orders and len(erp.rows("customers")) == orders
    return counts


async def test_commits_and_statements_do_not_grow_with_the_records_of_a_page(
    store: Store, tmp_path: Path
) -> None:
    small = await counted_run(store, tmp_path / "small", "small", 4, page_size=50)
    large = await counted_run(store, tmp_path / "large", "large", 24, page_size=50)
    # every record creates a customer and an invoice: 48 creates in one page
    assert large["commits"] == small["commits"], (small, large)
    assert large["statements"] == small["statements"], (small, large)
    # the ledger: one batch of pending entries before the page's first create, the
    # confirms with the page's log entries
    assert large["INSERT ledger"] == 2, large


async def test_commits_grow_with_the_pages_not_the_records(store: Store, tmp_path: Path) -> None:
    one = await counted_run(store, tmp_path / "one", "one", 8, page_size=50)
    four = await counted_run(store, tmp_path / "four", "four", 8, page_size=2)
    extra_pages = 3  # 4 pages of 2 instead of one of 8
    # per page (each in its own short transaction): reading the page's ledger entries and
    # origin marks, the pending batch, the page's log + confirms + cursor, the lock's lease
    assert four["commits"] - one["commits"] == 5 * extra_pages, (one, four)
    assert four["INSERT ledger"] == 2 * 4, four


async def test_a_record_that_exists_after_all_keeps_no_created_mark(
    store: Store, tmp_path: Path
) -> None:
    """Two orders of one new customer in a page: both get a pending entry before the page's
    first write; the first creates the customer, the second finds it (the page's own write):
    only the first is marked as created by the flow."""
    engine, shop, erp = world(store, tmp_path / "w", 0)
    shop.seed("orders", [order(1), order(2, email="c1@example.com", name="Customer 1")])
    report = await engine.run_flow("acme", "orders", page_size=10)
    assert report.counts["sent"] == 2
    [customer] = erp.rows("customers")
    entries = Ledger(store, "acme", "orders").entries(["1", "2"])
    assert {k: (e.state, e.target_id) for k, e in entries.items()} == {
        ("1", "customer"): ("confirmed", str(customer["id"])),
        ("2", "customer"): ("confirmed", str(customer["id"])),
        ("1", "invoice"): ("confirmed", entries["1", "invoice"].target_id),
        ("2", "invoice"): ("confirmed", entries["2", "invoice"].target_id),
    }
    target = "erp.customers"
    assert created_by_flows(store, "acme", target, [str(customer["id"])]) == {
        str(customer["id"]): ("orders", "1")
    }
    with store.begin() as conn:
        marks = dict(
            conn.execute(
                sa.select(ledger_module.t.ledger.c.source_id, ledger_module.t.ledger.c.created)
                .where(ledger_module.t.ledger.c.operation == "customer")
                .order_by(ledger_module.t.ledger.c.source_id)
            ).all()
        )
    assert marks == {"1": True, "2": False}


async def test_a_prewritten_entry_of_a_create_never_sent_is_removed(
    store: Store, tmp_path: Path
) -> None:
    """The customer create is refused: the record parks before its invoice is sent, so the
    invoice's prewritten pending entry goes again (no pending entry without a write)."""
    engine, _shop, erp = world(store, tmp_path / "w", 2)
    erp.create_faults["customers"] = ["refuse"]
    report = await engine.run_flow("acme", "orders", page_size=10)
    assert report.counts == {**report.counts, "parked": 1, "sent": 1}
    entries = Ledger(store, "acme", "orders").entries(["1", "2"])
    assert sorted((k, e.state) for k, e in entries.items()) == [
        (("2", "customer"), "confirmed"),
        (("2", "invoice"), "confirmed"),
    ]


async def test_a_long_page_writes_its_confirms_on_the_way(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With CONFIRM_EVERY = 0 each confirm is written when it is made (the setting another
    flow's echo check relies on within a long page)."""
    monkeypatch.setattr(ledger_module, "CONFIRM_EVERY", 0.0)
    seen: list[int] = []
    engine, _shop, _erp = world(store, tmp_path / "w", 3)

    def on_event(kind: str, data: dict[str, Any]) -> None:
        if kind == "record":
            entries = Ledger(store, "acme", "orders").entries([str(data["source_id"])])
            seen.append(sum(e.state == "confirmed" for e in entries.values()))

    report = await engine.run_flow("acme", "orders", page_size=10, on_event=on_event)
    assert report.counts["sent"] == 3
    # the record's own confirms are stored before the page ends
    assert seen == [2, 2, 2]
