"""``mapwright serve --demo``: everything needed to see mapwright work on a fresh machine.

1. the data folder with the SQLite store (and the secret key file, when the environment
   has none);
2. the sandboxes the connectors declare (Exact Online, BuchhaltungsButler, the shop:
   ``engine/connection_service.py``), seeded with realistic data (in memory: every start
   begins from the same seed data, so the demo tenant's cursors and ledger entries are
   reset at each start; runs and parked records stay);
   each is mounted into the service under ``/sandbox/<name>`` so a browser can look at
   them, and the connectors reach them in-process (no socket, no network);
3. a ``demo`` tenant with an admin key (created at the first start only; later starts
   reuse it - ``mapwright api tenant demo`` issues another), connections to the
   sandboxes and the built-in flows installed (disabled: enable them when the dry run
   looks right);
4. the built-in flows seeded as gallery templates;
5. the main job once: a dry run of the orders flow, whose counts are printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from mapwright.api.services import Services
from mapwright.api.settings import ApiSettings
from mapwright.engine import connection_service
from starlette.applications import Starlette
from starlette.routing import Mount

TENANT = "demo"


@dataclass
class Demo:
    """The sandboxes of a demo and how to reach them."""

    base_url: str
    apps: dict[str, Any] = field(default_factory=dict)
    transports: dict[str, httpx.AsyncBaseTransport] = field(default_factory=dict)
    connections: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: str | None = None  # None: an admin key exists from an earlier start
    reset: tuple[int, int] = (0, 0)  # cursors, ledger entries forgotten at this start
    report: dict[str, Any] | None = None


def secret_key(settings: ApiSettings) -> str:
    """The key from the environment, else the data folder's key file (created 0600)."""
    key = settings.key(create=True)
    assert key is not None
    return key


def build_sandboxes(base_url: str, data_dir: Path) -> Demo:
    """Create the sandbox apps; each answers under ``<base_url>/sandbox/<name>``, and the
    demo's connection to it is named after its connector kind."""
    demo = Demo(base_url.rstrip("/"))
    for sandbox in connection_service.sandbox_apps(seed=42, records=25):
        prefix = f"/sandbox/{sandbox.name}"
        url = demo.base_url + prefix
        demo.apps[prefix] = sandbox.app
        demo.transports[url] = httpx.ASGITransport(
            app=Starlette(routes=[Mount(prefix, app=sandbox.app)])
        )
        connection_url, credentials = sandbox.connection(url)
        demo.connections[sandbox.kind] = {
            "kind": sandbox.kind,
            "base_url": connection_url,
            "credentials": credentials,
        }
    return demo


def admin_key_exists(services: Services) -> bool:
    """The demo tenant has an admin key that is not revoked (from an earlier start)."""
    return services.data.keys.has_admin(TENANT)


def mount(app: FastAPI, demo: Demo) -> None:
    for prefix, sandbox in demo.apps.items():
        app.mount(prefix, sandbox)


async def seed(services: Services, demo: Demo) -> None:
    """Tenant, key, connections, built-in flows, gallery, and the first dry run."""
    from mapwright.api.app import VERSION
    from mapwright.api.connections import test_connection
    from mapwright.api.flows import save_version
    from mapwright.api.services import create_tenant
    from mapwright.api.templates import seed_gallery

    if admin_key_exists(services):
        demo.key = None  # the key of an earlier start still works; keys are shown once
    else:
        demo.key = create_tenant(services, TENANT, "Demo company")
    # the sandboxes start from their seed data on every start: cursors and ledger entries
    # of an earlier start point at records that no longer exist, so the demo forgets them
    demo.reset = services.store.reset_positions(TENANT)
    for name, conn in demo.connections.items():
        services.connections.save(
            TENANT, name, conn["kind"], conn["base_url"], dict(conn["credentials"]), {}
        )
        await test_connection(services.connections, TENANT, name)
    installed = services.store.flows(TENANT)
    for name, flow in sorted(services.catalog.builtin().items()):
        if name not in installed:
            save_version(
                services, TENANT, name, flow.script, {}, {}, False, "system:demo", "installed"
            )
            services.set_options(TENANT, name, origin={"builtin": name})
    seed_gallery(services, VERSION)
    flows = services.store.flows(TENANT)
    if "orders" in flows:
        report = await services.engine.run_flow(TENANT, "orders", dry_run=True)
        demo.report = {
            "flow": "orders",
            "run_id": report.run_id,
            "status": report.status,
            "counts": report.counts,
        }
