"""A script can never reach Python: the well-known sandbox escapes are all refused."""

from __future__ import annotations

import pytest
from mapwright import dsl
from mapwright.dsl import MappingError
from mapwright.dsl.parser import MAX_NESTING, MAX_SCRIPT_CHARS

REFUSED_AT_COMPILE = [
    '__import__("os").system("id")',
    'eval("1 + 1")',
    'exec("import os")',
    'open("/etc/passwd")',
    'getattr(record, "__class__")',
    "type(record)",
    "globals()",
    "locals()",
    "vars()",
    'compile("1", "x", "eval")',
    "breakpoint()",
    "().__class__.__bases__[0].__subclasses__()",
    "[].__class__.__mro__[1].__subclasses__()",
    "lambda: 1",
    "print(1)",
    "input()",
    "help()",
    "len(record)",
    '{}.get("x")',
    "record.keys()",
    "settings.__dict__",
    "import os",
]


@pytest.mark.parametrize("expression", REFUSED_AT_COMPILE)
def test_python_escapes_are_refused(expression: str) -> None:
    with pytest.raises(MappingError):
        dsl.compile(f"A <- {expression}").run({"x": {}})


@pytest.mark.parametrize(
    "field",
    ["__class__", "__dict__", "__globals__", "__builtins__", "__subclasses__", "mro", "__code__"],
)
def test_dunder_fields_are_only_data_lookups(field: str) -> None:
    out = (
        dsl.compile(
            f'A <- record."{field}"\nB <- x."{field}"\nC <- "{{x.{field}}}"'
            if field.isidentifier()
            else "A <- 1"
        )
        .run({"x": {}})
        .output
    )
    assert out == {"C": ""}


def test_quoted_names_cannot_inject_code() -> None:
    evil = "'); __import__('os').system('echo pwned'); ('"
    out = dsl.compile(f'A <- record."{evil}"\n"{evil}" <- 1').run({evil: "data"}).output
    assert out == {"A": "data", evil: 1}


def test_dunder_names_for_lets_and_defs_stay_script_names() -> None:
    out = (
        dsl.compile("let __builtins__ = 1\ndef __import__(x) = x\nA <- __import__(__builtins__)")
        .run({})
        .output
    )
    assert out == {"A": 1}


def test_imports_of_absolute_paths_are_refused(tmp_path: object) -> None:
    with pytest.raises(MappingError, match="relative"):
        dsl.compile('import "/etc/passwd" as p\nA <- 1', name="/tmp/main.map")


def test_recursion_is_refused() -> None:
    with pytest.raises(dsl.MappingCompileError, match="recursion"):
        dsl.compile("def f(x) = g(x)\ndef g(x) = f(x)\nA <- f(1)")


def test_script_size_limit() -> None:
    with pytest.raises(dsl.MappingLimitError, match="limit"):
        dsl.compile("A <- 1\n" * (MAX_SCRIPT_CHARS // 7 + 10))


def test_nesting_depth_limit() -> None:
    deep = "(" * (MAX_NESTING + 5) + "1" + ")" * (MAX_NESTING + 5)
    errors = dsl.lint(f"A <- {deep}")
    assert errors and "nested" in errors[0].message


def test_thousand_nested_calls_are_a_diagnostic_not_a_crash() -> None:
    deep = "upper(" * 1000 + '"x"' + ")" * 1000
    assert dsl.lint(f"A <- {deep}")


def test_output_size_limit_per_record() -> None:
    script = dsl.compile("A <- each xs as x => each xs as y => each xs as z => 1")
    script.max_items = 10_000
    with pytest.raises(dsl.MappingLimitError, match="list items"):
        script.run({"xs": list(range(50))})


def test_time_limit_per_record() -> None:
    script = dsl.compile("A <- each xs as x => each xs as y => x * y")
    script.max_seconds = 0.0
    with pytest.raises(dsl.MappingLimitError, match="too long"):
        script.run({"xs": list(range(300))})


def test_attribute_chains_are_data_lookups_that_find_nothing() -> None:
    out = dsl.compile('A <- x.__class__.__init__.__globals__["os"]').run({"x": {}}).output
    assert out == {}


def test_catastrophic_regex_answers_or_fails_fast() -> None:
    script = dsl.compile('A <- matches(s, "(a+)+$")')
    try:
        out = script.run({"s": "a" * 40 + "!"}).output
    except dsl.MappingRuntimeError as exc:
        assert "time" in str(exc).lower() or "long" in str(exc).lower()
    else:
        assert out == {"A": False}
