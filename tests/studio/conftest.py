"""Fixtures of the browser journeys: a real ``mapwright serve --demo`` on 127.0.0.1 (its own
data folder and a free port), Debian's Chromium driven by Python Playwright (never a
downloaded browser), tenants made with ``mapwright api tenant``, and screenshots saved to
``test-artifacts/studio/``. The helpers live in ``studio_browser.py``, loaded by its path (no
``sys.path`` change, which would let this folder's ``conftest`` shadow another folder's)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
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


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    try:
        service = helpers.start_service(tmp_path_factory.mktemp("studio"))
    except helpers.StartFailed as exc:
        pytest.fail(str(exc))
    yield service
    helpers.stop_service(service)


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
