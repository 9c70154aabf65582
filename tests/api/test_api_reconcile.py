"""GET /api/v1/flows/{name}/reconcile on the real sandboxes: totals to the cent, links into the
record log, and the errors for flows that cannot be reconciled."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from conftest import World
from flows_fixtures import RECEIPTS


async def install(world: World, name: str = "orders", **body: Any) -> None:
    await world.connect_sandboxes()
    payload = {"name": name, "enabled": True, **(body or {"builtin": name})}
    response = await world.client.post("/api/v1/flows", json=payload, headers=world.admin)
    assert response.status_code == 201, response.text


async def run_orders(world: World) -> dict[str, Any]:
    response = await world.client.post(
        "/api/v1/flows/orders/runs", json={"wait_seconds": 120}, headers=world.admin
    )
    assert response.status_code == 200, response.text
    run: dict[str, Any] = response.json()
    assert run["status"] in ("succeeded", "partial"), run
    return run


async def reconciled(world: World, query: str = "", headers: dict[str, str] | None = None) -> Any:
    response = await world.client.get(
        f"/api/v1/flows/orders/reconcile{query}", headers=headers or world.admin
    )
    assert response.status_code == 200, response.text
    return json.loads(response.text, parse_float=Decimal)


def paid_outbound(world: World) -> list[dict[str, Any]]:
    return [
        r
        for r in world.bb_app.state.bb.store.all("receipts")
        if r["type"].endswith("outbound")
        and not r["deleted"]
        and Decimal(r["amount"]) != 0
        and abs(Decimal(r["amount_paid"] or "0")) >= abs(Decimal(r["amount"]))
    ]


async def test_after_a_run_both_sides_agree_to_the_cent(world: World) -> None:
    await install(world)
    await run_orders(world)
    body = await reconciled(world, headers=world.key("viewer"))

    receipts = paid_outbound(world)
    signed = [
        -Decimal(r["amount"]) if r["type"].startswith("credit") else Decimal(r["amount"])
        for r in receipts
    ]
    source, target = body["totals"]["source"], body["totals"]["target"]
    assert source["count"] == len(receipts)
    assert source["gross"] == sum(signed), "exact decimals in JSON"
    parked = [d for d in body["documents"] if d["status"] == "parked"]
    sent = [d for d in body["documents"] if d["status"] != "parked"]
    assert body["differences"] == 0
    assert sent and {d["status"] for d in sent} == {"ok"}
    assert target["count"] == len(sent)
    assert target["gross"] == sum(d["source"]["gross"] for d in sent)
    assert all(d["log"]["outcome"] == "parked" for d in parked)


async def test_a_deleted_document_is_missing_and_links_to_its_record_log(world: World) -> None:
    await install(world)
    run = await run_orders(world)
    before = await reconciled(world)
    victim = next(d for d in before["documents"] if d["status"] == "ok")
    live = world.services.engine.connections.build("acme", "exact_online")
    try:
        path = f"/api/v1/{await live.division()}/salesinvoice/SalesInvoices"
        await live.call("DELETE", f"{path}(guid'{victim['target'][0]['id']}')")
    finally:
        await live.aclose()

    body = await reconciled(world)
    line = next(d for d in body["documents"] if d["ref"] == victim["ref"])
    assert line["status"] == "missing" and line["target"] == []
    assert body["differences"] == 1
    assert line["source"] == victim["source"]
    assert body["totals"]["target"]["gross"] == (
        before["totals"]["target"]["gross"] - victim["target"][0]["gross"]
    )
    log = line["log"]
    assert log["run_id"] == run["id"] and log["outcome"] == "sent"
    assert log["path"] == f"/api/v1/runs/{run['id']}/records"
    records = (await world.client.get(log["path"], headers=world.admin)).json()["records"]
    record = next(r for r in records if r["id"] == log["record_id"])
    assert record["source"]["invoicenumber"] == victim["ref"]
    assert record["source_id"] == line["source_id"]


async def test_the_period_is_given_by_query(world: World) -> None:
    await install(world)
    receipts = sorted(paid_outbound(world), key=lambda r: r["date"])
    day = receipts[0]["date"]
    body = await reconciled(world, f"?date_from={day}&date_to={day}")
    assert body["period"] == {"from": day, "to": day}
    assert {d["ref"] for d in body["documents"]} == {
        r["invoicenumber"] for r in receipts if r["date"] == day
    }
    response = await world.client.get(
        "/api/v1/flows/orders/reconcile?date_from=2025-03-01&date_to=2025-02-01",
        headers=world.admin,
    )
    assert response.status_code == 422
    assert "swap" in response.json()["detail"]
    response = await world.client.get(
        "/api/v1/flows/orders/reconcile?date_from=March", headers=world.admin
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == "query.date_from"


async def test_a_flow_without_reconciler_is_422_naming_the_ones_that_have_one(
    world: World,
) -> None:
    await install(world, "receipts", script=RECEIPTS)
    response = await world.client.get("/api/v1/flows/receipts/reconcile", headers=world.admin)
    assert response.status_code == 422
    problem = response.json()
    assert "flow 'receipts' has no reconciler" in problem["detail"]
    assert "orders" in problem["detail"]
    assert problem["errors"][0]["loc"] == "path.name"


async def test_unknown_flows_and_other_tenants_are_404(world: World) -> None:
    await install(world)
    response = await world.client.get("/api/v1/flows/nope/reconcile", headers=world.admin)
    assert response.status_code == 404
    other = world.tenant("globex")
    response = await world.client.get("/api/v1/flows/orders/reconcile", headers=other)
    assert response.status_code == 404
