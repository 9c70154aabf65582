"""Check a script's field names against the connectors' own field catalogues.

The language does not know the systems it maps between, so ``Nmae <- name`` inside
``create exact_online.accounts { ... }`` compiles, a dry run plans it, and only the real run
fails when Exact refuses the field. A connector that documents its fields (Exact Online holds
the reference table in ``connectors/exact_online/fields.py``) lets lint catch this early::

    >>> [d.message for d in check('create exact_online.accounts { Nmae <- name }')]
    ['no field Nmae on crm/Accounts; did you mean Name?']

Checked, with a warning at the name's position: the target fields of every ``create``,
``update`` and ``upsert`` (line fields of a document's inline collection, such as the rules
inside ``SalesOrderLines <- each lines as l { ... }``, against the line endpoint), the key of
``match``/``unless exists`` and the key of ``find``/``exists``/``require`` lookups, and the
object names themselves. Systems whose connector declares no field catalogue
(``connectors/registry.py``) are not checked.
The system name in a script is taken as the connector kind (``exact_online``), unless
``systems`` maps it to another kind (a flow's connections do that).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterator, Mapping

from mapwright.connectors import registry
from mapwright.connectors.catalogue import FieldInfo as FieldInfo
from mapwright.connectors.catalogue import ObjectFields as ObjectFields
from mapwright.connectors.catalogue import SystemFields as SystemFields
from mapwright.dsl import Diagnostic
from mapwright.dsl import ast as a
from mapwright.dsl.errors import MappingError
from mapwright.dsl.parser import parse_with_errors


def catalogue(kind: str) -> SystemFields | None:
    """The field catalogue connector ``kind`` declares (``connectors/registry.py``), or
    ``None`` when it keeps none (or there is no such connector)."""
    if kind not in _CACHE:
        try:
            found = registry.declaration(kind).catalogue()
        except registry.UnknownKind:
            return None
        if found is None:
            return None
        _CACHE[kind] = found
    return _CACHE[kind]


def kinds() -> list[str]:
    """The connector kinds that keep a field catalogue."""
    return sorted(d.kind for d in registry.declarations().values() if d.fields is not None)


_CACHE: dict[str, SystemFields] = {}


def suggestion(name: str, known: list[str]) -> str | None:
    """The known name closest to ``name`` (same letters in another case first)."""
    for candidate in known:
        if candidate.lower() == name.lower():
            return candidate
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return close[0]
    lowered = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def _hint(name: str, known: list[str]) -> str:
    found = suggestion(name, known)
    return f"; did you mean {found}?" if found else ""


class _Checker:
    def __init__(self, source: str, systems: Mapping[str, str]):
        self.lines = source.splitlines()
        self.systems = systems
        self.found: list[Diagnostic] = []

    def system(self, name: str) -> SystemFields | None:
        return catalogue(self.systems.get(name, name))

    def warn(self, line: int, column: int, length: int, message: str) -> None:
        self.found.append(
            Diagnostic(line, column, line, column + max(length, 1), "warning", message)
        )

    def locate(self, node: a.Node, word: str) -> tuple[int, int]:
        """Line and column of ``word`` (followed by ``=``) inside ``node``, else its start."""
        pos = node.pos
        pattern = re.compile(rf"(?<![\w.]){re.escape(word)}\s*=(?!=)")
        for number in range(pos.line, min(pos.end_line, len(self.lines)) + 1):
            text = self.lines[number - 1]
            start = pos.column - 1 if number == pos.line else 0
            match = pattern.search(text, start)
            if match:
                return number, match.start() + 1
        return pos.line, pos.column

    def field(self, name: str, spec: ObjectFields, line: int, column: int) -> None:
        if name not in spec.fields:
            known = list(spec.fields)
            self.warn(
                line, column, len(name), f"no field {name} on {spec.where}{_hint(name, known)}"
            )

    def object(self, node: a.Node, system: str, obj: str) -> ObjectFields | None:
        found = self.system(system)
        if found is None:
            return None
        spec = found.objects.get(obj)
        if spec is None:
            hint = _hint(obj, list(found.objects))
            self.warn(
                node.pos.line,
                node.pos.column,
                node.pos.end_column - node.pos.column if node.pos.end_line == node.pos.line else 1,
                f"{found.title} has no object {system}.{obj} in its field catalogue{hint}",
            )
        return spec

    def operation(self, op: a.Operation) -> None:
        spec = self.object(op, op.system, op.object)
        if spec is not None and isinstance(op.key, str):
            line, column = self.locate(op, op.key)
            self.field(op.key, spec, line, column)
        self.block(op.body.items, spec)

    def block(self, items: tuple[a.Node, ...], spec: ObjectFields | None) -> None:
        for item in items:
            if isinstance(item, a.Operation):
                self.operation(item)
            elif isinstance(item, a.WhenStmt):
                self.block(item.body.items, spec)
                if item.else_body is not None:
                    self.block(item.else_body.items, spec)
            elif isinstance(item, a.Rule) and spec is not None:
                self.rule(item, spec)

    def rule(self, rule: a.Rule, spec: ObjectFields) -> None:
        name = rule.target[0]
        self.field(name, spec, rule.pos.line, rule.pos.column)
        body = rule.value.body if isinstance(rule.value, a.Each) else None
        if name == spec.lines and spec.line_fields is not None and isinstance(body, a.Block):
            self.block(body.items, spec.line_fields)

    def lookups(self, node: a.Node) -> None:
        for found in _walk(node):
            if isinstance(found, a.Lookup):
                spec = self.object(found, found.system, found.object)
                if spec is not None:
                    line, column = self.locate(found, found.key)
                    self.field(found.key, spec, line, column)


def _walk(node: a.Node) -> Iterator[a.Node]:
    yield node
    for f in dataclasses.fields(node):
        if f.name == "pos":
            continue
        value = getattr(node, f.name)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, a.Node):
                yield from _walk(item)
            elif isinstance(item, tuple):
                for sub in item:
                    if isinstance(sub, a.Node):
                        yield from _walk(sub)


def check(
    source: str, *, name: str | None = None, systems: Mapping[str, str] | None = None
) -> list[Diagnostic]:
    """Warnings for field and object names the target systems do not have, in script order.

    Statements that do not parse are left to the language's own lint.
    """
    try:
        tree, _ = parse_with_errors(source, name=name)
    except MappingError:
        return []
    checker = _Checker(source, systems or {})
    checker.block(tree.statements, None)
    for statement in tree.statements:
        if not isinstance(statement, a.TestStmt):
            checker.lookups(statement)
    unique = {(d.line, d.column, d.message): d for d in checker.found}
    return sorted(unique.values(), key=lambda d: (d.line, d.column))
