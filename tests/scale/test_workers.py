"""Runs on ``mapwright worker`` processes: queued by one process, executed by another."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from scale_cluster import Cluster, exact_rows, paid_receipts


def test_a_queued_run_is_executed_by_a_worker_process(make_cluster: Callable[..., Cluster]) -> None:
    cluster = make_cluster(records=12)
    engine = cluster.engine()
    run_id = engine.submit("acme", "orders")
    assert engine.store.run(run_id)["status"] == "queued"
    cluster.worker(concurrency=2)
    report = asyncio.run(engine.executor.wait(run_id))
    assert report.status in ("succeeded", "partial"), cluster.output()
    refs = [str(i.get("YourRef")) for i in exact_rows(cluster, "salesinvoice/SalesInvoices")]
    mine = [r for r in refs if r in paid_receipts(cluster)]
    assert mine and len(mine) == len(set(mine))
    assert engine.lock.holder("acme", "orders") is None
    engine.store.close()
