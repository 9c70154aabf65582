"""Fixtures of the browser journeys: a real ``mapwright serve --demo`` on 127.0.0.1 (its own
data folder and a free port), Debian's Chromium driven by Python Playwright (never a
downloaded browser), tenants made with ``mapwright api tenant``, and screenshots saved to
``test-artifacts/studio/``. The helpers live in ``studio_browser.py``, loaded by its path (no
``sys.path`` change, which would let this folder's ``conftest`` shadow another folder's)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_spec = importlib.util.spec_from_file_location(
    "studio_browser", Path(__file__).with_name("studio_browser.py")
)
assert _spec is not None and _spec.loader is not None
helpers = importlib.util.module_from_spec(_spec)
sys.modules["studio_browser"] = helpers
_spec.loader.exec_module(helpers)
CHROMIUM = helpers.CHROMIUM
ARTIFACTS = helpers.ARTIFACTS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
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
    service = helpers.Service(f"http://127.0.0.1:{port}", data, found["key"], process, output)
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
            executable_path=CHROMIUM, headless=True, args=helpers.CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture
def page(browser: Any, service: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=service.url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"the page raised: {errors}"
