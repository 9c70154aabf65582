"""The official JMESPath compliance suite (908 cases), through pick() and through $"..."."""

from __future__ import annotations

import json
from pathlib import Path

import jmespath
import pytest
from mapwright import dsl
from mapwright.dsl import MappingError

DATA = Path(__file__).parent / "data" / "jmespath"


def _cases() -> list[tuple[str, object, dict[str, object]]]:
    cases: list[tuple[str, object, dict[str, object]]] = []
    for path in sorted(DATA.glob("*.json")):
        for group in json.loads(path.read_text("utf-8")):
            for index, case in enumerate(group["cases"]):
                cases.append((f"{path.stem}-{len(cases)}-{index}", group["given"], case))
    return cases


CASES = _cases()


def test_the_whole_suite_is_present() -> None:
    assert len(CASES) == 908


def _script_for(expression: str, *, on_value: bool) -> str:
    escaped = expression.replace("\\", "\\\\").replace('"', '\\"')
    base = "record.given." if on_value else ""
    return f'result <- {base}$"{escaped}"\n'


@pytest.mark.parametrize(
    ("given", "case"), [(g, c) for _, g, c in CASES], ids=[i for i, _, _ in CASES]
)
def test_pick(given: object, case: dict[str, object]) -> None:
    expression = str(case["expression"])
    if "error" in case:
        with pytest.raises(MappingError):
            dsl.pick(expression, given)
    elif "result" in case:
        assert dsl.pick(expression, given) == case["result"]
    else:  # benchmark cases: must evaluate like the reference implementation
        assert dsl.pick(expression, given) == jmespath.search(expression, given)


@pytest.mark.parametrize(
    ("given", "case"), [(g, c) for _, g, c in CASES], ids=[i for i, _, _ in CASES]
)
def test_pick_syntax_in_a_script(given: object, case: dict[str, object]) -> None:
    expression = str(case["expression"])
    # an object is the record itself; other JSON values are picked from with value.$"..."
    on_value = not isinstance(given, dict)
    source = _script_for(expression, on_value=on_value)
    record = {"given": given} if on_value else given
    if "error" in case:
        with pytest.raises(MappingError):
            dsl.compile(source, name="case.map").run(record)
        return
    outcome = dsl.compile(source, name="case.map").run(record)
    expected = case["result"] if "result" in case else jmespath.search(expression, given)
    assert outcome.output["result"] == expected
