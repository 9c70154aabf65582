"""hash_id: stable, canonical, short."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from mapwright.dsl.errors import MappingValueError
from mapwright.dsl.functions.ids import canonical, hash_id
from mapwright.dsl.values import MISSING


def test_hash_id_is_sha256_of_the_canonical_json_of_the_parts() -> None:
    expected = hashlib.sha256(b'["SO-1001",2]').hexdigest()[:16]
    assert hash_id("SO-1001", Decimal(2)) == expected


def test_equal_numbers_and_reordered_fields_give_the_same_id() -> None:
    assert hash_id(Decimal("19.50")) == hash_id(Decimal("19.5"))
    assert hash_id({"a": 1, "b": 2}) == hash_id({"b": 2, "a": 1})


def test_different_values_give_different_ids() -> None:
    assert hash_id("1") != hash_id(1)
    assert hash_id(True) != hash_id(1)
    assert hash_id("a", "b") != hash_id("ab")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1E+3"), "1000"),
        (Decimal("0.0000001"), "0.0000001"),
        (Decimal("-0.00"), "0"),
        (dt.date(2024, 5, 3), '"2024-05-03"'),
        ({"b": MISSING, "a": [None, "ü"]}, '{"a":[null,"ü"]}'),
    ],
)
def test_canonical_form(value: object, text: str) -> None:
    assert canonical(value) == text


def test_hash_id_refuses_unhashable_nesting() -> None:
    deep: list[object] = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(MappingValueError, match="nested deeper"):
        hash_id(deep)
