"""``jsonio.dumps`` writes a value that is plain already without ``plain``'s copy: for any
value it must give the same text, or the same error, as the generic path
(``jsonio.copied_dumps``: ``plain`` first, whatever the value)."""

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
def test_dumps_writes_what_the_copying_path_writes(value: Any) -> None:
    assert outcome(jsonio.dumps, value) == outcome(jsonio.copied_dumps, value)


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
def test_dumps_on_values_that_are_not_plain(value: Any) -> None:
    assert outcome(jsonio.dumps, value) == outcome(jsonio.copied_dumps, value)


def test_a_value_nested_too_deep_fails_as_the_copying_path_does() -> None:
    value: Any = []
    for _ in range(5000):
        value = [value]
    assert outcome(jsonio.dumps, value) == outcome(jsonio.copied_dumps, value)


def test_a_cycle_fails_as_the_copying_path_does() -> None:
    value: dict[str, Any] = {"a": 1}
    value["self"] = value
    assert outcome(jsonio.dumps, value) == outcome(jsonio.copied_dumps, value)


@pytest.mark.parametrize("indent", [None, 2])
def test_indent_and_sorted_keys_are_the_same_on_both_paths(indent: int | None) -> None:
    value = {"b": [1, {"d": Decimal("1.10"), "c": None}], "a": "ü"}
    for sort_keys in (False, True):
        fast = jsonio.dumps(value, indent=indent, sort_keys=sort_keys)
        assert fast == jsonio.copied_dumps(value, indent=indent, sort_keys=sort_keys)
