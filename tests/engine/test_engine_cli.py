"""The flow/runs/parked commands, end to end through a mapwright.toml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from engine_doubles import TableSystem
from mapwright.connectors.base import CONNECTORS
from mapwright.engine.cli import register
from test_engine_runner import ORDERS, order
from typer.testing import CliRunner

Setup = tuple[Path, TableSystem, TableSystem]


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Setup:
    monkeypatch.setitem(CONNECTORS, TableSystem.kind, TableSystem)
    shop, erp = TableSystem(str(tmp_path / "shop.db")), TableSystem(str(tmp_path / "erp.db"))
    erp.seed("items", [{"sku": "A"}])
    shop.seed("orders", [order(1), order(2, sku="Z"), order(3, status="open")])
    (tmp_path / "orders.map").write_text(ORDERS)
    config = tmp_path / "mapwright.toml"
    config.write_text(
        f"""
[store]
url = "sqlite:///{tmp_path}/store.db"
[connections.shop]
kind = "table_double"
options = {{ path = "{shop.path}" }}
[connections.erp]
kind = "table_double"
options = {{ path = "{erp.path}" }}
[flows.orders]
script = "orders.map"
"""
    )
    return config, shop, erp


def test_flow_list_shows_the_configured_flow(app: typer.Typer, setup: Setup) -> None:
    config, _, _ = setup
    result = CliRunner().invoke(app, ["flow", "list", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    flows = {f["name"]: f for f in json.loads(result.output)}
    assert flows["orders"]["origin"] == "config"


def test_flow_run_json_prints_every_records_outcome(app: typer.Typer, setup: Setup) -> None:
    config, _, erp = setup
    result = CliRunner().invoke(app, ["flow", "run", "orders", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["status"] == "partial"
    assert [r["outcome"] for r in report["records"]] == ["sent", "parked", "skipped"]
    assert [i["ref"] for i in erp.rows("invoices")] == ["N1"]


def test_flow_run_dry_run_prints_a_summary_and_writes_nothing(
    app: typer.Typer, setup: Setup
) -> None:
    config, _, erp = setup
    result = CliRunner().invoke(app, ["flow", "run", "orders", "--dry-run", "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "planned" in result.output and "dry run" in result.output
    assert erp.rows("invoices") == []


def test_runs_show_and_parked_replay(app: typer.Typer, setup: Setup) -> None:
    config, _, erp = setup
    runner = CliRunner()
    run = json.loads(
        runner.invoke(app, ["flow", "run", "orders", "-c", str(config), "--json"]).output
    )
    shown = runner.invoke(app, ["runs", "show", run["run_id"][:8], "-c", str(config), "--json"])
    records = json.loads(shown.output)["records"]
    assert records[0]["operations"][1]["action"] == "created"
    # the activity log as the docs describe it: source record and plan of every record
    assert records[0]["source"]["id"] == 1 and records[1]["source"]["sku"] == "Z"
    assert records[0]["plan"] is not None and records[0]["plan"] != []
    parked = json.loads(runner.invoke(app, ["parked", "list", "-c", str(config), "--json"]).output)
    assert [p["source_id"] for p in parked] == ["2"]
    fixed = Path(config.parent / "fixed.json")
    fixed.write_text(json.dumps(dict(parked[0]["source"], sku="A")))
    edit = runner.invoke(
        app, ["parked", "edit", str(parked[0]["id"]), "--file", str(fixed), "-c", str(config)]
    )
    assert edit.exit_code == 0, edit.output
    replay = runner.invoke(app, ["parked", "replay", "--all", "-c", str(config), "--json"])
    assert replay.exit_code == 0, replay.output
    [report] = json.loads(replay.output)
    assert report["records"][0]["replay_of"] == parked[0]["id"]
    assert report["records"][0]["outcome"] == "sent"
    assert sorted(i["ref"] for i in erp.rows("invoices")) == ["N1", "N2"]


def test_an_unknown_flow_is_a_clear_error(app: typer.Typer, setup: Setup) -> None:
    config, _, _ = setup
    result = CliRunner().invoke(app, ["flow", "run", "ordrs", "-c", str(config)])
    assert result.exit_code == 1
    assert "no flow called 'ordrs'" in result.output


def test_record_text_is_never_read_as_markup(app: typer.Typer, setup: Setup) -> None:
    config, shop, _ = setup
    shop.seed("orders", [order(4, sku="[/x] [bold]hi[/bold] l[x * 1]")])
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["flow", "run", "orders", "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "unknown product [/x] [bold]hi[/bold] l[x * 1]" in result.output
    parked = runner.invoke(app, ["parked", "list", "-c", str(config)])
    assert parked.exit_code == 0, parked.output
    assert "[/x] [bold]hi[/bold] l[x * 1]" in parked.output


def test_a_typo_in_a_connection_kind_is_reported_at_config_load(
    app: typer.Typer, setup: Setup
) -> None:
    config, _, _ = setup
    config.write_text(
        config.read_text().replace('kind = "table_double"', 'kind = "exact_onlin"', 1)
    )
    result = CliRunner(env={"COLUMNS": "300"}).invoke(app, ["flow", "list", "-c", str(config)])
    assert result.exit_code == 1
    assert "[connections.shop] kind: unknown connection kind 'exact_onlin'" in result.output
    assert "buchhaltungsbutler, exact_online, files, rest, shop" in result.output
