"""Fuzz the mapping language's parser, checker, compiler, runtime and formatter with atheris.

Run (see docs/language.md, "Fuzzing the parser")::

    .venv/bin/pip install -e '.[fuzz]'
    mkdir -p /tmp/mapwright-corpus
    .venv/bin/python tests/fuzz/fuzz_parser.py /tmp/mapwright-corpus tests/fuzz/corpus \\
        -dict=tests/fuzz/map.dict -runs=20000 -max_len=400

An input whose first byte is odd (the seed scripts start with ``#``) is decoded to text
after that byte; any other input chooses the statements and expressions of a script, which
reaches the checker, compiler and formatter much more often; the choices include hostile
shapes (long chains, deep nesting, big literals, doubling lets and defs). The text is linted
(which parses and compiles it). A lint result (a list of positioned problems) is fine; a
positioned ``MappingError`` (syntax, compile or limit error) raised instead is fine too, and
then compiling must fail the same way. When lint finds nothing, the script is compiled and
run on a few records (with lookups answered from memory, and a step limit lowered to 20,000
so that bombs end quickly): each run must give a result or a positioned ``MappingError``
(or a ``SettingsError`` naming a required setting that has no default).
Then the text is formatted, and the formatted text must lint clean and format to itself
(the formatter's documented promise). Anything else, such as a ``KeyError`` from the parser,
a ``RecursionError``, or a run-time error without a position, is a crash that the fuzzer
reports with the input that caused it.

Imports are answered from memory (only ``"common.map"`` exists), so the fuzzer never reads
files. The file is named ``fuzz_parser.py`` so that pytest does not collect it.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

import atheris

with atheris.instrument_imports(include=["mapwright"]):
    from mapwright.dsl import MappingError, MemoryResolver, PositionedError, compile, lint
    from mapwright.dsl.formatter import format_source
    from mapwright.dsl.settings import SettingsError

COMMON = 'def label(a, b) = a & " " & b\n'


def loader(path: str, importer: str | None) -> tuple[str, str]:
    """Imports from memory: ``common.map`` exists, every other path does not."""
    if path == "common.map":
        return COMMON, "common.map"
    raise MappingError(f"cannot read imported script '{path}': no such file")


RECORDS: list[dict[str, Any]] = [
    {},
    {
        "a": 1,
        "b": "[/x] text",
        "x": [1, 2, {"a": [3]}],
        "lines": [{"qty": 2, "sku": "A"}, {"qty": Decimal("0.5")}],
        "qty": Decimal("1e999999999"),
        "Name": "Müller \ud800",
        "ID": 10**90,
        "v": None,
    },
]
LOOKUPS: dict[str, list[dict[str, Any]]] = {"sys.obj": [{"K": 1, "v": 2}, {"K": "text", "v": [1]}]}


def run(text: str) -> None:
    """Compile and run a clean script: every record gives a result or a positioned error."""
    script = compile(text, name="fuzz.map", loader=loader)
    script.max_steps = 20_000
    script.max_seconds = 2.0
    for record in RECORDS:
        try:
            script.run(record, resolver=MemoryResolver(LOOKUPS))
        except SettingsError:  # a required setting was not given: names the setting
            return
        except MappingError as exc:
            if not isinstance(exc, PositionedError) or exc.line < 1:
                raise AssertionError(f"an error without a position: {exc!r}\n{text}") from exc


def refused(text: str) -> None:
    """A script that lint finds problems in must not compile either."""
    try:
        compile(text, name="fuzz.map", loader=loader)
    except PositionedError:
        return
    raise AssertionError(f"lint reports problems, but the script compiles:\n{text}")


def check(text: str) -> None:
    """Lint ``text``; if clean, run it, format it and check the formatted text."""
    try:
        problems = lint(text, name="fuzz.map", loader=loader)
    except PositionedError:
        refused(text)
        return
    if problems:
        refused(text)
        return
    run(text)
    try:
        pretty = format_source(text, name="fuzz.map")
    except PositionedError:
        return
    again = lint(pretty, name="fuzz.map", loader=loader)
    if again:
        raise AssertionError(
            f"the formatted script does not lint clean: {again[0].message}\n"
            f"input:\n{text}\nformatted:\n{pretty}"
        )
    twice = format_source(pretty, name="fuzz.map")
    if twice != pretty:
        raise AssertionError(f"formatting is not stable\nonce:\n{pretty}\ntwice:\n{twice}")


# The script mode: random bytes rarely make a valid statement, so half of the cases let the
# bytes choose the parts of a script instead (statements, expressions, names, texts). These
# scripts often lint clean and so reach the formatter and its round-trip check.
NAMES = ["a", "b", "x", "lines", "qty", "Name", "ID", "v"]
TEXTS = ['"text"', '"a {x} b"', '"\\{"', '"Hi {n ?? \\"you\\"}"', '"first name"', '""']
ATOMS = ["0", "12", "19.50", "true", "false", "null", "missing", "record", *NAMES, *TEXTS]
QUOTED = '"a b"'
FUNCTIONS = ["upper", "trim", "lookup", "round", "f", "g30", "common.label", "matches"]
BINARY = ["??", "or", "and", "==", "!=", "<", ">=", "in", "not in", "&", "+", "-", "*", "/"]


def _escaped(expression: str) -> str:
    """An expression written inside a template: its quotes and backslashes escaped."""
    return expression.replace("\\", "\\\\").replace('"', '\\"')


class _Maker:
    """Build script text from the choices in ``provider``."""

    def __init__(self, provider: atheris.FuzzedDataProvider):
        self.p = provider

    def pick(self, options: list[str]) -> str:
        return options[self.p.ConsumeIntInRange(0, len(options) - 1)]

    def expr(self, depth: int = 0) -> str:
        if depth > 3 or self.p.remaining_bytes() < 2:
            return self.pick(ATOMS)
        kind = self.p.ConsumeIntInRange(0, 19)
        if kind >= 16:
            return self.hostile(kind)
        e = lambda: self.expr(depth + 1)  # noqa: E731
        if kind == 0:
            return f"{e()} {self.pick(BINARY)} {e()}"
        if kind == 1:
            return f"if {e()} then {e()} else {e()}"
        if kind == 2:
            return f"match {e()} {{ {e()} | {e()} => {e()}, else => {e()} }}"
        if kind == 3:
            return f"each {e()} as v where {e()} => {e()}"
        if kind == 4:
            return f"each {e()} as v {{\n  {self.pick(NAMES)} <- {e()}\n}}"
        if kind == 5:
            return f"[{e()}, {e()}]"
        if kind == 6:
            return f'{{ k: {e()}, "a b": {e()} }}'
        if kind == 7:
            return f"({e()})"
        if kind == 8:
            return f"{self.pick(['-', 'not '])}{e()}"
        if kind == 9:
            return e() + "." + self.pick([*NAMES, QUOTED])
        if kind == 10:
            return f"{e()}[{e()}]"
        if kind == 11:
            return f"{self.pick(FUNCTIONS)}({e()})"
        if kind == 12:
            return f"{self.pick(['find', 'exists', 'find_all', 'require'])}(sys.obj, K = {e()})"
        if kind == 13:
            return self.pick(['$"lines[?qty > `1`].sku"', 'x.$"a.b"', "settings.s"])
        if kind == 14:
            return '"t {' + _escaped(e()) + '} t"'
        return self.pick(ATOMS)

    def hostile(self, kind: int) -> str:
        """Shapes that once crashed the parser or compiler, or took the process's memory."""
        size = self.p.ConsumeIntInRange(1, 600)
        atom = self.pick(ATOMS)
        if kind == 16:  # a long flat chain
            return f" {self.pick(BINARY)} ".join([atom] * (size + 1))
        if kind == 17:  # deep nesting
            wrap = self.pick(["({})", "[{}]", "if a then {} else 1", "each x as v => {}", "-{}"])
            for _ in range(size // 10):
                atom = wrap.format(atom)
            return atom
        if kind == 18:  # a long path
            return atom + self.pick([".a", "[0]", '.$"a"', "[a]"]) * size
        return "9" * (size * 8)  # a big literal

    def doubling(self) -> str:
        """Lets that each double the one before (text, list, number or each)."""
        step = self.pick(["{p} & {p}", "[{p}, {p}]", "{p} * {p}", "each [1, 2] as i => {p}"])
        lines = [f"let d0 = {self.pick(ATOMS)}"]
        for n in range(1, self.p.ConsumeIntInRange(1, 30) + 1):
            lines.append(f"let d{n} = {step.format(p=f'd{n - 1}')}")
        return "\n".join([*lines, f"D <- d{len(lines) - 1}"])

    def statement(self, depth: int = 0) -> str:
        kind = self.p.ConsumeIntInRange(0, 10)
        if kind == 10 and depth == 0:
            return self.doubling()
        e = self.expr
        if kind == 0:
            return f"let {self.pick(NAMES)} = {e()}"
        if kind == 1:
            return f"where {e()} else {e()}"
        if kind == 2:
            return f"park {e()} if {e()}"
        if kind == 3 and depth == 0:
            op = self.pick(["create", "update", "upsert"])
            clause = "unless exists K = " if op == "create" else "match K = "
            body = "\n".join("  " + self.statement(1) for _ in range(2))
            return f"{op} sys.obj as r{self.p.ConsumeIntInRange(0, 3)} {clause}{e()} {{\n{body}\n}}"
        if kind == 4 and depth < 2:
            body = "\n".join("  " + self.statement(depth + 1) for _ in range(2))
            return f"when {e()} {{\n{body}\n}} else {{\n  A <- {e()}\n}}"
        if kind == 5:
            policy = self.pick(["", " on create", " if empty"]) if depth else ""
            return f'{self.pick(NAMES)}."x y" <- {e()}{policy}  # c'
        return f"{self.pick(NAMES)} <- {e()}" + (self.pick(["", " if empty"]) if depth else "")


HEADER = (
    'setting s: list = ["paid"] help "h"\nimport "common.map" as common\ndef f(p) = p & "!"\n'
    + "def g0(p) = p\n"
    + "".join(f"def g{n}(p) = g{n - 1}(p) + g{n - 1}(p)\n" for n in range(1, 31))
)


def from_choices(data: bytes) -> str:
    """A script whose statements and expressions are chosen by the input bytes."""
    maker = _Maker(atheris.FuzzedDataProvider(data))
    lines = [HEADER]
    while maker.p.remaining_bytes() > 1 and sum(map(len, lines)) < 700:
        lines.append(maker.statement())
    return "\n".join(lines) + "\n"


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris' name
    """One fuzz case: odd first byte, the rest as UTF-8 text; even, a script built from it."""
    if not data:
        return
    if data[0] & 1:
        check(data[1:].decode("utf-8", errors="replace"))
    else:
        check(from_choices(data[1:]))


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
