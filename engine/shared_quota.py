"""One quota per connection across every process: call counts kept in PostgreSQL.

The connectors count calls with an in-process ``RateGovernor`` (Exact), ``Pacer`` (BB) and
``ErrorBudget`` (Exact's error budget). With several workers each would spend the full limit,
so ``SharedQuotas`` (installed by ``engine.scale.enable_sharing`` through
``connectors.quota.set_backend``) gives them the same interface backed by two tables:

* ``mw_quota_calls``: one row per granted call (and per counted error) with its time;
* ``mw_quota_state``: what the server last reported (remaining calls until a reset time, the
  calls granted since) and a pause (``Retry-After``/429) per key.

A grant is one short transaction under ``pg_advisory_xact_lock`` of the key: drop rows that
left the window, count, insert when every quota has room, else answer how long to wait.
Times are the database's clock (``clock_timestamp()``), so processes on several machines agree.

Windows are sliding (no ``limit + 1`` calls in any ``per_seconds`` span, plus ``margin``
seconds for the time a request takes to reach the server), which stays within a server that
counts fixed windows (Exact counts per clock minute). Rate headers only ever tighten the
count: when the server reports fewer remaining calls than our count leaves (another app, a
call outside mapwright), callers wait for the server's reset.

The tables and the grant function ``mw_quota_reserve2`` belong to the alembic history
(revision 0005, ``engine/schema.py``): ``Store.open`` migrates the store to head first.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from mapwright.connectors.base import Quota
from mapwright.connectors.errors import QuotaExhausted
from mapwright.connectors.quota import RateGovernor, RateHeader
from mapwright.engine import schema
from mapwright.engine.store import Store
from sqlalchemy.dialects import postgresql, sqlite

calls = schema.quota_calls
state = schema.quota_state
limits = schema.quota_limits
PAUSE = "*pause*"
MARGIN = 1.0


class SharedQuotas:
    """The backend ``connectors.quota.set_backend`` takes; see the module docstring."""

    def __init__(self, store: Store, *, margin: float = MARGIN):
        self.store = store
        self.margin = margin

    # -- what connectors ask for ------------------------------------------------------------
    def governor(
        self, scope: str, quotas: Iterable[Quota], headers: Sequence[RateHeader] = ()
    ) -> SharedGovernor:
        quotas = tuple(quotas)
        self.declare(scope, quotas)
        return SharedGovernor(self, scope, quotas, headers=headers)

    def pacer(self, scope: str, quotas: Iterable[Quota]) -> SharedPacer:
        quotas = tuple(quotas)
        self.declare(scope, quotas)
        return SharedPacer(self, scope, quotas)

    def declare(self, scope: str, quotas: Sequence[Quota]) -> None:
        """Remember a scope's limits (for ``/metrics``: quota left per connection)."""
        if not quotas:
            return
        rows = [
            {"scope": scope, "quota": q.name, "lim": q.limit, "span": float(q.per_seconds)}
            for q in quotas
        ]
        with self.store.begin() as c:
            # one statement that cannot race: processes starting together declare the same
            # scope at once (an UPDATE-then-INSERT lost that race with a duplicate key)
            dialect = postgresql if c.dialect.name == "postgresql" else sqlite
            insert = dialect.insert(limits).values(rows)
            c.execute(
                insert.on_conflict_do_update(
                    index_elements=[limits.c.scope, limits.c.quota],
                    set_={"lim": insert.excluded.lim, "span": insert.excluded.span},
                )
            )

    def budget(self, scope: str, limit: int, window: float) -> Any:
        """Exact's error budget (``limits.ErrorBudget``) counted in the database."""
        from mapwright.connectors.exact_online.limits import BUDGET_STATUSES, ErrorBudget

        shared = self

        class SharedBudget(ErrorBudget):
            def _live(self, key: tuple[str, str]) -> deque[float]:
                return deque(sorted(shared.count(_budget_key(scope, key), "errors", self.window)))

            def record(self, division: str, endpoint: str, status: int) -> None:
                if status in BUDGET_STATUSES:
                    shared.record(_budget_key(scope, (division, endpoint)), "errors")

        return SharedBudget(limit, window, clock=time.time)

    # -- the database side --------------------------------------------------------------------
    def now(self, c: sa.Connection) -> float:
        now = c.execute(sa.text("SELECT extract(epoch from clock_timestamp())")).scalar()
        return float(now or 0.0)

    def lock(self, c: sa.Connection, key: str) -> None:
        # counts are bookkeeping, not data: no disk flush per grant (a database crash forgets
        # the last few milliseconds of counts, and the server's rate headers correct that)
        c.execute(sa.text("SET LOCAL synchronous_commit = off"))
        c.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 7))"), {"k": key})

    def reserve(
        self,
        key: str,
        quotas: Sequence[Quota],
        *,
        observed: bool = True,
        lock: str | None = None,
        counted: Sequence[str] = (),
        like: str = "",
    ) -> tuple[float, str]:
        """Count one call for ``key`` when every quota has room: ``(0, "")``; else the wait
        in seconds and the quota that binds. One round trip (``mw_quota_reserve2``).

        The calls counted against the limits are those of ``key``, of ``counted`` and of
        every key ``LIKE like``; ``lock`` (default ``key``) serialises grants that share
        counts."""
        spans = [q.per_seconds + (self.margin if q.per_seconds < 3600 else 0.0) for q in quotas]
        with self.store.begin() as c:
            row = c.execute(
                sa.text(
                    "SELECT * FROM mw_quota_reserve2(:lock, :k, :counted, :like, :names, "
                    ":limits, :spans, :observed)"
                ),
                {
                    "lock": lock or key,
                    "counted": [key, *counted],
                    "like": like,
                    "k": key,
                    "names": [q.name for q in quotas],
                    "limits": [q.limit for q in quotas],
                    "spans": spans,
                    "observed": observed,
                },
            ).one()
        return float(row.wait), str(row.binding)

    def observe(self, key: str, quota: str, remaining: int, reset_in: float) -> None:
        with self.store.begin() as c:
            self.lock(c, key)
            now = self.now(c)
            self._upsert(c, key, quota, max(remaining, 0), now + max(reset_in, 0.0))

    def pause(self, key: str, seconds: float) -> None:
        with self.store.begin() as c:
            self.lock(c, key)
            now = self.now(c)
            row = c.execute(
                sa.select(state.c.reset_at).where((state.c.key == key) & (state.c.quota == PAUSE))
            ).first()
            until = max(now + max(seconds, 0.0), row.reset_at if row is not None else 0.0)
            self._upsert(c, key, PAUSE, 0, until)

    def _upsert(self, c: sa.Connection, key: str, quota: str, remaining: int, reset: float) -> None:
        values = {"remaining": remaining, "reset_at": reset, "used_since": 0}
        where = (state.c.key == key) & (state.c.quota == quota)
        if c.execute(state.update().where(where).values(**values)).rowcount == 0:
            c.execute(state.insert().values(key=key, quota=quota, **values))

    def count(self, key: str, quota: str, window: float) -> list[float]:
        """Times of the calls counted for ``key``/``quota`` in the last ``window`` seconds."""
        with self.store.begin() as c:
            now = self.now(c)
            where = (calls.c.key == key) & (calls.c.quota == quota) & (calls.c.at > now - window)
            return [float(v) for v in c.execute(sa.select(calls.c.at).where(where)).scalars()]

    def record(self, key: str, quota: str) -> None:
        with self.store.begin() as c:
            c.execute(sa.text("SET LOCAL synchronous_commit = off"))
            c.execute(calls.insert().values(key=key, quota=quota, at=self.now(c)))


class SharedGovernor(RateGovernor):
    """A ``RateGovernor`` whose counts, observations and pauses live in the database."""

    def __init__(
        self,
        shared: SharedQuotas,
        scope: str,
        quotas: Iterable[Quota],
        *,
        headers: Sequence[RateHeader] = (),
        max_wait: float = 120.0,
    ):
        super().__init__(quotas, headers=headers, max_wait=max_wait)
        self.shared = shared
        self.scope = scope

    def _key(self, key: str) -> str:
        return f"{self.scope}|{key}"

    async def acquire(self, key: str = "") -> None:
        """Calls without a key (Exact's ``current/Me``, before the division is known) count
        against every key of the scope, and every key's calls count them: exact for one
        division, on the safe side for several."""
        quotas = tuple(self.quotas.values())
        shared = self.shared
        scope = f"{self.scope}|"
        extra: dict[str, Any]
        if key:
            extra = {"counted": (scope,), "lock": scope}
        else:
            extra = {"like": scope.replace("%", r"\%").replace("_", r"\_") + "%", "lock": scope}
        while True:
            wait, binding = await asyncio.to_thread(
                lambda: shared.reserve(self._key(key), quotas, **extra)
            )
            if wait <= 0:
                return
            if wait > self.max_wait:
                raise QuotaExhausted(
                    f"quota {binding!r} for {key or 'this connection'} is spent; room again in "
                    f"{wait:.0f}s. Wait for the reset or raise the plan's limit.",
                    resets_at=time.time() + wait,
                    code="quota_exhausted",
                )
            await self.sleep(wait)

    def observe(
        self, key: str, quota: str, *, remaining: int, reset_in: float | None = None
    ) -> None:
        """Keep what the server reports when it can bind: a report of plenty left is not
        written (one write per response would cost more than the call), so an older, tighter
        report stays until its reset, which errs on the safe side."""
        if quota not in self.quotas:
            raise ValueError(f"unknown quota {quota!r}; known: {', '.join(sorted(self.quotas))}")
        if remaining > max(5, self.quotas[quota].limit // 10):
            return
        window = self.quotas[quota].per_seconds if reset_in is None else reset_in
        self.shared.observe(self._key(key), quota, remaining, window)

    def pause(self, key: str, seconds: float) -> None:
        self.shared.pause(self._key(key), seconds)

    def used(self, key: str, quota: str) -> int:
        window = self.quotas[quota].per_seconds
        return len(self.shared.count(self._key(key), quota, window))


class SharedPacer:
    """BuchhaltungsButler's ``Pacer`` (per-endpoint quotas) with counts in the database."""

    def __init__(self, shared: SharedQuotas, scope: str, quotas: Iterable[Quota]):
        self.shared = shared
        self.scope = scope
        self.quotas = {quota.name: quota for quota in quotas}
        self.sleep = asyncio.sleep

    def applicable(self, endpoint: str) -> tuple[Quota, ...]:
        return tuple(q for q in self.quotas.values() if not q.endpoints or endpoint in q.endpoints)

    async def acquire(self, key: str, endpoint: str) -> None:
        quotas = self.applicable(endpoint)
        while True:
            wait, _ = await asyncio.to_thread(
                self.shared.reserve, f"{self.scope}|{key}", quotas, observed=False
            )
            if wait <= 0:
                return
            await self.sleep(wait)

    def pause(self, key: str, seconds: float) -> None:
        self.shared.pause(f"{self.scope}|{key}", seconds)


def _budget_key(scope: str, key: tuple[str, str]) -> str:
    return f"{scope}|{key[0]}|{key[1]}"
