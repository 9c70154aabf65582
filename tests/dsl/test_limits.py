"""Every limit holds everywhere, not only inside ``each``, and ends in a positioned error that
names the limit and its value (see dsl/limits.py and docs/language.md, "Limits")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from mapwright import dsl
from mapwright.dsl import MappingError, MappingLimitError, MappingRuntimeError, PositionedError

EXPONENTIAL_DEFS = (
    "def f0(x) = x + 1\n"
    + "".join(f"def f{n}(x) = f{n - 1}(x) + f{n - 1}(x)\n" for n in range(1, 41))
    + "A <- f40(1)\n"
)
STRING_DOUBLING = (
    'let s0 = "ab"\n'
    + "".join(f"let s{n} = s{n - 1} & s{n - 1}\n" for n in range(1, 29))
    + "A <- length(s28)\n"
)
LIST_DOUBLING = (
    "let l0 = [1, 2]\n"
    + "".join(f"let l{n} = [l{n - 1}, l{n - 1}]\n" for n in range(1, 29))
    + "A <- l28\n"
)
SQUARING = "let n0 = x\n" + "".join(f"let n{n} = n{n - 1} * n{n - 1}\n" for n in range(1, 20))
HUGE = Decimal("1e999999999")


def limit_hit(source: str, record: dict[str, object], **limits: object) -> MappingLimitError:
    """Compile and run ``source`` (with ``limits`` changed for this run); return the limit
    error it must end with."""
    script = dsl.compile(source, name="bomb.map")
    with changed(script, **limits), pytest.raises(MappingLimitError) as caught:
        script.run(record)
    return caught.value


@contextmanager
def changed(script: dsl.Script, **limits: object) -> Iterator[dsl.Script]:
    """``script`` with some per-record limits changed, restored afterwards (compiled scripts
    are cached and shared, so a test must not leave its limits behind)."""
    saved = {name: getattr(script, name) for name in limits}
    for name, value in limits.items():
        setattr(script, name, value)
    try:
        yield script
    finally:
        for name, value in saved.items():
            setattr(script, name, value)


def test_an_exponential_def_chain_stops_at_the_step_budget_on_its_rule() -> None:
    exc = limit_hit(EXPONENTIAL_DEFS, {})
    assert isinstance(exc, MappingRuntimeError)
    assert (exc.limit, exc.maximum) == ("steps per record", 1_000_000)
    assert (exc.script, exc.line) == ("bomb.map", 42)
    assert exc.rule == "A <- f40(1)"
    assert "limit: steps per record = 1,000,000" in str(exc)


def test_the_step_budget_counts_def_calls_one_by_one() -> None:
    chain = "def f0(x) = x + 1\n" + "".join(
        f"def f{n}(x) = f{n - 1}(x) + f{n - 1}(x)\n" for n in range(1, 11)
    )
    script = dsl.compile(chain + "A <- f10(1)\n")  # 2**11 - 1 = 2,047 calls, 1 statement
    with changed(script, max_steps=2_048):
        assert script.run({}).output == {"A": 2048}
    with changed(script, max_steps=2_047), pytest.raises(MappingLimitError, match="2,047 steps"):
        script.run({})


def test_the_clock_is_read_at_def_calls_too() -> None:
    exc = limit_hit(EXPONENTIAL_DEFS, {}, max_seconds=0.0)
    assert exc.limit == "time per record"
    assert exc.line == 42


def test_each_rounds_and_calling_statements_are_steps() -> None:
    script = dsl.compile("A <- each xs as x => x\nB <- upper(a)\n")
    with changed(script, max_steps=3):  # two rounds and one statement with a call
        assert script.run({"xs": [1, 2], "a": "b"}).output == {"A": [1, 2], "B": "B"}
    with changed(script, max_steps=2), pytest.raises(MappingLimitError, match="steps"):
        script.run({"xs": [1, 2], "a": "b"})


def test_string_doubling_stops_at_the_text_length_limit() -> None:
    exc = limit_hit(STRING_DOUBLING, {})
    assert (exc.limit, exc.maximum, exc.line) == ("text length", 1_000_000, 20)
    assert isinstance(exc, MappingRuntimeError) and exc.rule == "let s19 = s18 & s18"


def test_nested_list_doubling_stops_at_the_list_size_limit() -> None:
    exc = limit_hit(LIST_DOUBLING, {})
    assert (exc.limit, exc.maximum, exc.line) == ("list size", 100_000, 16)


def test_doubling_through_each_is_counted_too() -> None:
    source = "let l0 = [1, 2]\n" + "".join(
        f"let l{n} = each [1, 2] as i => l{n - 1}\n" for n in range(1, 29)
    )
    exc = limit_hit(source + "A <- l28\n", {})
    assert exc.limit == "list size"


def test_squaring_a_4000_digit_number_stops_at_the_number_size_limit() -> None:
    exc = limit_hit(SQUARING + "A <- n19\n", {"x": int("7" * 4000)})
    assert (exc.limit, exc.maximum, exc.line) == ("number size", 100, 2)


def test_decimal_arithmetic_is_bounded_too() -> None:
    exc = limit_hit(SQUARING + "A <- n19\n", {"x": Decimal("1.5")})
    assert exc.limit == "number size"
    assert "10^100" in exc.message


def test_a_huge_number_from_a_record_is_no_list_index() -> None:
    assert dsl.compile("A <- xs[n]").run({"xs": [1], "n": HUGE}).output == {}


def test_a_huge_number_from_a_record_cannot_move_a_date() -> None:
    with pytest.raises(MappingRuntimeError, match="no date is that far away") as caught:
        dsl.compile('A <- date("2024-01-01") + n').run({"n": HUGE})
    assert caught.value.line == 1


def test_a_huge_number_from_a_record_is_written_with_its_exponent() -> None:
    out = dsl.compile('A <- "n = {n}"\nB <- n & ""').run({"n": HUGE}).output
    assert out == {"A": "n = 1E+999999999", "B": "1E+999999999"}


def test_computing_with_a_huge_number_from_a_record_is_the_number_size_limit() -> None:
    exc = limit_hit("A <- n + 1", {"n": HUGE})
    assert (exc.limit, exc.line) == ("number size", 1)


BIG_TEXT = 'let t0 = "0123456789"\n' + "".join(
    f"let t{n} = t{n - 1} & t{n - 1}\n" for n in range(1, 17)
)  # t16 has 655,360 characters


def test_a_result_larger_than_the_output_limit_is_refused() -> None:
    rules = "".join(f"A{n} <- t16\n" for n in range(16))
    exc = limit_hit(BIG_TEXT + rules, {})
    assert (exc.limit, exc.maximum) == ("output size per record", 10_000_000)


def test_copied_fields_count_towards_the_output_limit() -> None:
    script = dsl.compile('A <- x\nB <- x\nC <- split(y, ",")\n')  # split: measured
    with changed(script, max_output=2_000):
        assert script.run({"x": "y" * 500, "y": "z"}).output["A"] == "y" * 500
    with changed(script, max_output=2_000), pytest.raises(MappingLimitError) as caught:
        script.run({"x": [{"v": "y" * 500}] * 2, "y": "z"})
    assert caught.value.limit == "output size per record"


def test_a_script_that_only_copies_fields_is_measured_beyond_256_rules() -> None:
    rules = "".join(f"A{n} <- x\n" for n in range(257))
    exc = limit_hit(rules, {"x": "y" * 40_000})  # 257 x 40,000 characters
    assert exc.limit == "output size per record"
    few = dsl.compile("".join(f"A{n} <- x\n" for n in range(256)))
    assert len(few.run({"x": "y" * 40_000}).output) == 256  # at most 256 x the record


def test_operations_count_towards_the_output_limit() -> None:
    fields = "".join(f"  F{n} <- t16\n" for n in range(16))
    source = f"{BIG_TEXT}create sys.obj {{\n{fields}}}\n"
    assert limit_hit(source, {}).limit == "output size per record"


def test_nested_counted_repeats_are_refused_when_the_script_is_compiled() -> None:
    with pytest.raises(MappingLimitError) as caught:
        dsl.compile('A <- matches(s, "(?:(?:a\\{1000\\})\\{1000\\})\\{1000\\}")', name="re.map")
    exc = caught.value
    assert (exc.limit, exc.maximum) == ("pattern complexity", 10_000)
    assert (exc.line, exc.column) == (1, 17)
    assert "1,000,000,000 steps" in exc.message


def test_nested_counted_repeats_from_data_are_refused_when_used() -> None:
    exc = limit_hit("A <- matches(s, p)", {"s": "a", "p": "(?:(?:a{1000}){1000}){1000}"})
    assert (exc.limit, exc.line) == ("pattern complexity", 1)


def test_regular_expressions_still_stop_after_their_timeout() -> None:
    with pytest.raises(MappingRuntimeError, match="took longer than 0.25 s"):
        dsl.compile('A <- matches(s, "(a|aa)+$")').run({"s": "a" * 40 + "!"})


def test_the_clock_is_read_before_each_regular_expression() -> None:
    script = dsl.compile('A <- matches(s, "a")')
    with changed(script, max_seconds=0.0), pytest.raises(MappingLimitError, match="too long"):
        script.run({"s": "a"})


def test_a_pick_that_doubles_a_list_on_every_pipe_runs_out_of_steps() -> None:
    pick = " | ".join(["[@, @][]"] * 30)
    exc = limit_hit(f'A <- length(x.$"{pick}")', {"x": [1]})
    assert exc.limit == "steps per record"


def test_a_pick_cannot_write_a_doubled_list_as_text() -> None:
    pick = " | ".join(["[@, @]"] * 30) + " | to_string(@)"
    exc = limit_hit(f'A <- x.$"{pick}"', {"x": [1]})
    assert exc.limit == "text length"


def test_a_doubled_list_cannot_become_text() -> None:
    source = "let l0 = x\n" + "".join(f'let l{n} = l{n - 1}.$"[@, @]"\n' for n in range(1, 25))
    exc = limit_hit(source + 'A <- "{l24}"\n', {"x": "abc"})
    assert exc.limit in ("list size", "text length")


# ---- shapes that used to crash the parser or compiler --------------------------------------


def test_a_path_of_a_hundred_steps_compiles_and_runs() -> None:
    source = "A <- x" + ".a" * 100
    assert dsl.compile(source).run({"x": {"a": {"a": "deep"}}}).output == {}
    nested: dict[str, object] = {"a": "end"}
    for _ in range(99):
        nested = {"a": nested}
    assert dsl.compile(source).run({"x": nested}).output == {"A": "end"}


@pytest.mark.parametrize("count", [300, 500])
def test_long_chains_of_plus_compile_without_recursion(count: int) -> None:
    source = "A <- " + " + ".join(["1"] * count)
    assert dsl.compile(source).run({}).output == {"A": count}


@pytest.mark.parametrize(
    ("operator", "record", "expected"),
    [
        ("-", {"x": 1000}, 1000 - 499),
        ("&", {"x": "ab"}, "ab" * 500),
        ("and", {"x": True}, True),
        ("or", {"x": False}, False),
        ("??", {"y": 7}, 7),
        ("*", {"x": 1}, 1),
    ],
)
def test_every_left_chain_folds_without_recursion(
    operator: str, record: dict[str, object], expected: object
) -> None:
    operand = "y" if operator == "??" else "x"
    first = "x" if operator == "-" else operand
    rest = "1" if operator == "-" else operand
    source = f"A <- {first} " + f" {operator} {rest}" * 499
    assert dsl.compile(source).run(record).output == {"A": expected}


def test_a_match_with_three_hundred_arms_compiles() -> None:
    arms = ", ".join(f"{n} => {n * 2}" for n in range(300))
    script = dsl.compile(f"A <- match x {{ {arms}, else => -1 }}")
    assert script.run({"x": 250}).output == {"A": 500}
    assert script.run({"x": 301}).output == {"A": -1}


def test_five_hundred_nested_ifs_are_a_positioned_nesting_error() -> None:
    source = "A <- " + "if x then 1 else " * 500 + "2"
    with pytest.raises(MappingLimitError) as caught:
        dsl.compile(source, name="ifs.map")
    exc = caught.value
    assert (exc.limit, exc.maximum) == ("nesting depth", 48)
    assert exc.script == "ifs.map" and exc.line == 1 and exc.column > 1


def test_forty_eight_nested_ifs_are_fine() -> None:
    source = "A <- " + "if x then 1 else " * 47 + "2"
    assert dsl.compile(source).run({"x": False}).output == {"A": 2}


def test_fifty_nested_each_loops_are_a_positioned_error() -> None:
    source = "A <- " + "each xs as x => " * 50 + "1"
    with pytest.raises(MappingLimitError) as caught:
        dsl.compile(source)
    assert (caught.value.limit, caught.value.maximum) == ("each inside each", 16)
    assert caught.value.line == 1


def test_sixteen_nested_each_loops_run() -> None:
    source = "A <- " + "each xs as x => " * 16 + "1"
    out = dsl.compile(source).run({"xs": [1]}).output
    value = out["A"]
    for _ in range(16):
        assert isinstance(value, list) and len(value) == 1
        value = value[0]
    assert value == 1


def test_a_4301_digit_literal_is_a_positioned_error() -> None:
    with pytest.raises(MappingLimitError) as caught:
        dsl.compile("A <- " + "1" * 4301, name="big.map")
    exc = caught.value
    assert (exc.limit, exc.maximum, exc.line, exc.column) == ("number size", 100, 1, 6)
    assert "4,301 digits" in exc.message


def test_brackets_inside_text_interpolation_count_against_the_nesting_limit() -> None:
    inner = "(" * 30 + "x" + ")" * 30
    outer = "(" * 20
    source = f'A <- {outer}"{{{inner}}}"{")" * 20}'
    with pytest.raises(MappingLimitError) as caught:
        dsl.compile(source)
    assert caught.value.limit == "nesting depth"
    assert dsl.compile(f'A <- "{{{inner}}}"').run({"x": 1}).output == {"A": "1"}


def test_a_lone_surrogate_escape_is_a_positioned_syntax_error() -> None:
    with pytest.raises(dsl.MappingSyntaxError, match="surrogate") as caught:
        dsl.compile('A <- 1\nB <- "x\\ud800"', name="s.map")
    assert (caught.value.line, caught.value.column) == (2, 6)


def test_a_surrogate_pair_escape_is_one_character() -> None:
    assert dsl.compile('A <- "\\ud83d\\ude00"').run({}).output == {"A": "\U0001f600"}


def test_a_lone_surrogate_in_the_script_text_is_a_positioned_error() -> None:
    errors = dsl.lint('A <- 1\nB <- "\ud800"')
    assert [(e.line, e.column) for e in errors] == [(2, 7)]


@pytest.mark.parametrize(
    "source",
    [
        "A <- x" + ".a" * 1000,
        "A <- " + " + ".join(["1"] * 2000),
        'A <- $"' + ".".join(["a"] * 300) + '"',
        "A <- x" + "[0]" * 500,
        "A <- " + " ?? ".join(["x"] * 2000),
    ],
)
def test_very_long_chains_lint_format_and_compile(source: str) -> None:
    from mapwright.dsl.formatter import format_source

    assert dsl.lint(source) == []
    assert format_source(format_source(source)) == format_source(source)
    dsl.compile(source).run({"x": []})


def test_errors_at_run_time_keep_their_class_and_position() -> None:
    with pytest.raises(PositionedError) as caught:
        dsl.compile("A <- 1\nB <- x * 2", name="m.map").run({"x": "two"})
    assert isinstance(caught.value, MappingError)
    assert caught.value.line == 2


def test_a_list_of_record_parts_needs_no_measuring_but_a_repeated_one_does() -> None:
    walk = "let r0 = each xs as x {\n A <- x\n B <- x\n}\n"  # at most twice the record
    walk += "".join(
        f"let r{n} = each r{n - 1} as y {{\n A <- y\n B <- y\n}}\n" for n in range(1, 29)
    )
    source = walk + "Out <- r28\n"
    assert "sized" not in dsl.compile("L <- each xs as x {\n A <- x\n B <- x\n}").code.source
    exc = limit_hit(source, {"xs": [1, 2, 3]})
    assert exc.limit == "list size"
