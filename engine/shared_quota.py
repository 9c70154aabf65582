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
from mapwright.engine.store import Store

metadata = sa.MetaData()
calls = sa.Table(
    "mw_quota_calls",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("quota", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("mw_quota_calls_key", "key", "quota", "at"),
)
state = sa.Table(
    "mw_quota_state",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("quota", sa.Text, primary_key=True),
    sa.Column("remaining", sa.Integer, nullable=False, default=0),
    sa.Column("reset_at", sa.Float, nullable=False, default=0.0),
    sa.Column("used_since", sa.Integer, nullable=False, default=0),
)
PAUSE = "*pause*"
MARGIN = 1.0


class SharedQuotas:
    """The backend ``connectors.quota.set_backend`` takes; see the module docstring."""

    def __init__(self, store: Store, *, margin: float = MARGIN):
        self.store = store
        self.margin = margin
        metadata.create_all(store.engine, checkfirst=True)

    # -- what connectors ask for ------------------------------------------------------------
    def governor(
        self, scope: str, quotas: Iterable[Quota], headers: Sequence[RateHeader] = ()
    ) -> SharedGovernor:
        return SharedGovernor(self, scope, quotas, headers=headers)

    def pacer(self, scope: str, quotas: Iterable[Quota]) -> SharedPacer:
        return SharedPacer(self, scope, quotas)

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
        c.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 7))"), {"k": key})

    def reserve(
        self, key: str, quotas: Sequence[Quota], *, observed: bool = True
    ) -> tuple[float, str]:
        """Count one call for ``key`` when every quota has room: ``(0, "")``; else the wait
        in seconds and the quota that binds."""
        with self.store.begin() as c:
            self.lock(c, key)
            now = self.now(c)
            rows = {
                row.quota: row
                for row in c.execute(sa.select(state).where(state.c.key == key)).all()
            }
            wait, binding = 0.0, ""
            pause = rows.get(PAUSE)
            if pause is not None and pause.reset_at > now:
                wait, binding = pause.reset_at - now, "retry-after pause"
            for quota in quotas:
                span = quota.per_seconds + (self.margin if quota.per_seconds < 3600 else 0.0)
                where = (calls.c.key == key) & (calls.c.quota == quota.name)
                c.execute(calls.delete().where(where & (calls.c.at <= now - span)))
                count = c.execute(sa.select(sa.func.count()).where(where)).scalar() or 0
                if count >= quota.limit:
                    oldest = c.execute(
                        sa.select(calls.c.at)
                        .where(where)
                        .order_by(calls.c.at)
                        .offset(count - quota.limit)
                        .limit(1)
                    ).scalar()
                    need = float(oldest or now) + span - now
                    if need > wait:
                        wait, binding = need, quota.name
                seen = rows.get(quota.name) if observed else None
                if (
                    seen is not None
                    and seen.remaining - seen.used_since <= 0
                    and seen.reset_at - now > wait
                ):
                    wait, binding = seen.reset_at - now, quota.name
            if wait > 0:
                return wait, binding
            if quotas:
                c.execute(
                    calls.insert(), [{"key": key, "quota": q.name, "at": now} for q in quotas]
                )
            c.execute(
                state.update()
                .where((state.c.key == key) & (state.c.quota != PAUSE))
                .values(used_since=state.c.used_since + 1)
            )
            return 0.0, ""

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
        quotas = tuple(self.quotas.values())
        while True:
            wait, binding = await asyncio.to_thread(self.shared.reserve, self._key(key), quotas)
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
        if quota not in self.quotas:
            raise ValueError(f"unknown quota {quota!r}; known: {', '.join(sorted(self.quotas))}")
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
