"""Every built-in flow compiles, is formatted, declares its systems and passes its examples."""

from __future__ import annotations

from pathlib import Path

import pytest
from mapwright import dsl
from mapwright.dsl.formatter import format_source
from mapwright.dsl.testing import run_tests

FLOWS = sorted((Path(__file__).resolve().parents[2] / "builtin_mappings").glob("*.map"))
EXPECTED = {
    "orders",
    "customers_to_exact",
    "customers_to_buchhaltungsbutler",
    "invoices",
    "products",
    "stock",
    "shipments",
}


def test_all_flows_are_shipped() -> None:
    assert {p.stem for p in FLOWS} == EXPECTED


@pytest.mark.parametrize("path", FLOWS, ids=[p.stem for p in FLOWS])
def test_flow_declares_itself(path: Path) -> None:
    script = dsl.compile(path.read_text("utf-8"), name=str(path))
    assert script.flow == path.stem
    assert script.source is not None and script.target is not None
    assert all(spec.help for spec in script.settings.values()), "every setting explains itself"


@pytest.mark.parametrize("path", FLOWS, ids=[p.stem for p in FLOWS])
def test_flow_examples_pass(path: Path) -> None:
    script = dsl.compile(path.read_text("utf-8"), name=str(path))
    results = run_tests(script)
    assert results, "every built-in flow carries examples"
    failures = [f"{r.name}: {r.error or r.diff}" for r in results if not r.passed]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", FLOWS, ids=[p.stem for p in FLOWS])
def test_flow_is_in_canonical_layout(path: Path) -> None:
    text = path.read_text("utf-8")
    assert format_source(text) == text
