"""One product: after ``mapwright serve --demo`` the command line, started in the same folder
with no options, shows the service's flows, runs and parked records and reads its connections.

The demo is seeded the way ``mapwright serve --demo`` does it (its settings function, its
sandboxes, its seeding), in-process, in a temporary working folder."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer
from mapwright.api import demo
from mapwright.api.cli import _settings
from mapwright.api.services import Services
from mapwright.engine.cli import register
from mapwright.engine.config import load_settings
from mapwright.engine.runs import Engine
from typer.testing import CliRunner


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith("MAPWRIGHT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


async def _serve_demo() -> dict[str, Any]:
    """What ``mapwright serve --demo`` does before it listens, plus one real run."""
    settings = _settings(None, None, "127.0.0.1", 8000)
    sandboxes = demo.build_sandboxes(settings.public_url, settings.data_dir)
    services = Services(settings, transports=sandboxes.transports)
    try:
        await demo.seed(services, sandboxes)
        run = await services.engine.run_flow(demo.TENANT, "orders")
        return {
            "dry_run": sandboxes.report,
            "run": run.to_json(),
            "parked": services.store.parked(demo.TENANT),
            "flows": sorted(services.store.flows(demo.TENANT)),
            "exact": services.connections.credentials(demo.TENANT, "exact_online"),
        }
    finally:
        await services.executor.drain()
        services.close()


def _cli(*args: str) -> Any:
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


async def test_the_cli_in_the_demo_folder_shows_the_services_data(folder: Path) -> None:
    served = await _serve_demo()
    assert (folder / "mapwright-data" / "mapwright.db").exists()
    assert served["parked"], "the demo's orders run parks records (the test needs some)"

    flows = _cli("flow", "list")
    stored = {flow["name"] for flow in flows if flow["origin"] == "store"}
    assert stored == set(served["flows"])

    run = served["run"]
    shown = _cli("runs", "show", run["run_id"][:8])
    assert (shown["run_id"], shown["tenant"], shown["counts"]) == (
        run["run_id"],
        "demo",
        run["counts"],
    )
    dry = _cli("runs", "show", served["dry_run"]["run_id"])
    assert dry["dry_run"] is True and dry["counts"] == served["dry_run"]["counts"]

    parked = _cli("parked", "list")
    assert [row["id"] for row in parked] == [row["id"] for row in served["parked"]]


async def test_the_cli_decrypts_the_connections_the_service_saved(folder: Path) -> None:
    served = await _serve_demo()
    engine = Engine.from_config(load_settings())
    try:
        config = engine.connections.config("demo", "exact_online")
    finally:
        engine.store.close()
    assert config.credentials["client_id"] == served["exact"]["client_id"]
    assert config.credentials["client_secret"] == served["exact"]["client_secret"]


def test_without_the_services_key_the_cli_says_where_the_key_is(folder: Path) -> None:
    asyncio.run(_serve_demo())
    (folder / "mapwright-data" / "secret.key").unlink()
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["flow", "run", "orders", "--dry-run"])
    text = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "encrypted credentials" in text and "MAPWRIGHT_SECRET_KEY" in text


async def _start_and_run(flow: str) -> dict[str, Any]:
    """One ``serve --demo`` start in the current folder, then one real run of ``flow``."""
    settings = _settings(None, None, "127.0.0.1", 8000)
    sandboxes = demo.build_sandboxes(settings.public_url, settings.data_dir)
    services = Services(settings, transports=sandboxes.transports)
    try:
        await demo.seed(services, sandboxes)
        run = await services.engine.run_flow(demo.TENANT, flow)
        with services.store.engine.begin() as c:
            keys = c.execute(
                sa.text("select count(*) from api_keys where tenant = :t"), {"t": demo.TENANT}
            ).scalar()
        return {"key": sandboxes.key, "counts": run.counts, "keys": keys}
    finally:
        await services.executor.drain()
        services.close()


async def test_a_demo_restart_acts_like_the_first_start_and_reuses_the_admin_key(
    folder: Path,
) -> None:
    first = await _start_and_run("orders")
    assert first["key"] is not None and first["keys"] == 1
    assert first["counts"]["sent"] > 0, first["counts"]
    again = await _start_and_run("orders")
    # fresh sandboxes: the same records are sent again, not skipped or parked on old ids
    assert again["counts"] == first["counts"]
    assert again["key"] is None and again["keys"] == 1
