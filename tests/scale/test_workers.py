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


def test_metrics_read_the_store_so_every_replica_reports_the_workers_runs(
    make_cluster: Callable[..., Cluster],
) -> None:
    from mapwright.engine.ops_metrics import StoreCollector
    from prometheus_client import CollectorRegistry, generate_latest

    cluster = make_cluster(records=12)
    engine = cluster.engine()
    registry = CollectorRegistry()
    registry.register(StoreCollector(engine.store))
    run_id = engine.submit("acme", "orders")
    before = generate_latest(registry).decode()
    assert 'mapwright_runs_queued{flow="orders",tenant="acme"} 1.0' in before
    cluster.worker(concurrency=1)
    asyncio.run(engine.executor.wait(run_id))
    after = generate_latest(registry).decode()
    assert 'mapwright_run_duration_seconds_count{flow="orders",tenant="acme"} 1.0' in after
    assert "mapwright_runs_queued{" not in after
    used = [line for line in after.splitlines() if line.startswith("mapwright_quota_used{")]
    exact = [line for line in used if 'quota="minutely"' in line and "exact_online" in line]
    assert exact and float(exact[0].rsplit(" ", 1)[1]) > 0, used
    engine.store.close()
