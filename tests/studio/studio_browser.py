"""Helpers of the studio's browser journeys: where Chromium is, how it is started, starting
and stopping the service under test (``serve --demo``) and signing in. Loaded by
``conftest.py`` by its path."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
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


#: ``mapwright`` with one more folder of connector packages (``sys.argv[1]``) on the path the
#: registry looks at: a connector that lives in its own folder outside the repository
WITH_CONNECTORS = (
    "import sys\n"
    "import mapwright.connectors as connectors\n"
    "connectors.__path__.append(sys.argv.pop(1))\n"
    "from mapwright.cli import main\n"
    "main()\n"
)


class StartFailed(Exception):
    """The service did not come up; the message holds the end of its output."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_service(folder: Path, connectors: Path | None = None) -> Service:
    """``mapwright serve --demo`` on a free port with its data in ``folder``; with
    ``connectors``, the connector packages in that folder are found as well.
    ``StartFailed`` (with the end of its output) when it does not come up."""
    data = folder / "data"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPWRIGHT_")}
    command = [sys.executable, "-m", "mapwright"]
    if connectors is not None:
        command = [sys.executable, "-c", WITH_CONNECTORS, str(connectors)]
    process = subprocess.Popen(
        command
        + ["serve", "--demo", "--port", str(port)]
        + ["--data", str(data), "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=folder,
        env=env,
    )
    output: list[str] = []
    found: dict[str, str] = {}
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            match = re.match(r"\s+(mw_\S+)\s*$", line)
            if match:
                found["key"] = match.group(1)
            if line.startswith("try:"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    # "try:" is printed once the server has taken the port (api/cli.py); _answers checks it
    if not ready.wait(180) or "key" not in found or not _answers(url, process):
        process.kill()
        raise StartFailed("mapwright serve --demo did not start:\n" + "".join(output[-40:]))
    return Service(url, data, found["key"], process, output)


def _answers(url: str, process: subprocess.Popen[str], tries: int = 600) -> bool:
    """Wait until the server at ``url`` accepts a connection (False: it exited or never did)."""
    for _ in range(tries):
        if process.poll() is not None:
            return False
        try:
            httpx.get(url + "/", timeout=5)
            return True
        except httpx.TransportError:
            time.sleep(0.1)
    return False


def stop_service(service: Service) -> None:
    service.process.terminate()
    try:
        service.process.wait(30)
    except subprocess.TimeoutExpired:
        service.process.kill()


def sign_in(page: Any, key: str, route: str = "#/dashboard") -> None:
    """Open the studio, give the API key, land on ``route``."""
    page.goto("/" + route)
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Open the studio").click()
    page.get_by_role("navigation", name="Main").wait_for()
