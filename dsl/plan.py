"""The operations plan: what a flow script asks the engine to do for one record.

A flow script does not talk to any system. Running it on a record yields an ``Outcome``:
the plain output fields (for transformation scripts), and for flow scripts an ordered list
of ``Operation`` objects. The engine executes the operations against connectors; a later
operation can use an earlier one's result through a ``Ref`` (``debtor.ID``), which the
engine fills in once the earlier operation has been sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from mapwright.dsl.jsonio import plain
from mapwright.dsl.values import MISSING

OperationKind = Literal["create", "update", "upsert"]
FieldPolicy = Literal["always", "on_create", "if_empty"]


@dataclass(frozen=True)
class Ref:
    """A value that comes from an earlier operation's result: ``alias.path``."""

    alias: str
    path: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"$ref": self.alias + "." + ".".join(self.path)}


@dataclass(frozen=True)
class Lookup:
    """A lookup: the records of ``system.object`` whose ``key`` equals ``value``."""

    system: str
    object: str
    key: str
    value: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "object": self.object,
            "key": self.key,
            "value": plain(self.value),
        }


@dataclass
class Operation:
    """One write the flow wants: create, update or upsert of ``system.object``.

    ``match`` (for update/upsert) names the key field and value used to find the target
    record; ``unless_exists`` (for create) names a natural key that, when found in the
    target, makes the engine skip the create (an order already in Exact is not created
    twice). ``policies`` holds each field's write policy; fields not listed are ``always``.
    """

    kind: OperationKind
    system: str
    object: str
    fields: dict[str, Any]
    alias: str | None = None
    match: tuple[str, Any] | None = None
    unless_exists: tuple[str, Any] | None = None
    policies: dict[str, FieldPolicy] = field(default_factory=dict)
    line: int = 0

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "target": f"{self.system}.{self.object}",
            "fields": _json_with_refs(self.fields),
        }
        if self.alias:
            data["as"] = self.alias
        if self.match:
            data["match"] = {self.match[0]: _json_with_refs(self.match[1])}
        if self.unless_exists:
            data["unless_exists"] = {self.unless_exists[0]: _json_with_refs(self.unless_exists[1])}
        if self.policies:
            data["policies"] = dict(self.policies)
        return data


class Outcome:
    """The result of running a script on one record (a plain class: made per record)."""

    __slots__ = ("output", "operations", "skipped", "parked")

    def __init__(
        self,
        output: dict[str, Any] | None = None,
        operations: list[Operation] | None = None,
        skipped: str | None = None,
        parked: str | None = None,
    ):
        self.output: dict[str, Any] = output if output is not None else {}
        self.operations: list[Operation] = operations if operations is not None else []
        self.skipped = skipped
        self.parked = parked

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Outcome):
            return NotImplemented
        return (self.output, self.operations, self.skipped, self.parked) == (
            other.output,
            other.operations,
            other.skipped,
            other.parked,
        )

    def __repr__(self) -> str:
        return (
            f"Outcome(output={self.output!r}, operations={self.operations!r}, "
            f"skipped={self.skipped!r}, parked={self.parked!r})"
        )

    @property
    def is_flow(self) -> bool:
        return bool(self.operations)

    def to_json(self) -> Any:
        """Plain scripts give their output object; flow scripts give their plan."""
        if self.skipped is not None:
            return {"skipped": self.skipped}
        if self.parked is not None:
            return {"parked": self.parked}
        if not self.operations:
            return plain(self.output)
        data: dict[str, Any] = {"operations": [op.to_json() for op in self.operations]}
        if self.output:
            data["output"] = plain(self.output)
        return data


def _json_with_refs(value: Any) -> Any:
    if isinstance(value, Ref):
        return value.to_json()
    if isinstance(value, dict):
        return {k: _json_with_refs(v) for k, v in plain_items(value)}
    if isinstance(value, list):
        return [_json_with_refs(v) for v in value]
    return plain(value)


def plain_items(value: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in value.items() if v is not MISSING]
