"""Regex builtins: matching, replacing, extracting, and the safety limits."""

from __future__ import annotations

import pytest
from mapwright.dsl.errors import MappingLimitError, MappingValueError
from mapwright.dsl.functions import patterns as p
from mapwright.dsl.values import MISSING


def test_matches_searches_anywhere_unless_anchored() -> None:
    assert p.matches("Invoice 2024-17", "[0-9]{4}") is True
    assert p.matches("Invoice 2024-17", "^[0-9]{4}$") is False


def test_matches_is_false_for_absent_text() -> None:
    assert p.matches(MISSING, "x") is False
    assert p.matches(None, "x") is False


def test_invalid_pattern_is_reported_with_the_pattern() -> None:
    with pytest.raises(MappingValueError, match=r"the pattern '\(a' is not a valid"):
        p.matches("a", "(a")


def test_nested_repeat_that_regex_optimises_answers_quickly() -> None:
    # the regex package recognises (a+)+ and needs no backtracking: a plain "no match"
    assert p.matches("a" * 40 + "!", "(a+)+$") is False


@pytest.mark.parametrize("fn", [p.matches, p.regex_extract])
def test_catastrophic_backtracking_is_stopped_with_an_error(fn: object) -> None:
    with pytest.raises(MappingValueError, match=r"took longer than 0.25 s"):
        fn("a" * 40 + "!", "(a|aa)+$")  # type: ignore[operator]


def test_catastrophic_backtracking_in_replace_is_stopped() -> None:
    with pytest.raises(MappingValueError, match="took longer"):
        p.regex_replace("a" * 40 + "!", "(a|aa)+$", "x")


def test_pattern_length_is_capped() -> None:
    with pytest.raises(MappingLimitError, match="limit is 1,000"):
        p.matches("a", "a" * 1001)


@pytest.mark.parametrize(
    ("pattern", "size"),
    [
        ("^DE[0-9]{9}$", 13),
        ("(?:ab){10}", 20),
        ("(?:a{100}){100}", 10_000),
        ("(?:(?:a{1000}){1000}){1000}", 1_000_000_000),
        (r"\{3}", 3),
        ("[{]{5}", 5),
        ("x{3,}", 3),
        ("x{,5}", 5),
        ("(?P<n>a{10})", 10),
    ],
)
def test_pattern_size_counts_atoms_and_multiplies_counted_repeats(pattern: str, size: int) -> None:
    assert p.repeat_weight(pattern) == size


def test_nested_counted_repeats_from_data_are_refused_before_compiling() -> None:
    with pytest.raises(MappingLimitError, match="1,000,000,000 steps long") as caught:
        p.matches("a", "(?:(?:a{1000}){1000}){1000}")
    assert caught.value.limit == "pattern complexity"
    assert caught.value.maximum == 10_000


def test_input_length_is_capped() -> None:
    with pytest.raises(MappingValueError, match="limit is 100,000"):
        p.matches("a" * 100_001, "b")


def test_regex_replace_expands_groups() -> None:
    assert p.regex_replace("Doe, Jane", r"^(.*), (.*)$", r"\2 \1") == "Jane Doe"


def test_regex_replace_reports_unknown_groups() -> None:
    with pytest.raises(MappingValueError, match="group that does not exist"):
        p.regex_replace("abc", "b", r"\3")


def test_regex_replace_output_is_capped() -> None:
    with pytest.raises(MappingValueError, match="longer than 1,000,000"):
        p.regex_replace("a" * 20_000, "", "x" * 100)


def test_regex_extract_returns_the_first_group_or_the_match() -> None:
    assert p.regex_extract("Order SO-1001 paid", "SO-([0-9]+)") == "1001"
    assert p.regex_extract("Order SO-1001 paid", "SO-[0-9]+") == "SO-1001"
    assert p.regex_extract("Order", "[0-9]+") is None


def test_a_remembered_refusal_names_the_function_that_used_the_pattern() -> None:
    # patterns are compiled once and remembered, refusals too: each use still names its own
    # function, with the same message and limit as the first
    for fn, name in [(p.matches, "matches"), (p.regex_extract, "regex_extract")]:
        with pytest.raises(MappingValueError, match=rf"^{name}: the pattern '\(b' is not"):
            fn("b", "(b")
    repeats = "(a{1000}){1000}"
    for fn, name in [(p.matches, "matches"), (p.regex_extract, "regex_extract")]:
        with pytest.raises(MappingLimitError, match=rf"^{name}: the pattern's counted") as caught:
            fn("a", repeats)
        assert caught.value.maximum == p.MAX_REPEAT
