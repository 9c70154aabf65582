"""Lookups, coalesce and list/object helpers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from mapwright.dsl.errors import MappingValueError
from mapwright.dsl.functions import collections as c
from mapwright.dsl.values import MISSING

TABLE = {"paypal": "PP", "invoice": "RE", "19": "V19", " cash ": "BAR"}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("paypal", "PP"),
        (Decimal("19.00"), "V19"),
        (19, "V19"),
        ("cash", "BAR"),
        (" invoice ", "RE"),
    ],
)
def test_lookup_finds_text_and_number_keys(key: object, expected: str) -> None:
    assert c.lookup(TABLE, key) == expected


def test_lookup_gives_the_default_for_unknown_keys_even_when_it_is_missing_or_null() -> None:
    assert c.lookup(TABLE, "card", "XX") == "XX"
    assert c.lookup(TABLE, "card", None) is None
    assert c.lookup(TABLE, "card", MISSING) is MISSING


def test_lookup_error_names_the_key_and_some_known_keys() -> None:
    table = {f"k{i}": i for i in range(8)}
    with pytest.raises(MappingValueError) as caught:
        c.lookup(table, "card")
    message = str(caught.value)
    assert 'no entry for "card"' in message
    assert '"k0", "k1", "k2", "k3", "k4" and 3 more' in message


def test_lookup_of_an_absent_key_gives_the_default_or_stays_absent() -> None:
    assert c.lookup(TABLE, None, "XX") == "XX"
    assert c.lookup(TABLE, MISSING) is MISSING


def test_lookup_needs_an_object() -> None:
    with pytest.raises(MappingValueError, match="'table' must be an object"):
        c.lookup(["a"], "a")


def test_coalesce_skips_missing_null_and_blank_text() -> None:
    assert c.coalesce(MISSING, None, "", "  ", "EUR", "USD") == "EUR"
    assert c.coalesce(None, Decimal(0)) == 0
    assert c.coalesce(None, False) is False
    assert c.coalesce(None, []) == []
    assert c.coalesce(None, "") is MISSING


def test_first_and_last_of_lists() -> None:
    assert (c.first([1, 2]), c.last([1, 2])) == (1, 2)
    assert c.first([]) is None and c.last([]) is None
    assert c.first(MISSING) is MISSING


def test_unique_keeps_first_seen_order_and_language_equality() -> None:
    items = ["a", Decimal(1), Decimal("1.0"), True, "a", {"x": 1}, {"x": 1}, None, None]
    assert c.unique(items) == ["a", Decimal(1), True, {"x": 1}, None]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([Decimal(3), Decimal("1.5"), 2], [Decimal("1.5"), 2, Decimal(3)]),
        (["b", None, "a", MISSING], ["a", "b", None, MISSING]),
        ([dt.date(2024, 2, 1), dt.date(2024, 1, 1)], [dt.date(2024, 1, 1), dt.date(2024, 2, 1)]),
    ],
)
def test_sort_orders_one_kind_and_puts_absent_last(
    items: list[object], expected: list[object]
) -> None:
    assert c.sort_(items) == expected


def test_sort_by_a_field_of_objects() -> None:
    rows = [{"n": "b"}, {"x": 1}, {"n": "a"}]
    assert c.sort_(rows, "n") == [{"n": "a"}, {"n": "b"}, {"x": 1}]


def test_sort_refuses_mixed_kinds() -> None:
    with pytest.raises(MappingValueError, match="cannot sort a mix of number and text"):
        c.sort_([1, "a"])


def test_reverse_keys_and_values() -> None:
    assert c.reverse([1, 2, 3]) == [3, 2, 1]
    assert c.keys({"a": 1, "b": 2}) == ["a", "b"]
    assert c.values({"a": 1, "b": 2}) == [1, 2]
