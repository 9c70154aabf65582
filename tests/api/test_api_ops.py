"""Operations: health, readiness, Prometheus metrics, schedules, the demo seeding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import World
from flows_fixtures import RECEIPTS
from mapwright.api.schedule import Schedule, next_run, run_due
from mapwright.api.settings import ApiSettings


async def test_health_and_ready_need_no_key(world: World) -> None:
    assert (await world.client.get("/health")).json() == {"status": "ok"}
    assert (await world.client.get("/ready")).json() == {"status": "ready"}


async def test_metrics_count_runs_records_and_connector_calls(world: World) -> None:
    await world.connect_sandboxes()
    await world.client.post(
        "/api/v1/flows", json={"name": "receipts", "script": RECEIPTS}, headers=world.admin
    )
    await world.client.post(
        "/api/v1/flows/receipts/runs", json={"wait_seconds": 30}, headers=world.admin
    )
    await world.services.executor.drain()
    text = (await world.client.get("/metrics")).text
    assert 'mapwright_runs_total{flow="receipts",status="succeeded"} 1.0' in text
    assert 'mapwright_records_total{flow="receipts",outcome="sent"}' in text
    assert 'mapwright_connector_calls_total{connector="exact_online"}' in text
    assert 'mapwright_quota_remaining{connector="exact_online",quota="minutely"}' in text


def test_cron_and_interval_schedules() -> None:
    start = dt.datetime(2026, 1, 5, 10, 7, tzinfo=dt.UTC)
    assert next_run(Schedule(cron="*/15 * * * *"), start) == start.replace(minute=15)
    assert next_run(Schedule(interval_seconds=600), start) == start + dt.timedelta(minutes=10)


async def test_due_schedules_start_runs_of_enabled_flows_only(world: World) -> None:
    now = [dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)]
    world.services.clock = lambda: now[0]
    await world.connect_sandboxes()
    await world.client.post(
        "/api/v1/flows",
        json={"name": "receipts", "script": RECEIPTS, "enabled": True},
        headers=world.admin,
    )
    await world.client.put(
        "/api/v1/flows/receipts/schedule", json={"interval_seconds": 3600}, headers=world.admin
    )
    assert await run_due(world.services) == []
    now[0] += dt.timedelta(hours=1)
    started = await run_due(world.services)
    assert len(started) == 1
    await world.services.executor.drain()
    assert world.services.store.run(started[0])["trigger"] == "schedule"
    await world.client.post("/api/v1/flows/receipts/disable", headers=world.admin)
    now[0] += dt.timedelta(hours=1)
    assert await run_due(world.services) == []


async def test_demo_seeds_tenant_connections_flows_gallery_and_a_dry_run(
    tmp_path: Path, settings: ApiSettings
) -> None:
    import httpx
    from mapwright.api import demo
    from mapwright.api.app import create_app

    sandboxes = demo.build_sandboxes("http://127.0.0.1:8000", tmp_path)
    app = create_app(settings, transports=sandboxes.transports)
    services = app.state.services
    try:
        await demo.seed(services, sandboxes)
        headers = {"Authorization": f"Bearer {sandboxes.key}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            connections = (await client.get("/api/v1/connections", headers=headers)).json()
            assert {c["name"] for c in connections} == {
                "exact_online",
                "buchhaltungsbutler",
                "shop",
            }
            flows = (await client.get("/api/v1/flows", headers=headers)).json()
            assert {f["name"] for f in flows} == set(services.catalog.builtin())
            gallery = (await client.get("/api/v1/templates", headers=headers)).json()
            assert {t["name"] for t in gallery} == set(services.catalog.builtin())
        assert sandboxes.report is not None
        assert sandboxes.report["counts"]["total"] > 0
        assert sandboxes.report["counts"]["planned"] > 0
        assert sandboxes.report["status"] in ("succeeded", "partial")
    finally:
        await services.executor.drain()
        services.close()
