"""``mapwright serve`` refuses what cannot work before it creates anything."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
import typer
from mapwright.api.cli import register
from typer.testing import CliRunner


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # two commands: typer keeps 'serve' a subcommand
    return app


def test_a_postgres_store_without_the_driver_names_the_postgres_extra(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # a plain install: no psycopg
    url = "postgresql+psycopg://mapwright:secret@127.0.0.1:1/mapwright"
    result = CliRunner().invoke(app, ["serve", "--store", url, "--data", str(tmp_path)])
    text = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "pip install 'mapwright[postgres]'" in text
    assert "secret" not in text and "Traceback" not in text


def test_a_busy_port_is_refused_before_anything_is_created(
    app: typer.Typer, tmp_path: Path
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            app, ["serve", "--demo", "--port", str(port), "--data", str(tmp_path / "data")]
        )
    assert result.exit_code == 1
    assert f"127.0.0.1:{port}" in result.output and "--port" in result.output
    assert not (tmp_path / "data").exists()
