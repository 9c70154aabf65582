"""Errors of the mapping language.

::

    MappingError                       every error this package raises
    ├── MappingSyntaxError             the text is not a valid script (has a position)
    ├── MappingCompileError            valid text, but it cannot be compiled (has a position)
    ├── MappingLimitError              a safety limit was hit (``limit`` names it, ``maximum``)
    │   └── RecordLimitError           ... while mapping a record (also a MappingRuntimeError)
    └── MappingRuntimeError            a rule failed on a record (has a position and a trail)
        └── RecordLimitError           a limit was hit on this record (rule, limit, maximum)

A skipped or parked record is not an error: the script's ``Outcome`` carries it
(``Outcome.skipped`` / ``Outcome.parked``).

Functions raise ``MappingValueError`` with a plain message; the runtime turns it into a
``MappingRuntimeError`` that names the script, line, rule, path and value. A limit hit while
running raises an unpositioned ``MappingLimitError``, which the runtime turns into a
``RecordLimitError`` the same way. The limits themselves are listed in ``limits.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Position:
    """Where something is in a script: 1-based lines and columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


class MappingError(Exception):
    """Base class of every error raised by ``mapwright.dsl``."""


class PositionedError(MappingError):
    """An error that points at a place in a script."""

    def __init__(self, message: str, position: Position | None = None, script: str | None = None):
        super().__init__(message)
        self.message = message
        self.position = position
        self.script = script

    @property
    def line(self) -> int:
        return self.position.line if self.position else 0

    @property
    def column(self) -> int:
        return self.position.column if self.position else 0

    def __str__(self) -> str:
        where = []
        if self.script:
            where.append(self.script)
        if self.position:
            where.append(f"line {self.position.line}, column {self.position.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class MappingSyntaxError(PositionedError):
    """The script text could not be parsed. ``errors`` lists every problem found."""

    def __init__(
        self,
        message: str,
        position: Position | None = None,
        script: str | None = None,
        errors: list[PositionedError] | None = None,
    ):
        super().__init__(message, position, script)
        self.errors: list[PositionedError] = errors or [self]


class MappingCompileError(PositionedError):
    """The script parsed but refers to something that does not exist or is not allowed."""


class MappingLimitError(PositionedError):
    """A safety limit (script size, nesting depth, run time, output size) was exceeded.

    ``limit`` is the limit's name (see ``limits.NAMES``), ``maximum`` its value.
    """

    def __init__(
        self,
        message: str,
        position: Position | None = None,
        script: str | None = None,
        *,
        limit: str | None = None,
        maximum: Any = None,
    ):
        super().__init__(message, position, script)
        self.limit = limit
        self.maximum = maximum


class MappingValueError(MappingError):
    """Raised by builtin functions on bad input; the runtime adds where it happened."""


class MappingRuntimeError(PositionedError):
    """A rule failed on a record: names the rule, the path and the value involved."""

    def __init__(
        self,
        message: str,
        position: Position | None = None,
        script: str | None = None,
        rule: str | None = None,
        path: str | None = None,
        value: Any = None,
    ):
        super().__init__(message, position, script)
        self.rule = rule
        self.path = path
        self.value = value

    def __str__(self) -> str:
        text = super().__str__()
        details = []
        if self.rule:
            details.append(f"  rule:  {self.rule}")
        if self.path:
            details.append(f"  path:  {self.path}")
        if self.value is not None:
            details.append(f"  value: {self.value}")
        return "\n".join([text, *details])


class RecordLimitError(MappingRuntimeError, MappingLimitError):
    """A record hit a limit while it was mapped: where (rule, path) and which limit."""

    def __init__(
        self,
        message: str,
        position: Position | None = None,
        script: str | None = None,
        rule: str | None = None,
        path: str | None = None,
        value: Any = None,
        *,
        limit: str | None = None,
        maximum: Any = None,
    ):
        super().__init__(message, position, script, rule, path, value)
        self.limit = limit
        self.maximum = maximum

    def __str__(self) -> str:
        text = super().__str__()
        if self.limit:
            text += f"\n  limit: {self.limit} = {_plain(self.maximum)}"
        return text


def _plain(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)
