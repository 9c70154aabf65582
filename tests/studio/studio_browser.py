"""Helpers of the studio's browser journeys: where Chromium is, how it is started, the running
service under test and signing in. Loaded by ``conftest.py`` by its path."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "studio"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@dataclass
class Service:
    """A running ``mapwright serve --demo``: its URL, data folder and the demo admin key."""

    url: str
    data: Path
    key: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def tenant(self, name: str) -> str:
        """A new tenant and its admin key (``mapwright api tenant``)."""
        done = subprocess.run(
            [sys.executable, "-m", "mapwright", "api", "tenant", name, "--data", str(self.data)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.data.parent,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    def api(self, key: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {key}"}, timeout=60
        )


def sign_in(page: Any, key: str, route: str = "#/dashboard") -> None:
    """Open the studio, give the API key, land on ``route``."""
    page.goto("/" + route)
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Open the studio").click()
    page.get_by_role("navigation", name="Main").wait_for()
