"""Render the builtin function reference, ``docs/functions.md``, from the registry.

Every builtin documents itself: its signature comes from ``inspect``, its text from its
docstring, its examples from ``@builtin(examples=...)``; each category opens with the
docstrings of the modules that define it. A test compares the committed page with this
output, so the page cannot go stale. Regenerate it with::

    python -m mapwright.dsl.docs [OUTPUT]     # default: docs/functions.md
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

from mapwright.dsl.functions import REGISTRY, Function
from mapwright.dsl.functions.arguments import NoDefault
from mapwright.dsl.jsonio import dumps
from mapwright.dsl.values import MISSING

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "functions.md"

CATEGORIES = {
    "text": "Text functions",
    "patterns": "Patterns (regular expressions)",
    "numbers": "Numbers, money and units",
    "dates": "Dates and times",
    "addresses": "Addresses",
    "people": "People and contact data",
    "tax": "Tax: VAT codes, VAT ids, IBANs",
    "collections": "Lists, objects and lookups",
    "ids": "Stable ids",
}
"""Category -> heading, in page order; categories not listed follow alphabetically."""

INTRO = """\
# Builtin functions

Functions a mapping script can call, e.g. `Country <- country_code(d.country)`.
This page is generated from the code by `python -m mapwright.dsl.docs`; do not edit it.

Conventions shared by all functions:

* a **missing** or **null** argument usually gives the same missing or null result, so an
  absent source field simply writes nothing; checks such as `valid_iban` or `contains`
  answer `false` instead;
* numbers are exact decimals (never floating point) and rounding is always explicit;
* bad input stops the record with a message that names the function and what it expected;
* in a signature, `name?` is an optional parameter, `name=value` one with a default and
  `name...` any number of values;
* results are shown as JSON: dates as ISO 8601 text, missing fields left out.
"""


def literal(value: Any) -> str:
    """A default value as it would be written in a script."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return dumps(value)


def signature(fn: Function) -> str:
    """``name(param, optional?, param=default, rest...)``."""
    params = []
    for param in inspect.signature(fn.impl).parameters.values():
        if param.kind == param.VAR_POSITIONAL:
            params.append(f"{param.name}...")
        elif param.default is param.empty:
            params.append(param.name)
        elif param.default is MISSING or isinstance(param.default, NoDefault):
            params.append(f"{param.name}?")
        else:
            params.append(f"{param.name}={literal(param.default)}")
    return f"{fn.name}({', '.join(params)})"


def _cell(text: str) -> str:
    """Code in a Markdown table cell: pipes escaped, newlines impossible."""
    return "`" + text.replace("|", "\\|").replace("\n", "\\n") + "`"


def render_function(fn: Function) -> list[str]:
    lines = [f"### {fn.name}", "", f"`{signature(fn)}`", ""]
    lines += [fn.doc, ""] if fn.doc else []
    if fn.examples:
        lines += ["| Call | Result |", "|---|---|"]
        lines += [f"| {_cell(ex.call)} | {_cell(dumps(ex.result))} |" for ex in fn.examples]
        lines.append("")
    return lines


def _module_docs(functions: list[Function]) -> list[str]:
    seen: list[str] = []
    for fn in functions:
        doc = inspect.getdoc(sys.modules[fn.impl.__module__])
        if doc and doc not in seen:
            seen.append(doc)
    return seen


def render(registry: dict[str, Function] | None = None) -> str:
    """The whole Markdown page."""
    functions = list((REGISTRY if registry is None else registry).values())
    order = list(CATEGORIES) + sorted({fn.category for fn in functions} - set(CATEGORIES))
    lines = [INTRO]
    groups = []
    for category in order:
        members = sorted((fn for fn in functions if fn.category == category), key=lambda f: f.name)
        if members:
            groups.append((category, members))
            names = ", ".join(f"[{fn.name}](#{fn.name})" for fn in members)
            lines.append(f"* **{CATEGORIES.get(category, category.title())}**: {names}")
    lines.append("")
    for category, members in groups:
        lines += [f"## {CATEGORIES.get(category, category.title())}", ""]
        for doc in _module_docs(members):
            lines += [doc, ""]
        for fn in members:
            lines += render_function(fn)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the page to ``argv[0]`` (default ``docs/functions.md``)."""
    args = sys.argv[1:] if argv is None else argv
    output = Path(args[0]) if args else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(), encoding="utf-8")
    print(f"wrote {output} ({len(REGISTRY)} functions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
