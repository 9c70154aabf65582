"""``check_output``'s shortcut for flat results gives exactly what the generic walk
(``_check_output_generic``) gives: the same pass, or the same error (class, message, limit,
maximum and ``largest``), for any output and operations, with sizes around a small limit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mapwright import dsl
from mapwright.dsl import compiler
from mapwright.dsl.plan import Operation
from mapwright.dsl.sizes import OutputTooLarge, _check_output_generic, check_output

CHECKS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SCALARS = st.one_of(
    st.text(max_size=40),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
)
KEYS = st.text(max_size=12)


@st.composite
def values(draw: st.DrawFn) -> Any:
    """Scalars, lists and objects, where a list or object may hold the same child more than
    once (``[a, a]``), as scripts build them."""
    made: list[Any] = []

    def node(depth: int) -> Any:
        if depth == 0 or draw(st.integers(0, 3)) == 0:
            return draw(SCALARS)
        shared: bool = draw(st.booleans())
        if made and shared:
            return draw(st.sampled_from(made))  # a shared child: measured at each use
        size = draw(st.integers(0, 4))
        built: Any = (
            [node(depth - 1) for _ in range(size)]
            if draw(st.booleans())
            else {draw(KEYS): node(depth - 1) for _ in range(size)}
        )
        made.append(built)
        return built

    return node(draw(st.integers(0, 4)))


FLAT = st.dictionaries(KEYS, SCALARS, max_size=20)
NESTED = st.dictionaries(KEYS, values(), max_size=8)


@st.composite
def operations(draw: st.DrawFn) -> list[Operation]:
    found = []
    for _ in range(draw(st.integers(0, 3))):
        pair = (draw(KEYS), draw(values())) if draw(st.booleans()) else None
        found.append(
            Operation(
                kind="upsert" if pair is not None else "create",
                system="s",
                object="o",
                fields=draw(NESTED),
                match=pair,
            )
        )
    return found


def outcome(check: Any, output: dict[str, Any], ops: list[Any], limit: int) -> Any:
    """What a check does: ``None`` when it passes, else the error's every part."""
    try:
        check(output, ops, limit)
    except OutputTooLarge as exc:
        return (type(exc), str(exc), exc.limit, exc.maximum, exc.largest)
    return None


def same(output: dict[str, Any], ops: list[Any], limit: int) -> None:
    expected = outcome(_check_output_generic, output, ops, limit)
    got = outcome(check_output, output, ops, limit)
    assert got == expected
    if expected is not None:  # the very operation (not just an equal one) is blamed
        assert got[-1] is expected[-1] or isinstance(expected[-1], str)


@CHECKS
@given(output=FLAT, limit=st.integers(0, 600))
def test_flat_outputs_pass_or_fail_as_the_generic_walk(output: dict[str, Any], limit: int) -> None:
    same(output, [], limit)


@CHECKS
@given(output=FLAT, slack=st.integers(-3, 3))
def test_flat_outputs_right_at_the_limit(output: dict[str, Any], slack: int) -> None:
    exact = outcome(_check_output_generic, output, [], 0)
    size = 2 if exact is None else int(exact[1].split(" about ")[1].split(" ")[0].replace(",", ""))
    same(output, [], max(0, size + slack))


@CHECKS
@given(output=NESTED, ops=operations(), limit=st.integers(0, 2000))
def test_nested_shared_outputs_and_operations_as_the_generic_walk(
    output: dict[str, Any], ops: list[Operation], limit: int
) -> None:
    same(output, ops, limit)


def test_a_doubled_structure_is_refused_as_before_without_writing_it_out() -> None:
    doubled: Any = ["ab"]
    for _ in range(60):  # 2**60 uses: only a walk that stops early can answer
        doubled = [doubled, doubled]
    output = {"A": 1, "B": doubled}
    same(output, [], 5_000)
    assert outcome(check_output, output, [], 5_000)[-1] == "B"


def test_a_result_nested_deeper_than_the_stack_is_measured_as_before() -> None:
    deep: Any = "x"
    for _ in range(5_000):
        deep = [deep]
    for limit in (100, 20_000, 10**6):
        same({"Deep": deep, "Flat": "y"}, [], limit)


def test_a_key_that_is_not_text_fails_as_before() -> None:
    for output in ({1: "a"}, {"a": 1, 2: 3}):
        errors = []
        for check in (check_output, _check_output_generic):
            try:
                check(output, [], 100)  # type: ignore[arg-type]
            except TypeError as exc:
                errors.append(str(exc))
        assert len(errors) == 2 and errors[0] == errors[1]


def test_a_script_result_over_its_limit_names_the_largest_field() -> None:
    # the let makes the script measured (a script of bounded rules only is not: see shapes.py)
    source = 'let t = "x" & text(n)\nA <- t\nB <- date("2024-05-03")\n'
    script = dsl.compile(source, name="size.map")
    saved = script.max_output
    script.max_output = 60
    try:
        assert script.run({"n": 1}).output == {"A": "x1", "B": dt.date(2024, 5, 3)}
        try:
            script.run({"n": 10**40})
        except dsl.MappingLimitError as exc:
            # 2 + A: 1 + 42 ("x" and 41 digits) + 6 + B: 1 + 34 (a date) = 86
            assert "about 86 characters" in str(exc) and exc.maximum == 60
            assert exc.line == 2  # the largest field, A, was written on line 2
        else:
            raise AssertionError("a result over the output limit was not refused")
        results = list(script.run_many([{"n": 1}, {"n": 10**40}], errors="yield"))
        assert results[0].output["A"] == "x1"  # type: ignore[union-attr]
        assert isinstance(results[1], dsl.MappingLimitError) and results[1].line == 2
    finally:
        script.max_output = saved


def test_decimal_and_date_values_count_as_scalars() -> None:
    output = {"A": Decimal("1.5"), "B": dt.date(2024, 1, 1), "C": "abc"}
    # 2 + (1 + 34) + (1 + 34) + (1 + 3 + 6) = 82
    same(output, [], 82)
    same(output, [], 81)
    assert outcome(check_output, output, [], 82) is None
    assert outcome(check_output, output, [], 81)[-1] == "A"


# ---- steps counted per run of rules (dsl/ticks.py) -----------------------------------------

RULES = [
    "A{i} <- upper(trim(x))",
    "B{i} <- x",
    "C{i} <- text(n) & x",
    "D{i} <- double(n)",
    "when n > 1 {{\n  E{i} <- lower(x)\n  F{i} <- text(n)\n}} else {{\n  G{i} <- trim(x)\n}}",
    "let v{i} = length(x)\nH{i} <- v{i}",
    "I{i} <- n > 2",
    "J{i} <- [n, n]",
]


def run_with_steps(source: str, name: str, steps: int, record: dict[str, Any]) -> Any:
    script = dsl.compile(source, name=name)
    saved = script.max_steps
    script.max_steps = steps
    try:
        return ("ok", script.run(record).output)
    except dsl.MappingError as exc:
        where = (getattr(exc, "line", None), getattr(exc, "column", None))
        return ("error", type(exc), where, str(exc).replace(name, "s.map"))
    finally:
        script.max_steps = saved


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(st.integers(0, len(RULES) - 1), min_size=1, max_size=12),
    n=st.integers(0, 3),
    steps=st.integers(0, 30),
)
def test_steps_counted_per_run_stop_on_the_same_rule_as_per_rule(
    picks: list[int], n: int, steps: int
) -> None:
    """The steps limit stops on the same rule, with the same error, whether the ticks of a
    run of rules are merged or each counted on its own (the compiler without merging)."""
    source = "def double(v) = v * 2\n" + "\n".join(
        RULES[p].format(i=i) for i, p in enumerate(picks)
    )
    record = {"x": " Ab ", "n": n}
    merged = run_with_steps(source, "merged.map", steps, record)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compiler, "merge_ticks", lambda out, ticks: None)
        per_rule = run_with_steps(source, "per_rule.map", steps, record)  # another cache key
    assert merged == per_rule


def test_a_run_of_rules_checks_the_count_once() -> None:
    source = "A <- trim(x)\nB <- upper(x)\nC <- lower(x)\n"
    code = dsl.compile(source, name="ticks.map").code.source
    assert "ctx.left >= 3" in code and code.count("ctx.left -= 1") == 3  # the slow way kept
