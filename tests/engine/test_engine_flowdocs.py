"""The committed docs/flows pages are what the generator writes from the built-in scripts."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from mapwright import dsl
from mapwright.dsl.jsonio import plain
from mapwright.engine import flowdocs

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "flows"
SCRIPTS = flowdocs.builtin_scripts()
PAGES = flowdocs.render()


def _script(name: str) -> dsl.Script:
    path = SCRIPTS[name]
    return dsl.compile(path.read_text("utf-8"), name=str(path))


def test_one_page_per_builtin_flow_and_an_index() -> None:
    assert set(PAGES) == {"README.md"} | {f"{name}.md" for name in SCRIPTS}
    assert set(SCRIPTS) >= {"orders", "customers_to_exact", "products", "stock", "shipments"}


@pytest.mark.parametrize("file_name", sorted(PAGES))
def test_committed_page_is_up_to_date(file_name: str) -> None:
    committed = DOCS / file_name
    assert committed.exists(), f"{committed} is missing: run python -m mapwright.engine.flowdocs"
    assert committed.read_text("utf-8") == PAGES[file_name], (
        f"{committed} is stale: run python -m mapwright.engine.flowdocs"
    )


def test_no_page_of_a_flow_that_is_gone() -> None:
    assert {p.name for p in DOCS.glob("*.md")} == set(PAGES)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_every_setting_is_in_the_table_and_the_toml_block(name: str) -> None:
    script = _script(name)
    page = PAGES[f"{name}.md"]
    assert script.settings, f"{name} declares no settings"
    for spec in script.settings.values():
        row = f"| `{spec.name}` | {spec.type} |"
        assert row in page, f"setting {spec.name} of {name} has no row in its page"
        if spec.help:
            assert spec.help.replace("|", "\\|") in page
        for choice in spec.choices:
            assert f"`{choice}`" in page
    block = re.search(r"```toml\n(.*?)```", page, re.S)
    assert block is not None
    parsed = tomllib.loads(block.group(1))["flows"][name]["settings"]
    assert set(parsed) == set(script.settings)
    # the block is a valid settings override and gives exactly the script's defaults
    assert plain(script.resolve_settings(parsed)) == plain(script.resolve_settings(None))


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_page_has_title_description_notes_and_examples(name: str) -> None:
    script = _script(name)
    page = PAGES[f"{name}.md"]
    assert f"# {script.flow}\n\n{script.description}\n" in page
    assert flowdocs.NOTES[name].strip() in page
    assert script.tests, f"{name} has no examples"
    for test in script.tests:
        assert f"### {test.name}\n" in page
    assert f"[{name}]({name}.md)" in PAGES["README.md"]


def test_notes_exist_for_exactly_the_builtin_flows() -> None:
    assert set(flowdocs.NOTES) == set(SCRIPTS)


def test_index_explains_running_and_settings_in_the_config_shape() -> None:
    index = PAGES["README.md"]
    assert "mapwright flow list" in index
    assert "mapwright flow run orders --dry-run" in index
    block = re.search(r"```toml\n(.*?)```", index, re.S)
    assert block is not None
    flows = tomllib.loads(block.group(1))["flows"]
    for name, entry in flows.items():
        _script(name).resolve_settings(entry["settings"])  # valid settings of that flow


def test_a_flow_without_notes_is_refused_naming_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "newflow.map"
    path.write_text('flow newflow "A new flow"\nsource a.b\ntarget c\nx <- 1\n', "utf-8")
    with pytest.raises(ValueError, match=r"NOTES\['newflow'\]"):
        flowdocs.flow_page("newflow", path)


def test_main_writes_the_pages_into_the_given_folder(tmp_path: Path) -> None:
    assert flowdocs.main([str(tmp_path / "out")]) == 0
    written = {p.name: p.read_text("utf-8") for p in (tmp_path / "out").glob("*.md")}
    assert written == PAGES
    assert flowdocs.main(["a", "b"]) == 2
