"""The language's JSON reader and writer: exact numbers, refused non-numbers, odd text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from mapwright.dsl.jsonio import dumps, loads


@pytest.mark.parametrize(
    ("text", "value", "written"),
    [
        ("1.23456789012345678901e5", Decimal("123456.789012345678901"), "123456.789012345678901"),
        ("12345678901234567890e0", Decimal("12345678901234567890"), "12345678901234567890"),
        ("1e400", Decimal("1E+400"), "1E+400"),
        ("10.10", Decimal("10.10"), "10.10"),
        ("7", 7, "7"),
    ],
)
def test_numbers_are_read_and_written_exactly(text: str, value: object, written: str) -> None:
    data = loads('{"n": ' + text + "}")
    assert data == {"n": value} and type(data["n"]) is type(value)
    assert dumps(data) == '{"n": ' + written + "}"


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_non_numbers_are_refused_naming_the_field(word: str) -> None:
    with pytest.raises(ValueError, match=f"{word} is not a number JSON allows") as caught:
        loads('{"lines": [{"qty": 1}, {"qty": ' + word + "}]}")
    assert getattr(caught.value, "path", None) == "lines[1].qty"


def test_a_non_number_at_the_top_is_named_too() -> None:
    with pytest.raises(ValueError, match="the value: NaN"):
        loads("NaN")


def test_a_whole_number_beyond_pythons_digit_limit_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="more than 4,300 digits; send it as text"):
        loads('{"n": 1' + "0" * 5000 + "}")


def test_half_a_surrogate_pair_is_kept_and_written_escaped() -> None:
    data = loads('{"a": "x\\ud800", "b": "M\\u00fcller"}')
    assert data == {"a": "x\ud800", "b": "Müller"}
    written = dumps(data)
    written.encode("utf-8")  # writable as UTF-8
    assert loads(written) == data


def test_ordinary_text_stays_readable() -> None:
    assert dumps({"a": "Müller"}) == '{"a": "Müller"}'
