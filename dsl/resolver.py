"""Lookups: how a script asks a connected system for records, without doing I/O itself.

``find``/``find_all``/``exists``/``require`` in a script call ``Resolver.find`` with a
``Lookup``. The engine passes a resolver that answers from records it fetched in bulk for the
whole page; when a key was not fetched yet it raises ``LookupPending``: the engine collects the
pending lookups of every record of the page, fetches them in one call per object, and runs the
mappings again (scripts are pure, so a rerun is safe and cheap).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from mapwright.dsl.errors import MappingError
from mapwright.dsl.plan import Lookup


class Resolver(Protocol):
    def find(self, lookup: Lookup) -> list[dict[str, Any]]:
        """All records of ``lookup.system``.``lookup.object`` whose ``key`` equals ``value``."""
        ...


class LookupPending(MappingError):
    """The resolver has not fetched this key yet; the engine fetches it and runs again."""

    def __init__(self, lookup: Lookup):
        super().__init__(f"lookup not fetched yet: {lookup.system}.{lookup.object} {lookup.key}")
        self.lookup = lookup


class NoResolver:
    """The resolver used when none is given: every lookup is an error with a clear message."""

    def find(self, lookup: Lookup) -> list[dict[str, Any]]:
        raise MappingError(
            f"this script looks up {lookup.system}.{lookup.object}, but no system is connected; "
            "run it in a flow, or give test records for the lookup (see 'lookups' in tests)"
        )


class MemoryResolver:
    """Answers lookups from records held in memory: ``{"system.object": [records...]}``."""

    def __init__(self, tables: Mapping[str, Iterable[Mapping[str, Any]]]):
        self._tables = {name: [dict(r) for r in rows] for name, rows in tables.items()}
        self.calls: list[Lookup] = []

    def find(self, lookup: Lookup) -> list[dict[str, Any]]:
        self.calls.append(lookup)
        rows = self._tables.get(f"{lookup.system}.{lookup.object}", [])
        return [row for row in rows if _same(row.get(lookup.key), lookup.value)]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return bool(a == b)
