"""A small, honest OData v2 ``$filter`` parser and evaluator for the sandbox.

Supported (what Exact clients use): ``eq ne gt ge lt le``, ``and or not``, parentheses,
literals ``'text'`` (quote doubled inside), ``guid'…'``, ``datetime'YYYY-MM-DDTHH:MM[:SS]'``,
integers (optional ``L``), decimals (optional ``M``/``D``), ``true``/``false``/``null``, and the
functions ``trim``, ``tolower``, ``toupper``, ``startswith(field,'x')``, ``endswith``,
``substringof('x',field)``. Anything else is a syntax error (HTTP 400 "Error in query syntax").

Values compare the way Exact's SQL Server does for a default collation: strings
case-insensitively (an assumption, see the docs page), guids case-insensitively, datetimes as
milliseconds since the epoch.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

Node = tuple[Any, ...]

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<guid>guid'[^']*')|(?P<dt>datetime'[^']*')|(?P<str>'(?:[^']|'')*')"
    r"|(?P<num>-?\d+(?:\.\d+)?[LlMmDd]?)|(?P<punct>[(),])|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r")"
)
COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
FUNCTIONS = {
    "trim": 1,
    "tolower": 1,
    "toupper": 1,
    "startswith": 2,
    "endswith": 2,
    "substringof": 2,
}


class FilterError(ValueError):
    """The filter text is not valid OData (or names an unknown property)."""


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise FilterError(f"Error in query syntax near {text[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def parse_datetime(text: str) -> int:
    """``2024-01-31T00:00:00`` (UTC when no offset) as milliseconds since the epoch."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FilterError(f"Error in query syntax: bad datetime literal {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


class _Parser:
    def __init__(self, text: str, fields: set[str]):
        self.tokens = tokenize(text)
        self.pos = 0
        self.fields = fields

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FilterError("Error in query syntax: unexpected end of filter")
        self.pos += 1
        return token

    def expect(self, value: str) -> None:
        kind, text = self.take()
        if text != value:
            raise FilterError(f"Error in query syntax: expected {value!r}, found {text!r}")

    def word(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "name" and token[1] in words:
            self.pos += 1
            return token[1]
        return None

    def parse(self) -> Node:
        node = self.or_()
        if self.peek() is not None:
            raise FilterError(f"Error in query syntax near {self.peek()[1]!r}")  # type: ignore[index]
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.word("or"):
            node = ("or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.word("and"):
            node = ("and", node, self.not_())
        return node

    def not_(self) -> Node:
        if self.word("not"):
            return ("not", self.not_())
        return self.compare()

    def compare(self) -> Node:
        left = self.primary()
        op = self.word(*COMPARE)
        if op is None:
            return left
        return ("cmp", op, left, self.primary())

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "punct" and text == "(":
            node = self.or_()
            self.expect(")")
            return node
        if kind == "str":
            return ("lit", text[1:-1].replace("''", "'"))
        if kind == "guid":
            try:
                return ("lit", str(uuid.UUID(text[5:-1])))
            except ValueError:
                raise FilterError(f"Error in query syntax: bad guid literal {text}") from None
        if kind == "dt":
            return ("lit", parse_datetime(text[9:-1]))
        if kind == "num":
            raw = text.rstrip("LlMmDd")
            return ("lit", float(raw) if "." in raw else int(raw))
        if kind == "name":
            if text in ("true", "false"):
                return ("lit", text == "true")
            if text == "null":
                return ("lit", None)
            if text in FUNCTIONS and self.peek() == ("punct", "("):
                self.take()
                args = [self.or_()]
                while self.peek() == ("punct", ","):
                    self.take()
                    args.append(self.or_())
                self.expect(")")
                if len(args) != FUNCTIONS[text]:
                    raise FilterError(f"Error in query syntax: {text} takes {FUNCTIONS[text]}")
                return ("fn", text, *args)
            if text not in self.fields:
                raise FilterError(f"No property '{text}' exists in type of this endpoint")
            return ("field", text)
        raise FilterError(f"Error in query syntax near {text!r}")


def parse(text: str, fields: set[str]) -> Node:
    """The filter ``text`` as a small tree; ``fields`` are the endpoint's property names."""
    return _Parser(text, fields).parse()


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _compare(op: str, left: Any, right: Any) -> bool:
    left, right = _fold(left), _fold(right)
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if left is None or right is None:
        return False
    try:
        if op == "gt":
            return bool(left > right)
        if op == "ge":
            return bool(left >= right)
        if op == "lt":
            return bool(left < right)
        return bool(left <= right)
    except TypeError:
        raise FilterError("Error in query syntax: incompatible types in comparison") from None


def evaluate(node: Node, get: Callable[[str], Any]) -> Any:
    """The value of ``node`` for one row (``get(field)`` reads the row's raw value)."""
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "field":
        return get(node[1])
    if kind == "and":
        return bool(evaluate(node[1], get)) and bool(evaluate(node[2], get))
    if kind == "or":
        return bool(evaluate(node[1], get)) or bool(evaluate(node[2], get))
    if kind == "not":
        return not evaluate(node[1], get)
    if kind == "cmp":
        return _compare(node[1], evaluate(node[2], get), evaluate(node[3], get))
    if kind == "fn":
        name, args = node[1], [evaluate(a, get) for a in node[2:]]
        text = [("" if a is None else str(a)) for a in args]
        if name == "trim":
            return text[0].strip()
        if name == "tolower":
            return text[0].lower()
        if name == "toupper":
            return text[0].upper()
        if name == "startswith":
            return text[0].casefold().startswith(text[1].casefold())
        if name == "endswith":
            return text[0].casefold().endswith(text[1].casefold())
        if name == "substringof":
            return text[0].casefold() in text[1].casefold()
    raise FilterError(f"Error in query syntax: cannot evaluate {kind}")


#: the comparisons that can raise (incompatible types); every other node never does
ORDERING = frozenset({"gt", "ge", "lt", "le"})


def never_raises(node: Node) -> bool:
    """Whether ``evaluate(node, …)`` cannot raise for any row (no ordering comparison)."""
    if node[0] == "cmp" and node[1] in ORDERING:
        return False
    return all(never_raises(n) for n in node[1:] if isinstance(n, tuple))


def narrow(node: Node, lookup: Callable[[str, Any], set[int] | None]) -> set[int] | None:
    """Positions of the only rows on which ``node`` can be true, or ``None`` (any row).

    ``lookup(field, literal)`` gives the positions of the rows whose ``field`` can ``eq``
    the literal (``None``: not indexed). On every row outside the answer ``evaluate`` is
    false AND does not raise, so evaluating only the answer's rows gives the scan's rows and
    the scan's errors: ``and`` skips its right side when its left is false, so only a left
    side that never raises may be narrowed by its right side; ``or`` needs both sides.
    """
    kind = node[0]
    if kind == "cmp" and node[1] == "eq":
        left, right = node[2], node[3]
        if left[0] == "lit" and right[0] == "field":
            left, right = right, left
        if left[0] == "field" and right[0] == "lit":
            return lookup(left[1], right[1])
        return None
    if kind == "or":
        first = narrow(node[1], lookup)
        second = narrow(node[2], lookup) if first is not None else None
        return None if first is None or second is None else first | second
    if kind == "and":
        first = narrow(node[1], lookup)
        second = narrow(node[2], lookup) if never_raises(node[1]) else None
        if first is None or second is None:
            return first if second is None else second
        return first & second
    return None


def timestamp_only(node: Node) -> int | None:
    """For sync endpoints: N when the filter is exactly ``Timestamp gt N``, else ``None``."""
    if (
        node[0] == "cmp"
        and node[1] == "gt"
        and node[2] == ("field", "Timestamp")
        and node[3][0] == "lit"
        and isinstance(node[3][1], int)
    ):
        return int(node[3][1])
    return None
