"""What the routes share: the store, the vault, connections, the engine and the run executor.

``Services`` is built once per app (``app.state.services``). Runs started through the API go
to ``RunExecutor``, an in-process executor like the engine's, that also calls the service's
after-run steps once a run has finished: drop payloads of flows that must not keep them,
count metrics, send alerts (and pause a flow after too many failures in a row).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import sqlalchemy as sa
from mapwright.api import schema as t
from mapwright.api.auth import Principal
from mapwright.api.connections import SecureConnections
from mapwright.api.settings import ApiSettings
from mapwright.api.workers import ScriptPool
from mapwright.engine.executor import EventHandler
from mapwright.engine.flows import FlowCatalog
from mapwright.engine.runs import Engine
from mapwright.engine.store import Store, utcnow
from mapwright.engine.vault import Vault

log = logging.getLogger("mapwright.api")

TERMINAL = ("succeeded", "partial", "failed", "cancelled")
DEFAULT_OPTIONS: dict[str, Any] = {
    "origin": {},
    "schedule": None,
    "next_run_at": None,
    "store_payloads": True,
    "redact": [],
    "pause_after": 3,
    "failures": 0,
    "alerting": False,
    "paused_reason": None,
}


class RunExecutor:
    """Runs queued runs as asyncio tasks and calls ``after`` when each has finished."""

    def __init__(self, services: Services):
        self.services = services
        self.tasks: dict[str, asyncio.Task[Any]] = {}

    def submit(self, run_id: str, on_event: EventHandler | None = None) -> None:
        loop = asyncio.get_running_loop()
        self.tasks[run_id] = loop.create_task(self._go(run_id, on_event), name=f"run-{run_id}")

    async def _go(self, run_id: str, on_event: EventHandler | None) -> Any:
        try:
            return await self.services.engine.execute(run_id, on_event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a crash must still end the run
            log.exception("run %s crashed", run_id)
            run = self.services.store.run(run_id)
            if run["status"] in ("queued", "running"):
                self.services.store.update_run(
                    run_id,
                    status="failed",
                    error=f"internal error: {type(exc).__name__}",
                    finished_at=utcnow(),
                )
            return None
        finally:
            try:
                await self.services.after_run(run_id)
            except Exception:  # noqa: BLE001 - after-run steps never break a run
                log.exception("after-run steps of run %s failed", run_id)

    async def wait(self, run_id: str) -> Any:
        task = self.tasks.get(run_id)
        if task is None:
            return self.services.engine.report(run_id)
        try:
            return await asyncio.shield(task)
        finally:
            if task.done():
                self.tasks.pop(run_id, None)

    async def cancel(self, run_id: str) -> bool:
        task = self.tasks.get(run_id)
        if task is None or task.done():
            return False
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return True

    async def drain(self) -> None:
        """Wait for every submitted run (shutdown, tests)."""
        pending = [task for task in self.tasks.values() if not task.done()]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


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
        self.executor = RunExecutor(self)
        self.engine.executor = self.executor
        self.clock = clock
        self.metrics = Metrics()
        self.alerts = Alerts(self)
        self.scripts = ScriptPool(
            size=settings.script_workers,
            per_tenant=settings.script_concurrency,
            timeout=settings.script_timeout,
            memory_mb=settings.script_memory_mb,
        )

    @property
    def db(self) -> sa.Engine:
        return self.store.engine

    def close(self) -> None:
        self.scripts.close()
        self.store.close()

    # -- audit ------------------------------------------------------------------------------
    def audit(self, who: Principal | str, action: str, target: str, diff: Any = None) -> None:
        """Write one audit entry: who changed what, when, and the diff."""
        tenant = who.tenant if isinstance(who, Principal) else "-"
        actor = who.actor if isinstance(who, Principal) else who
        with self.db.begin() as c:
            c.execute(
                t.audit_log.insert().values(
                    tenant=tenant,
                    actor=actor,
                    action=action,
                    target=target,
                    diff=diff if diff is not None else {},
                    at=self.clock(),
                )
            )

    def audit_for(self, tenant: str, actor: str, action: str, target: str, diff: Any) -> None:
        with self.db.begin() as c:
            c.execute(
                t.audit_log.insert().values(
                    tenant=tenant,
                    actor=actor,
                    action=action,
                    target=target,
                    diff=diff,
                    at=self.clock(),
                )
            )

    # -- flow options -----------------------------------------------------------------------
    def options(self, tenant: str, flow: str) -> dict[str, Any]:
        with self.db.begin() as c:
            row = (
                c.execute(
                    sa.select(t.flow_options).where(
                        (t.flow_options.c.tenant == tenant) & (t.flow_options.c.flow == flow)
                    )
                )
                .mappings()
                .first()
            )
        data = dict(DEFAULT_OPTIONS)
        if row is not None:
            data.update({k: v for k, v in row.items() if k not in ("tenant", "flow")})
        return data

    def set_options(self, tenant: str, flow: str, **values: Any) -> dict[str, Any]:
        current = self.options(tenant, flow)
        if not values:  # nothing to change (an empty UPDATE is not valid SQL)
            return current
        current.update(values)
        where = (t.flow_options.c.tenant == tenant) & (t.flow_options.c.flow == flow)
        with self.db.begin() as c:
            if c.execute(t.flow_options.update().where(where).values(**values)).rowcount == 0:
                c.execute(t.flow_options.insert().values(tenant=tenant, flow=flow, **current))
        return current

    def drop_options(self, tenant: str, flow: str) -> None:
        with self.db.begin() as c:
            for table in (t.flow_options, t.flow_versions, t.alert_channels):
                c.execute(table.delete().where((table.c.tenant == tenant) & (table.c.flow == flow)))

    # -- after a run ------------------------------------------------------------------------
    async def after_run(self, run_id: str) -> None:
        from mapwright.api.privacy import scrub_run

        run = self.store.run(run_id)
        options = self.options(run["tenant"], run["flow"])
        if not options["store_payloads"]:
            scrub_run(self, run_id)
        self.metrics.count_run(run, self.store.records(run_id))
        await self.alerts.after_run(run, options)
