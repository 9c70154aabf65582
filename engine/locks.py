"""One active run per flow and tenant: a lock row in the database, with a lease.

Acquiring inserts a row keyed by (tenant, flow); the primary key makes a second insert fail,
in SQLite and PostgreSQL alike, across processes and machines. A row is taken over only when
its holder is gone: the lease ran out (the holder refreshes it after every page), or the holder
was a process on this host that no longer exists (a killed run). The takeover is a
compare-and-set on the old run id, so two contenders cannot both win.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.errors import RunRefused
from mapwright.engine.store import Store, as_utc, utcnow

DEFAULT_LEASE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class LockHolder:
    run_id: str
    host: str
    pid: int
    acquired_at: dt.datetime
    expires_at: dt.datetime


class RunLock:
    """The per-(tenant, flow) run lock. ``acquire`` raises ``RunRefused`` when it is held."""

    def __init__(self, store: Store, *, lease: dt.timedelta = DEFAULT_LEASE):
        self.store = store
        self.lease = lease
        self.host = socket.gethostname()
        self.pid = os.getpid()

    def acquire(self, tenant: str, flow: str, run_id: str) -> LockHolder | None:
        """Take the lock for ``run_id``; returns the stale holder it replaced, if any."""
        now = utcnow()
        values = {
            "run_id": run_id,
            "host": self.host,
            "pid": self.pid,
            "acquired_at": now,
            "expires_at": now + self.lease,
        }
        try:
            with self.store.begin() as c:
                c.execute(t.locks.insert().values(tenant=tenant, flow=flow, **values))
            return None
        except sa.exc.IntegrityError:
            pass
        holder = self.holder(tenant, flow)
        if holder is None:
            return self.acquire(tenant, flow, run_id)
        if not self._is_stale(holder, now):
            raise RunRefused(
                f"flow '{flow}' is already running for tenant '{tenant}' (run {holder.run_id}, "
                f"started {holder.acquired_at:%Y-%m-%d %H:%M:%S} UTC on {holder.host}); "
                "wait for it to finish, or look at it with 'mapwright runs show "
                f"{holder.run_id[:8]}'",
                active_run=holder.run_id,
            )
        with self.store.begin() as c:
            taken = c.execute(
                t.locks.update()
                .where(
                    (t.locks.c.tenant == tenant)
                    & (t.locks.c.flow == flow)
                    & (t.locks.c.run_id == holder.run_id)
                )
                .values(**values)
            ).rowcount
        if taken != 1:
            return self.acquire(tenant, flow, run_id)
        return holder

    def holder(self, tenant: str, flow: str) -> LockHolder | None:
        with self.store.begin() as c:
            row = c.execute(
                sa.select(t.locks).where((t.locks.c.tenant == tenant) & (t.locks.c.flow == flow))
            ).first()
        if row is None:
            return None
        return LockHolder(
            row.run_id,
            row.host,
            row.pid,
            as_utc(row.acquired_at) or utcnow(),
            as_utc(row.expires_at) or utcnow(),
        )

    def refresh(self, tenant: str, flow: str, run_id: str) -> bool:
        """Extend the lease; False when the lock is no longer ours (someone took it over)."""
        with self.store.begin() as c:
            return (
                c.execute(
                    t.locks.update()
                    .where(
                        (t.locks.c.tenant == tenant)
                        & (t.locks.c.flow == flow)
                        & (t.locks.c.run_id == run_id)
                    )
                    .values(expires_at=utcnow() + self.lease, host=self.host, pid=self.pid)
                ).rowcount
                == 1
            )

    def release(self, tenant: str, flow: str, run_id: str) -> None:
        with self.store.begin() as c:
            c.execute(
                t.locks.delete().where(
                    (t.locks.c.tenant == tenant)
                    & (t.locks.c.flow == flow)
                    & (t.locks.c.run_id == run_id)
                )
            )

    def _is_stale(self, holder: LockHolder, now: dt.datetime) -> bool:
        if holder.expires_at <= now:
            return True
        return holder.host == self.host and not _process_alive(holder.pid)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
