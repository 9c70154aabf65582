"""Connections: from a name in a flow to a live connector instance.

A connection is a ``ConnectionConfig`` (kind, base URL, credentials, options) found in the
config file or the store (the file wins, so a local ``mapwright.toml`` can point any flow at
the sandboxes). ``Connections.for_flow`` gives the runner a mapping ``system -> Connector``
that builds each connector the first time the run needs it, so a flow only opens the
connections its script really uses.

``transports`` (connection name -> httpx transport) lets tests and demos plug a connection
into an in-process sandbox (``httpx.ASGITransport``); ``instances`` hands over ready-made
connector objects (their owner closes them).
"""

from __future__ import annotations

import importlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
from mapwright.connectors.base import CONNECTORS, ConnectionConfig, Connector
from mapwright.engine.errors import FlowInvalid
from mapwright.engine.flows import Flow
from mapwright.engine.store import Store


def connector_class(kind: str) -> type[Connector]:
    """The connector class registered for ``kind`` (imports its package on first use)."""
    if kind not in CONNECTORS:
        try:
            importlib.import_module(f"mapwright.connectors.{kind}")
        except ModuleNotFoundError as exc:
            if exc.name is None or not exc.name.startswith(f"mapwright.connectors.{kind}"):
                raise
    try:
        return CONNECTORS[kind]
    except KeyError:
        known = ", ".join(sorted(CONNECTORS)) or "none loaded"
        raise FlowInvalid(
            f"no connector of kind '{kind}'; known kinds: {known}. Fix 'kind' of the connection"
        ) from None


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
    ):
        self.token_dir = token_dir if token_dir is not None else _default_token_dir(store)
        self.configs = dict(configs or {})
        self.store = store
        self.transports = dict(transports or {})
        self.instances = dict(instances or {})

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
                    credentials=dict(stored.credentials),
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
        if config.kind in ROTATING_TOKENS:
            config = self._with_token_file(config, tenant, name)
        cls = connector_class(config.kind)
        return cls(config, transport=self.transports.get(name))

    def _with_token_file(
        self, config: ConnectionConfig, tenant: str, name: str
    ) -> ConnectionConfig:
        """Exact Online rotates its refresh token on every refresh, and the old one dies: a
        connection configured with a bare ``refresh_token`` gets a token file (in
        ``token_dir``), seeded once from that token, so every later run uses the newest one."""
        creds = dict(config.credentials)
        if creds.get("token_file") or not creds.get("refresh_token") or self.token_dir is None:
            return config
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{tenant}-{name}")
        path = Path(self.token_dir) / f"{safe}.json"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            seed = {
                "access_token": "",
                "refresh_token": creds["refresh_token"],
                "issued_at": 0.0,
                "expires_at": 0.0,
                "base_url": config.base_url or "",
            }
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


#: connector kinds whose refresh tokens rotate (the newest must be kept between runs)
ROTATING_TOKENS = {"exact_online"}


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
