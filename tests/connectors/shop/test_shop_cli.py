"""`mapwright sandbox shop` as a real server: one JSON line, then HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
import typer
from mapwright.connectors.cli import parse_error_rates, parse_settings


def test_sandbox_command_prints_its_address_and_serves() -> None:
    command = [sys.executable, "-m", "mapwright", "sandbox", "shop", "--port", "0"]
    command += ["--records", "6", "--error-rate", "503=0.0", "--setting", "rate_limit=5"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        info = json.loads(line)
        assert info["base_url"].startswith("http://127.0.0.1:")
        assert not info["base_url"].endswith(":0")
        assert info["rate_limit_per_minute"] == 5
        headers = {"X-API-Key": info["api_key"]}
        with httpx.Client(base_url=info["base_url"], headers=headers, timeout=30) as client:
            listed = client.get("/api/v1/products")
            faults = client.get("/_admin/faults")
        assert listed.status_code == 200
        assert listed.json()["meta"]["total"] == 6
        assert faults.json()["error_rates"] == {"503": 0.0}
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_sandbox_command_rejects_a_malformed_error_rate() -> None:
    command = [sys.executable, "-m", "mapwright", "sandbox", "shop", "--error-rate", "503"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "STATUS=PROBABILITY" in done.stderr


def test_settings_and_error_rates_parse_with_clear_errors() -> None:
    assert parse_settings(["rate_limit=60", "api_key=abc"]) == {"rate_limit": 60, "api_key": "abc"}
    assert parse_error_rates(["500=0.1", "503=0.05"]) == {500: 0.1, 503: 0.05}
    with pytest.raises(typer.BadParameter, match="NAME=VALUE"):
        parse_settings(["rate_limit"])
    with pytest.raises(typer.BadParameter, match="STATUS=PROBABILITY"):
        parse_error_rates(["x=0.1"])
