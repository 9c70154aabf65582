"""``copies_only``: a script the compiler does not measure against the output size limit
must really give a result of at most ``growth`` times the record's size plus a constant per
expression node, whatever the record holds (long texts, Unicode that grows when its case
changes, control characters that JSON escapes, huge numbers, nested lists)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mapwright import dsl
from mapwright.dsl import ast
from mapwright.dsl.errors import MappingError
from mapwright.dsl.shapes import COPY_RULES, GROWTH, copies_only, growth
from mapwright.dsl.sizes import json_chars

CHECKS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NODE_CONSTANT = 130
"""What one expression node may add beyond its arguments (see ``shapes.MAX_NODES``)."""

FIELDS = ["a", "b", "c"]
TEXTS = st.text(alphabet=st.sampled_from('aZß\u0390\ufb03İ\x00\x1f"\\é '), max_size=400)
SCALARS = st.one_of(
    TEXTS,
    st.integers(-(10**30), 10**30),
    st.sampled_from([Decimal("1E+99"), Decimal("-1E-99"), Decimal("12.345"), Decimal("1E+9999")]),
    st.booleans(),
    st.none(),
    st.sampled_from(["/Date(1764028800000)/", "2026-12-07"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=3),
    max_leaves=8,
)
RECORDS = st.fixed_dictionaries({name: VALUES for name in FIELDS})


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3, quotes: bool = True) -> str:
    """An expression of fields, literals, the ``GROWTH`` builtins and the operators (no
    text literals inside a template's ``{...}``)."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        texts = ['"x"'] if quotes else []
        return draw(st.sampled_from([*FIELDS, *texts, "12.5", "true", "null"]))
    inner = expressions(depth - 1, quotes)
    shape = draw(st.integers(0, 6))
    if shape == 0:
        return f"{draw(st.sampled_from(sorted(GROWTH)))}({draw(inner)})"
    if shape == 1 or (shape == 2 and not quotes):
        return f"({draw(inner)} & {draw(inner)})"
    if shape == 2:
        part = expressions(depth - 1, quotes=False)
        return f'"<{{{draw(part)}}}|{{{draw(part)}}}>"'
    if shape == 3:
        return f"({draw(inner)} ?? {draw(inner)})"
    if shape == 4:
        return f"(if {draw(inner)} then {draw(inner)} else {draw(inner)})"
    if shape == 5:
        op = draw(st.sampled_from(["*", "+", "==", ">", "and"]))
        return f"({draw(inner)} {op} {draw(inner)})"
    return f"(not {draw(inner)})"


@CHECKS
@given(st.lists(expressions(), min_size=1, max_size=4), RECORDS)
def test_an_unmeasured_result_stays_within_its_bound(rules: list[str], record: Any) -> None:
    source = "".join(f"R{n} <- {rule}\n" for n, rule in enumerate(rules))
    script = dsl.compile(source, name="shape.map")
    values = [r.value for r in script.tree.statements if isinstance(r, ast.Rule)]
    total = sum(growth(v) or 0 for v in values)
    nodes = sum(1 for v in values for _ in ast.walk(v))
    assert script.code.measure_output == (total > COPY_RULES)  # every rule has a bound
    if script.code.measure_output:
        return
    try:
        output = script.run(record).output
    except MappingError:
        return  # a builtin refused a value: no result to measure
    bound = total * json_chars(record) + NODE_CONSTANT * nodes + 40 * len(rules)
    assert json_chars(output) <= bound


@pytest.mark.parametrize(
    "rule",
    [
        'split(a, ",")',  # builds a list
        "pad_left(a, 1000000)",  # grows by its other argument
        "[a, a]",
        "find(sys.obj, k = a)",
        '$"a[*]"',
    ],
)
def test_results_without_a_known_bound_are_measured(rule: str) -> None:
    assert dsl.compile(f"R <- {rule}\n", name="shape.map").code.measure_output


def test_a_let_or_a_block_makes_the_script_measured() -> None:
    assert dsl.compile("let t = a\nR <- t\n").code.measure_output
    assert dsl.compile("when a {\n  R <- a\n}\n").code.measure_output


def test_the_growth_of_all_rules_together_is_bounded() -> None:
    # upper() may triple a text: 85 rules are 255 times the record, 86 are more than 256
    few = "".join(f"R{n} <- upper(a)\n" for n in range(85))
    many = "".join(f"R{n} <- upper(a)\n" for n in range(86))
    assert 85 * GROWTH["upper"] <= COPY_RULES < 86 * GROWTH["upper"]
    assert not dsl.compile(few).code.measure_output
    assert dsl.compile(many).code.measure_output


def test_copies_only_reads_the_tree() -> None:
    tree = dsl.compile('R <- date(a)\nS <- money(b) > 10\nT <- "{trim(c)}!"\n').tree
    assert copies_only(tree)


@pytest.mark.parametrize(
    ("rule", "value", "at_least"),
    [
        ("upper(a)", "\ufb03" * 4000, 2.9),  # ﬃ -> FFI
        ("upper(a)", "\u0390" * 4000, 2.9),  # ΐ -> three code points
        ("lower(a)", "İ" * 4000, 1.9),  # İ -> i and a combining dot
        ("text(a)", ["\x00" * 4000], 5.5),  # JSON writes \u0000
        ('"{a}"', ["\x1f" * 4000], 5.5),
        ("a & a", "x" * 4000, 1.9),
        ("a & a", ["\x00" * 4000], 11),
        ("trim(a)", " x" * 2000, 0.9),
    ],
)
def test_the_worst_cases_stay_within_the_bound(rule: str, value: Any, at_least: float) -> None:
    """The largest growth each builtin can make (so a smaller factor in ``GROWTH`` fails
    here) stays within the bound the compiler assumes."""
    script = dsl.compile(f"R <- {rule}\n", name="shape.map")
    record = {"a": value}
    assert not script.code.measure_output
    size, chars = json_chars(script.run(record).output), json_chars(record)
    grows = growth(next(r.value for r in script.tree.statements if isinstance(r, ast.Rule)))
    assert grows is not None
    assert size > at_least * chars  # the growth is real...
    assert size <= grows * chars + NODE_CONSTANT * 4  # ...and within the bound
