"""Regular-expression builtins, safe against runaway patterns.

Patterns use the syntax of the ``regex`` package (a superset of Python's ``re``). Four
limits keep a script from stalling the engine: a pattern is at most 1,000 characters, its
nested counted repeats multiply to at most 10,000 (``(?:(?:a{1000}){1000}){1000}`` would
make the regex engine build a billion-step program), the searched text is at most 100,000
characters, and one match or replacement may run for at most 0.25 seconds before it is
stopped with an error (catastrophic backtracking). Replacement output is limited to about
1 MB. A pattern written in the script is checked when the script is compiled, a pattern
from data when it is used; the script reads the clock before each call (``slow=True``).

In a script, ``{...}`` inside text inserts a value, so a pattern's braces are written
``\\{`` and ``\\}``: ``matches(vat_id, "^DE[0-9]\\{9\\}$")``; a backslash is ``\\\\``
(``"\\\\d+"`` is the pattern ``\\d+``), or use classes such as ``[0-9]``.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import regex
from mapwright.dsl import limits
from mapwright.dsl.errors import MappingLimitError
from mapwright.dsl.functions.arguments import MAX_TEXT, fail, require_text, text_of
from mapwright.dsl.functions.registry import builtin
from mapwright.dsl.values import is_absent

MAX_PATTERN = limits.MAX_PATTERN_CHARS
MAX_REPEAT = limits.MAX_PATTERN_REPEAT
MAX_INPUT = limits.MAX_PATTERN_INPUT
TIMEOUT_SECONDS = limits.PATTERN_SECONDS

#: the builtins that take a pattern, and which argument it is (checked at compile time)
PATTERN_ARGUMENTS = {"matches": 1, "regex_replace": 1, "regex_extract": 1}

_REPEAT = re.compile(r"\{(\d*)(?:,(\d*))?\}")
_GROUP_PREFIX = re.compile(r"\?(?:P?<\w+>|<[=!]|[a-zA-Z^-]*:|[=!>|])")


def repeat_weight(pattern: str) -> int:
    """How big a program the regex engine builds for ``pattern``: every atom counts one,
    and a counted repeat copies what it repeats (``(?:ab){10}`` is 20, nested repeats
    multiply). ``*`` and ``+`` are loops, not copies. Escapes and character classes are one
    atom each."""
    stack = [[0, 0]]  # per open group: [size so far, size of the last atom]
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        frame = stack[-1]
        if ch == "{":
            found = _REPEAT.match(pattern, i)
            if found is not None and (found.group(1) or found.group(2)):
                low, high = found.group(1), found.group(2)
                count = max(int((high if high else low or "1")[:9]), 1)
                frame[0] += frame[1] * (count - 1)
                frame[1] *= count
                i = found.end()
                continue
        if ch == "(":
            stack.append([0, 0])
            prefix = _GROUP_PREFIX.match(pattern, i + 1)
            i = prefix.end() if prefix else i + 1
            continue
        if ch == ")" and len(stack) > 1:
            inner = stack.pop()[0]
            stack[-1][0] += inner
            stack[-1][1] = inner
            i += 1
            continue
        if ch == "\\":
            i += 2
        elif ch == "[":
            i = _class_end(pattern, i)
        else:
            i += 1
        frame[0] += 1
        frame[1] = 1
    while len(stack) > 1:  # unclosed groups: regex reports them; count them all the same
        inner = stack.pop()[0]
        stack[-1][0] += inner
    return stack[0][0]


def _class_end(pattern: str, i: int) -> int:
    """The index after the character class that starts at ``pattern[i] == "["``."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def pattern_problem(source: str) -> str | None:
    """Why ``source`` is refused as a pattern (length or repeat limits), or ``None``."""
    if len(source) > MAX_PATTERN:
        return f"the pattern is {len(source):,} characters long; the limit is {MAX_PATTERN:,}"
    weight = repeat_weight(source)
    if weight > MAX_REPEAT:
        return (
            f"the pattern's counted repeats make it {weight:,} steps long (nested repeats "
            f"multiply); the limit is {MAX_REPEAT:,}. Use + or * instead of large counts"
        )
    return None


def _compile(function: str, pattern: Any) -> regex.Pattern[str]:
    source = require_text(function, "pattern", pattern)
    if len(source) > MAX_PATTERN:
        raise MappingLimitError(
            f"{function}: {pattern_problem(source)}",
            limit=limits.NAMES["pattern"],
            maximum=MAX_PATTERN,
        )
    compiled = _checked(source)
    if isinstance(compiled, regex.Pattern):
        return compiled
    problem, is_limit = compiled
    if is_limit:
        raise MappingLimitError(
            f"{function}: {problem}", limit=limits.NAMES["pattern"], maximum=MAX_REPEAT
        )
    fail(function, problem)


@functools.lru_cache(maxsize=512)
def _checked(source: str) -> regex.Pattern[str] | tuple[str, bool]:
    """The compiled pattern, or why it is refused and whether that is the repeat limit:
    remembered per pattern text (a script uses the same few patterns on every record)."""
    problem = pattern_problem(source)
    if problem is not None:
        return problem, True
    try:
        return regex.compile(source, regex.VERSION0)
    except regex.error as exc:
        return f"the pattern {source!r} is not a valid regular expression: {exc}", False


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
    slow=True,
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
    slow=True,
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
    slow=True,
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
