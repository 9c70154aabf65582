"""Fuzz the mapping language's parser, checker and formatter with atheris.

Run (see docs/language.md, "Fuzzing the parser")::

    .venv/bin/pip install -e '.[fuzz]'
    .venv/bin/python tests/fuzz/fuzz_parser.py tests/fuzz/corpus \\
        -dict=tests/fuzz/map.dict -runs=20000 -max_len=400

Each input is decoded to text (or, for half of the inputs, glued together from words and
operators of the language, which reaches the checker much more often) and linted. A lint
result (a list of positioned problems) is fine; a positioned ``MappingError`` (syntax,
compile or limit error) raised instead is fine too. When lint finds nothing, the text is
formatted, and the formatted text must lint clean and format to itself (the formatter's
documented promise). Anything else, such as a ``KeyError`` from the parser or a
``RecursionError``, is a crash that the fuzzer reports with the input that caused it.

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


# Pieces of scripts for the token mode: random bytes rarely make a valid statement, so half
# of the cases glue these together instead, which reaches the checker and formatter far more.
WORDS = (
    "flow source target setting import def let where park create update upsert when test "
    "with help enum as match unless exists on if empty always then else and or not in each "
    "record settings true false null missing find find_all require text number money bool "
    "list table date any a b x lines sku qty Name Address City ID exact_online.accounts "
    "upper lookup trim round common.label"
)
TOKENS = [
    *WORDS.split(),
    "<-", "=>", "??", "==", "!=", "<", "<=", ">", ">=", "&", "+", "-", "*", "/", "|", "=",
    ":", ",", ".", "(", ")", "[", "]", "{", "}", "\n", "\n  ", "# note\n", "0", "12",
    "19.50", '"text"', '"a {x} b"', '"\\{"', '"Hi {n ?? \\"you\\"}"', '"first name"',
    '$"lines[?qty > `1`].sku"', '$"a.b"', '"common.map"', '"DE:19"',
]  # fmt: skip


def from_tokens(data: bytes) -> str:
    """A script made of ``TOKENS`` chosen by the input bytes."""
    provider = atheris.FuzzedDataProvider(data)
    parts = []
    while provider.remaining_bytes():
        parts.append(TOKENS[provider.ConsumeIntInRange(0, len(TOKENS) - 1)])
    return " ".join(parts)


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris' name
    """One fuzz case: odd first byte, the rest as UTF-8 text; even, glued tokens."""
    if not data:
        return
    if data[0] & 1:
        check(data[1:].decode("utf-8", errors="replace"))
    else:
        check(from_tokens(data[1:]))


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
