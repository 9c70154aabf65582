"""The store's JSON writer (``db.store_json``) writes exactly what ``jsonio.dumps`` writes.

``store_json`` skips ``jsonio.plain``'s copy for values that are plain already; for any
value it must give the same text, or the same error, as the generic path.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import namedtuple
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mapwright.dsl import jsonio
from mapwright.dsl.values import MISSING
from mapwright.engine.db import store_json
from mapwright.engine.store import Store

Pair = namedtuple("Pair", "a b")


class Text(str):
    def __str__(self) -> str:
        return "other"


class Mapping(dict[str, Any]):
    pass


class Items(list[Any]):
    pass


leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False),
    st.text(),
    st.sampled_from(["\ud800", "a\udfffb", "ü€😀"]),
    st.just(MISSING),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC])),
)
keys = st.one_of(
    st.text(max_size=5),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=False),
    st.builds(Text, st.text(max_size=3)),
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(keys, inner, max_size=4),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
        st.tuples(inner, inner),
        st.builds(Pair, inner, inner),
        st.builds(Mapping, st.dictionaries(st.text(max_size=3), inner, max_size=3)),
        st.builds(Items, st.lists(inner, max_size=3)),
        st.sets(st.integers(), max_size=2),
    ),
    max_leaves=25,
)


def outcome(write: Any, value: Any) -> tuple[str, str]:
    try:
        return ("text", write(value))
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return ("error", type(exc).__name__)


@settings(max_examples=400, deadline=None)
@given(values)
def test_store_json_writes_what_jsonio_dumps_writes(value: Any) -> None:
    assert outcome(store_json, value) == outcome(jsonio.dumps, value)


@pytest.mark.parametrize(
    "value",
    [
        {"amount": Decimal("1.10"), "lines": [{"qty": 2, "price": Decimal("0.005")}]},
        {"a": MISSING, "b": [MISSING, 1]},
        {"when": dt.date(2025, 1, 31), "at": dt.datetime(2025, 1, 31, 10, 0, tzinfo=dt.UTC)},
        {1: "x", False: "y", None: "z", 2.5: "w"},
        {"text": "\ud800"},
        {"nested": ({"a": 1}, Pair(1, 2))},
        {"nan": math.nan, "inf": -math.inf},
        [Text("k"), {Text("k"): 1}],
    ],
)
def test_store_json_on_values_that_are_not_plain(value: Any) -> None:
    assert outcome(store_json, value) == outcome(jsonio.dumps, value)


def test_a_value_nested_too_deep_fails_as_jsonio_does() -> None:
    value: Any = []
    for _ in range(5000):
        value = [value]
    assert outcome(store_json, value) == outcome(jsonio.dumps, value)


def test_a_cycle_fails_as_jsonio_does() -> None:
    value: dict[str, Any] = {"a": 1}
    value["self"] = value
    assert outcome(store_json, value) == outcome(jsonio.dumps, value)


def test_the_store_reads_back_what_it_wrote(store: Store) -> None:
    params = {"amount": Decimal("12.30"), "when": dt.date(2025, 1, 31), "gone": MISSING}
    run_id = store.create_run("acme", "orders", dry_run=True, params=params)
    assert store.run(run_id)["params"] == {"amount": Decimal("12.30"), "when": "2025-01-31"}
