"""Script bombs (the language part of the abuse suite): hostile scripts and records meet the
limits of dsl/limits.py and end in a result or a positioned ``MappingError``, never in another
exception, a hang or a memory blow-up.

Memory cap: no case may raise this process's peak resident set size (``ru_maxrss``) by more
than ``MEMORY_CAP_MB`` over the peak before the case ran; the bombs below took gigabytes
before the limits (28 lines of ``&`` doubling: 4.3 GB). Time is not asserted (the machines
are shared): every case must simply end, with the default limits (a record stops after
1,000,000 steps or 5 seconds).
"""

from __future__ import annotations

import resource
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mapwright import dsl
from mapwright.dsl import MappingError, PositionedError, limits

MEMORY_CAP_MB = 256

HUGE = Decimal("1e999999999")
RECORD: dict[str, Any] = {
    "x": 1,
    "xs": [1, 2, 3],
    "n": HUGE,
    "big": int("7" * 4000),
    "s": "a" * 40 + "!",
    "p": "(?:(?:a{1000}){1000}){1000}",
    "t": "[/x] [bold]hi[/bold]",
}


def peak_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / (1024 * 1024) if sys.platform == "darwin" else usage / 1024


@pytest.fixture(autouse=True)
def memory_cap() -> Iterator[None]:
    before = peak_mb()
    yield
    grown = peak_mb() - before
    assert grown <= MEMORY_CAP_MB, f"the peak RSS grew by {grown:.0f} MB"


def outcome(source: str, record: dict[str, Any]) -> Any:
    """The result of compiling and running ``source`` with the default limits, or the
    MappingError it ended with (which must point at its script and line)."""
    try:
        script = dsl.compile(source, name="bomb.map")
        # compiled scripts are cached and shared: run with the defaults whatever ran before
        script.max_steps, script.max_seconds = limits.MAX_STEPS, limits.MAX_SECONDS
        script.max_items, script.max_output = limits.MAX_EACH_ITEMS, limits.MAX_OUTPUT
        return script.run(record)
    except MappingError as exc:
        assert isinstance(exc, PositionedError), f"{type(exc).__name__} has no position: {exc}"
        assert exc.script == "bomb.map" and exc.line >= 1, str(exc)
        return exc
    finally:
        # the engine keeps working after a bomb
        assert dsl.compile("A <- x + 1").run({"x": 1}).output == {"A": 2}


def doubling(first: str, step: str, lines: int = 28) -> str:
    """``let v0 = first``, then ``lines`` lets that each double the one before."""
    body = "".join(f"let v{n} = {step.format(p=f'v{n - 1}')}\n" for n in range(1, lines + 1))
    return f"let v0 = {first}\n{body}A <- v{lines}\n"


EXPONENTIAL_DEFS = (
    "def f0(x) = x + 1\n"
    + "".join(f"def f{n}(x) = f{n - 1}(x) + f{n - 1}(x)\n" for n in range(1, 41))
    + "A <- f40(1)\n"
)

BOMBS: dict[str, tuple[str, dict[str, Any], str | tuple[str, ...]]] = {
    "exponential defs": (EXPONENTIAL_DEFS, {}, "steps per record"),
    "exponential defs on text": (
        EXPONENTIAL_DEFS.replace("x + 1", 'x & "a"').replace(") + f", ") & f"),
        {},
        ("steps per record", "text length"),
    ),
    "string doubling": (doubling('"ab"', "{p} & {p}"), {}, "text length"),
    "template doubling": (doubling('"ab"', '"{{{p}}}{{{p}}}"'), {}, "text length"),
    "list doubling": (doubling("[1, 2]", "[{p}, {p}]"), {}, "list size"),
    "object doubling": (doubling("{a: 1}", "{{a: {p}, b: {p}}}"), {}, "list size"),
    "each doubling": (doubling("[1, 2]", "each [1, 2] as i => {p}"), {}, "list size"),
    "pick doubling": (doubling("xs", '{p}.$"[@, @]"'), RECORD, ("list size", "steps per record")),
    "squaring a 4,000-digit number": (doubling("big", "{p} * {p}", 20), RECORD, "number size"),
    "squaring a decimal": (doubling("1.5", "{p} * {p}", 20), {}, "number size"),
    "huge number plus one": ("A <- n + 1", RECORD, "number size"),
    "nested counted repeats from data": ("A <- matches(s, p)", RECORD, "pattern complexity"),
    "nested counted repeats in the script": (
        'A <- matches(s, "(?:(?:a\\{1000\\})\\{1000\\})\\{1000\\}")',
        RECORD,
        "pattern complexity",
    ),
    "cartesian each": (
        "A <- each xs as a => each xs as b => each xs as c => 1",
        {"xs": list(range(1000))},
        "list items per record",
    ),
    "pipe doubling": (
        'A <- length(xs.$"' + " | ".join(["[@, @][]"] * 40) + '")',
        RECORD,
        "steps per record",
    ),
    "to_string of a doubled list": (
        'A <- xs.$"' + " | ".join(["[@, @]"] * 40) + ' | to_string(@)"',
        RECORD,
        "text length",
    ),
    "500 nested ifs": ("A <- " + "if x then 1 else " * 500 + "2", RECORD, "nesting depth"),
    "50 nested each": ("A <- " + "each xs as x => " * 50 + "1", RECORD, "each inside each"),
    "4,301-digit literal": ("A <- " + "1" * 4301, {}, "number size"),
    "brackets in text": (
        'A <- ((((((((((((((((((((("{' + "(" * 30 + "x" + ")" * 30 + '}")))))))))))))))))))))',
        RECORD,
        "nesting depth",
    ),
    "output amplification": (
        doubling('"0123456789"', "{p} & {p}", 16).replace("A <- v16\n", "")
        + "".join(f"A{n} <- v16\n" for n in range(16)),
        {},
        "output size per record",
    ),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_stops_at_its_limit_with_a_position(name: str) -> None:
    source, record, limit = BOMBS[name]
    result = outcome(source, record)
    assert isinstance(result, dsl.MappingLimitError), f"{name}: {result!r}"
    assert result.limit in ((limit,) if isinstance(limit, str) else limit), str(result)


@pytest.mark.parametrize(
    ("source", "record", "expected"),
    [
        ("A <- x" + ".a" * 100, {"x": {}}, {}),
        ("A <- " + " + ".join(["1"] * 500), {}, {"A": 500}),
        ("A <- xs[n]", RECORD, {}),
        ('A <- "n = {n}"', RECORD, {"A": "n = 1E+999999999"}),
        ("A <- t", RECORD, {"A": "[/x] [bold]hi[/bold]"}),
    ],
)
def test_shapes_that_used_to_crash_now_map(
    source: str, record: dict[str, Any], expected: dict[str, Any]
) -> None:
    result = outcome(source, record)
    assert not isinstance(result, Exception), str(result)
    assert result.output == expected


# ---- hostile scripts generated --------------------------------------------------------------

ATOMS = ["x", "1", "1.5", '"a"', "xs", "n", "big", "s", "record", "[1, 2]", "{a: 1}", "null"]
WRAPPERS = [
    "({e})",
    "[{e}]",
    "{{a: {e}}}",
    "upper({e})",
    "length({e})",
    "if x then {e} else 1",
    "not {e}",
    "-{e}",
    "each xs as v => {e}",
    "match {e} {{ 1 => 2, else => 3 }}",
    "{e} ?? 1",
    '"t {{{quoted}}}"',
    "first([{e}])",
    'xs.$"[0]"',
]
OPERATORS = ["+", "-", "*", "/", "&", "and", "or", "??", "==", "<"]
STEPS = [".a", "[0]", '.$"a"', "[n]", "[x]"]
DOUBLERS = ["{p} & {p}", "[{p}, {p}]", "{p} * {p}", "each [1, 2] as i => {p}", '{p}.$"[@, @]"']


def _quoted(expression: str) -> str:
    return expression.replace("\\", "\\\\").replace('"', '\\"')


@st.composite
def expressions(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["deep", "chain", "path", "literal", "text"]))
    if kind == "deep":
        expression = draw(st.sampled_from(ATOMS))
        for wrapper in draw(st.lists(st.sampled_from(WRAPPERS), min_size=1, max_size=80)):
            expression = wrapper.format(e=expression, quoted=_quoted(expression))
            if len(expression) > 20_000:
                break
        return expression
    if kind == "chain":
        operator = draw(st.sampled_from(OPERATORS))
        count = draw(st.integers(1, 800))
        return f" {operator} ".join([draw(st.sampled_from(ATOMS))] * (count + 1))
    if kind == "path":
        return draw(st.sampled_from(ATOMS)) + draw(st.sampled_from(STEPS)) * draw(
            st.integers(1, 400)
        )
    if kind == "literal":
        return "9" * draw(st.integers(1, 5000))
    return '"' + "x" * draw(st.integers(0, 20_000)) + '"'


@st.composite
def hostile_scripts(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["expressions", "doubling", "defs"]))
    if kind == "doubling":
        first = draw(st.sampled_from(['"ab"', "[1, 2]", "big", "1.5", "xs", "s"]))
        return doubling(first, draw(st.sampled_from(DOUBLERS)), draw(st.integers(1, 40)))
    if kind == "defs":
        levels = draw(st.integers(1, 45))
        operator = draw(st.sampled_from(["+", "&", "*"]))
        defs = "def f0(x) = x\n" + "".join(
            f"def f{n}(x) = f{n - 1}(x) {operator} f{n - 1}(x)\n" for n in range(1, levels + 1)
        )
        return defs + f"A <- f{levels}({draw(st.sampled_from(ATOMS))})\n"
    rules = draw(st.lists(expressions(), min_size=1, max_size=3))
    return "".join(f"A{n} <- {rule}\n" for n, rule in enumerate(rules))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(source=hostile_scripts(), record=st.sampled_from([RECORD, {}, {"x": "[/x]", "xs": []}]))
def test_hostile_scripts_end_in_a_result_or_a_positioned_error(
    source: str, record: dict[str, Any]
) -> None:
    result = outcome(source, record)
    assert isinstance(result, dsl.Outcome | MappingError)
