"""Parked records trigger an alert: when a flow's open parked records reach its
``parked_alert_at`` option, ``parked`` is sent once; fixing them re-arms the alert."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import World
from test_api_runs import setup_flow, start


@pytest.fixture
def webhook() -> Iterator[tuple[list[dict[str, Any]], str]]:
    received: list[dict[str, Any]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


async def test_parked_records_over_the_threshold_alert_once_and_rearm(
    make_world: Any, settings: Any, webhook: tuple[list[dict[str, Any]], str]
) -> None:
    hooks, url = webhook
    world: World = await make_world(
        settings=settings.model_copy(update={"egress_allow": "127.0.0.1"})
    )
    await setup_flow(world, item_code="NO-SUCH-ITEM")  # every receipt parks
    added = await world.client.post(
        "/api/v1/flows/receipts/alerts", json={"kind": "webhook", "url": url}, headers=world.admin
    )
    assert added.status_code == 201, added.text
    options = await world.client.put(
        "/api/v1/flows/receipts/options", json={"parked_alert_at": 2}, headers=world.admin
    )
    assert options.status_code == 200, options.text
    assert options.json()["parked_alert_at"] == 2

    run = await start(world, wait_seconds=30)
    await world.services.executor.drain()
    assert run["status"] == "partial" and run["counts"]["parked"] >= 2, run
    parked = (await world.client.get("/api/v1/parked", headers=world.admin)).json()
    assert [h["event"] for h in hooks] == ["parked"]
    assert hooks[0]["open_parked"] == len(parked) and hooks[0]["threshold"] == 2

    # still over the threshold: no second alert for the same backlog
    world.services.store.commit_cursor("acme", "receipts", None, "test")
    await start(world, wait_seconds=30)
    await world.services.executor.drain()
    assert [h["event"] for h in hooks] == ["parked"]

    # fixed and replayed: below the threshold, the alert is armed again
    await world.client.patch(
        "/api/v1/flows/receipts",
        json={"settings": {"item_code": "SHIRT-001-L"}},
        headers=world.admin,
    )
    open_ids = [
        p["id"] for p in (await world.client.get("/api/v1/parked", headers=world.admin)).json()
    ]
    replay = await world.client.post(
        "/api/v1/parked/replay", json={"ids": open_ids, "wait_seconds": 30}, headers=world.admin
    )
    assert replay.status_code == 200, replay.text
    await world.services.executor.drain()
    assert (await world.client.get("/api/v1/parked", headers=world.admin)).json() == []
    assert world.services.options("acme", "receipts")["parked_alerting"] is False
    events = (
        await world.client.get("/api/v1/flows/receipts/alerts/events", headers=world.admin)
    ).json()
    assert [e["kind"] for e in events] == ["parked"] and events[0]["delivered"]


async def test_without_a_threshold_parked_records_send_no_alert(
    make_world: Any, settings: Any, webhook: tuple[list[dict[str, Any]], str]
) -> None:
    hooks, url = webhook
    world: World = await make_world(
        settings=settings.model_copy(update={"egress_allow": "127.0.0.1"})
    )
    await setup_flow(world, item_code="NO-SUCH-ITEM")
    await world.client.post(
        "/api/v1/flows/receipts/alerts", json={"kind": "webhook", "url": url}, headers=world.admin
    )
    run = await start(world, wait_seconds=30)
    await world.services.executor.drain()
    assert run["counts"]["parked"] > 0
    assert hooks == []
