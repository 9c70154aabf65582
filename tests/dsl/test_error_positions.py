"""Run time errors point at the expression that failed (line:column), with the rule and the
field path, using only what the compiler recorded (``CompiledCode.lines``/``loops``)."""

from __future__ import annotations

from typing import Any

import pytest
from mapwright import dsl


def failure(source: str, record: dict[str, Any]) -> dsl.MappingRuntimeError:
    script = dsl.compile(source, name="t.map")
    with pytest.raises(dsl.MappingRuntimeError) as info:
        script.run(record)
    return info.value


def where(err: dsl.MappingRuntimeError) -> tuple[int, int, int, int]:
    assert err.position is not None
    p = err.position
    return p.line, p.column, p.end_line, p.end_column


def test_a_nested_expression_is_pointed_at_not_its_statement() -> None:
    err = failure('let a = 1\nX <- a + (2 * (x * "y"))', {"x": 2})
    assert where(err) == (2, 16, 2, 23)  # x * "y"
    assert err.rule == 'X <- a + (2 * (x * "y"))' and err.path == "X"


def test_a_statement_over_several_lines_points_at_the_line_that_failed() -> None:
    err = failure("X <- [\n  a,\n  b * 2\n]", {"a": 1, "b": "q"})
    assert where(err) == (3, 3, 3, 8)
    assert err.path == "X"


def test_the_same_text_twice_in_one_line_names_the_occurrence_that_ran() -> None:
    err = failure("X <- if c then 1 * x else 2 * x", {"c": False, "x": "a"})
    assert where(err)[:2] == (1, 27)
    err = failure("X <- if c then 2 * x else 2 * x", {"c": False, "x": "a"})
    assert where(err)[:2] == (1, 27)
    err = failure("X <- if c then 2 * x else 2 * x", {"c": True, "x": "a"})
    assert where(err)[:2] == (1, 16)


def test_a_loop_names_the_item_index_and_the_failing_expression() -> None:
    source = "L <- each lines as l {\n  Sku <- l.sku\n  Q <- l.qty * 2\n}"
    err = failure(source, {"lines": [{"qty": 1}, {"qty": 3}, {"qty": "two"}]})
    assert where(err) == (3, 8, 3, 17)
    assert err.path == "L[2].Q" and err.rule == "Q <- l.qty * 2"


def test_nested_loops_give_every_index() -> None:
    source = "A <- each xs as x {\n  B <- each x.ys as y {\n    C <- y * 2\n  }\n}"
    err = failure(source, {"xs": [{"ys": [1]}, {"ys": [1, 2, "z"]}]})
    assert where(err) == (3, 10, 3, 15)
    assert err.path == "A[1].B[2].C"


def test_a_loop_s_where_clause_is_pointed_at() -> None:
    source = "X <- each lines as l where l.q * 2 > 1 => l.q"
    err = failure(source, {"lines": [{"q": 1}, {"q": "a"}]})
    assert where(err) == (1, 28, 1, 35)
    assert err.path == "X[1]"


def test_a_value_loop_points_at_its_body() -> None:
    err = failure("X <- each xs as x => x * 10", {"xs": [1, "b"]})
    assert where(err) == (1, 22, 1, 28)
    assert err.path == "X[1]"


def test_a_def_points_into_its_body_and_keeps_the_caller_s_path() -> None:
    source = "def twice(v) = v * 2\nlet n = 1\nX <- twice(x) ?? 0"
    err = failure(source, {"x": "q"})
    assert where(err) == (1, 16, 1, 21)
    assert err.path == "X" and err.rule == "def twice(v) = v * 2"


def test_a_def_called_in_a_loop() -> None:
    source = "def net(l) = l.qty * l.price\nL <- each lines as l {\n  N <- net(l)\n}"
    err = failure(source, {"lines": [{"qty": 1, "price": 2}, {"qty": "x", "price": 2}]})
    assert where(err) == (1, 14, 1, 29)
    assert err.path == "L[1].N"


def test_a_where_statement_points_at_its_condition() -> None:
    err = failure("X <- 1\nwhere x * 2 > 1", {"x": "a"})
    assert where(err) == (2, 7, 2, 12)
    assert err.path is None and err.rule == "where x * 2 > 1"


def test_a_when_block_and_an_operation() -> None:
    source = (
        'when kind == "b2b" {\n'
        "  create exact_online.items {\n"
        "    Code <- code\n"
        "    Price <- price * 1.19\n"
        "  }\n"
        "}"
    )
    err = failure(source, {"kind": "b2b", "code": "A", "price": "free"})
    assert where(err) == (4, 14, 4, 26)
    assert err.path == "Price"
    assert err.rule == "Price <- price * 1.19   (in create exact_online.items)"


def test_a_spilled_deep_expression_still_points_at_the_failing_part() -> None:
    inner = "x * 2"
    for _ in range(12):
        inner = f"({inner} + 1)"
    err = failure(f"X <- {inner}", {"x": "a"})
    column = 6 + 12
    assert where(err) == (1, column, 1, column + 5)


def test_a_step_budget_still_names_the_statement_that_spent_it() -> None:
    script = dsl.compile("def f(v) = v + 1\nX <- each xs as x => f(x)", name="t.map")
    script.max_steps = 50
    with pytest.raises(dsl.RecordLimitError) as info:
        script.run({"xs": list(range(100))})
    assert info.value.position is not None
    assert (info.value.position.line, info.value.position.column) == (2, 1)
