"""The three sandboxes in-process and an engine wired to them (for end-to-end flow tests)."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from mapwright.connectors.base import ConnectionConfig, Connector
from mapwright.connectors.sandbox import FaultOptions, SandboxOptions
from mapwright.engine.connections import Connections
from mapwright.engine.flows import FlowCatalog
from mapwright.engine.retry import RetryPolicy
from mapwright.engine.runs import Engine
from mapwright.engine.store import Store

MODULES = {
    "exact_online": "mapwright.connectors.exact_online.sandbox",
    "buchhaltungsbutler": "mapwright.connectors.buchhaltungsbutler.sandbox",
    "shop": "mapwright.connectors.shop.sandbox",
}
BASES = {
    "exact_online": "http://exact.sandbox",
    "buchhaltungsbutler": "http://bb.sandbox",
    "shop": "http://shop.sandbox",
}


@dataclass
class World:
    """Sandbox apps, their connection configs, an engine over a SQLite store."""

    apps: dict[str, Any]
    configs: dict[str, ConnectionConfig]
    engine: Engine
    store: Store
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    def client(self, system: str) -> httpx.AsyncClient:
        """A raw HTTP client to a sandbox, to look at what a flow really wrote."""
        if system not in self.clients:
            self.clients[system] = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.apps[system]), base_url=BASES[system]
            )
        return self.clients[system]

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()
        self.store.close()


def _config(
    system: str,
    info: dict[str, Any],
    bb_per_minute: int | None = None,
    exact_per_minute: int | None = None,
) -> ConnectionConfig:
    if system == "exact_online":
        # a bare refresh token, as a user pastes it: the engine keeps the rotated tokens in
        # a token file beside the store, so the next run does not reuse a dead token
        creds = {k: info[k] for k in ("client_id", "client_secret", "refresh_token")}
        options = {} if exact_per_minute is None else {"minutely_limit": exact_per_minute}
        return ConnectionConfig(
            kind=system, base_url=info["base_url"], credentials=creds, name=system, options=options
        )
    if system == "buchhaltungsbutler":
        return ConnectionConfig(
            kind=system,
            base_url=info["base_url"],
            credentials=dict(info["credentials"]),
            name=system,
            options={} if bb_per_minute is None else {"requests_per_minute": bb_per_minute},
        )
    return ConnectionConfig(
        kind="shop",
        base_url=info["base_url"],
        credentials={"api_key": info["api_key"]},
        name=system,
    )


def build(
    tmp_path: Path,
    *,
    records: int = 12,
    seed: int = 11,
    faults: dict[str, FaultOptions] | None = None,
    bb_per_minute: int | None = None,
    exact_per_minute: int | None = None,
) -> World:
    """``bb_per_minute`` / ``exact_per_minute``: accounts with other request limits than
    BuchhaltungsButler's 100 and Exact's 60 a minute (each sandbox enforces its limit, the
    connectors pace to it by their connection options), so that
    worlds of hundreds of receipts do not spend minutes waiting for the quota."""
    apps: dict[str, Any] = {}
    configs: dict[str, ConnectionConfig] = {}
    transports: dict[str, httpx.AsyncBaseTransport] = {}
    for system, module_name in MODULES.items():
        module = importlib.import_module(module_name)
        extra: dict[str, Any] = {}
        if system == "buchhaltungsbutler" and bb_per_minute is not None:
            extra["rate_limit"] = bb_per_minute
        if system == "exact_online" and exact_per_minute is not None:
            extra["minutely_limit"] = exact_per_minute
        options = SandboxOptions(
            seed=seed,
            records=records,
            faults=(faults or {}).get(system, FaultOptions()),
            extra=extra,
        )
        app = module.create_app(options)
        apps[system] = app
        configs[system] = _config(
            system, module.describe(app, BASES[system]), bb_per_minute, exact_per_minute
        )
        transports[system] = httpx.ASGITransport(app=app)
    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    catalog = FlowCatalog(store=store)
    connections = Connections(configs, store=store, transports=transports)
    engine = Engine(
        store,
        catalog=catalog,
        connections=connections,
        retry=RetryPolicy(base_delay=0.0, max_delay=0.0),
    )
    return World(apps, configs, engine, store)


@contextlib.asynccontextmanager
async def connector(world: World, system: str, tenant: str = "acme") -> AsyncIterator[Connector]:
    """A live connector to one sandbox, built the way the engine builds it for ``tenant``
    (so it shares the tenant's rotated Exact tokens)."""
    live = world.engine.connections.build(tenant, system)
    try:
        yield live
    finally:
        await live.aclose()
