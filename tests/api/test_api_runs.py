"""Runs through the API on the real sandboxes: start, wait, poll, log, idempotency, cancel,
parked records and replay."""

from __future__ import annotations

import asyncio

from conftest import World
from flows_fixtures import RECEIPTS


async def setup_flow(world: World, **settings: object) -> None:
    await world.connect_sandboxes()
    response = await world.client.post(
        "/api/v1/flows",
        json={"name": "receipts", "script": RECEIPTS, "settings": settings, "enabled": True},
        headers=world.admin,
    )
    assert response.status_code == 201, response.text


async def start(world: World, headers: dict[str, str] | None = None, **body: object) -> dict:
    response = await world.client.post(
        "/api/v1/flows/receipts/runs", json=body, headers=headers or world.admin
    )
    assert response.status_code in (200, 202), response.text
    return response.json()


async def poll(world: World, run_id: str) -> dict:
    for _ in range(6000):
        run = (await world.client.get(f"/api/v1/runs/{run_id}", headers=world.admin)).json()
        if run["status"] in ("succeeded", "partial", "failed", "cancelled"):
            return run
        await asyncio.sleep(0.01)
    raise AssertionError("the run did not finish")


async def test_a_dry_run_plans_without_writing(world: World) -> None:
    await setup_flow(world)
    run = await start(world, dry_run=True, wait_seconds=30)
    assert run["status"] == "succeeded", run
    assert run["dry_run"] is True and run["counts"]["planned"] > 0
    log = (await world.client.get(f"/api/v1/runs/{run['id']}/records", headers=world.admin)).json()
    record = log["records"][0]
    assert record["outcome"] == "planned"
    assert record["source"]["invoicenumber"]
    assert record["mapped"]["operations"][1]["target"] == "exact_online.sales_invoices"


async def test_a_run_sends_and_logs_requests_and_responses(world: World) -> None:
    await setup_flow(world)
    started = await start(world)
    assert started["status"] in ("queued", "running", "succeeded")
    run = await poll(world, started["id"])
    assert run["status"] == "succeeded", run
    log = (await world.client.get(f"/api/v1/runs/{run['id']}/records", headers=world.admin)).json()
    sent = [r for r in log["records"] if r["outcome"] == "sent"]
    assert sent
    invoice = next(
        op for op in sent[0]["operations"] if op["target"] == "exact_online.sales_invoices"
    )
    assert invoice["action"] == "created"
    assert invoice["request"]["YourRef"] == sent[0]["source"]["invoicenumber"]
    assert invoice["response"]


async def test_the_same_idempotency_key_returns_the_same_run(world: World) -> None:
    await setup_flow(world)
    headers = {**world.admin, "Idempotency-Key": "order-sync-42"}
    first = await start(world, headers, dry_run=True)
    second = await start(world, headers, dry_run=True)
    assert first["id"] == second["id"]
    other = await world.client.post(
        "/api/v1/flows/receipts/runs", json={"dry_run": False}, headers=headers
    )
    assert other.status_code == 422
    runs = (await world.client.get("/api/v1/runs", headers=world.admin)).json()
    assert len(runs) == 1


async def test_parked_records_can_be_fixed_by_settings_and_replayed(world: World) -> None:
    await setup_flow(world, item_code="NO-SUCH-ITEM")
    run = await start(world, wait_seconds=30)
    assert run["status"] == "partial", run
    parked = (await world.client.get("/api/v1/parked", headers=world.admin)).json()
    assert parked and parked[0]["reason"] == "item NO-SUCH-ITEM is not in Exact"
    await world.client.patch(
        "/api/v1/flows/receipts",
        json={"settings": {"item_code": "SHIRT-001-L"}},
        headers=world.admin,
    )
    one = await world.client.post(
        f"/api/v1/parked/{parked[0]['id']}/replay", params={"wait_seconds": 30}, headers=world.admin
    )
    assert one.status_code == 200  # finished within the wait, as a run start answers
    assert one.json()["runs"][0]["counts"]["sent"] == 1
    rest = [p["id"] for p in parked[1:]]
    many = await world.client.post(
        "/api/v1/parked/replay", json={"ids": rest, "wait_seconds": 30}, headers=world.admin
    )
    assert many.json()["runs"][0]["counts"]["sent"] == len(rest)
    assert (await world.client.get("/api/v1/parked", headers=world.admin)).json() == []


async def test_editing_a_parked_record_changes_what_is_replayed(world: World) -> None:
    await setup_flow(world)
    needs_memo = RECEIPTS.replace(
        "upsert exact_online.accounts",
        'park "receipt {invoicenumber} has no memo" if (memo ?? "") == ""\n'
        "upsert exact_online.accounts",
    ).replace('"Beleg " & invoicenumber', "memo")
    patched = await world.client.patch(
        "/api/v1/flows/receipts", json={"script": needs_memo}, headers=world.admin
    )
    assert patched.status_code == 200, patched.text
    run = await start(world, wait_seconds=30)
    assert run["status"] == "partial"
    parked = (await world.client.get("/api/v1/parked", headers=world.admin)).json()
    target = parked[0]
    assert target["reason"].endswith("has no memo")
    fixed = {**target["source"], "memo": "fixed by hand"}
    edited = await world.client.put(
        f"/api/v1/parked/{target['id']}", json={"source": fixed}, headers=world.admin
    )
    assert edited.status_code == 200 and edited.json()["source"]["memo"] == "fixed by hand"
    nonsense = await world.client.put(
        f"/api/v1/parked/{target['id']}", json={"source": {"hello": "world"}}, headers=world.admin
    )
    assert nonsense.status_code == 422, nonsense.text
    assert "invoicenumber" in nonsense.json()["detail"]
    still = (await world.client.get("/api/v1/parked", headers=world.admin)).json()
    assert [p["source"] for p in still if p["id"] == target["id"]] == [fixed]
    replayed = await world.client.post(
        "/api/v1/parked/replay",
        json={"ids": [target["id"]], "wait_seconds": 30},
        headers=world.admin,
    )
    run_id = replayed.json()["runs"][0]["id"]
    log = (await world.client.get(f"/api/v1/runs/{run_id}/records", headers=world.admin)).json()
    assert log["records"][0]["replay_of"] == target["id"]
    invoice = next(
        op
        for op in log["records"][0]["operations"]
        if op["target"] == "exact_online.sales_invoices"
    )
    assert invoice["request"]["Description"] == "fixed by hand"


async def test_a_queued_run_blocks_a_second_start_and_can_be_cancelled(world: World) -> None:
    await setup_flow(world)
    queued = world.services.engine.start("acme", "receipts")
    second = await world.client.post("/api/v1/flows/receipts/runs", json={}, headers=world.admin)
    assert second.status_code == 409
    assert second.json()["errors"][0] == {"loc": "flow", "msg": f"run {queued} is active"}
    cancelled = await world.client.post(f"/api/v1/runs/{queued}/cancel", headers=world.admin)
    assert cancelled.json()["status"] == "cancelled"
    again = await world.client.post(f"/api/v1/runs/{queued}/cancel", headers=world.admin)
    assert again.status_code == 409
    third = await start(world, wait_seconds=30)
    assert third["status"] == "succeeded"


async def test_unknown_runs_and_flows_are_404(world: World) -> None:
    assert (await world.client.get("/api/v1/runs/nope", headers=world.admin)).status_code == 404
    missing = await world.client.post("/api/v1/flows/nope/runs", json={}, headers=world.admin)
    assert missing.status_code == 404
