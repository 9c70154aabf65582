"""Alerts: a failed run alerts once per streak on webhook and e-mail with what failed,
auto-pause after N failed runs, a recovery notice after the first good run."""

from __future__ import annotations

import email
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from conftest import World
from flows_fixtures import RECEIPTS

FAILING = RECEIPTS.replace("NetPrice: number(amount)", "NetPrice: number(counterparty)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


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


async def run(world: World) -> dict:
    # every run reads the receipts from the start, as if they were new again
    world.services.store.commit_cursor("acme", "receipts", None, "test")
    response = await world.client.post(
        "/api/v1/flows/receipts/runs", json={"wait_seconds": 30}, headers=world.admin
    )
    await world.services.executor.drain()
    return dict(response.json())


async def test_failure_streak_alerts_once_pauses_and_recovers(
    make_world: Any, settings: Any, smtp: tuple[Inbox, int], webhook: tuple[list, str]
) -> None:
    inbox, port = smtp
    hooks, url = webhook
    world: World = await make_world(
        settings=settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": port, "egress_allow": "127.0.0.1"}
        )
    )
    await world.connect_sandboxes()
    await world.client.post(
        "/api/v1/flows",
        json={"name": "receipts", "script": FAILING, "enabled": True},
        headers=world.admin,
    )
    await world.client.put(
        "/api/v1/flows/receipts/options", json={"pause_after": 3}, headers=world.admin
    )
    for body in ({"kind": "webhook", "url": url}, {"kind": "email", "to": ["ops@example.com"]}):
        added = await world.client.post(
            "/api/v1/flows/receipts/alerts", json=body, headers=world.admin
        )
        assert added.status_code == 201, added.text

    first = await run(world)
    assert first["counts"]["failed"] > 0
    assert [h["event"] for h in hooks] == ["failure"]
    failed = hooks[0]["failed_records"][0]
    assert failed["rule"].startswith("SalesInvoiceLines <-") or "NetPrice" in failed["rule"]
    assert failed["source_id"] and failed["message"]
    assert len(inbox.messages) == 1
    assert "flow receipts failed" in inbox.messages[0]["Subject"]
    assert "rule:" in inbox.messages[0].get_payload()

    await run(world)
    assert [h["event"] for h in hooks] == ["failure"]
    await run(world)
    assert [h["event"] for h in hooks] == ["failure", "paused"]
    flow = (await world.client.get("/api/v1/flows/receipts", headers=world.admin)).json()
    assert flow["enabled"] is False and "3 failed runs" in flow["paused_reason"]

    await world.client.patch(
        "/api/v1/flows/receipts", json={"script": RECEIPTS}, headers=world.admin
    )
    await world.client.post("/api/v1/flows/receipts/enable", headers=world.admin)
    good = await run(world)
    assert good["status"] in ("succeeded", "partial") and not good["counts"].get("failed")
    assert [h["event"] for h in hooks] == ["failure", "paused", "recovered"]
    assert [m["Subject"].split()[-1] for m in inbox.messages][-1] == "recovered"
    events = (
        await world.client.get("/api/v1/flows/receipts/alerts/events", headers=world.admin)
    ).json()
    assert {e["kind"] for e in events} == {"failure", "paused", "recovered"}
    assert all(e["delivered"] for e in events)
    await world.client.aclose()


async def test_channels_are_validated(world: World) -> None:
    await world.client.post(
        "/api/v1/flows", json={"name": "receipts", "script": RECEIPTS}, headers=world.admin
    )
    bad = await world.client.post(
        "/api/v1/flows/receipts/alerts",
        json={"kind": "email", "to": ["not-an-address"]},
        headers=world.admin,
    )
    assert bad.status_code == 422
    no_url = await world.client.post(
        "/api/v1/flows/receipts/alerts",
        json={"kind": "webhook", "url": "ftp://x"},
        headers=world.admin,
    )
    assert no_url.status_code == 422
    assert no_url.json()["errors"][0]["loc"] == "body.url"


async def test_an_email_channel_without_smtp_is_refused_when_saved(world: World) -> None:
    await world.client.post(
        "/api/v1/flows", json={"name": "receipts", "script": RECEIPTS}, headers=world.admin
    )
    refused = await world.client.post(
        "/api/v1/flows/receipts/alerts",
        json={"kind": "email", "to": ["ops@example.com"]},
        headers=world.admin,
    )
    assert refused.status_code == 422, refused.text
    assert "MAPWRIGHT_SMTP_HOST" in refused.json()["detail"]
    assert refused.json()["errors"][0]["loc"] == "body.kind"
    listed = await world.client.get("/api/v1/flows/receipts/alerts", headers=world.admin)
    assert listed.json() == []


async def test_the_test_notice_answers_a_reason_per_channel(
    make_world: Any, settings: Any, webhook: tuple[list, str]
) -> None:
    hooks, url = webhook
    closed = free_port()  # nobody listens: neither SMTP nor the second webhook answer
    world: World = await make_world(
        settings=settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": closed, "egress_allow": "127.0.0.1"}
        )
    )
    await world.client.post(
        "/api/v1/flows", json={"name": "receipts", "script": RECEIPTS}, headers=world.admin
    )
    for body in (
        {"kind": "webhook", "url": url + "?token=s3cret"},
        {"kind": "webhook", "url": f"http://127.0.0.1:{closed}/hook?token=s3cret"},
        {"kind": "email", "to": ["ops@example.com"]},
    ):
        added = await world.client.post(
            "/api/v1/flows/receipts/alerts", json=body, headers=world.admin
        )
        assert added.status_code == 201, added.text
    sent = await world.client.post("/api/v1/flows/receipts/alerts/test", headers=world.admin)
    assert sent.status_code == 200, sent.text
    answers = sent.json()
    assert [(a["kind"], a["delivered"]) for a in answers] == [
        ("webhook", True),
        ("webhook", False),
        ("email", False),
    ]
    assert answers[0]["reason"] == "delivered" and len(hooks) == 1
    assert answers[1]["reason"].startswith("the webhook was not reached")
    assert answers[2]["reason"].startswith(f"the SMTP server 127.0.0.1:{closed} failed")
    assert "s3cret" not in sent.text
    await world.client.aclose()
