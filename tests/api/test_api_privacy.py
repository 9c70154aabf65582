"""Privacy: redaction unless the key may reveal, payload-free flows, retention purge with
separate payload and metadata TTLs, erase-by-subject."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from conftest import World
from flows_fixtures import RECEIPTS
from mapwright.api.privacy import purge


async def dry_run(world: World) -> str:
    await world.connect_sandboxes()
    await world.client.post(
        "/api/v1/flows", json={"name": "receipts", "script": RECEIPTS}, headers=world.admin
    )
    run = await world.client.post(
        "/api/v1/flows/receipts/runs",
        json={"dry_run": True, "wait_seconds": 30},
        headers=world.admin,
    )
    await world.services.executor.drain()
    return str(run.json()["id"])


async def records(world: World, run_id: str, headers: dict[str, str], **params: object) -> list:
    response = await world.client.get(
        f"/api/v1/runs/{run_id}/records", params=params, headers=headers
    )
    assert response.status_code == 200, response.text
    return list(response.json()["records"])


async def test_configured_paths_are_masked_unless_the_key_may_reveal(world: World) -> None:
    run_id = await dry_run(world)
    await world.client.put(
        "/api/v1/privacy", json={"redact": ["counterparty", "fields.Name"]}, headers=world.admin
    )
    viewer = world.key("viewer")
    masked = (await records(world, run_id, viewer))[0]
    assert masked["source"]["counterparty"] == "***"
    assert masked["mapped"]["operations"][0]["fields"]["Name"] == "***"
    assert masked["source"]["invoicenumber"] != "***"
    refused = await world.client.get(f"/api/v1/runs/{run_id}/records?reveal=true", headers=viewer)
    assert refused.status_code == 403
    revealer = world.key("viewer", reveal=True)
    shown = (await records(world, run_id, revealer, reveal="true"))[0]
    assert shown["source"]["counterparty"] not in ("***", None)


async def test_a_flow_that_keeps_no_payloads_logs_only_outcomes(world: World) -> None:
    await world.connect_sandboxes()
    await world.client.post(
        "/api/v1/flows", json={"name": "receipts", "script": RECEIPTS}, headers=world.admin
    )
    await world.client.put(
        "/api/v1/flows/receipts/options", json={"store_payloads": False}, headers=world.admin
    )
    run = await world.client.post(
        "/api/v1/flows/receipts/runs", json={"wait_seconds": 30}, headers=world.admin
    )
    await world.services.executor.drain()
    logged = await records(world, run.json()["id"], world.admin)
    assert logged and all(r["source"] is None and r["mapped"] is None for r in logged)
    assert all(
        "request" not in op and "response" not in op for r in logged for op in r["operations"]
    )
    assert {r["outcome"] for r in logged} == {"sent"}


async def test_purge_drops_payloads_and_old_runs_separately(world: World) -> None:
    run_id = await dry_run(world)
    await world.client.put(
        "/api/v1/privacy",
        json={"payload_ttl_days": 1, "metadata_ttl_days": 30},
        headers=world.admin,
    )
    now = world.services.clock()
    assert purge(world.services, now) == {"payloads_dropped": 0, "runs_deleted": 0}
    later = purge(world.services, now + dt.timedelta(days=2))
    assert later["payloads_dropped"] > 0 and later["runs_deleted"] == 0
    kept = await records(world, run_id, world.admin)
    assert kept and all(r["source"] is None for r in kept)
    assert (
        await world.client.get(f"/api/v1/runs/{run_id}", headers=world.admin)
    ).status_code == 200
    purge(world.services, now + dt.timedelta(days=31))
    assert (
        await world.client.get(f"/api/v1/runs/{run_id}", headers=world.admin)
    ).status_code == 404


async def test_purge_endpoint_needs_admin(world: World) -> None:
    response = await world.client.post("/api/v1/privacy/purge", headers=world.key("editor"))
    assert response.status_code == 403
    ok = await world.client.post("/api/v1/privacy/purge", headers=world.admin)
    assert ok.json() == {"payloads_dropped": 0, "runs_deleted": 0}


async def test_erase_by_subject_removes_matching_payloads_and_parked_records(world: World) -> None:
    await world.connect_sandboxes()
    script = RECEIPTS.replace(
        "upsert exact_online.accounts",
        'park "check receipt {invoicenumber} by hand" if true\nupsert exact_online.accounts',
    )
    await world.client.post(
        "/api/v1/flows", json={"name": "receipts", "script": script}, headers=world.admin
    )
    await world.client.post(
        "/api/v1/flows/receipts/runs", json={"wait_seconds": 30}, headers=world.admin
    )
    await world.services.executor.drain()
    parked = (await world.client.get("/api/v1/parked", headers=world.admin)).json()
    assert len(parked) > 1
    subject = parked[0]
    edited = {**subject["source"], "contact_email": "Jana.Mueller@Example.com"}
    await world.client.put(
        f"/api/v1/parked/{subject['id']}", json={"source": edited}, headers=world.admin
    )
    erased = await world.client.post(
        "/api/v1/privacy/erase", json={"email": "jana.mueller@example.com"}, headers=world.admin
    )
    assert erased.json() == {"records_erased": 1}
    row = world.services.store.record(subject["id"])
    assert row["source"] is None and row["parked_state"] == "erased"
    assert "example.com" not in str(row).lower()
    left = (await world.client.get("/api/v1/parked", headers=world.admin)).json()
    assert [p["id"] for p in left] == [p["id"] for p in parked[1:]]
    audit = (await world.client.get("/api/v1/audit", headers=world.admin)).json()
    assert audit[0]["action"] == "privacy.erase"
    assert audit[1] == {**audit[1], "action": "parked.edit", "diff": {"changed": ["contact_email"]}}
    assert "jana" not in str(audit).lower()


async def test_payloads_are_kept_30_days_by_default_and_the_api_says_so(world: World) -> None:
    shown = (await world.client.get("/api/v1/privacy", headers=world.admin)).json()
    assert shown["payload_ttl_days"] is None
    assert shown["payload_ttl_effective_days"] == 30
    assert shown["payload_ttl_default_days"] == 30
    changed = await world.client.put(
        "/api/v1/privacy", json={"payload_ttl_days": 7}, headers=world.admin
    )
    assert changed.json()["payload_ttl_effective_days"] == 7


async def test_the_scheduler_purges_payloads_after_the_default_retention(
    make_world: Any, settings: Any
) -> None:
    now = [dt.datetime.now(dt.UTC)]
    world = await make_world(
        settings=settings.model_copy(update={"scheduler_tick": 0.01}),
        clock=lambda: now[0],
        scheduler=True,
    )
    run_id = await dry_run(world)
    assert all(r["source"] is not None for r in await records(world, run_id, world.admin))
    now[0] += dt.timedelta(days=29)
    async with world.app.router.lifespan_context(world.app):
        await asyncio.sleep(0.1)
    kept = await records(world, run_id, world.admin)
    assert kept and all(r["payload_stored"] for r in kept), "purged before 30 days"
    now[0] += dt.timedelta(days=2)
    async with world.app.router.lifespan_context(world.app):
        for _ in range(500):
            logged = await records(world, run_id, world.admin)
            if not any(r["payload_stored"] for r in logged):
                break
            await asyncio.sleep(0.01)
    logged = await records(world, run_id, world.admin)
    assert logged and all(not r["payload_stored"] and r["source"] is None for r in logged)
