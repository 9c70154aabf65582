"""Indexes over the sandbox's tables: which rows can match an equality, without a scan.

Exact answers a bulk lookup (``Email eq 'a' or Email eq 'b' …``) and its uniqueness checks
from database indexes; evaluating the filter on every row made a 25-value lookup on 1,000
seeded accounts cost 13 ms, ~20 creates. A ``Column`` buckets the rows of one table by a
key of some of their fields; callers use it only to NARROW the rows they then check exactly
as before (the full filter, the uniqueness rule), so an index can never change an answer,
only skip rows that cannot match. That needs one property of every key function here: two
values that the exact check finds equal get equal keys.

Stored rows are plain dicts that anybody holding them may change in place (tests edit rows
of ``store.table(…)`` directly), so a version counter bumped by ``Store.put`` would miss
changes. Each use instead compares the indexed fields of every row, by identity, with the
values the index was built from (``map``/``compress``: C speed, ~35 ns a row) and re-keys
only the rows whose values are not the very same objects; fewer rows than before (a
delete) rebuilds it. A value whose key could change without a new object (lists, dicts,
anything not a plain scalar) is not keyed: its row is "loose" and always a candidate.
That check costs about what a scan with a plain ``row.get(f) == v`` costs, so an index pays
only where the per-row test is costly (a filter tree, folded text, several fields).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import compress, count, repeat
from operator import is_not
from typing import Any

Row = dict[str, Any]

#: value types whose key cannot change while the object stays the same
SCALARS = (str, int, float, bool, type(None))
#: a key function's answer for values it cannot key (the row is always a candidate)
LOOSE = object()


class Column:
    """The rows of one table bucketed by ``key(*values of fields)``, by position in
    ``list(table.values())``."""

    def __init__(self, fields: tuple[str, ...], key: Callable[..., Any]):
        self.fields = fields
        self.key = key
        self.seen: list[list[Any]] = [[] for _ in fields]  # per field: the values keyed
        self.keys: list[Any] = []  # per position: its key (or LOOSE)
        self.buckets: dict[Any, set[int]] = {}
        self.loose: set[int] = set()

    def refresh(self, rows: list[Row]) -> None:
        """Bring the index up to ``rows`` (the table's rows in its order)."""
        now = [list(map(dict.get, rows, repeat(name))) for name in self.fields]
        known = len(self.keys)
        if len(rows) < known:
            self.keys, self.buckets, self.loose, known = [], {}, set(), 0
            changed: Iterable[int] = range(len(rows))
        else:
            moved: set[int] = set()
            for new, old in zip(now, self.seen, strict=True):
                moved.update(compress(count(), map(is_not, new, old)))
            changed = sorted(moved) + list(range(known, len(rows)))
        self.seen = now
        for position in changed:
            if position < known:
                self._drop(position, self.keys[position])
            key = self.key(*(values[position] for values in now))
            if position < known:
                self.keys[position] = key
            else:
                self.keys.append(key)
            if key is LOOSE:
                self.loose.add(position)
            else:
                self.buckets.setdefault(key, set()).add(position)

    def _drop(self, position: int, key: Any) -> None:
        if key is LOOSE:
            self.loose.discard(position)
            return
        bucket = self.buckets[key]
        bucket.discard(position)
        if not bucket:
            del self.buckets[key]  # the keys present are the keys of some row

    def candidates(self, keys: Iterable[Any]) -> set[int]:
        """Positions of the rows whose key is one of ``keys``, and the loose rows."""
        found = set(self.loose)
        for key in keys:
            found.update(self.buckets.get(key, ()))
        return found


def column(
    indexes: dict[Any, Column],
    table: str,
    fields: tuple[str, ...],
    key: Callable[..., Any],
    rows: list[Row],
) -> Column:
    """The index of ``table`` on ``fields`` under ``key`` (kept in ``indexes``, one per
    store), brought up to ``rows``."""
    name = (table, fields, key)
    found = indexes.get(name)
    if found is None:
        found = indexes[name] = Column(fields, key)
    found.refresh(rows)
    return found


def fold_key(value: Any) -> Any:
    """Key of one value for ``filters``' ``eq``: the folded value itself (``eq`` compares
    folded values with ``==``, and equal scalars hash alike: ``1``, ``1.0``, ``True``)."""
    if type(value) not in SCALARS:
        return LOOSE
    return value.casefold() if isinstance(value, str) else value


def text_key(*values: Any) -> Any:
    """Key for the uniqueness rule: each value as stripped, case-folded text."""
    if any(type(v) not in SCALARS for v in values):
        return LOOSE
    return tuple(str(v).strip().casefold() for v in values)


def same_key(*values: Any) -> Any:
    """Key for "all these fields ``==``": the values themselves."""
    if any(type(v) not in SCALARS for v in values):
        return LOOSE
    return values
