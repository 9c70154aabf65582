"""What the routes share: the store, the vault, connections, the engine and its data services.

``Services`` is built once per app (``app.state.services``). Runs started through the API go
to the engine's in-process executor; the service adds its after-run steps to the engine's
hooks (``Engine.after_run``): drop payloads of flows that must not keep them, count metrics,
send alerts (and pause a flow after too many failures in a row). Every query on the tables
lives in the engine (``engine.data``: ``mapwright.engine.services``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from mapwright.api.auth import Principal
from mapwright.api.connections import SecureConnections
from mapwright.api.settings import ApiSettings
from mapwright.api.workers import ScriptPool
from mapwright.engine.executor import Executor, InProcessExecutor
from mapwright.engine.flows import FlowCatalog
from mapwright.engine.runs import Engine
from mapwright.engine.services import DEFAULT_OPTIONS, DataServices
from mapwright.engine.status import TERMINAL
from mapwright.engine.store import Store, utcnow
from mapwright.engine.vault import Vault

log = logging.getLogger("mapwright.api")

__all__ = ["DEFAULT_OPTIONS", "TERMINAL", "Services", "create_tenant"]


class Services:
    """The shared state of one app; see the module docstring."""

    def __init__(
        self,
        settings: ApiSettings,
        *,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ):
        from mapwright.api.alerts import Alerts
        from mapwright.api.metrics import Metrics

        self.settings = settings
        if settings.uses_data_dir():
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store.open(settings.database_url())
        self.vault = Vault(settings.secret_key)
        self.connections = SecureConnections(
            self.store,
            self.vault,
            transports=transports,
            egress=settings.egress_policy(),
            files_root=settings.files_root,
            descriptions_dir=settings.descriptions_dir,
        )
        self.catalog = FlowCatalog(store=self.store)
        self.engine = Engine(self.store, catalog=self.catalog, connections=self.connections)
        self.data = DataServices(self.store)
        self.executor: Executor = InProcessExecutor(
            self.engine.execute,
            after=self.engine.after,
            crashed=self.engine.crashed,
            report=self.engine.report,
            detach=True,
        )
        self.engine.executor = self.executor
        self.engine.after_run.append(self.after_run)
        self.clock = clock
        self.metrics = Metrics()
        self.alerts = Alerts(self)
        self.scripts = ScriptPool(
            size=settings.script_workers,
            per_tenant=settings.script_concurrency,
            timeout=settings.script_timeout,
            memory_mb=settings.script_memory_mb,
        )

    def close(self) -> None:
        self.scripts.close()
        self.store.close()

    # -- audit ------------------------------------------------------------------------------
    def audit(self, who: Principal | str, action: str, target: str, diff: Any = None) -> None:
        """Write one audit entry: who changed what, when, and the diff."""
        tenant = who.tenant if isinstance(who, Principal) else "-"
        actor = who.actor if isinstance(who, Principal) else who
        self.data.audit.write(tenant, actor, action, target, diff, at=self.clock())

    def audit_for(self, tenant: str, actor: str, action: str, target: str, diff: Any) -> None:
        self.data.audit.write(tenant, actor, action, target, diff, at=self.clock())

    # -- flow options -----------------------------------------------------------------------
    def options(self, tenant: str, flow: str) -> dict[str, Any]:
        return self.data.flows.options(tenant, flow)

    def set_options(self, tenant: str, flow: str, **values: Any) -> dict[str, Any]:
        return self.data.flows.set_options(tenant, flow, **values)

    # -- after a run ------------------------------------------------------------------------
    async def after_run(self, run_id: str) -> None:
        from mapwright.api.alerts import parked_threshold
        from mapwright.api.privacy import scrub_run

        run = self.store.run(run_id)
        options = self.options(run["tenant"], run["flow"])
        if not options["store_payloads"]:
            scrub_run(self, run_id)
        self.metrics.count_run(run, self.store.records(run_id))
        await self.alerts.after_run(run, options)
        await parked_threshold(self.alerts, run)


def create_tenant(services: Services, tenant: str, name: str | None = None) -> str:
    """Create ``tenant`` (if new) and issue an admin key for it; returns the key."""
    from mapwright.api.auth import issue_key

    services.store.ensure_tenant(tenant, name)
    _, key = issue_key(services.data.keys, tenant, "bootstrap-admin", "admin", reveal=True)
    services.audit_for(
        tenant, "system:cli", "key.create", "keys/bootstrap-admin", {"scope": "admin"}
    )
    return key
