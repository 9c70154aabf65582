"""Lookups: how a script asks a connected system for records, without doing I/O itself.

``find``/``find_all``/``exists``/``require`` in a script call ``Resolver.find`` with a
``Lookup``. The engine passes a resolver that answers from records it fetched in bulk for the
whole page; when a key was not fetched yet it raises ``LookupPending``: the engine collects the
pending lookups of every record of the page, fetches them in one call per object, and runs the
mappings again (scripts are pure, so a rerun is safe and cheap). While the engine maps a page
it may instead answer ``Unanswered()`` and go on, to see the record's further lookups in the
same run; it then throws that run's result away (see ``engine.resolver.PageResolver``).
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


class Unanswered(list[dict[str, Any]]):
    """The answer to a lookup that was not fetched yet, given while the engine probes a record:
    empty, so the run goes on and makes its further lookups, and the engine throws the run's
    result away. ``require`` answers missing instead of parking on it: that park would come
    from the missing answer, not from the data."""

    __slots__ = ()


class NoResolver:
    """The resolver used when none is given: every lookup is an error with a clear message."""

    def find(self, lookup: Lookup) -> list[dict[str, Any]]:
        raise MappingError(
            f"this script looks up {lookup.system}.{lookup.object}, but no system is connected; "
            "run it in a flow, or give test records for the lookup (see 'lookups' in tests)"
        )


class MemoryResolver:
    """Answers lookups from records held in memory: ``{"system.object": [records...]}``.

    Each (table, key) is indexed on its first lookup, so a lookup costs the rows it finds,
    not the table's size; text compares ignoring case and outer spaces, anything else by
    ``==`` (the index only narrows the rows that ``_same`` then checks)."""

    def __init__(self, tables: Mapping[str, Iterable[Mapping[str, Any]]]):
        self._tables = {name: [dict(r) for r in rows] for name, rows in tables.items()}
        self._indexes: dict[tuple[str, str], _Index] = {}
        self.calls: list[Lookup] = []

    def find(self, lookup: Lookup) -> list[dict[str, Any]]:
        self.calls.append(lookup)
        name = f"{lookup.system}.{lookup.object}"
        rows = self._tables.get(name, [])
        index = self._indexes.get((name, lookup.key))
        if index is None:
            index = self._indexes[(name, lookup.key)] = _Index(rows, lookup.key)
        found = index.candidates(lookup.value)
        if found is None:
            found = range(len(rows))
        return [rows[i] for i in found if _same(rows[i].get(lookup.key), lookup.value)]


class _Index:
    """Row numbers of one table by one key: text by its folded form, other hashable values
    by themselves; rows whose value cannot be hashed are kept apart."""

    def __init__(self, rows: list[dict[str, Any]], key: str):
        self.text: dict[str, list[int]] = {}
        self.other: dict[Any, list[int]] = {}
        self.unhashable: list[int] = []
        for number, row in enumerate(rows):
            value = row.get(key)
            if isinstance(value, str):
                self.text.setdefault(value.strip().casefold(), []).append(number)
            elif hashable(value):
                self.other.setdefault(value, []).append(number)
            else:
                self.unhashable.append(number)

    def candidates(self, value: Any) -> Iterable[int] | None:
        """The rows that may match ``value`` (in table order); ``None``: check them all."""
        if isinstance(value, str):
            # text equals only text (a str subclass with its own __eq__ is checked in full)
            return self.text.get(value.strip().casefold(), []) if type(value) is str else None
        if not hashable(value):
            return None
        return sorted(self.other.get(value, []) + self.unhashable)


def hashable(value: Any) -> bool:
    """True when ``value`` can key an index (a dict or list from a record cannot)."""
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return bool(a == b)
