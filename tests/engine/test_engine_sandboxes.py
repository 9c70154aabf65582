"""End to end on the real sandboxes: BuchhaltungsButler receipts -> Exact Online invoices.

Both sandboxes are the FastAPI apps of the connector packages, mounted in-process; the
connectors are the real ones. Faults (lost responses after a committed write) come from the
sandboxes' own fault layer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from mapwright.connectors.base import ConnectionConfig
from mapwright.connectors.buchhaltungsbutler.testing import make_pair
from mapwright.connectors.exact_online import testing as exact_testing
from mapwright.connectors.exact_online.auth import MemoryTokenStore
from mapwright.connectors.exact_online.client import ExactOnlineConnector
from mapwright.connectors.faults import fault_state
from mapwright.connectors.sandbox import FaultOptions
from mapwright.engine.connections import Connections
from mapwright.engine.flows import Flow, FlowCatalog
from mapwright.engine.retry import RetryPolicy
from mapwright.engine.runs import Engine
from mapwright.engine.store import Store

RECEIPTS = """
flow receipts
source buchhaltungsbutler.receipts with { list_direction: "outbound" }
target exact_online
setting item_code: text = "SHIRT-001-L"
let item = require(exact_online.items, Code = settings.item_code,
                   "item {settings.item_code} is not in Exact")
upsert exact_online.accounts as debtor match Name = counterparty {
  Name <- counterparty
  Status <- "C" on create
}
create exact_online.sales_invoices as invoice unless exists YourRef = invoicenumber {
  OrderedBy <- debtor.ID
  YourRef <- invoicenumber
  Description <- "Beleg " & invoicenumber
  SalesInvoiceLines <- [{ Item: item.ID, Quantity: 1, NetPrice: number(amount) }]
}
"""


@dataclass
class Counting(httpx.AsyncBaseTransport):
    """Passes requests on and counts them by method."""

    inner: httpx.AsyncBaseTransport
    methods: Counter[str] = field(default_factory=Counter)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.methods[request.method] += 1
        return await self.inner.handle_async_request(request)


@dataclass
class World:
    engine: Engine
    exact: ExactOnlineConnector
    exact_app: Any
    exact_http: Counting
    bb_receipts: list[dict[str, Any]]


@pytest.fixture
async def world(store: Store) -> World:
    bb = make_pair(records=8)
    receipts = (
        await bb.connector.list("receipts", filters={"list_direction": "outbound"}, page_size=100)
    ).records
    app, _sandbox, clock = exact_testing.make_sandbox(records=6)
    info = exact_testing.describe(app, exact_testing.BASE)
    counting = Counting(httpx.ASGITransport(app=app))
    exact = ExactOnlineConnector(
        ConnectionConfig(
            kind="exact_online",
            base_url=exact_testing.BASE,
            credentials={"client_id": info["client_id"], "client_secret": info["client_secret"]},
        ),
        transport=counting,
        token_store=MemoryTokenStore(exact_testing.expired_tokens(app, clock)),
        clock=clock,
        sleep=exact_testing.fake_sleep(clock),
    )
    catalog = FlowCatalog(
        store=store, flows={"receipts": Flow("receipts", RECEIPTS)}, builtin_dir=None
    )
    connections = Connections(instances={"buchhaltungsbutler": bb.connector, "exact_online": exact})
    engine = Engine(
        store,
        catalog=catalog,
        connections=connections,
        retry=RetryPolicy(sleep=exact_testing.fake_sleep(clock)),
    )
    return World(engine, exact, app, counting, receipts)


async def invoice_refs(exact: ExactOnlineConnector) -> Counter[str]:
    page = await exact.list("sales_invoices", page_size=1000)
    return Counter(str(record["YourRef"]) for record in page.records)


async def test_every_outbound_receipt_becomes_one_exact_invoice(world: World, store: Store) -> None:
    before = await invoice_refs(world.exact)
    report = await world.engine.run_flow("acme", "receipts", page_size=3)
    assert report.status == "succeeded", report.error
    assert report.counts["sent"] == len(world.bb_receipts)
    after = await invoice_refs(world.exact)
    for receipt in world.bb_receipts:
        assert after[receipt["invoicenumber"]] == 1
    assert sum(after.values()) == sum(before.values()) + len(world.bb_receipts)

    store.commit_cursor("acme", "receipts", None, "reset")
    again = await world.engine.run_flow("acme", "receipts", page_size=3)
    assert {r.outcome for r in again.records} == {"skipped"}
    assert await invoice_refs(world.exact) == after


async def test_lost_responses_after_commit_still_give_one_invoice_each(
    world: World, store: Store
) -> None:
    fault_state(world.exact_app).replace(FaultOptions(timeout_after_commit_rate=0.5))
    recovered = 0
    for _ in range(2):
        store.commit_cursor("acme", "receipts", None, "replay")
        report = await world.engine.run_flow("acme", "receipts", page_size=4)
        recovered += sum(
            1
            for record in report.records
            for op in record.operations
            if "had been committed" in (op.get("note") or "")
        )
    lost = fault_state(world.exact_app).snapshot()["injected"].get("lose", 0)
    fault_state(world.exact_app).reset()
    for parked in store.parked("acme"):
        await world.engine.replay("acme", [parked["id"]])
    refs = await invoice_refs(world.exact)
    assert lost > 0 and recovered > 0
    assert all(refs[r["invoicenumber"]] == 1 for r in world.bb_receipts), refs
    assert store.parked("acme") == []


async def test_a_dry_run_sends_no_write_to_exact(world: World, store: Store) -> None:
    before = await invoice_refs(world.exact)
    world.exact_http.methods.clear()
    report = await world.engine.run_flow("acme", "receipts", dry_run=True)
    assert set(world.exact_http.methods) <= {"GET"}
    assert {r.outcome for r in report.records} == {"planned"}
    first = report.records[0].operations
    assert [op["action"] for op in first][-1] == "would_create"
    assert first[-1]["request"]["YourRef"] == world.bb_receipts[0]["invoicenumber"]
    assert await invoice_refs(world.exact) == before
    assert store.cursor("acme", "receipts") is None


async def test_fixing_the_mapping_and_replaying_parked_receipts(world: World, store: Store) -> None:
    store.save_flow("acme", "receipts", RECEIPTS, settings={"item_code": "NO-SUCH-ITEM"})
    report = await world.engine.run_flow("acme", "receipts")
    assert report.counts["parked"] == len(world.bb_receipts)
    assert report.records[0].reason == "item NO-SUCH-ITEM is not in Exact"
    store.save_flow("acme", "receipts", RECEIPTS, settings={"item_code": "SHIRT-001-L"})
    parked = store.parked("acme", "receipts")
    [replay] = await world.engine.replay("acme", [p["id"] for p in parked])
    assert replay.counts["sent"] == len(world.bb_receipts)
    assert {r.replay_of for r in replay.records} == {p["id"] for p in parked}
    refs = await invoice_refs(world.exact)
    assert all(refs[r["invoicenumber"]] == 1 for r in world.bb_receipts)
