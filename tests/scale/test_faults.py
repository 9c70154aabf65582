"""Faults under workers: a worker killed mid-page, database connections cut mid-run."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable
from typing import Any

import psycopg
from mapwright.connectors.sandbox import FaultOptions
from scale_cluster import Cluster, exact_rows, paid_receipts, wait_for


def invoices_by_receipt(cluster: Cluster) -> collections.Counter[str]:
    paid = paid_receipts(cluster)
    refs = [str(i.get("YourRef")) for i in exact_rows(cluster, "salesinvoice/SalesInvoices")]
    return collections.Counter(r for r in refs if r in paid)


def parked_receipts(engine: Any) -> set[str]:
    parked = set()
    for run in engine.store.runs("acme", "orders"):
        for row in engine.store.records(run["id"]):
            if row["outcome"] == "parked" and row["source"]:
                parked.add(str(row["source"].get("invoicenumber")))
    return parked


def test_a_worker_killed_mid_page_is_resumed_by_another_exactly_once(
    make_cluster: Callable[..., Cluster],
) -> None:
    cluster = make_cluster(
        records=12,
        bb_records=500,
        exact={"faults": FaultOptions(timeout_after_commit_rate=0.1)},
    )
    engine = cluster.engine()
    run_id = engine.submit("acme", "orders", page_size=500)
    first = cluster.worker(concurrency=1)
    # kill it in the middle of the one page of 500 receipts
    wait_for(lambda: sum(invoices_by_receipt(cluster).values()) >= 10, 120)
    first.kill()
    first.wait()
    assert engine.store.run(run_id)["status"] == "running"
    assert engine.store.cursor("acme", "orders") is None, "the page was not committed"

    cluster.worker(concurrency=1)
    report = asyncio.run(engine.executor.wait(run_id))

    assert report.run_id != run_id and report.status in ("succeeded", "partial"), cluster.output()
    dead = engine.store.run(run_id)
    assert dead["status"] == "failed" and f"resumed as run {report.run_id}" in dead["error"]
    sent = invoices_by_receipt(cluster)
    assert [ref for ref, n in sent.items() if n > 1] == [], "no receipt became two invoices"
    lost = paid_receipts(cluster) - set(sent) - parked_receipts(engine)
    assert lost == set(), "every paid receipt is in Exact or parked"
    assert len(sent) > 50
    engine.store.close()


def test_workers_reconnect_after_their_database_connections_are_cut(
    make_cluster: Callable[..., Cluster],
) -> None:
    cluster = make_cluster(records=12, bb_records=60)
    engine = cluster.engine()
    run_id = engine.submit("acme", "orders", page_size=10)
    worker = cluster.worker(concurrency=1)
    wait_for(lambda: sum(invoices_by_receipt(cluster).values()) >= 5, 120)
    with psycopg.connect(cluster.url.replace("+psycopg", ""), autocommit=True) as conn:
        cut = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert cut is not None and cut[0] >= 2  # the test's own engine and the worker's
    report = asyncio.run(engine.executor.wait(run_id))
    assert report.status in ("succeeded", "partial"), cluster.output()
    assert worker.poll() is None, "the worker survived the cut"
    sent = invoices_by_receipt(cluster)
    assert [ref for ref, n in sent.items() if n > 1] == []
    assert paid_receipts(cluster) - set(sent) - parked_receipts(engine) == set()
    # and it takes the next run too
    second = engine.submit("acme", "orders")
    assert asyncio.run(engine.executor.wait(second)).status in ("succeeded", "partial")
    engine.store.close()
