"""The mapping language: parse, compile and run mapping scripts.

Public interface::

    from mapwright import dsl
    script = dsl.compile(text, name="orders.map")     # cached by hash
    outcome = script.run(record, settings=None, resolver=None)
    diagnostics = dsl.lint(text)                       # list[Diagnostic]
    dsl.pick("lines[0].sku", data)                     # JMESPath semantics
"""

from __future__ import annotations

from dataclasses import dataclass

from mapwright.dsl.errors import (
    MappingCompileError,
    MappingError,
    MappingLimitError,
    MappingRuntimeError,
    MappingSyntaxError,
    MappingValueError,
    Position,
    PositionedError,
    RecordLimitError,
)
from mapwright.dsl.jmes import pick
from mapwright.dsl.plan import Lookup, Operation, Outcome, Ref
from mapwright.dsl.resolver import LookupPending, MemoryResolver, Resolver
from mapwright.dsl.script import Loader, Script, ScriptTest
from mapwright.dsl.script import compile as _compile
from mapwright.dsl.script import lint as _lint
from mapwright.dsl.settings import SettingsError, SettingSpec


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a script, for editors and ``mapwright lint``."""

    line: int
    column: int
    end_line: int
    end_column: int
    severity: str
    message: str

    def to_json(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "severity": self.severity,
            "message": self.message,
        }


def compile(source: str, *, name: str | None = None, loader: Loader | None = None) -> Script:  # noqa: A001
    """Compile ``source`` once (cached by hash); see ``Script.run``."""
    return _compile(source, name=name, loader=loader)


def lint(source: str, *, name: str | None = None, loader: Loader | None = None) -> list[Diagnostic]:
    """All problems of ``source`` with positions; empty when the script is fine."""
    result = []
    for err in _lint(source, name=name, loader=loader):
        pos = err.position or Position(1, 1, 1, 2)
        result.append(
            Diagnostic(pos.line, pos.column, pos.end_line, pos.end_column, "error", err.message)
        )
    return result


__all__ = [
    "Diagnostic",
    "Lookup",
    "LookupPending",
    "MappingCompileError",
    "MappingError",
    "MappingLimitError",
    "MappingRuntimeError",
    "MappingSyntaxError",
    "MappingValueError",
    "MemoryResolver",
    "Operation",
    "Outcome",
    "Position",
    "PositionedError",
    "RecordLimitError",
    "Ref",
    "Resolver",
    "Script",
    "ScriptTest",
    "SettingSpec",
    "SettingsError",
    "compile",
    "lint",
    "pick",
]
