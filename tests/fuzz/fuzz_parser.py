"""Fuzz the mapping language's parser, checker and formatter with atheris.

Run (see docs/language.md, "Fuzzing the parser")::

    .venv/bin/pip install -e '.[fuzz]'
    .venv/bin/python tests/fuzz/fuzz_parser.py tests/fuzz/corpus -runs=20000 -max_len=400

Each input is decoded to text and linted. A lint result (a list of positioned problems) is
fine; a positioned ``MappingError`` (syntax, compile or limit error) raised instead is fine
too. When lint finds nothing, the text is formatted, and the formatted text must lint clean
and format to itself (the formatter's documented promise). Anything else, such as a
``KeyError`` from the parser or a ``RecursionError``, is a crash that the fuzzer reports
with the input that caused it.

Imports are answered from memory (only ``"common.map"`` exists), so the fuzzer never reads
files. The file is named ``fuzz_parser.py`` so that pytest does not collect it.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["mapwright"]):
    from mapwright.dsl import MappingError, PositionedError, lint
    from mapwright.dsl.formatter import format_source

COMMON = 'def label(a, b) = a & " " & b\n'


def loader(path: str, importer: str | None) -> tuple[str, str]:
    """Imports from memory: ``common.map`` exists, every other path does not."""
    if path == "common.map":
        return COMMON, "common.map"
    raise MappingError(f"cannot read imported script '{path}': no such file")


def check(text: str) -> None:
    """Lint ``text``; if clean, format it and check the formatted text."""
    try:
        problems = lint(text, name="fuzz.map", loader=loader)
    except PositionedError:
        return
    if problems:
        return
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


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris' name
    """One fuzz case: the bytes as UTF-8 text (bad bytes replaced)."""
    check(data.decode("utf-8", errors="replace"))


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
