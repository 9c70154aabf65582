"""Connections: from a name in a flow to a live connector instance.

A connection is a ``ConnectionConfig`` (kind, base URL, credentials, options) found in the
config file or the store (the file wins, so a local ``mapwright.toml`` can point any flow at
the sandboxes). ``Connections.for_flow`` gives the runner a mapping ``system -> Connector``
that builds each connector the first time the run needs it, so a flow only opens the
connections its script really uses.

``transports`` (connection name -> httpx transport) lets tests and demos plug a connection
into an in-process sandbox (``httpx.ASGITransport``); ``instances`` hands over ready-made
connector objects (their owner closes them).

Connections saved by the service have encrypted credentials: with a ``vault`` (the same key
as the service, ``Settings.vault()``) they are decrypted here, and a connector whose tokens
rotate (its declaration says ``token_store``: Exact Online) keeps them inside those
credentials (``store_tokens``), so the command line and the service share one connection
without locking each other out. Which class a kind is, and what its constructor needs, is
read from the connector's declaration (``connectors/registry.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
from mapwright.connectors import registry
from mapwright.connectors.base import ConnectionConfig, Connector
from mapwright.engine.errors import FlowInvalid
from mapwright.engine.flows import Flow
from mapwright.engine.store import Store, StoredConnection
from mapwright.engine.vault import MARKER, Vault


def connector_class(kind: str) -> type[Connector]:
    """The connector class declared for ``kind``; ``FlowInvalid`` listing every kind."""
    try:
        return registry.declaration(kind).connector_class()
    except registry.UnknownKind as exc:
        raise FlowInvalid(str(exc)) from None


class Connections:
    """Where connection settings come from, and how connectors are built."""

    def __init__(
        self,
        configs: Mapping[str, ConnectionConfig] | None = None,
        *,
        store: Store | None = None,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        instances: Mapping[str, Connector] | None = None,
        token_dir: str | Path | None = None,
        vault: Vault | None = None,
    ):
        self.token_dir = token_dir if token_dir is not None else _default_token_dir(store)
        self.configs = dict(configs or {})
        self.store = store
        self.transports = dict(transports or {})
        self.instances = dict(instances or {})
        self.vault = vault
        #: ``(tenant, name, config) -> token store | None``: where rotating tokens live when
        #: not the default (None: the stored credentials or a token file)
        self.token_stores: Callable[[str, str, ConnectionConfig], Any] | None = None
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def lock_for(self, tenant: str, name: str) -> asyncio.Lock:
        return self._locks.setdefault((tenant, name), asyncio.Lock())

    def stored(self, tenant: str, name: str) -> StoredConnection | None:
        return self.store.connections(tenant).get(name) if self.store is not None else None

    def credentials(self, tenant: str, name: str) -> dict[str, Any]:
        """The stored connection's credentials, decrypted (empty when there is none)."""
        stored = self.stored(tenant, name)
        return self._decrypt(name, stored.credentials) if stored is not None else {}

    def update_credentials(self, tenant: str, name: str, credentials: dict[str, Any]) -> None:
        stored = self.stored(tenant, name)
        if stored is None or self.store is None:
            return
        stored.credentials = self.vault.encrypt(credentials) if self.vault else credentials
        self.store.save_connection(tenant, stored)

    def _decrypt(self, name: str, credentials: dict[str, Any]) -> dict[str, Any]:
        if MARKER not in credentials:
            return dict(credentials)
        if self.vault is None:
            raise FlowInvalid(
                f"connection '{name}' was saved by the service with encrypted credentials and "
                "there is no key to read them: use the service's data folder (--data, it holds "
                "secret.key) or set MAPWRIGHT_SECRET_KEY to the service's key"
            )
        return self.vault.decrypt(credentials)

    def known(self, tenant: str) -> set[str]:
        names = set(self.configs) | set(self.instances)
        if self.store is not None:
            names |= set(self.store.connections(tenant))
        return names

    def config(self, tenant: str, name: str) -> ConnectionConfig:
        if name in self.configs:
            return self.configs[name]
        if self.store is not None:
            stored = self.store.connections(tenant).get(name)
            if stored is not None:
                return ConnectionConfig(
                    kind=stored.kind,
                    base_url=stored.base_url,
                    credentials=self._decrypt(name, stored.credentials),
                    options=dict(stored.options),
                    name=name,
                )
        known = ", ".join(sorted(self.known(tenant))) or "none"
        raise FlowInvalid(
            f"no connection called '{name}' (known: {known}); add [connections.{name}] "
            "with kind/base_url/credentials to mapwright.toml"
        )

    def build(self, tenant: str, name: str) -> Connector:
        if name in self.instances:
            return self.instances[name]
        config = self.config(tenant, name)
        declared = _declared(config.kind)
        cls = declared.connector_class()
        if declared.token_store:
            chosen = self.token_stores(tenant, name, config) if self.token_stores else None
            if chosen is not None:
                return cls(config, transport=self.transports.get(name), token_store=chosen)  # type: ignore[call-arg]
            if name not in self.configs and self.vault is not None:
                store = self.store_tokens(tenant, name)
                return cls(config, transport=self.transports.get(name), token_store=store)  # type: ignore[call-arg]
            config = self._with_token_file(config, tenant, name)
        return cls(config, transport=self.transports.get(name))

    def store_tokens(self, tenant: str, name: str) -> Any:
        """The connector's token store for a stored connection: its rotating tokens are
        written back into the (encrypted) credentials at once, under a lock per connection
        (the old refresh token dies as soon as its successor is used)."""
        return StoreTokenStore(self, tenant, name)

    def _with_token_file(
        self, config: ConnectionConfig, tenant: str, name: str
    ) -> ConnectionConfig:
        """Rotating refresh tokens (Exact Online) die once their successor is used: a
        connection configured with a bare ``refresh_token`` gets a token file (in
        ``token_dir``), seeded once from that token, so every later run uses the newest one."""
        creds = dict(config.credentials)
        oauth = _declared(config.kind).oauth
        seed = oauth.token_file_seed(creds, config.base_url) if oauth is not None else None
        if seed is None or self.token_dir is None:
            return config
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{tenant}-{name}")
        path = Path(self.token_dir) / f"{safe}.json"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(seed), encoding="utf-8")
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        creds["token_file"] = str(path)
        return ConnectionConfig(
            kind=config.kind,
            base_url=config.base_url,
            credentials=creds,
            options=dict(config.options),
            name=config.name,
        )

    def for_flow(self, tenant: str, flow: Flow) -> FlowConnectors:
        return FlowConnectors(self, tenant, flow)


def _declared(kind: str) -> registry.Declaration:
    try:
        return registry.declaration(kind)
    except registry.UnknownKind as exc:
        raise FlowInvalid(str(exc)) from None


def _default_token_dir(store: Store | None) -> Path | None:
    """Beside a SQLite store file (``<folder>/tokens``); ``MAPWRIGHT_TOKEN_DIR`` wins."""
    if os.environ.get("MAPWRIGHT_TOKEN_DIR"):
        return Path(os.environ["MAPWRIGHT_TOKEN_DIR"])
    if store is None:
        return None
    url = str(store.engine.url)
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return Path(url.removeprefix("sqlite:///")).resolve().parent / "tokens"
    return Path.home() / ".mapwright" / "tokens"


class StoreTokenStore:
    """A stored connection's rotating tokens inside its encrypted credentials, in the format
    of the connector's declared OAuth protocol; refreshes hold a lock per connection."""

    def __init__(self, connections: Connections, tenant: str, name: str):
        self.connections = connections
        self.tenant = tenant
        self.name = name
        oauth = _declared(connections.config(tenant, name).kind).oauth
        if oauth is None:
            raise FlowInvalid(f"connection '{name}': its connector keeps no tokens")
        self.tokens = oauth.token_store(
            lambda: connections.credentials(tenant, name),
            lambda credentials: connections.update_credentials(tenant, name, credentials),
            self.refresh_lock,
        )

    async def load(self) -> Any:
        return await self.tokens.load()

    async def save(self, tokens: Any) -> None:
        await self.tokens.save(tokens)

    @contextlib.asynccontextmanager
    async def refresh_lock(self) -> AsyncIterator[None]:
        async with self.connections.lock_for(self.tenant, self.name):
            yield


class FlowConnectors(Mapping[str, Connector]):
    """``system -> Connector`` for one run; builds on first use, ``aclose`` closes them."""

    def __init__(self, connections: Connections, tenant: str, flow: Flow):
        self.connections = connections
        self.tenant = tenant
        self.flow = flow
        self._built: dict[str, Connector] = {}
        self._known = connections.known(tenant)

    def __getitem__(self, system: str) -> Connector:
        if system not in self._built:
            name = self.flow.connection_for(system)
            if name not in self._known:
                raise KeyError(system)
            self._built[system] = self.connections.build(self.tenant, name)
        return self._built[system]

    def __contains__(self, system: Any) -> bool:
        if system in self._built:
            return True
        return self.flow.connection_for(str(system)) in self._known

    def __iter__(self) -> Iterator[str]:
        known = self._known
        systems = {s for s, n in self.flow.connections.items() if n in known}
        systems |= {n for n in known if n not in self.flow.connections.values()}
        return iter(sorted(systems | set(self._built)))

    def __len__(self) -> int:
        return len(list(iter(self)))

    async def aclose(self) -> None:
        owned = {id(instance) for instance in self.connections.instances.values()}
        for connector in self._built.values():
            if id(connector) not in owned:
                await connector.aclose()
        self._built.clear()
