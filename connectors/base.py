"""The connector seam: what every connector declares and the hook methods it implements.

A connector is a small class. It declares the objects of its system (``ObjectSpec``: what each
supports), its quotas as data (``Quota``), and implements async hook methods for listing,
getting, finding by key in bulk, creating and updating records. It talks HTTP through an
``httpx.AsyncClient`` whose transport is swappable: the real network, an in-process sandbox
(``httpx.ASGITransport``) or a mock (``httpx.MockTransport``).

Records are plain dicts in the system's own field names. Errors are ``connectors.errors``
classes, sorted by what the runner must do (fatal, retriable, skippable).
"""

from __future__ import annotations

import abc
import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import httpx
from mapwright.connectors.errors import ConnectorError, UnsupportedObject

Capability = Literal["list", "incremental", "get", "find", "create", "update", "batch_create"]


@dataclass(frozen=True)
class ObjectSpec:
    """One object of a system (``accounts``, ``receipts``...) and what its API supports.

    ``key`` is the field holding the system's id; ``find_keys`` the fields usable for bulk
    lookups (``find``); ``cursor_field`` the field an incremental list orders by; ``required``
    the fields the API demands on create; ``max_lengths`` the documented field lengths.
    """

    name: str
    key: str
    capabilities: frozenset[Capability]
    find_keys: tuple[str, ...] = ()
    cursor_field: str | None = None
    required: tuple[str, ...] = ()
    max_lengths: dict[str, int] = field(default_factory=dict)
    description: str = ""

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities


@dataclass(frozen=True)
class Quota:
    """A documented limit: ``limit`` calls per ``per_seconds`` within ``scope``.

    ``endpoints``: the quota counts only calls to these endpoints (paths); empty = every call.
    """

    name: str
    limit: int
    per_seconds: float
    scope: str
    note: str = ""
    endpoints: tuple[str, ...] = ()


@dataclass
class Page:
    """One page of a list. ``cursor`` is what to store once the page is processed; pass it to
    the next ``list`` call. ``has_more`` tells whether another page follows right away."""

    records: list[dict[str, Any]]
    cursor: str | None
    has_more: bool


@dataclass
class WriteResult:
    """The outcome of one record of a batch write (``index`` is its place in the request)."""

    index: int
    record: dict[str, Any] | None = None
    error: ConnectorError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ConnectionConfig:
    """How to reach one account of a system: ``kind`` names the connector class."""

    kind: str
    base_url: str | None = None
    credentials: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    name: str | None = None


class Connector(abc.ABC):
    """Base class of every connector. Subclasses set ``kind``, ``objects``, ``quotas``."""

    kind: ClassVar[str]
    title: ClassVar[str]
    objects: ClassVar[dict[str, ObjectSpec]]
    quotas: ClassVar[tuple[Quota, ...]] = ()
    #: roles a flow may ask for that this system does not have, with what to use instead
    unsupported: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        config: ConnectionConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.config = config
        self.transport = transport

    def object(self, name: str) -> ObjectSpec:
        """The spec of ``name``, or a clear error naming what exists and what to use."""
        spec = self.objects.get(name)
        if spec is not None:
            return spec
        if name in self.unsupported:
            raise UnsupportedObject(
                f"{self.title} has no '{name}' object in its API. {self.unsupported[name]}",
                alternative=self.unsupported[name],
            )
        known = ", ".join(sorted(self.objects))
        raise UnsupportedObject(f"{self.title} has no object '{name}'; it has: {known}")

    def require(self, name: str, capability: Capability) -> ObjectSpec:
        spec = self.object(name)
        if not spec.supports(capability):
            raise UnsupportedObject(
                f"{self.title} cannot {capability.replace('_', ' ')} '{name}' through its API"
            )
        return spec

    # -- hook methods ----------------------------------------------------------------------
    async def list(
        self,
        object: str,
        *,
        cursor: str | None = None,
        page_size: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> Page:
        """One page of ``object``, starting after ``cursor`` (incremental where supported)."""
        self.require(object, "list")
        raise NotImplementedError

    async def get(self, object: str, id: Any) -> dict[str, Any] | None:
        self.require(object, "get")
        raise NotImplementedError

    async def find(
        self, object: str, key: str, values: Sequence[Any]
    ) -> dict[Any, builtins.list[dict[str, Any]]]:
        """Bulk lookup: every record whose ``key`` is one of ``values``, grouped by value.

        Implementations use as few calls as the API allows (an OData ``$filter`` with ``or``,
        a list endpoint with a filter), never one call per value when that can be avoided.
        """
        self.require(object, "find")
        raise NotImplementedError

    async def create(self, object: str, record: dict[str, Any]) -> dict[str, Any]:
        self.require(object, "create")
        raise NotImplementedError

    async def update(self, object: str, id: Any, record: dict[str, Any]) -> dict[str, Any]:
        self.require(object, "update")
        raise NotImplementedError

    async def create_batch(
        self, object: str, records: Sequence[dict[str, Any]]
    ) -> builtins.list[WriteResult]:
        """Create many; the default sends one by one and reports each record's outcome."""
        results: list[WriteResult] = []
        for index, record in enumerate(records):
            try:
                results.append(WriteResult(index, await self.create(object, record)))
            except ConnectorError as exc:
                if not _is_record_error(exc):
                    raise
                results.append(WriteResult(index, error=exc))
        return results

    def record_id(self, object: str, record: dict[str, Any]) -> Any:
        return record.get(self.object(object).key)

    async def aclose(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release HTTP clients; safe to call twice."""


def _is_record_error(exc: ConnectorError) -> bool:
    from mapwright.connectors.errors import SkippableError

    return isinstance(exc, SkippableError)


CONNECTORS: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    """Class decorator: make a connector available by its ``kind``."""
    CONNECTORS[cls.kind] = cls
    return cls
