"""Properties: the parser never crashes, fmt round-trips, money math is exact."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mapwright import dsl
from mapwright.dsl import ast
from mapwright.dsl.errors import PositionedError
from mapwright.dsl.formatter import Printer, format_source
from mapwright.dsl.parser import parse, parse_with_errors

TOKENS = [
    "A",
    "b",
    "x.y",
    "<-",
    "let",
    "=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "+",
    "-",
    "*",
    "/",
    "&",
    "??",
    "==",
    "<",
    "if",
    "then",
    "else",
    "each",
    "as",
    "=>",
    "match",
    "|",
    '"t"',
    '"{a}"',
    "1",
    "2.5",
    "\n",
    " ",
    "create",
    "x.y",
    "find",
    "where",
    "#c",
    "setting",
    "def",
    "f(",
    '$"a[0]"',
    "not",
    "and",
    "or",
    "true",
    "null",
    "missing",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_token_soup_gives_a_tree_or_positioned_errors(text: str) -> None:
    try:
        _, errors = parse_with_errors(text)
    except PositionedError:
        return
    for error in errors:
        assert isinstance(error, PositionedError)
        assert error.position is not None and error.position.line >= 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_tree_or_positioned_errors(text: str) -> None:
    for problem in dsl.lint(text):
        assert problem.line >= 1 and problem.column >= 1


# ---- generated scripts for the formatter round trip ----------------------------------------

names = st.sampled_from(["a", "b", "total", "line", "price"])
fields = st.sampled_from(["Name", "City", "Amount", "first name", "if", "x"])
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=8)
literals = st.one_of(
    texts.map(ast.Literal),
    st.integers(0, 10**6).map(ast.Literal),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(ast.Literal),
    st.sampled_from([True, False, None]).map(ast.Literal),
)


def expressions() -> st.SearchStrategy[ast.Node]:
    base = st.one_of(literals, names.map(ast.Name))

    def extend(children: st.SearchStrategy[ast.Node]) -> st.SearchStrategy[ast.Node]:
        ops = st.sampled_from(
            ["+", "-", "*", "/", "&", "==", "!=", "<", ">=", "and", "or", "??", "in"]
        )
        return st.one_of(
            st.builds(ast.Binary, ops, children, children),
            st.builds(ast.Unary, st.just("not"), children),
            st.builds(
                ast.GetField, children.filter(lambda n: not isinstance(n, ast.Literal)), fields
            ),
            st.builds(ast.IfExpr, children, children, children),
            st.builds(ast.Call, st.sampled_from(["upper", "trim"]), st.tuples(children)),
            st.builds(ast.ListLit, st.lists(children, max_size=3).map(tuple)),
            st.builds(
                ast.ObjectLit,
                st.lists(st.tuples(fields, children), max_size=3, unique_by=lambda p: p[0]).map(
                    tuple
                ),
            ),
            st.builds(ast.Template, st.tuples(texts.filter(bool), children)),
        )

    return st.recursive(base, extend, max_leaves=12)


statements = st.one_of(
    st.builds(
        ast.Rule,
        st.lists(fields, min_size=1, max_size=2).map(tuple),
        expressions(),
        st.just("always"),
    ),
    st.builds(ast.LetStmt, names, expressions()),
    st.builds(ast.WhereStmt, expressions(), st.none()),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statements, min_size=1, max_size=6))
def test_fmt_output_parses_to_the_same_tree(stmts: list[ast.Node]) -> None:
    text = Printer(ast.Script(tuple(stmts))).print()
    assert parse(text) == ast.Script(tuple(stmts))
    assert format_source(text) == text


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False),
        min_size=1,
        max_size=20,
    )
)
def test_money_math_is_exact(amounts: list[Decimal]) -> None:
    script = dsl.compile(
        "Total <- sum(amounts)\nDouble <- sum(amounts) * 2\nBack <- sum(amounts) * 2 / 2"
    )
    out = script.run({"amounts": amounts}).output
    assert out["Total"] == sum(amounts, Decimal(0))
    assert out["Double"] == 2 * sum(amounts, Decimal(0))
    assert out["Back"] == sum(amounts, Decimal(0))


def test_fmt_keeps_trailing_comments_of_multi_line_statements_stable() -> None:
    text = (
        "A <- each xs as v {\n  B <- v\n}  # c\nlet y = 1\n"
        "C <- [" + ", ".join(["1111111111"] * 9) + "]  # d\nD <- 1\n"
    )
    once = format_source(text)
    assert format_source(once) == once
    assert "}  # c" in once and "]  # d" in once
