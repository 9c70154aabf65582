"""The per-statement parse cache gives exactly what a fresh parse gives, after any edit.

Scripts are edited at random (lines inserted, deleted or changed, statements broken and
mended) and each version is linted through the cache that saw the earlier versions; the
diagnostics, the tree and every position must equal those of a parse without the cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mapwright import dsl
from mapwright.dsl import ast
from mapwright.dsl.errors import PositionedError
from mapwright.dsl.parser import STATEMENTS, parse_with_errors
from mapwright.dsl.statement_cache import StatementCache

MAPPINGS = Path(__file__).resolve().parents[2] / "builtin_mappings"
SCRIPTS = {p.name: p.read_text("utf-8") for p in sorted(MAPPINGS.glob("*.map"))}
SMALL = """\
# a small script with a bit of everything
setting rate: number = 1.19
def net(l) = l.qty * l.price
let total = sum(each lines as l => net(l))
where total > 0 else "nothing to invoice"
Number <- "INV-{number}"
Lines <- each lines as l where l.qty > 0 {
  Sku <- l.sku
  Net <- round_money(net(l) * settings.rate)
}
when total > 100 {
  Discount <- 5
}
"""
SCRIPTS["small.map"] = SMALL

NEW_LINES = [
    "",
    "# a comment",
    "let extra = 1",
    "Extra <- extra + 1",
    "X <- (",
    "Y <- 1 +",
    '  Note <- "x"',
    "}",
    "when a {",
    "Bad = 1",
    'let s = "unclosed',
    'Pick <- $"lines[0].sku"',
]


def dump(value: Any) -> Any:
    """A tree with every position, for exact comparison (``==`` on nodes ignores ``pos``)."""
    if isinstance(value, ast.Node):
        fields = {k: dump(v) for k, v in value.__dict__.items()}
        return (type(value).__name__, fields)
    if isinstance(value, tuple | list):
        return [dump(v) for v in value]
    return value


def error_dump(errors: list[PositionedError]) -> list[Any]:
    return [(type(e).__name__, e.message, e.position, e.script) for e in errors]


def parsed(source: str, cache: StatementCache | None) -> Any:
    try:
        tree, errors = parse_with_errors(source, name="s.map", cache=cache)
    except PositionedError as exc:  # the whole script refused (size, surrogates)
        return ("refused", type(exc).__name__, exc.message, exc.position)
    return dump(tree), dump(tree.comments), error_dump(errors)


def lint(source: str) -> list[Any]:
    return [d.to_json() for d in dsl.lint(source, name="s.map")]


@st.composite
def edits(draw: st.DrawFn, lines: list[str]) -> list[str]:
    count = len(lines)
    kind = draw(st.sampled_from(["insert", "delete", "change", "duplicate", "swap"]))
    at = draw(st.integers(0, max(count - 1, 0)))
    out = list(lines)
    if kind == "insert":
        new = draw(st.sampled_from(NEW_LINES + out[:1] + out[at : at + 1]))
        out[at:at] = [new] * draw(st.integers(1, 3))
    elif kind == "delete" and out:
        del out[at : at + draw(st.integers(1, 3))]
    elif kind == "change" and out:
        line = out[at]
        pos = draw(st.integers(0, len(line)))
        piece = draw(st.sampled_from(["x", " ", "(", ")", "{", "}", '"', "1", "<-", ".", ""]))
        cut = draw(st.integers(0, 2))
        out[at] = line[:pos] + piece + line[pos + cut :]
    elif kind == "duplicate" and out:
        out[at:at] = out[at : at + draw(st.integers(1, 8))]
    elif kind == "swap" and count > 1:
        other = draw(st.integers(0, count - 1))
        out[at], out[other] = out[other], out[at]
    return out


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), name=st.sampled_from(sorted(SCRIPTS)))
def test_cached_parses_equal_fresh_parses_after_random_edits(
    data: st.DataObject, name: str
) -> None:
    cache = StatementCache()
    lines = SCRIPTS[name].split("\n")
    source = "\n".join(lines)
    assert parsed(source, cache) == parsed(source, None)
    for _ in range(data.draw(st.integers(1, 4))):
        lines = data.draw(edits(lines))
        source = "\n".join(lines)
        assert parsed(source, cache) == parsed(source, None)
        assert parsed(source, cache) == parsed(source, None)  # now every statement cached


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), name=st.sampled_from(["small.map", "stock.map", "orders.map"]))
def test_lint_after_an_edit_equals_lint_of_a_fresh_process(data: st.DataObject, name: str) -> None:
    lines = SCRIPTS[name].split("\n")
    lint("\n".join(lines))  # the editor linted the script before the edit
    lines = data.draw(edits(lines))
    source = "\n".join(lines)
    cached = lint(source)
    STATEMENTS.clear()
    assert cached == lint(source)


def test_a_statement_moved_down_keeps_its_own_positions() -> None:
    cache = StatementCache()
    before, _ = parse_with_errors('X <- a * "b"\nY <- (', name="m.map", cache=cache)
    after, errors = parse_with_errors(
        '# new\n\nX <- a * "b"\n# more\nY <- (', name="m.map", cache=cache
    )
    rule = after.statements[0]
    assert isinstance(rule, ast.Rule) and isinstance(rule.value, ast.Binary)
    assert (rule.pos.line, rule.pos.column) == (3, 1)
    assert (rule.value.right.pos.line, rule.value.right.pos.column) == (3, 10)
    assert [(e.line, e.column) for e in errors] == [(5, 6), (5, 7)]
    assert before.statements[0].pos.line == 1  # the earlier result is not changed


def test_the_cache_parses_each_statement_once() -> None:
    cache = StatementCache()
    calls: list[str] = []
    original = cache.parse

    def counting(text: str, line: int, name: str | None, parse: Any) -> Any:
        def counted() -> Any:
            calls.append(text)
            return parse()

        return original(text, line, name, counted)

    cache.parse = counting  # type: ignore[method-assign]
    source = SCRIPTS["stock.map"]
    parse_with_errors(source, name="s.map", cache=cache)
    first = len(calls)
    edited = source.replace("\n", "\n# inserted\n", 1)
    parse_with_errors(edited, name="s.map", cache=cache)
    assert first > 10 and len(calls) == first  # moved statements are shifted, not parsed


def test_a_cached_error_is_a_new_object_each_time() -> None:
    cache = StatementCache()
    _, first = parse_with_errors("X <- (1 +", name="e.map", cache=cache)
    _, second = parse_with_errors("X <- (1 +", name="e.map", cache=cache)
    assert error_dump(first) == error_dump(second)
    assert first[0] is not second[0]
    with pytest.raises(PositionedError):
        raise second[0]
    _, third = parse_with_errors("X <- (1 +", name="e.map", cache=cache)
    assert third[0].__traceback__ is None


def test_the_script_name_is_part_of_the_key() -> None:
    cache = StatementCache()
    _, a = parse_with_errors("X <- (", name="a.map", cache=cache)
    _, b = parse_with_errors("X <- (", name="b.map", cache=cache)
    assert a[0].script == "a.map" and b[0].script == "b.map"
