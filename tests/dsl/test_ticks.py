"""Scripts whose only use of the run context is counting steps run without one (dsl/ticks.py):
same results and same errors as the counting code, for any steps limit."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mapwright import dsl
from mapwright.dsl import compiler
from mapwright.dsl.limits import CLOCK_EVERY

RULES = [
    "A{i} <- upper(trim(x))",
    "B{i} <- x",
    "C{i} <- text(n) & x",
    "when n > 1 {{\n  E{i} <- lower(x)\n  F{i} <- text(n)\n}} else {{\n  G{i} <- trim(x)\n}}",
    "let v{i} = length(x)\nH{i} <- v{i}",
    "I{i} <- n > 2",
    "J{i} <- [n, n]",
    "K{i} <- round_money(100 / n)",  # fails when n is 0: a run time error with its line
    "L{i} <- date(d)",
    'park "n is {{n}}" if n == 3',  # parks and skips leave the run as before
    'where n != 1 else "skipped at {i}"',
]

values = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.text(max_size=6),
    st.sampled_from([" Ab ", "/Date(1700000000000)/", "2024-02-30", "x" * 40]),
    st.lists(st.integers(0, 3), max_size=3),
)


def outcome(script: dsl.Script, record: dict[str, Any], steps: int, name: str) -> Any:
    saved = script.max_steps
    script.max_steps = steps
    try:
        result = script.run(record)
        many = list(script.run_many([record]))
        assert many == [result]  # the batch entry point takes the same path
        return ("ok", result.output, result.skipped, result.parked)
    except dsl.MappingError as exc:
        where = (getattr(exc, "line", None), getattr(exc, "column", None))
        return ("error", type(exc), where, str(exc).replace(name, "s.map"))
    finally:
        script.max_steps = saved


def counting(source: str, name: str) -> dsl.Script:
    """The script compiled as before this path existed: every record counts its steps."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compiler, "tick_only_steps", lambda out, ticks: None)
        script = dsl.compile(source, name=name)  # another name: another cache entry
    assert script.code.tick_steps is None
    return script


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(st.integers(0, len(RULES) - 1), min_size=1, max_size=14),
    record=st.fixed_dictionaries({}, optional={"x": values, "n": values, "d": values}),
    steps=st.integers(0, 40),
)
def test_a_script_without_its_ticks_gives_what_the_counting_script_gives(
    picks: list[int], record: dict[str, Any], steps: int
) -> None:
    source = "\n".join(RULES[p].format(i=i) for i, p in enumerate(picks)) + "\n"
    free = dsl.compile(source, name="free.map")
    assert free.code.tick_steps is not None or not free.code.needs_context  # all qualify
    expected = outcome(counting(source, "counting.map"), record, steps, "counting.map")
    assert outcome(free, record, steps, "free.map") == expected


def test_the_step_limit_still_stops_a_script_when_it_is_lower_than_its_ticks() -> None:
    source = "A <- trim(x)\nB <- upper(x)\nC <- lower(x)\n"
    script = dsl.compile(source, name="three.map")
    assert script.code.tick_steps == 3
    script.max_steps = 2
    with pytest.raises(dsl.MappingLimitError, match="more than 2 steps") as caught:
        script.run({"x": "a"})
    assert caught.value.line == 3  # the third rule is the step too many
    with pytest.raises(dsl.MappingLimitError, match="more than 2 steps"):
        list(script.run_many([{"x": "a"}]))
    script.max_steps = 3
    assert script.run({"x": " a "}).output == {"A": "a", "B": " A ", "C": " a "}


def test_a_failure_in_the_script_without_ticks_names_its_line() -> None:
    script = dsl.compile("A <- trim(x)\nB <- 100 / n\n", name="div.map")
    assert script.code.tick_steps is not None
    with pytest.raises(dsl.MappingRuntimeError) as caught:
        script.run({"x": "a", "n": 0})
    assert caught.value.line == 2


@pytest.mark.parametrize(
    "source",
    [
        "def twice(v) = v * 2\nA <- twice(n)\n",  # def calls count their own steps
        "A <- each items as i { B <- upper(i) }\n",  # loop rounds
        "let c = find(exact_online.accounts, Code = x)\nA <- c.Name\n",  # lookups
        "create exact_online.accounts { Name <- upper(x) }\n",  # operations
        'A <- matches(x, "a+")\n',  # slow builtins read the clock first
        "A <- x.y\n",  # no step is counted at all: no context anyway
    ],
)
def test_scripts_that_use_their_context_otherwise_keep_it(source: str) -> None:
    code = dsl.compile(source, name="ctx.map").code
    assert code.tick_steps is None


def test_a_script_with_a_clock_window_of_ticks_keeps_counting() -> None:
    """From ``CLOCK_EVERY`` ticks on, a record may reach the checkpoint and read the clock."""
    short = "\n".join(f"A{i} <- trim(x)" for i in range(CLOCK_EVERY - 1)) + "\n"
    assert dsl.compile(short, name="short.map").code.tick_steps == CLOCK_EVERY - 1
    long = "\n".join(f"A{i} <- trim(x)" for i in range(CLOCK_EVERY)) + "\n"
    assert dsl.compile(long, name="long.map").code.tick_steps is None
