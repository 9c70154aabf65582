"""Every builtin's documented examples run through the real compiler and must hold."""

from __future__ import annotations

from typing import Any

import pytest
from mapwright import dsl
from mapwright.dsl.functions import REGISTRY
from mapwright.dsl.jsonio import dumps, loads

NONDETERMINISTIC = {"now", "today"}
EXAMPLES = [
    (fn.name, ex.call, ex.result)
    for fn in REGISTRY.values()
    for ex in fn.examples
    if fn.name not in NONDETERMINISTIC
]


def _json(value: Any) -> Any:
    return loads(dumps(value))


@pytest.mark.parametrize(
    ("name", "call", "expected"), EXAMPLES, ids=[f"{n}:{c}"[:80] for n, c, _ in EXAMPLES]
)
def test_documented_example(name: str, call: str, expected: Any) -> None:
    outcome = dsl.compile(f"result <- {call}\n", name=f"{name}-example.map").run({})
    assert _json(outcome.output.get("result")) == _json(expected)


def test_every_function_has_examples_and_a_summary() -> None:
    for fn in REGISTRY.values():
        assert fn.summary, fn.name
        assert len(fn.examples) >= 2 or fn.name in NONDETERMINISTIC, fn.name
