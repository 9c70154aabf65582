"""``mapwright reconcile`` end to end: a mapwright.toml pointing at the BB and Exact sandboxes
served on 127.0.0.1, the flow run and the reconciliation through the command line."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer
import uvicorn
from mapwright.connectors.buchhaltungsbutler import sandbox as bb_sandbox
from mapwright.connectors.exact_online import sandbox as exact_sandbox
from mapwright.connectors.sandbox import SandboxOptions
from mapwright.engine.cli import register
from mapwright.engine.config import load_config
from mapwright.engine.runs import Engine
from typer.testing import CliRunner


def serve(app: Any) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def sandboxes() -> Iterator[dict[str, Any]]:
    exact = exact_sandbox.create_app(
        SandboxOptions(seed=11, records=12, extra={"client_id": str(uuid.uuid4())})
    )
    bb = bb_sandbox.create_app(SandboxOptions(seed=11, records=12))
    exact_urls, bb_urls = serve(exact), serve(bb)
    exact_url, bb_url = next(exact_urls), next(bb_urls)
    yield {
        "exact": exact_sandbox.describe(exact, exact_url),
        "bb": bb_sandbox.describe(bb, bb_url),
        "bb_app": bb,
    }
    for urls in (exact_urls, bb_urls):
        next(urls, None)


def write_config(tmp_path: Path, sandboxes: dict[str, Any], settings: str = "") -> Path:
    exact, bb = sandboxes["exact"], sandboxes["bb"]
    creds = bb["credentials"]
    config = tmp_path / "mapwright.toml"
    config.write_text(
        f"""
tenant = "acme"
[store]
url = "sqlite:///{tmp_path}/store.db"
[connections.exact_online]
kind = "exact_online"
base_url = "{exact["base_url"]}"
[connections.exact_online.credentials]
client_id = "{exact["client_id"]}"
client_secret = "{exact["client_secret"]}"
refresh_token = "{exact["refresh_token"]}"
[connections.buchhaltungsbutler]
kind = "buchhaltungsbutler"
base_url = "{bb["base_url"]}"
[connections.buchhaltungsbutler.credentials]
api_client = "{creds["api_client"]}"
api_secret = "{creds["api_secret"]}"
api_key = "{creds["api_key"]}"
[flows.orders]
settings = {{ {settings} }}
""",
        encoding="utf-8",
    )
    return config


async def delete_invoice(config: Path, invoice_id: str) -> None:
    engine = Engine.from_config(load_config(config))
    live: Any = engine.connections.build("acme", "exact_online")
    try:
        path = f"/api/v1/{await live.division()}/salesinvoice/SalesInvoices"
        await live.call("DELETE", f"{path}(guid'{invoice_id}')")
    finally:
        await live.aclose()
        engine.store.close()


def test_reconcile_after_a_run_exits_0_then_1_for_a_deleted_invoice(
    app: typer.Typer, tmp_path: Path, sandboxes: dict[str, Any]
) -> None:
    config = write_config(tmp_path, sandboxes)
    runner = CliRunner()
    ran = runner.invoke(app, ["flow", "run", "orders", "-c", str(config), "--json"])
    assert ran.exit_code == 0, ran.output
    clean = runner.invoke(app, ["reconcile", "orders", "-c", str(config)])
    assert clean.exit_code == 0, clean.output
    assert "0 differences" in clean.output and "source - target" in clean.output

    first = json.loads(
        runner.invoke(app, ["reconcile", "orders", "-c", str(config), "--json"]).output,
        parse_float=Decimal,
    )
    victim = first["documents"][0]
    asyncio.run(delete_invoice(config, victim["target"][0]["id"]))
    after = runner.invoke(app, ["reconcile", "orders", "-c", str(config), "--json"])
    assert after.exit_code == 1, after.output
    body = json.loads(after.output, parse_float=Decimal)
    assert body["differences"] == 1
    line = next(d for d in body["documents"] if d["ref"] == victim["ref"])
    assert line["status"] == "missing" and line["log"]["outcome"] == "sent"
    gross = victim["target"][0]["gross"]
    assert body["totals"]["target"]["gross"] == first["totals"]["target"]["gross"] - gross

    table = runner.invoke(app, ["reconcile", "orders", "-c", str(config)])
    assert table.exit_code == 1
    assert victim["ref"] in table.output and "missing" in table.output
    assert "1 difference\n" in table.output


def test_record_text_is_printed_as_text_not_markup(
    app: typer.Typer, tmp_path: Path, sandboxes: dict[str, Any]
) -> None:
    config = write_config(tmp_path, sandboxes, 'payment_status = "all"')
    bb = sandboxes["bb_app"].state.bb
    receipt = next(r for r in bb.store.all("receipts") if r["type"] == "invoice outbound")
    bb.store.put("receipts", receipt["id"], {**receipt, "invoicenumber": "[red]X[/red]"})
    day = receipt["date"]
    result = CliRunner().invoke(
        app, ["reconcile", "orders", "-c", str(config), "--from", day, "--to", day]
    )
    assert result.exit_code == 1, result.output
    assert "[red]X[/red]" in result.output


def test_a_flow_without_reconciler_exits_2_naming_the_ones_that_have_one(
    app: typer.Typer, tmp_path: Path, sandboxes: dict[str, Any]
) -> None:
    config = write_config(tmp_path, sandboxes)
    result = CliRunner().invoke(app, ["reconcile", "stock", "-c", str(config)])
    assert result.exit_code == 2
    assert "flow 'stock' has no reconciler" in result.output
    assert "orders" in result.output
    bad = CliRunner().invoke(app, ["reconcile", "orders", "-c", str(config), "--from", "March"])
    assert bad.exit_code == 2
    assert "YYYY-MM-DD" in bad.output
