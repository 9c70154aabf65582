"""``Unanswered()``: what the engine's resolver answers for a key it has not fetched while it
probes a record. The lookup builtins take it as "nothing found", except ``require``, which
answers missing instead of parking (that park would come from the missing answer), so the run
goes on to its further lookups. A real empty answer still parks."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from mapwright import dsl
from mapwright.dsl import Lookup, MemoryResolver
from mapwright.dsl.resolver import Unanswered

SCRIPT = """
let item = require(erp.items, sku = sku, "no item {sku}")
let other = find(erp.items, sku = other)
let all = find_all(erp.items, sku = sku)
let there = exists(erp.items, sku = sku)
out <- [item.code ?? "no code", other ?? "none", length(all), there]
"""


class Probing:
    """Answers every key of ``unanswered`` with ``Unanswered()``, the rest from tables."""

    def __init__(self, tables: dict[str, list[dict[str, Any]]], unanswered: set[str]):
        self.memory = MemoryResolver(tables)
        self.unanswered = unanswered
        self.calls: list[Lookup] = []

    def find(self, lookup: Lookup) -> list[dict[str, Any]]:
        self.calls.append(lookup)
        if lookup.value in self.unanswered:
            return Unanswered()
        return self.memory.find(lookup)


ITEMS = {"erp.items": [{"sku": "A", "code": "a"}, {"sku": "B", "code": "b"}]}


def test_require_of_an_unanswered_key_goes_on_without_parking() -> None:
    resolver = Probing(ITEMS, {"Q"})
    outcome = dsl.compile(SCRIPT).run({"sku": "Q", "other": "A"}, resolver=resolver)
    assert outcome.parked is None
    assert outcome.output == {"out": ["no code", {"sku": "A", "code": "a"}, 0, False]}
    # the run went on past the require to every later lookup
    assert [call.value for call in resolver.calls] == ["Q", "A", "Q", "Q"]


def test_require_of_a_key_that_finds_nothing_parks() -> None:
    outcome = dsl.compile(SCRIPT).run({"sku": "Q", "other": "A"}, resolver=MemoryResolver(ITEMS))
    assert outcome.parked == "no item Q"


@settings(max_examples=150, deadline=None)
@given(
    sku=st.sampled_from(["A", "B", "Q", "", None]),
    other=st.sampled_from(["A", "B", "Q", "", None]),
    unanswered=st.sets(st.sampled_from(["A", "B", "Q"])),
)
def test_unanswered_finds_nothing_for_find_find_all_and_exists(
    sku: Any, other: Any, unanswered: set[str]
) -> None:
    """Without ``require``, an unanswered key gives what a table without it gives."""
    script = dsl.compile(
        "let one = find(erp.items, sku = sku)\n"
        "let all = find_all(erp.items, sku = other)\n"
        "let there = exists(erp.items, sku = other)\n"
        "out <- [one, all, there]\n"
    )
    record = {"sku": sku, "other": other}
    got = script.run(record, resolver=Probing(ITEMS, unanswered))
    without = {"erp.items": [row for row in ITEMS["erp.items"] if row["sku"] not in unanswered]}
    assert got == script.run(record, resolver=MemoryResolver(without))
