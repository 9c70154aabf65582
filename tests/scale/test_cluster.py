"""Two workers (and two service replicas) on one database: one token refresh, one quota,
schedules that fire once."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import time
from collections.abc import Callable

import httpx
import psycopg
from scale_cluster import ITEMS, Cluster, free_port, wait_for

LIMIT = 40


def test_twenty_concurrent_runs_refresh_the_token_once_and_stay_under_the_limit(
    make_cluster: Callable[..., Cluster],
) -> None:
    cluster = make_cluster(records=12, exact_per_minute=LIMIT)
    engine = cluster.engine()
    tenants = [f"t{n:02d}" for n in range(20)]
    runs = [engine.submit(tenant, "orders", page_size=5) for tenant in tenants]
    workers = [cluster.worker(concurrency=10), cluster.worker(concurrency=10)]
    sandbox = cluster.exact_sandbox
    # the 20 runs need far more than LIMIT calls: wait until the minute's budget is used up,
    # then watch a few seconds more for anyone going over
    wait_for(lambda: sandbox.counters.requests >= LIMIT, 90)
    time.sleep(3)
    per_minute: collections.Counter[int] = collections.Counter()
    for (_client, _division, minute), count in sandbox.counters.minute.items():
        per_minute[minute] += count
    assert sandbox.counters.served_429 == 0, cluster.output()
    assert max(per_minute.values()) <= LIMIT
    assert sandbox.counters.refreshes == 1, "one token refresh for all 20 runs"
    running = [engine.store.run(run)["status"] for run in runs]
    assert running.count("running") >= 2, running  # both workers were busy at once
    holders = {holder.pid for t in tenants if (holder := engine.lock.holder(t, "orders"))}
    assert {w.pid for w in workers} <= holders, "the runs were spread over both workers"
    assert all(w.poll() is None for w in workers)
    engine.store.close()


def _admin_key(cluster: Cluster, tenant: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mapwright", "api", "tenant", tenant, "--store", cluster.url,
         "--data", str(cluster.tmp / "data")],
        cwd=cluster.tmp, env=cluster.env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1].strip()


def test_a_due_schedule_fires_once_across_two_services_and_two_workers(
    make_cluster: Callable[..., Cluster],
) -> None:
    cluster = make_cluster(records=12)
    ports = [free_port(), free_port()]
    for port in ports:
        cluster.service(port)
    for _ in range(2):
        cluster.worker(concurrency=2)
    tenants = ["north", "south"]
    for tenant in tenants:
        key = _admin_key(cluster, tenant)
        api = httpx.Client(
            base_url=f"http://127.0.0.1:{ports[0]}/api/v1",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        made = api.post(
            "/flows",
            json={"name": "orders", "builtin": "orders", "settings": {"items_by_vat": ITEMS}},
        )
        assert made.status_code in (200, 201), made.text
        scheduled = api.put("/flows/orders/schedule", json={"interval_seconds": 3600})
        assert scheduled.status_code == 200, scheduled.text
        enabled = api.post("/flows/orders/enable")
        assert enabled.status_code == 200, enabled.text
    # the service was down for three hours: three slots were missed, the run fires once
    with psycopg.connect(cluster.url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("UPDATE flow_options SET next_run_at = now() - interval '3 hours'")

    def finished() -> list[dict[str, object]]:
        engine = cluster.engine()
        try:
            found = [r for t in tenants for r in engine.store.runs(t, "orders")]
        finally:
            engine.store.close()
        done = all(r["status"] in ("succeeded", "partial", "failed") for r in found)
        return found if found and done and len(found) >= len(tenants) else []

    try:
        runs = wait_for(finished, 60)
    except AssertionError:
        raise AssertionError(cluster.output()) from None
    time.sleep(2)  # both schedulers ticked many times since (tick 0.2 s)
    runs = finished()
    by_tenant = collections.Counter(r["tenant"] for r in runs)
    assert by_tenant == {"north": 1, "south": 1}, json.dumps(runs, default=str)
    assert {r["trigger"] for r in runs} == {"schedule"}
    assert {r["status"] for r in runs} <= {"succeeded", "partial"}, [r["error"] for r in runs]
    with psycopg.connect(cluster.url.replace("+psycopg", ""), autocommit=True) as conn:
        later = conn.execute(
            "SELECT count(*) FROM flow_options WHERE next_run_at > now()"
        ).fetchone()
    assert later == (2,)

    # the services' after-run steps (metrics, alerts) ran once per run, on one replica each
    def counted() -> list[float]:
        values = []
        for port in ports:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            values += [
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("mapwright_runs_total{") and 'flow="orders"' in line
            ]
        return values

    wait_for(lambda: sum(counted()) >= 2, 20)
    time.sleep(2)
    assert sum(counted()) == 2
