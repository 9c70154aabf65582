"""Idempotent run starts: the same ``Idempotency-Key`` (per tenant) gives the same run.

The key is stored with a hash of the request; a repeat with the same hash gets the first
run, a repeat with another hash is refused (``KeyReused``). Two starts racing with one key:
the database's primary key lets one win; the loser's run is cancelled before it did any work
(its lock is released) and the winner's run is answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.errors import EngineError
from mapwright.engine.status import RunStatus
from mapwright.engine.store import Store, utcnow

if TYPE_CHECKING:
    from mapwright.engine.runs import Engine


class KeyReused(EngineError):
    """The idempotency key was used for a different request."""


@dataclass(frozen=True)
class StartedRun:
    run_id: str
    #: False: the run of an earlier identical request (nothing new was started)
    fresh: bool


class RunStarts:
    def __init__(self, store: Store):
        self.store = store

    def first_run(self, tenant: str, key: str, request_hash: str) -> str | None:
        """The run an earlier request with this key started, if any."""
        with self.store.begin() as c:
            row = c.execute(
                sa.select(t.idempotency).where(
                    (t.idempotency.c.tenant == tenant) & (t.idempotency.c.key == key)
                )
            ).first()
        if row is None:
            return None
        if row.request_hash != request_hash:
            raise KeyReused("this Idempotency-Key was used for a different request; use a new key")
        return str(row.run_id)

    def start(
        self,
        engine: Engine,
        tenant: str,
        flow: str,
        *,
        key: str | None,
        request_hash: str,
        **options: Any,
    ) -> StartedRun:
        """Start a run (``Engine.start``) unless ``key`` already started one."""
        if key is None:
            return StartedRun(engine.start(tenant, flow, **options), True)
        earlier = self.first_run(tenant, key, request_hash)
        if earlier is not None:
            return StartedRun(earlier, False)
        run_id = engine.start(tenant, flow, **options)
        try:
            with self.store.begin() as c:
                c.execute(
                    t.idempotency.insert().values(
                        tenant=tenant,
                        key=key,
                        request_hash=request_hash,
                        run_id=run_id,
                        created_at=utcnow(),
                    )
                )
        except sa.exc.IntegrityError:
            self.store.update_run(
                run_id, status=RunStatus.CANCELLED.value, error="duplicate request"
            )
            engine.lock.release(tenant, flow, run_id)
            first = self.first_run(tenant, key, request_hash)
            assert first is not None
            return StartedRun(first, False)
        return StartedRun(run_id, True)
