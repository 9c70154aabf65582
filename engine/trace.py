"""Per-field trace: which rule of a script wrote which field of a preview's result.

The compiled script does not record what it does (that would slow every run); the trace is
rebuilt from the syntax tree instead. Every ``Rule`` is collected with the place it writes to
(the plain output, or an operation identified by its line) and its dotted field path
(``SalesInvoiceLines[].Item`` inside an ``each``). A field of the result is then traced to
the rule with the same place and path; a field written by two rules (in both branches of a
``when``) lists both candidates. The preview of the service (``api/scriptwork.py``) shows it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from mapwright.dsl import ast
from mapwright.dsl.plan import Outcome
from mapwright.dsl.script import Script

__all__ = ["RuleSite", "field_trace", "rule_sites"]


@dataclass(frozen=True)
class RuleSite:
    place: str  # "output" or "op@<line>"
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    policy: str
    text: str


def rule_sites(script: Script) -> list[RuleSite]:
    lines = script.text.splitlines()
    sites: list[RuleSite] = []

    def text_of(node: ast.Node) -> str:
        if 0 < node.pos.line <= len(lines):
            return lines[node.pos.line - 1].strip()
        return ""

    def visit(items: tuple[ast.Node, ...], place: str, prefix: str) -> None:
        for node in items:
            if isinstance(node, ast.Rule):
                path = prefix + ".".join(node.target)
                sites.append(
                    RuleSite(
                        place,
                        path,
                        node.pos.line,
                        node.pos.column,
                        node.pos.end_line,
                        node.pos.end_column,
                        node.policy,
                        text_of(node),
                    )
                )
                if isinstance(node.value, ast.Each) and isinstance(node.value.body, ast.Block):
                    visit(node.value.body.items, place, path + "[].")
            elif isinstance(node, ast.Operation):
                visit(node.body.items, f"op@{node.pos.line}", "")
            elif isinstance(node, ast.WhenStmt):
                visit(node.body.items, place, prefix)
                if node.else_body is not None:
                    visit(node.else_body.items, place, prefix)
            elif isinstance(node, ast.Block):
                visit(node.items, place, prefix)

    visit(script.tree.statements, "output", "")
    return sites


def _leaves(value: Any, prefix: str) -> list[str]:
    """Field paths of a result object, stopping at the deepest rule-addressable level."""
    out = []
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}{key}"
            out.append(path)
            if isinstance(item, dict):
                out.extend(_leaves(item, path + "."))
            elif isinstance(item, list):
                for element in item:
                    if isinstance(element, dict):
                        out.extend(_leaves(element, path + "[]."))
    return sorted(set(out))


def field_trace(script: Script, outcome: Outcome) -> list[dict[str, Any]]:
    """One entry per written field: where it went and the rule(s) that wrote it.

    The rules of a script are looked up once per compiled script (``_rules_by_field``), and
    the entries share their rule descriptions: a preview of many records builds no copies."""
    by_key = _rules_by_field(script)
    entries: list[dict[str, Any]] = []

    def add(place: str, target: str, fields: dict[str, Any], operation: int | None) -> None:
        for path in _leaves(fields, ""):
            found = by_key.get((place, path))
            if found:
                entries.append(
                    {"target": target, "operation": operation, "field": path, "rules": found}
                )

    add("output", "output", outcome.output, None)
    for index, op in enumerate(outcome.operations):
        name = f"{op.system}.{op.object}" + (f" as {op.alias}" if op.alias else "")
        add(f"op@{op.line}", name, op.fields, index)
    return entries


RulesByField = dict[tuple[str, str], list[dict[str, Any]]]

#: the rules of each compiled script by (place, field path), built on its first trace
_RULES: weakref.WeakKeyDictionary[Script, RulesByField] = weakref.WeakKeyDictionary()


def _rules_by_field(script: Script) -> RulesByField:
    found = _RULES.get(script)
    if found is None:
        found = {}
        for s in rule_sites(script):
            found.setdefault((s.place, s.path), []).append(
                {
                    "line": s.line,
                    "column": s.column,
                    "end_line": s.end_line,
                    "end_column": s.end_column,
                    "policy": s.policy,
                    "text": s.text,
                }
            )
        _RULES[script] = found
    return found
