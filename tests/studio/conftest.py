"""Fixtures of the browser journeys: a real ``mapwright serve --demo`` on 127.0.0.1 (its own
data folder and a free port), Debian's Chromium driven by Python Playwright (never a
downloaded browser), tenants made with ``mapwright api tenant``, and screenshots saved to
``test-artifacts/studio/``."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("studio")
    data = folder / "data"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPWRIGHT_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "mapwright", "serve", "--demo", "--port", str(port)]
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
    if not ready.wait(180) or "key" not in found:
        process.kill()
        pytest.fail("mapwright serve --demo did not start:\n" + "".join(output[-40:]))
    service = Service(f"http://127.0.0.1:{port}", data, found["key"], process, output)
    yield service
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module: the sync Playwright runs an event loop in this thread,
    which must be gone before async tests of other modules run."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture
def page(browser: Any, service: Service) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=service.url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"the page raised: {errors}"


def sign_in(page: Any, key: str, route: str = "#/dashboard") -> None:
    """Open the studio, give the API key, land on ``route``."""
    page.goto("/" + route)
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Open the studio").click()
    page.get_by_role("navigation", name="Main").wait_for()


def wait_until(check: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)
