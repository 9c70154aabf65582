"""``MemoryResolver.find`` answers from an index by key: for any table and lookup it returns
exactly what the scan of the whole table returned before (same rows, same order)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from mapwright.dsl import Lookup, MemoryResolver

TEXTS = ["a@x.com", "A@X.com", " a@x.com ", "b@x.com", "B@x.COM", "", " ", "1", "ß", "SS", "ss"]
NUMBERS: list[Any] = [1, 1.0, Decimal("1"), Decimal("1.00"), 2, Decimal("2.5"), 2.5, 0, -1]
OTHER: list[Any] = [True, False, None, ["a"], {"a": 1}, [], {}, float("nan")]

values = st.sampled_from(TEXTS + NUMBERS + OTHER)


def scan(rows: list[dict[str, Any]], key: str, value: Any) -> list[dict[str, Any]]:
    """The lookup as it was: every row of the table compared."""

    def same(a: Any, b: Any) -> bool:
        if isinstance(a, str) and isinstance(b, str):
            return a.strip().casefold() == b.strip().casefold()
        return bool(a == b)

    return [row for row in rows if same(row.get(key), value)]


rows_strategy = st.lists(
    st.fixed_dictionaries({"id": st.integers(0, 50)}, optional={"email": values, "n": values}),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(rows=rows_strategy, lookups=st.lists(st.tuples(st.sampled_from(["email", "n"]), values)))
def test_an_indexed_lookup_finds_what_the_scan_found(
    rows: list[dict[str, Any]], lookups: list[tuple[str, Any]]
) -> None:
    resolver = MemoryResolver({"erp.customers": rows})
    for key, value in lookups:
        found = resolver.find(Lookup("erp", "customers", key, value))
        expected = scan(rows, key, value)
        assert [r["id"] for r in found] == [r["id"] for r in expected]
        assert found == expected


def test_examples_of_the_comparison_rules() -> None:
    rows: list[dict[str, Any]] = [
        {"id": 1, "email": "Ann@Example.com "},
        {"id": 2, "email": 10},
        {"id": 3, "email": Decimal("10.00")},
        {"id": 4},
        {"id": 5, "email": ["x"]},
    ]
    resolver = MemoryResolver({"erp.customers": rows})

    def ids(value: Any) -> list[int]:
        return [r["id"] for r in resolver.find(Lookup("erp", "customers", "email", value))]

    assert ids(" ann@example.COM") == [1]
    assert ids(10) == [2, 3]
    assert ids("10") == []
    assert ids(None) == [4]
    assert ids(["x"]) == [5]
    assert ids("nobody@example.com") == []
    assert resolver.find(Lookup("erp", "unknown", "email", "x")) == []
