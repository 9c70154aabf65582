"""``mapwright serve`` refuses what cannot work before it creates anything."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
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


def test_the_demo_answers_as_soon_as_it_prints_its_try_line(tmp_path: Path) -> None:
    """The lines a newcomer copies (the key, the "try:" curl) come once the port is taken:
    one request right after them is answered, never refused (uvicorn seeds the demo in the
    app's start-up, before it binds)."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPWRIGHT_")}
    command = [sys.executable, "-m", "mapwright", "serve", "--demo", "--port", str(port)]
    command += ["--data", str(tmp_path / "data"), "--log-level", "warning"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path, env=env
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("try:"):
                break
        else:
            pytest.fail("serve --demo ended before its try: line:\n" + "".join(lines[-30:]))
        url = f"http://127.0.0.1:{port}"
        assert httpx.get(url + "/health", timeout=10).status_code == 200  # one try, no wait
        key = next(m.group(1) for m in map(re.compile(r"\s+(mw_\S+)\s*$").match, lines) if m)
        flows = httpx.get(url + "/api/v1/flows", headers={"Authorization": f"Bearer {key}"})
        assert flows.status_code == 200 and flows.json()
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
