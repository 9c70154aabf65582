"""``setting ... refers system.object.Field``: parsed, formatted, checked for its type."""

from __future__ import annotations

import pytest
from mapwright.dsl.errors import MappingError
from mapwright.dsl.formatter import format_source
from mapwright.dsl.script import compile

SOURCE = """flow t
source a.b
target exact_online

setting codes: table = { "DE:19": "1", "DE:7": "" } refers exact_online.vat_codes.Code help "h"
setting journal: text = "70" refers exact_online.journals.Code
setting items: list = ["A", "B"] refers exact_online.items.Code
setting plain: text = "x"

X <- 1
"""


def test_refers_is_kept_on_the_setting_and_in_its_json() -> None:
    script = compile(SOURCE, name="t.map")
    codes = script.settings["codes"]
    assert codes.refers == "exact_online.vat_codes.Code"
    assert codes.help == "h"
    assert codes.to_json()["refers"] == "exact_online.vat_codes.Code"
    assert script.settings["plain"].refers is None
    assert "refers" not in script.settings["plain"].to_json()


def test_references_name_each_entry_and_skip_empty_values() -> None:
    script = compile(SOURCE, name="t.map")
    codes, journal, items = (script.settings[n] for n in ("codes", "journal", "items"))
    assert codes.references(codes.default) == [("codes['DE:19']", "1")]
    assert journal.references("70") == [("journal", "70")]
    assert items.references(["A", "B"]) == [("items[0]", "A"), ("items[1]", "B")]


def test_format_keeps_refers_and_is_stable() -> None:
    once = format_source(SOURCE)
    assert 'refers exact_online.vat_codes.Code help "h"' in once
    assert format_source(once) == once


def test_refers_on_a_number_setting_is_a_positioned_error() -> None:
    bad = "flow t\nsource a.b\ntarget x\nsetting n: number = 1 refers x.y.Z\nX <- 1\n"
    with pytest.raises(MappingError) as caught:
        compile(bad, name="bad.map")
    text = str(caught.value)
    assert "only text, list and table settings can use 'refers'" in text
    assert "bad.map, line 4" in text
