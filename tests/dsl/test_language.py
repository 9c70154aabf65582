"""The language's behaviour, one construct per row: script, input record -> output."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from mapwright import dsl
from mapwright.dsl.jsonio import loads, plain

ROWS: list[tuple[str, str, Any, Any]] = [
    # (behaviour, script, record, expected output)
    ("plain field", "A <- name", {"name": "x"}, {"A": "x"}),
    ("nested path", "A <- a.b.c", {"a": {"b": {"c": 1}}}, {"A": 1}),
    ("index", "A <- xs[1]", {"xs": [1, 2]}, {"A": 2}),
    ("negative index", "A <- xs[-1]", {"xs": [1, 2, 3]}, {"A": 3}),
    ("index out of range is missing", "A <- xs[5]", {"xs": [1]}, {}),
    ("missing field is left out", "A <- nope", {}, {}),
    ("null is kept", "A <- x", {"x": None}, {"A": None}),
    ("missing vs null with ??", 'A <- x ?? "d"\nB <- y ?? "d"', {"x": None}, {"A": "d", "B": "d"}),
    (
        "?? keeps false and 0",
        "A <- f ?? true\nB <- z ?? 1",
        {"f": False, "z": 0},
        {"A": False, "B": 0},
    ),
    ("quoted field names", 'A <- record."first name"', {"first name": "Jo"}, {"A": "Jo"}),
    (
        "nested target",
        "Address.City <- city\nAddress.Zip <- zip",
        {"city": "Köln", "zip": "50667"},
        {"Address": {"City": "Köln", "Zip": "50667"}},
    ),
    (
        "decimal math is exact",
        "A <- a + b",
        {"a": Decimal("0.1"), "b": Decimal("0.2")},
        {"A": Decimal("0.3")},
    ),
    ("float input becomes exact", "A <- a * 3", {"a": 0.1}, {"A": Decimal("0.3")}),
    ("integer division stays exact", "A <- 10 / 4", {}, {"A": Decimal("2.5")}),
    ("precedence", "A <- 1 + 2 * 3", {}, {"A": 7}),
    ("parentheses", "A <- (1 + 2) * 3", {}, {"A": 9}),
    ("unary minus", "A <- -x", {"x": 2}, {"A": -2}),
    ("text concat", 'A <- first & " " & last', {"first": "A", "last": "B"}, {"A": "A B"}),
    ("concat reads missing as empty", 'A <- "x" & nope', {}, {"A": "x"}),
    (
        "template",
        'A <- "Order {nr} for {who.name}"',
        {"nr": 7, "who": {"name": "Jo"}},
        {"A": "Order 7 for Jo"},
    ),
    ("escaped brace", 'A <- "\\{x\\}"', {}, {"A": "{x}"}),
    (
        "comparison",
        "A <- a > 1\nB <- a == 2\nC <- a != 2",
        {"a": 2},
        {"A": True, "B": True, "C": False},
    ),
    (
        "comparing decimals",
        "A <- a >= b\nB <- a < 1",
        {"a": Decimal("1.5"), "b": Decimal("1.50")},
        {"A": True, "B": False},
    ),
    ("comparing missing is false", "A <- a > 1\nB <- a < 1", {}, {"A": False, "B": False}),
    (
        "in list",
        'A <- s in ["paid", "open"]\nB <- s not in ["x"]',
        {"s": "paid"},
        {"A": True, "B": True},
    ),
    ("in text", 'A <- "ell" in s', {"s": "hello"}, {"A": True}),
    (
        "and or not",
        "A <- a and not b\nB <- a or b",
        {"a": True, "b": False},
        {"A": True, "B": True},
    ),
    ("if then else", 'A <- if n > 1 then "many" else "one"', {"n": 2}, {"A": "many"}),
    ("if with missing else leaves out", 'A <- if n > 1 then "many" else missing', {"n": 0}, {}),
    (
        "match",
        'A <- match c { "DE" | "AT" => "dach", "NL" => "nl", else => "other" }',
        {"c": "AT"},
        {"A": "dach"},
    ),
    ("match without else", 'A <- match c { "DE" => 1 }', {"c": "FR"}, {}),
    ("let", "let t = a * 2\nA <- t + 1", {"a": 2}, {"A": 5}),
    ("let shadows a field", "let a = 10\nA <- a", {"a": 1}, {"A": 10}),
    ("def", 'def greet(n) = "Hi " & n\nA <- greet(name)', {"name": "Jo"}, {"A": "Hi Jo"}),
    (
        "def calls def",
        "def twice(x) = x * 2\ndef quad(x) = twice(twice(x))\nA <- quad(a)",
        {"a": 3},
        {"A": 12},
    ),
    (
        "each block",
        "L <- each lines as l {\n  S <- l.sku\n  Q <- l.qty * 2\n}",
        {"lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]},
        {"L": [{"S": "A", "Q": 2}, {"S": "B", "Q": 4}]},
    ),
    (
        "each with where",
        "L <- each xs as x where x > 1 => x * 10",
        {"xs": [1, 2, 3]},
        {"L": [20, 30]},
    ),
    ("each over missing is empty", "L <- each xs as x => x", {}, {"L": []}),
    (
        "nested each",
        "L <- each os as o {\n  I <- each o.items as i => i.n\n}",
        {"os": [{"items": [{"n": 1}, {"n": 2}]}]},
        {"L": [{"I": [1, 2]}]},
    ),
    (
        "each sees outer lets",
        "let f = 3\nL <- each xs as x => x * f",
        {"xs": [1, 2]},
        {"L": [3, 6]},
    ),
    (
        "when block",
        'when kind == "b2b" {\n  T <- "company"\n} else {\n  T <- "person"\n}',
        {"kind": "b2c"},
        {"T": "person"},
    ),
    (
        "object literal",
        'A <- { name: n, "the kind": "x" }',
        {"n": 1},
        {"A": {"name": 1, "the kind": "x"}},
    ),
    ("list literal", 'A <- [1, a, "x"]', {"a": 2}, {"A": [1, 2, "x"]}),
    (
        "lookup table inline",
        'let t = { DE: "19", NL: "21" }\nA <- lookup(t, c)',
        {"c": "NL"},
        {"A": "21"},
    ),
    ("settings", "setting rate: number = 19\nA <- settings.rate", {}, {"A": 19}),
    (
        "jmespath pick",
        'A <- $"lines[?qty > `1`].sku"',
        {"lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]},
        {"A": ["B"]},
    ),
    (
        "jmespath on a value",
        'A <- order.$"lines[*].sku"',
        {"order": {"lines": [{"sku": "A"}]}},
        {"A": ["A"]},
    ),
    ("plain jmespath path reads null", 'A <- $"a.b"', {}, {"A": None}),
    ("the whole record", "A <- record", {"x": 1}, {"A": {"x": 1}}),
    ("comments", "# a comment\nA <- 1  # trailing", {}, {"A": 1}),
    ("date arithmetic", "A <- d + 2", {"d": dt.date(2026, 1, 30)}, {"A": "2026-02-01"}),
    ("continued line", "let a = x\n  ?? y\nA <- a", {"y": 2}, {"A": 2}),
]


@pytest.mark.parametrize(
    ("script", "record", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_construct(script: str, record: dict[str, Any], expected: Any) -> None:
    outcome = dsl.compile(script, name="row.map").run(record)
    assert plain(outcome.output) == plain(expected)


def test_json_numbers_become_decimals() -> None:
    record = loads('{"net": 10.10, "rate": 19}')
    out = dsl.compile("Gross <- net * (1 + rate / 100)").run(record).output
    assert out["Gross"] == Decimal("12.0190")


def test_compile_is_cached_by_text() -> None:
    assert dsl.compile("A <- 1", name="c.map") is dsl.compile("A <- 1", name="c.map")
    assert dsl.compile("A <- 1", name="c.map") is not dsl.compile("A <- 2", name="c.map")


def test_settings_given_override_defaults_and_are_type_checked() -> None:
    script = dsl.compile(
        'setting rate: number = 19\nsetting mode: enum("a", "b") = "a"\n'
        "A <- settings.rate\nB <- settings.mode"
    )
    assert script.run({}, settings={"rate": 7, "mode": "b"}).output == {"A": 7, "B": "b"}
    with pytest.raises(dsl.SettingsError) as info:
        script.run({}, settings={"rate": "x", "mode": "c", "typo": 1})
    names = {name for name, _ in info.value.errors}
    assert names == {"rate", "mode", "typo"}


def test_required_setting_without_default() -> None:
    script = dsl.compile("setting account: text\nA <- settings.account")
    with pytest.raises(dsl.SettingsError, match="must be given"):
        script.run({})
    assert script.run({}, settings={"account": "1400"}).output == {"A": "1400"}


def test_import_of_another_script(tmp_path: Any) -> None:
    (tmp_path / "common.map").write_text('def label(a, b) = a & " / " & b\n')
    main = tmp_path / "main.map"
    main.write_text('import "common.map" as common\nA <- common.label(x, y)\n')
    script = dsl.compile(main.read_text(), name=str(main))
    assert script.run({"x": "a", "y": "b"}).output == {"A": "a / b"}


def test_import_cannot_leave_the_folder(tmp_path: Any) -> None:
    main = tmp_path / "main.map"
    with pytest.raises(dsl.MappingCompileError, match="outside"):
        dsl.compile('import "../secret.map" as s\nA <- 1', name=str(main))


def test_source_and_target_declarations() -> None:
    script = dsl.compile(
        'flow orders "BB to Exact"\nsource buchhaltungsbutler.receipts with '
        '{ list_direction: "outbound" }\ntarget exact_online\nA <- 1'
    )
    assert script.flow == "orders"
    assert script.description == "BB to Exact"
    assert script.source == ("buchhaltungsbutler", "receipts")
    assert script.source_params() == {"list_direction": "outbound"}
    assert script.target == "exact_online"
