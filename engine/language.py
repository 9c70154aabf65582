"""The mapping language as the faces use it: compile, lint, format, test, map records.

``dsl`` is a library of its own; the engine is the one part above it that imports it, and
the service and the command line reach the language through here (``api`` imports only
``mapwright.engine``: ``architecture.md``, "Who may import whom"). The names are the
language's own, re-exported unchanged, plus ``systems_used``, which reads a compiled
script's tree for the faces.
"""

from __future__ import annotations

from mapwright.dsl import (
    Diagnostic,
    LookupPending,
    MappingError,
    MappingRuntimeError,
    MemoryResolver,
    Outcome,
    Script,
    ScriptTest,
    SettingsError,
    compile,
    lint,
)
from mapwright.dsl import ast as _ast
from mapwright.dsl.errors import PositionedError
from mapwright.dsl.formatter import format_source
from mapwright.dsl.testing import TestResult, run_tests


def warm() -> None:
    """Build what the language builds on first use (the Lark parser tables, about a second
    on a busy machine) now: a script worker forked from a warmed parent answers its first
    lint within the time limit."""
    compile("A <- 1\n", name="warm-up")


__all__ = [
    "Diagnostic",
    "LookupPending",
    "MappingError",
    "MappingRuntimeError",
    "MemoryResolver",
    "Outcome",
    "PositionedError",
    "Script",
    "ScriptTest",
    "SettingsError",
    "TestResult",
    "compile",
    "format_source",
    "warm",
    "lint",
    "run_tests",
    "systems_used",
]


def systems_used(script: Script) -> list[str]:
    """The systems (connector kinds) a script reads from, looks up in or writes to."""
    systems = {system for system, _obj, _key in script.lookups}
    if script.source:
        systems.add(script.source[0])
    if script.target:
        systems.add(script.target)
    for node in _ast.walk(script.tree):
        if isinstance(node, _ast.Operation):
            systems.add(node.system)
    return sorted(systems)
