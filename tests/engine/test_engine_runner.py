"""The page loop against a stand-in source and target: outcomes, bulk lookups, upserts,
ledger and natural keys, dry runs, retries, parked records and replay."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from engine_doubles import TableSystem
from mapwright.engine.errors import RunRefused
from mapwright.engine.ledger import Ledger
from mapwright.engine.store import Store

ORDERS = """
flow orders
source shop.orders
target erp
setting statuses: list = ["paid"]
where status in settings.statuses else "status {status} not selected"
park "order {number} has no e-mail" if email == missing
let item = require(erp.items, sku = sku, "unknown product {sku}")
upsert erp.customers as customer match email = email {
  email <- email
  name <- name
  note <- "created by mapwright" on create
  phone <- phone if empty
}
create erp.invoices as invoice unless exists ref = number {
  customer_id <- customer.id
  ref <- number
  item_id <- item.id
  total <- total
}
"""


def order(n: int, **extra: object) -> dict:
    data = {
        "id": n,
        "number": f"N{n}",
        "status": "paid",
        "email": f"c{n}@example.com",
        "name": f"Customer {n}",
        "sku": "A",
        "total": 10 + n,
    }
    data.update(extra)
    return data


@pytest.fixture
def catalog(erp: TableSystem) -> None:
    erp.seed("items", [{"sku": "A"}, {"sku": "B"}])


async def test_a_run_records_each_records_outcome(make_engine, shop, erp, catalog) -> None:
    no_email = order(4)
    del no_email["email"]
    shop.seed(
        "orders",
        [order(1), order(2, status="open"), order(3, sku="Z"), no_email, order(5, email=None)],
    )
    report = await make_engine(ORDERS).run_flow("acme", "orders")
    outcomes = {r.source_id: (r.outcome, r.reason) for r in report.records}
    assert outcomes["1"] == ("sent", None)
    assert outcomes["2"] == ("skipped", "status open not selected")
    assert outcomes["3"] == ("parked", "unknown product Z")
    assert outcomes["4"] == ("parked", "order N4 has no e-mail")
    assert outcomes["5"][0] == "parked" and "email is empty" in outcomes["5"][1]
    assert report.status == "partial"
    assert report.counts["sent"] == 1 and report.counts["parked"] == 3
    assert [i["ref"] for i in erp.rows("invoices")] == ["N1"]


async def test_the_activity_log_keeps_source_plan_request_response(
    make_engine, shop, erp, catalog, store: Store
) -> None:
    shop.seed("orders", [order(1)])
    report = await make_engine(ORDERS).run_flow("acme", "orders")
    row = store.records(report.run_id)[0]
    assert row["source"]["number"] == "N1"
    assert row["plan"]["operations"][1]["fields"]["customer_id"] == {"$ref": "customer.id"}
    customer_log, invoice_log = row["operations"]
    assert customer_log["action"] == "created"
    assert invoice_log["request"]["customer_id"] == customer_log["target_id"]
    assert invoice_log["response"]["id"] == invoice_log["target_id"]
    assert invoice_log["action"] == "created"


async def test_lookups_are_fetched_once_per_page_not_per_record(
    make_engine, shop, erp, catalog
) -> None:
    shop.seed("orders", [order(n) for n in range(1, 7)])
    erp.calls.clear()
    report = await make_engine(ORDERS).run_flow("acme", "orders", page_size=3)
    assert report.counts["sent"] == 6 and report.counts["pages"] == 2
    finds = [obj for method, obj in erp.calls if method == "find"]
    assert finds.count("items") == 2
    assert finds.count("customers") == 2
    assert finds.count("invoices") == 2


async def test_running_the_same_records_again_creates_nothing_new(
    make_engine, shop, erp, catalog, store: Store
) -> None:
    shop.seed("orders", [order(1), order(2), order(3)])
    engine = make_engine(ORDERS)
    await engine.run_flow("acme", "orders")
    store.commit_cursor("acme", "orders", None, "reset")
    second = await engine.run_flow("acme", "orders")
    assert {r.outcome for r in second.records} == {"skipped"}
    assert len(erp.rows("invoices")) == 3
    assert len(erp.rows("customers")) == 3


async def test_the_ledger_prevents_a_duplicate_even_when_the_natural_key_changed(
    make_engine, shop, erp, catalog, store: Store
) -> None:
    shop.seed("orders", [order(1)])
    engine = make_engine(ORDERS)
    await engine.run_flow("acme", "orders")
    invoice = erp.rows("invoices")[0]
    await erp.update("invoices", invoice["id"], {"ref": "renamed-in-erp"})
    assert erp.rows("invoices")[0]["ref"] == "renamed-in-erp"
    store.commit_cursor("acme", "orders", None, "reset")
    again = await engine.run_flow("acme", "orders")
    assert len(erp.rows("invoices")) == 1
    assert again.records[0].operations[1]["action"] == "exists"


async def test_a_timeout_after_commit_never_duplicates(make_engine, shop, erp, catalog) -> None:
    shop.seed("orders", [order(1), order(2)])
    erp.create_faults["invoices"] = ["lose", "lose"]
    erp.create_faults["customers"] = ["lose"]
    report = await make_engine(ORDERS).run_flow("acme", "orders")
    assert [r.outcome for r in report.records] == ["sent", "sent"]
    assert sorted(i["ref"] for i in erp.rows("invoices")) == ["N1", "N2"]
    assert len(erp.rows("customers")) == 2
    creates = [obj for method, obj in erp.calls if method == "create"]
    assert creates.count("invoices") == 2


async def test_a_busy_target_is_retried_after_its_retry_after(
    make_engine, shop, erp, catalog, sleep
) -> None:
    shop.seed("orders", [order(1)])
    erp.create_faults["invoices"] = ["busy", "busy"]
    report = await make_engine(ORDERS).run_flow("acme", "orders")
    assert report.records[0].outcome == "sent"
    assert len(erp.rows("invoices")) == 1
    assert len(sleep.waits) == 2 and min(sleep.waits) >= 2


NOTES = """
flow notes
source shop.orders
create erp.notes as note {
  text <- "order " & number
}
"""


async def test_an_unsure_create_without_natural_key_is_parked_not_resent(
    make_engine, shop, erp, store: Store
) -> None:
    shop.seed("orders", [order(1)])
    erp.create_faults["notes"] = ["lose"]
    engine = make_engine(NOTES, name="notes")
    report = await engine.run_flow("acme", "notes")
    assert report.records[0].outcome == "parked"
    assert report.records[0].reason.startswith("maybe_created")
    assert len(erp.rows("notes")) == 1
    replay = await engine.replay("acme", [report.records[0].record_id])
    assert replay[0].records[0].outcome == "parked"
    assert len(erp.rows("notes")) == 1
    assert Ledger(store, "acme", "notes").get("1", "note").state == "pending"  # type: ignore[union-attr]


async def test_a_dry_run_writes_nothing_and_returns_the_plan(
    make_engine, shop, erp, catalog, store: Store
) -> None:
    shop.seed("orders", [order(1), order(2, status="open")])
    erp.seed("customers", [{"email": "c1@example.com", "name": "Old name", "phone": "123"}])
    erp.calls.clear()
    report = await make_engine(ORDERS).run_flow("acme", "orders", dry_run=True)
    assert erp.writes() == 0
    assert len(erp.rows("invoices")) == 0
    assert store.cursor("acme", "orders") is None
    assert Ledger(store, "acme", "orders").entries(["1", "2"]) == {}
    first = report.records[0]
    assert first.outcome == "planned"
    customer, invoice = first.operations
    assert customer["action"] == "would_update"
    assert customer["diff"] == {"name": {"before": "Old name", "after": "Customer 1"}}
    assert invoice["action"] == "would_create"
    assert invoice["request"]["ref"] == "N1"
    assert report.records[1].outcome == "skipped"
    assert store.parked("acme") == []


async def test_an_update_sends_only_changed_fields_and_logs_the_diff(
    make_engine, shop, erp, catalog
) -> None:
    erp.seed(
        "customers",
        [{"email": "c1@example.com", "name": "Old", "note": "hand-written", "phone": "555"}],
    )
    shop.seed("orders", [order(1, phone="999")])
    report = await make_engine(ORDERS).run_flow("acme", "orders")
    customer_log = report.records[0].operations[0]
    assert customer_log["action"] == "updated"
    assert customer_log["request"] == {"name": "Customer 1"}
    assert customer_log["diff"] == {"name": {"before": "Old", "after": "Customer 1"}}
    assert erp.rows("customers")[0]["note"] == "hand-written"
    assert erp.rows("customers")[0]["phone"] == "555"


async def test_two_orders_of_a_new_customer_in_one_page_create_one_customer(
    make_engine, shop, erp, catalog
) -> None:
    shop.seed("orders", [order(1, email="same@example.com"), order(2, email="SAME@example.com")])
    report = await make_engine(ORDERS).run_flow("acme", "orders")
    assert [r.outcome for r in report.records] == ["sent", "sent"]
    assert len(erp.rows("customers")) == 1
    assert report.records[1].operations[0]["action"] in ("unchanged", "updated")


async def test_an_ambiguous_match_parks_the_record(make_engine, shop, erp, catalog) -> None:
    erp.seed(
        "customers",
        [{"email": "c1@example.com", "name": "A"}, {"email": "c1@example.com", "name": "B"}],
    )
    shop.seed("orders", [order(1)])
    report = await make_engine(ORDERS).run_flow("acme", "orders")
    assert report.records[0].outcome == "parked"
    assert report.records[0].reason.startswith("ambiguous_match")
    assert erp.rows("invoices") == []


async def test_an_overlapping_run_is_refused(make_engine, shop, erp, catalog) -> None:
    shop.seed("orders", [order(1), order(2)])
    engine = make_engine(ORDERS)
    refused: list[RunRefused] = []

    def on_event(kind: str, data: dict) -> None:
        if kind == "record" and not refused:
            try:
                engine.start("acme", "orders")
            except RunRefused as exc:
                refused.append(exc)

    report = await engine.run_flow("acme", "orders", on_event=on_event)
    assert report.status == "succeeded"
    assert len(refused) == 1 and refused[0].active_run == report.run_id
    engine.start("acme", "orders")


async def test_parked_records_replay_and_link_to_the_original(
    make_engine, shop, erp, catalog, store: Store
) -> None:
    shop.seed("orders", [order(1, sku="NEW"), order(2)])
    engine = make_engine(ORDERS)
    first = await engine.run_flow("acme", "orders")
    parked = store.parked("acme", "orders")
    assert [p["source_id"] for p in parked] == ["1"]
    erp.seed("items", [{"sku": "NEW"}])
    [replay] = await engine.replay("acme", [parked[0]["id"]])
    assert replay.records[0].outcome == "sent"
    assert replay.records[0].replay_of == parked[0]["id"]
    assert store.record(replay.records[0].record_id)["replay_of"] == parked[0]["id"]
    assert store.parked("acme", "orders") == []
    assert store.record(parked[0]["id"])["parked_state"] == "resolved"
    assert sorted(i["ref"] for i in erp.rows("invoices")) == ["N1", "N2"]
    assert first.run_id != replay.run_id and replay.trigger == "replay"


async def test_a_refused_record_is_fixed_by_editing_it_and_replayed(
    make_engine, shop, erp, catalog, store: Store
) -> None:
    shop.seed("orders", [order(1, sku="Z")])
    engine = make_engine(ORDERS)
    await engine.run_flow("acme", "orders")
    [parked] = store.parked("acme")
    fixed = dict(parked["source"], sku="B")
    [replay] = await engine.replay("acme", [parked["id"]], edits={parked["id"]: fixed})
    assert replay.records[0].outcome == "sent"
    assert erp.rows("invoices")[0]["item_id"] == erp.rows("items")[1]["id"]


async def test_a_target_refusal_parks_with_the_targets_message(
    make_engine, shop, erp, catalog, store: Store
) -> None:
    shop.seed("orders", [order(1), order(2)])
    erp.create_faults["invoices"] = ["refuse"]
    report = await make_engine(ORDERS).run_flow("acme", "orders")
    assert report.records[0].outcome == "parked"
    assert "field 'name' is required" in report.records[0].reason
    assert report.records[1].outcome == "sent"
    assert Ledger(store, "acme", "orders").get("1", "invoice") is None


async def test_the_cursor_moves_only_after_the_pages_outcomes_are_stored(
    make_engine, shop, erp, catalog, store: Store
) -> None:
    shop.seed("orders", [order(n) for n in range(1, 8)])
    engine = make_engine(ORDERS)
    commits: list[tuple[str | None, int, int]] = []
    original = store.store_page

    def spy(
        rows: Sequence[dict[str, Any]],
        *,
        resolve_parked: bool = True,
        cursor: tuple[str, str, str, str] | None = None,
        **more: Any,
    ) -> list[int]:
        run_id = rows[0]["run_id"]
        stored_before = len(store.records(run_id))
        ids = original(rows, resolve_parked=resolve_parked, cursor=cursor, **more)
        assert cursor is not None
        commits.append((store.cursor("acme", "orders"), stored_before, len(store.records(run_id))))
        return ids

    store.store_page = spy  # type: ignore[method-assign]
    report = await engine.run_flow("acme", "orders", page_size=3)
    assert commits == [("3", 0, 3), ("6", 3, 6), ("7", 6, 7)]
    assert store.cursor("acme", "orders") == "7"
    assert report.counts["sent"] == 7


async def test_a_failing_page_keeps_the_cursor_of_the_last_complete_page(
    make_engine, shop, erp, catalog, store: Store
) -> None:
    from mapwright.connectors.errors import AuthError

    shop.seed("orders", [order(n) for n in range(1, 6)])
    engine = make_engine(ORDERS)
    original = erp.create
    seen = 0

    async def create(object: str, record: dict) -> dict:
        nonlocal seen
        if object == "invoices":
            seen += 1
            if seen == 5:
                raise AuthError("token revoked", status=401)
        return await original(object, record)

    erp.create = create
    report = await engine.run_flow("acme", "orders", page_size=3)
    assert report.status == "failed" and "token revoked" in (report.error or "")
    assert store.cursor("acme", "orders") == "3"
    logged = store.records(report.run_id)
    assert [(r["source_id"], r["outcome"]) for r in logged][3:] == [("4", "sent"), ("5", "failed")]
    erp.create = original
    rerun = await engine.run_flow("acme", "orders", page_size=3)
    assert rerun.status == "succeeded"
    assert sorted(i["ref"] for i in erp.rows("invoices")) == [f"N{n}" for n in range(1, 6)]


CUSTOMER_UPDATES = """
flow customer_updates
source shop.orders
update erp.customers as customer match email = email {
  name <- name
}
"""


async def test_an_update_of_a_missing_target_record_parks(make_engine, shop, erp) -> None:
    erp.seed("customers", [{"email": "c1@example.com", "name": "Old"}])
    shop.seed("orders", [order(1), order(2)])
    report = await make_engine(CUSTOMER_UPDATES, name="customer_updates").run_flow(
        "acme", "customer_updates"
    )
    assert [r.outcome for r in report.records] == ["sent", "parked"]
    assert "no erp.customers with email = 'c2@example.com' to update" in report.records[1].reason
    assert [c["name"] for c in erp.rows("customers")] == ["Customer 1"]


async def test_a_cancelled_run_is_recorded_as_cancelled_and_frees_the_flow(
    make_engine, shop, erp, catalog, store: Store
) -> None:
    import asyncio

    shop.seed("orders", [order(n) for n in range(1, 5)])
    engine = make_engine(ORDERS)
    started = asyncio.Event()
    original = erp.create

    async def slow_create(object: str, record: dict) -> dict:
        started.set()
        await asyncio.Event().wait()
        return await original(object, record)

    erp.create = slow_create
    run_id = engine.submit("acme", "orders")
    await started.wait()
    assert await engine.executor.cancel(run_id) is True
    assert store.run(run_id)["status"] == "cancelled"
    erp.create = original
    rerun = await engine.run_flow("acme", "orders")
    assert rerun.status == "succeeded"
    assert sorted(i["ref"] for i in erp.rows("invoices")) == ["N1", "N2", "N3", "N4"]


async def test_a_dry_run_leaves_parked_records_open(make_engine, shop, erp, catalog, store) -> None:
    shop.seed("orders", [order(1, sku="NEW")])
    engine = make_engine(ORDERS)
    await engine.run_flow("acme", "orders")
    [parked] = store.parked("acme")
    [dry] = await engine.replay(
        "acme", [parked["id"]], edits={parked["id"]: order(1, sku="A")}, dry_run=True
    )
    assert dry.records[0].outcome == "planned"
    assert [p["id"] for p in store.parked("acme")] == [parked["id"]]
    assert store.record(parked["id"])["source"]["sku"] == "NEW"
    assert erp.rows("invoices") == []


async def test_replaying_sent_records_twice_creates_nothing_new(
    make_engine, shop, erp, catalog, store: Store
) -> None:
    shop.seed("orders", [order(1), order(2)])
    engine = make_engine(ORDERS)
    first = await engine.run_flow("acme", "orders")
    ids = [r.record_id for r in first.records]
    for _ in range(2):
        [replay] = await engine.replay("acme", ids)
        assert [r.outcome for r in replay.records] == ["skipped", "skipped"]
    assert sorted(i["ref"] for i in erp.rows("invoices")) == ["N1", "N2"]
    assert len(erp.rows("customers")) == 2


async def test_forget_pending_lets_a_checked_unsure_create_go_through(
    make_engine, shop, erp, store: Store
) -> None:
    import sqlite3

    shop.seed("orders", [order(1)])
    erp.create_faults["notes"] = ["lose"]
    engine = make_engine(NOTES, name="notes")
    report = await engine.run_flow("acme", "notes")
    assert report.records[0].reason.startswith("maybe_created")
    with sqlite3.connect(erp.path) as db:  # a person checked: remove the half-made note
        db.execute("DELETE FROM rows WHERE object = 'notes'")
    [replay] = await engine.replay("acme", [report.records[0].record_id], forget_pending=True)
    assert replay.records[0].outcome == "sent"
    assert [n["text"] for n in erp.rows("notes")] == ["order N1"]
    assert Ledger(store, "acme", "notes").get("1", "note").state == "confirmed"  # type: ignore[union-attr]
