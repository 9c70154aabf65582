"""Run a script's embedded tests (``test "name" {...}`` and ``<script>.tests.json``).

A test gives an ``input`` record, optional ``settings`` and ``lookups`` (records of connected
systems, ``{"exact_online.items": [...]}``), and the ``expect``ed result: the output object for
plain scripts, or ``{"operations": [...]}``, ``{"skipped": "..."}``, ``{"parked": "..."}`` for
flow scripts (the same JSON that ``mapwright map`` prints).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mapwright.dsl.errors import MappingError
from mapwright.dsl.jsonio import dumps, loads, plain
from mapwright.dsl.resolver import MemoryResolver
from mapwright.dsl.script import Script, ScriptTest


@dataclass
class TestResult:
    script: str
    name: str
    line: int
    passed: bool
    diff: str = ""
    error: str = ""


def sidecar_tests(path: Path) -> list[ScriptTest]:
    """Tests from ``<script>.tests.json`` next to the script (a list of test objects)."""
    side = path.with_name(path.name + ".tests.json")
    if not side.exists():
        side = path.with_suffix(".tests.json")
    if not side.exists():
        return []
    data = loads(side.read_text("utf-8"))
    if not isinstance(data, list):
        raise MappingError(f"{side}: expected a JSON list of tests")
    tests = []
    for index, item in enumerate(data):
        if not isinstance(item, dict) or "input" not in item or "expect" not in item:
            raise MappingError(f"{side}: test #{index + 1} needs 'input' and 'expect'")
        tests.append(
            ScriptTest(
                item.get("name", f"{side.name} #{index + 1}"),
                item["input"],
                item["expect"],
                item.get("settings") or {},
                item.get("lookups") or {},
                0,
            )
        )
    return tests


def run_test(script: Script, test: ScriptTest) -> TestResult:
    try:
        outcome = script.run(
            test.input, settings=test.settings or None, resolver=MemoryResolver(test.lookups)
        )
        actual = plain(outcome.to_json())
    except MappingError as exc:
        return TestResult(script.name, test.name, test.line, False, error=str(exc))
    expected = plain(test.expect)
    if _normalize(actual) == _normalize(expected):
        return TestResult(script.name, test.name, test.line, True)
    want = dumps(expected, indent=2, sort_keys=True).splitlines()
    got = dumps(actual, indent=2, sort_keys=True).splitlines()
    diff = "\n".join(difflib.unified_diff(want, got, "expected", "actual", lineterm=""))
    return TestResult(script.name, test.name, test.line, False, diff=diff)


def _normalize(value: Any) -> Any:
    """Compare numbers by value (2 == 2.0 == 2.00)."""
    return loads(dumps(value, sort_keys=True)) if value is not None else None


def run_tests(script: Script, extra: list[ScriptTest] | None = None) -> list[TestResult]:
    return [run_test(script, t) for t in [*script.tests, *(extra or [])]]
