"""Field catalogues: the documented objects and fields of a system, as a connector declares them.

A connector that knows its system's fields (Exact Online keeps the reference table in
``connectors/exact_online/fields.py``) declares a catalogue in its ``declaration.py``; lint
(``engine/fieldcheck.py``), the browser editor's completion and ``mapwright docs`` read it
through the registry (``connectors/registry.py``), so nobody else needs to know the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldInfo:
    """One documented field: its name, type (``String``, ``Guid`` …) and verbs (``GPU``)."""

    name: str
    type: str
    verbs: str


@dataclass(frozen=True)
class ObjectFields:
    """The fields of one object of a system; ``lines`` the inline line collection, if any."""

    object: str
    where: str  # how the system names it, e.g. crm/Accounts
    fields: dict[str, FieldInfo]
    description: str = ""
    lines: str | None = None
    line_fields: ObjectFields | None = None
    find_keys: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class SystemFields:
    """A connector's field catalogue: object name -> fields."""

    kind: str
    title: str
    objects: dict[str, ObjectFields] = field(default_factory=dict)
