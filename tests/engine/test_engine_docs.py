"""What the engine's and the sandboxes' pages say matches the code: the BuchhaltungsButler
example's base URL, what is built, the fault fields."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

from mapwright.connectors.sandbox import FaultOptions

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _toml_blocks(text: str) -> list[dict[str, object]]:
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    return [tomllib.loads(block) for block in blocks]


def test_the_buchhaltungsbutler_example_points_at_the_api_path() -> None:
    blocks = _toml_blocks((DOCS / "engine.md").read_text(encoding="utf-8"))
    urls = [
        block["connections"]["buchhaltungsbutler"]["base_url"]  # type: ignore[index]
        for block in blocks
        if "buchhaltungsbutler" in block.get("connections", {})  # type: ignore[operator]
    ]
    assert urls and all(str(url).endswith("/api/v1") for url in urls)


def test_scheduling_alerting_and_redaction_are_not_listed_as_missing() -> None:
    text = (DOCS / "engine.md").read_text(encoding="utf-8")
    missing = text.split("Not built yet:", 1)[1].split("Scheduling", 1)[0]
    for built in ("scheduling", "alerting", "redaction", "retention"):
        assert built not in missing.lower()


def test_the_sandbox_page_names_every_fault_field() -> None:
    text = (DOCS / "connectors" / "sandboxes.md").read_text(encoding="utf-8")
    for name in (f.name for f in dataclasses.fields(FaultOptions)):
        assert f"`{name}`" in text, name
