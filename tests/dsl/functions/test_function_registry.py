"""The registry as a whole: documented examples, safe signatures, and an up-to-date docs page."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest
from mapwright.dsl import docs
from mapwright.dsl.functions import REGISTRY
from mapwright.dsl.functions.registry import Example

REQUIRED = {
    "vat_code", "vat_case", "is_company", "debtor_kind", "split_street", "join_street",
    "country_code", "normalize_email", "normalize_phone", "valid_vat_id", "valid_iban",
    "round_money", "gross_to_net", "net_to_gross", "truncate", "parse_date", "format_date",
    "to_exact_date", "from_exact_date", "full_name", "coalesce", "lookup", "hash_id", "upper",
    "lower", "trim", "replace", "matches", "regex_replace", "split", "join", "length",
    "contains", "starts_with", "ends_with", "pad_left", "number", "text", "money", "round",
    "abs", "min", "max", "sum", "first", "last", "unique", "sort", "keys", "values", "date",
    "now", "today", "convert_unit", "percent_of",
}  # fmt: skip


def test_every_required_function_is_registered() -> None:
    assert REQUIRED - set(REGISTRY) == set()


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_function_has_a_summary_and_two_examples(name: str) -> None:
    fn = REGISTRY[name]
    assert fn.summary and fn.summary.endswith(".")
    assert len(fn.examples) >= 2
    assert all(ex.call.startswith(name + "(") or name in ex.call for ex in fn.examples)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_no_function_takes_keyword_only_or_keyword_variadic_parameters(name: str) -> None:
    kinds = {p.kind for p in inspect.signature(REGISTRY[name].impl).parameters.values()}
    assert not kinds & {inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD}


def test_signatures_mark_optional_and_default_parameters() -> None:
    assert docs.signature(REGISTRY["lookup"]) == "lookup(table, key, default?)"
    assert docs.signature(REGISTRY["round"]) == 'round(value, places=0, mode="half_up")'
    assert docs.signature(REGISTRY["full_name"]) == "full_name(parts...)"


def test_docs_escape_pipes_inside_example_cells() -> None:
    fn = dataclasses.replace(REGISTRY["matches"], examples=(Example('matches("a", "a|b")', True),))
    assert '| `matches("a", "a\\|b")` | `true` |' in docs.render_function(fn)


def test_docs_group_functions_under_their_category_with_the_module_text() -> None:
    page = docs.render()
    tax = page.index("## Tax: VAT codes, VAT ids, IBANs")
    assert page.index("EU:<rate>:reverse") > tax
    assert tax < page.index("### vat_code") < page.index("## Lists, objects and lookups")


def test_committed_docs_page_matches_the_generator() -> None:
    committed = Path(docs.DEFAULT_OUTPUT).read_text(encoding="utf-8")
    assert committed == docs.render(), "run: python -m mapwright.dsl.docs"


def test_every_builtin_that_can_give_a_list_or_object_is_known_to_the_compiler() -> None:
    from mapwright.dsl.functions.registry import MAY_RETURN_LISTS

    gives_lists = {
        f.name
        for f in REGISTRY.values()
        if any(isinstance(e.result, list | dict) for e in f.examples) or f.category == "collections"
    }
    assert gives_lists - MAY_RETURN_LISTS == set()
    assert set(REGISTRY) >= MAY_RETURN_LISTS
