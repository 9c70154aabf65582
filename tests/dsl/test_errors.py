"""Errors carry line and column, read plainly, and list every problem of a script."""

from __future__ import annotations

import pytest
from mapwright import dsl

BROKEN = """A <- 1 +
B <- name
C <- foo(1, )
D <- 'single'
E <- if a then b
F <- ok
"""


def test_all_syntax_errors_are_reported_with_positions() -> None:
    problems = dsl.lint(BROKEN)
    assert [(p.line, p.column) for p in problems] == [(1, 9), (3, 13), (4, 6), (5, 17)]
    assert all(p.severity == "error" for p in problems)
    assert "single" not in problems[2].message and "double quotes" in problems[2].message
    assert "'else'" in problems[3].message


def test_compile_raises_syntax_error_listing_all() -> None:
    with pytest.raises(dsl.MappingSyntaxError) as info:
        dsl.compile(BROKEN, name="broken.map")
    assert len(info.value.errors) == 4
    assert str(info.value).startswith("broken.map, line 1, column 9")


def test_equals_instead_of_arrow_gets_a_hint() -> None:
    (problem,) = dsl.lint("Name = first")
    assert "Field <- value" in problem.message


def test_unclosed_bracket_is_named_and_the_next_statement_still_checked() -> None:
    problems = dsl.lint("A <- foo(1\nB <- nofn()\n")
    messages = [p.message for p in problems]
    assert any("never closed" in m for m in messages)
    assert any("no function 'nofn'" in m for m in messages)


def test_unknown_function_suggests_the_right_one() -> None:
    (problem,) = dsl.lint("A <- uper(x)")
    assert "did you mean 'upper'" in problem.message
    assert (problem.line, problem.column) == (1, 6)


def test_wrong_argument_count() -> None:
    (problem,) = dsl.lint("A <- upper(x, y)")
    assert "takes 1 argument" in problem.message


def test_unknown_setting_and_bad_default() -> None:
    problems = dsl.lint('setting n: number = "x"\nA <- settings.nope')
    assert [p.line for p in problems] == [1, 2]


def test_runtime_error_names_script_line_rule_path_and_value() -> None:
    script = dsl.compile("L <- each lines as l {\n  Q <- l.qty * 2\n}", name="orders.map")
    with pytest.raises(dsl.MappingRuntimeError) as info:
        script.run({"lines": [{"qty": 1}, {"qty": "two"}]})
    err = info.value
    assert err.script == "orders.map" and err.line == 2
    assert err.rule == "Q <- l.qty * 2"
    assert err.path == "L[1].Q"
    assert err.value == '"two"'
    assert "not a number" in err.message


def test_runtime_error_in_an_operation_names_the_operation() -> None:
    script = dsl.compile("create exact_online.items {\n  Price <- price * 1.19\n}", name="p.map")
    with pytest.raises(dsl.MappingRuntimeError) as info:
        script.run({})
    assert "create exact_online.items" in (info.value.rule or "")
    assert "?? to give a default" in info.value.message


def test_non_object_record_is_refused_clearly() -> None:
    with pytest.raises(dsl.MappingRuntimeError, match="JSON object"):
        dsl.compile("A <- 1").run([1, 2])


def test_lint_of_a_clean_script_is_empty() -> None:
    assert dsl.lint("A <- upper(name)\n") == []


def test_an_error_in_a_def_does_not_hide_later_ones() -> None:
    problems = dsl.lint("def g(n) = n * rate\nsetting rate: number = 1\nA <- settings.rat\n")
    assert [p.line for p in problems] == [1, 3]


def test_text_that_reads_as_nan_is_not_a_number() -> None:
    with pytest.raises(dsl.MappingRuntimeError, match="not a number|finite"):
        dsl.compile("B <- b + 0").run({"b": "nan"})
