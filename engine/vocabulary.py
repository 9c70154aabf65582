"""What an editor needs to complete and explain a script: the language's keywords, every
builtin function with its signature and doc, the setting types, and the connectors' objects
with their documented fields (from ``engine/fieldcheck.py``).

The studio (``api/studio.py``) serves these as JSON; nothing here runs a script.
"""

from __future__ import annotations

from typing import Any

from mapwright.dsl.docs import CATEGORIES, signature
from mapwright.dsl.functions import REGISTRY
from mapwright.dsl.jsonio import dumps
from mapwright.dsl.settings import TYPES
from mapwright.engine import fieldcheck

#: the language's keywords, by where they are used (``dsl/grammar.lark``)
KEYWORDS: dict[str, tuple[str, ...]] = {
    "statement": (
        "flow",
        "source",
        "target",
        "setting",
        "import",
        "def",
        "let",
        "where",
        "park",
        "create",
        "update",
        "upsert",
        "when",
        "test",
    ),
    "clause": (
        "with",
        "as",
        "match",
        "unless",
        "exists",
        "else",
        "on",
        "if",
        "empty",
        "always",
        "refers",
        "help",
        "enum",
    ),
    "expression": (
        "if",
        "then",
        "else",
        "and",
        "or",
        "not",
        "in",
        "each",
        "where",
        "match",
        "record",
        "settings",
        "true",
        "false",
        "null",
        "missing",
    ),
    "lookup": ("find", "find_all", "exists", "require"),
}


def functions() -> list[dict[str, Any]]:
    """Every builtin: name, signature, summary, doc, category and its examples."""
    return [
        {
            "name": fn.name,
            "signature": signature(fn),
            "summary": fn.summary,
            "doc": fn.doc,
            "category": CATEGORIES.get(fn.category, fn.category.title()),
            "examples": [{"call": ex.call, "result": dumps(ex.result)} for ex in fn.examples],
        }
        for fn in sorted(REGISTRY.values(), key=lambda f: f.name)
    ]


def language() -> dict[str, Any]:
    """Keywords, functions and setting types in one answer."""
    return {"keywords": KEYWORDS, "functions": functions(), "setting_types": list(TYPES)}


def _fields(spec: fieldcheck.ObjectFields) -> list[dict[str, str]]:
    return [{"name": f.name, "type": f.type, "verbs": f.verbs} for f in spec.fields.values()]


def system_fields(kind: str) -> dict[str, Any] | None:
    """The objects of connector ``kind`` with their fields, or ``None`` without a catalogue."""
    found = fieldcheck.catalogue(kind)
    if found is None:
        return None
    objects = {}
    for name, spec in sorted(found.objects.items()):
        objects[name] = {
            "where": spec.where,
            "description": spec.description,
            "find_keys": list(spec.find_keys),
            "required": list(spec.required),
            "fields": _fields(spec),
            "lines": spec.lines,
            "line_fields": _fields(spec.line_fields) if spec.line_fields else [],
        }
    return {"kind": found.kind, "title": found.title, "objects": objects}
