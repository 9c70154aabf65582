"""Every built-in flow, in sequence, twice, on the demo's world (the sandboxes seeded as
``mapwright serve --demo`` seeds them, with every flow on its default settings): the second
pass must create nothing and update nothing. A flow that echoes what another flow wrote, or
two flows that keep overwriting each other's fields, fail here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flow_sandboxes import build

TENANT = "demo"
#: the order a user would switch them on: customers first, then documents, then catalogue
FLOWS = (
    "customers_to_exact",
    "customers_to_buchhaltungsbutler",
    "orders",
    "invoices",
    "products",
    "stock",
    "shipments",
)
WRITES = ("created", "updated")


def writes(report: Any) -> list[str]:
    return [
        f"{report.flow} {record.source_id}: {op.get('action')} {op.get('operation')} "
        f"{op.get('diff') or ''}"
        for record in report.records
        for op in record.operations
        if op.get("action") in WRITES
    ]


async def test_second_pass_of_every_flow_creates_nothing_and_updates_nothing(
    tmp_path: Path,
) -> None:
    # the demo's seed and size; accounts with higher request limits (pacing is tested in
    # tests/connectors), so the two passes do not wait for Exact's 60 calls a minute
    world = build(tmp_path, seed=42, records=25, bb_per_minute=5000, exact_per_minute=5000)
    try:
        first: list[str] = []
        reports = {}
        for flow in FLOWS:
            report = reports[flow] = await world.engine.run_flow(TENANT, flow)
            assert report.status in ("succeeded", "partial"), (flow, report.error)
            first += writes(report)
        assert first, "the first pass wrote something (else this test proves nothing)"
        # the Exact invoices that orders made from BuchhaltungsButler receipts do not travel
        # back as copies: invoices skips them, naming where they came from
        made = {
            op["target_id"]
            for record in reports["orders"].records
            for op in record.operations
            if op.get("action") == "created" and op.get("target") == "exact_online.sales_invoices"
        }
        assert made
        echoed = {r.source_id: r for r in reports["invoices"].records if r.source_id in made}
        assert set(echoed) == made
        for record in echoed.values():
            assert record.outcome == "skipped"
            assert "was created by mapwright (flow orders" in (record.reason or "")
        second: list[str] = []
        for flow in FLOWS:
            report = await world.engine.run_flow(TENANT, flow)
            assert report.status in ("succeeded", "partial"), (flow, report.error)
            second += writes(report)
        assert second == []
    finally:
        await world.close()
