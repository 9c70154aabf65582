"""Regular-expression builtins, safe against runaway patterns.

Patterns use the syntax of the ``regex`` package (a superset of Python's ``re``). Three
limits keep a script from stalling the engine: a pattern is at most 1,000 characters, the
searched text at most 100,000 characters, and one match or replacement may run for at most
0.25 seconds before it is stopped with an error (catastrophic backtracking). Replacement
output is limited to about 1 MB.

In a script, ``{...}`` inside text inserts a value, so a pattern's braces are written
``\\{`` and ``\\}``: ``matches(vat_id, "^DE[0-9]\\{9\\}$")``; a backslash is ``\\\\``
(``"\\\\d+"`` is the pattern ``\\d+``), or use classes such as ``[0-9]``.
"""

from __future__ import annotations

from typing import Any

import regex
from mapwright.dsl.functions.arguments import MAX_TEXT, fail, require_text, text_of
from mapwright.dsl.functions.registry import builtin
from mapwright.dsl.values import is_absent

MAX_PATTERN = 1_000
MAX_INPUT = 100_000
TIMEOUT_SECONDS = 0.25


def _compile(function: str, pattern: Any) -> regex.Pattern[str]:
    source = require_text(function, "pattern", pattern)
    if len(source) > MAX_PATTERN:
        fail(
            function,
            f"the pattern is {len(source):,} characters long; the limit is {MAX_PATTERN:,}",
        )
    try:
        return regex.compile(source, regex.VERSION0)
    except regex.error as exc:
        fail(function, f"the pattern {source!r} is not a valid regular expression: {exc}")


def _subject(function: str, text: Any) -> str:
    value = text_of(function, "text", text)
    if len(value) > MAX_INPUT:
        fail(function, f"the text is {len(value):,} characters long; the limit is {MAX_INPUT:,}")
    return value


def _too_slow(pattern: regex.Pattern[str]) -> str:
    return (
        f"the pattern {pattern.pattern!r} took longer than {TIMEOUT_SECONDS} s on "
        "this text and was stopped; simplify it (avoid nested repeats such as (a+)+ or (a|aa)+)"
    )


@builtin(
    category="patterns",
    examples=[
        ('matches("DE123456789", "^DE[0-9]\\{9\\}$")', True),
        ('matches("Invoice 2024-17", "[0-9]\\{4\\}")', True),
        ('matches("Invoice 1-14", "[0-9]\\{4\\}")', False),
        ('matches("abc", "^[0-9]+$")', False),
        ('matches(null, "x")', False),
    ],
)
def matches(text: Any, pattern: Any) -> bool:
    """Whether a pattern is found anywhere in a text (anchor with ``^...$`` for the whole text).

    False when the text is absent. Stops with an error when the pattern runs too long.
    """
    if is_absent(text):
        return False
    compiled = _compile("matches", pattern)
    subject = _subject("matches", text)
    try:
        return compiled.search(subject, timeout=TIMEOUT_SECONDS) is not None
    except TimeoutError:
        fail("matches", _too_slow(compiled))


@builtin(
    category="patterns",
    examples=[
        ('regex_replace("0171 / 123-456", "[^0-9]", "")', "0171123456"),
        ('regex_replace("Doe, Jane", "^(.*), (.*)$", "\\\\2 \\\\1")', "Jane Doe"),
        ('regex_replace(null, "a", "b")', None),
    ],
)
def regex_replace(text: Any, pattern: Any, replacement: Any) -> Any:
    """Replace every match of a pattern; ``\\1`` or ``\\g<name>`` insert a captured group."""
    if is_absent(text):
        return text
    compiled = _compile("regex_replace", pattern)
    subject = _subject("regex_replace", text)
    template = (
        "" if is_absent(replacement) else text_of("regex_replace", "replacement", replacement)
    )
    budget = [MAX_TEXT - len(subject)]

    def expand(match: regex.Match[str]) -> str:
        piece = match.expand(template)
        budget[0] -= len(piece) - len(match.group(0))
        if budget[0] < 0:
            fail("regex_replace", f"the result would be longer than {MAX_TEXT:,} characters")
        return piece

    try:
        return compiled.sub(expand, subject, timeout=TIMEOUT_SECONDS)
    except TimeoutError:
        fail("regex_replace", _too_slow(compiled))
    except (regex.error, IndexError) as exc:
        fail(
            "regex_replace",
            f"the replacement {template!r} refers to a group that does not exist: {exc}",
        )


@builtin(
    category="patterns",
    examples=[
        ('regex_extract("Order SO-1001 paid", "SO-[0-9]+")', "SO-1001"),
        ('regex_extract("Tel: +49 30 1234", "Tel: (.*)")', "+49 30 1234"),
        ('regex_extract("no digits", "[0-9]+")', None),
    ],
)
def regex_extract(text: Any, pattern: Any) -> Any:
    """The first match of a pattern in a text, or its first group if it has one; null if none."""
    if is_absent(text):
        return text
    compiled = _compile("regex_extract", pattern)
    subject = _subject("regex_extract", text)
    try:
        found = compiled.search(subject, timeout=TIMEOUT_SECONDS)
    except TimeoutError:
        fail("regex_extract", _too_slow(compiled))
    if found is None:
        return None
    return found.group(1) if compiled.groups else found.group(0)
