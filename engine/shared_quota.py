"""One quota per connection across every process: call counts kept in PostgreSQL.

The connectors count calls with an in-process ``RateGovernor`` (Exact), ``Pacer`` (BB) and
``ErrorBudget`` (Exact's error budget). With several workers each would spend the full limit,
so ``SharedQuotas`` (installed by ``engine.scale.enable_sharing`` through
``connectors.quota.set_backend``) gives them the same interface backed by two tables:

* ``mw_quota_calls``: one row per granted call (and per counted error) with its time;
* ``mw_quota_state``: what the server last reported (remaining calls until a reset time, the
  calls that may reach it on top of that) and a pause (``Retry-After``/429) per key.

A grant is one short transaction under ``pg_advisory_xact_lock`` of the key: drop rows that
left the window, count, insert when every quota has room, else answer how long to wait.
Times are the database's clock (``clock_timestamp()``), so processes on several machines agree.

``SharedGovernor`` counts like the in-process governor (``connectors/quota.py``): a call from
its grant until its answer, then for one window (``mw_quota_reserve3`` writes its rows
``HOLD`` seconds ahead, "in flight"; ``mw_quota_finish`` moves them to the answer's time), so
a server counting arrivals in fixed windows (Exact: per clock minute) never sees more than the
limit, whatever the latencies; a call never answered (its process died) counts for ``HOLD``
seconds and one window. Windows get ``margin`` seconds more on top. Rate headers only ever
tighten the count: of one server window the report with the fewest remaining is kept, and the
calls in flight when it came and every grant since count against it; an answer showing more
remaining reached the server before it and stops counting. When the server reports fewer
remaining calls than that leaves (another app, a call outside mapwright), callers wait for
the server's reset. ``SharedPacer`` (BB) counts at the grant (``mw_quota_reserve2``).

The tables and the grant functions belong to the alembic history (revisions 0005 and 0006,
``engine/schema.py``): ``Store.open`` migrates the store to head first.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from mapwright.connectors.base import Quota
from mapwright.connectors.errors import QuotaExhausted
from mapwright.connectors.quota import Call, RateGovernor, RateHeader, Report
from mapwright.engine import schema
from mapwright.engine.store import Store
from sqlalchemy.dialects import postgresql, sqlite

calls = schema.quota_calls
state = schema.quota_state
limits = schema.quota_limits
PAUSE = "*pause*"
MARGIN = 1.0
#: seconds a granted call counts as in flight at most (never answered: its process died)
HOLD = 300.0


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
        spans = self.spans(quotas)
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

    def grant(
        self,
        key: str,
        quotas: Sequence[Quota],
        *,
        lock: str,
        counted: Sequence[str] = (),
        like: str = "",
        hold: float = HOLD,
    ) -> tuple[float, str, list[int], float]:
        """A call for ``key`` counted from now until ``finish``: ``(0, "", its row ids, the
        grant time)`` when every quota has room, else ``(wait, binding quota, [], now)``. One
        round trip (``mw_quota_reserve3``); counts as in ``reserve``."""
        with self.store.begin() as c:
            row = c.execute(
                sa.text(
                    "SELECT * FROM mw_quota_reserve3(:lock, :k, :counted, :like, :names, "
                    ":limits, :spans, :hold)"
                ),
                {
                    "lock": lock,
                    "k": key,
                    "counted": [key, *counted],
                    "like": like,
                    "names": [q.name for q in quotas],
                    "limits": [q.limit for q in quotas],
                    "spans": self.spans(quotas),
                    "hold": hold,
                },
            ).one()
        return float(row.wait), str(row.binding), list(row.ids), float(row.granted)

    def finish(
        self,
        key: str,
        quotas: Sequence[Quota],
        reports: Mapping[str, Report],
        *,
        lock: str,
        ids: Sequence[int] = (),
        granted: float | None = None,
        counted: Sequence[str] = (),
        like: str = "",
    ) -> None:
        """The call granted as ``ids`` at ``granted`` is answered now (no ids: a report not
        tied to a call), with the server's ``reports`` per quota. One round trip
        (``mw_quota_finish``). A report is written when it can bind (a report of plenty left
        is not: one write per response would cost more than the call)."""
        named = [q for q in quotas if q.name in reports]
        if not named and not ids:
            return
        with self.store.begin() as c:
            c.execute(
                sa.text(
                    "SELECT mw_quota_finish(:lock, :k, :counted, :like, "
                    "CAST(:ids AS bigint[]), :granted, CAST(:names AS text[]), "
                    "CAST(:remaining AS int[]), CAST(:reset AS float8[]), "
                    "CAST(:spans AS float8[]), CAST(:below AS int[]))"
                ),
                {
                    "lock": lock,
                    "k": key,
                    "counted": [key, *counted],
                    "like": like,
                    "ids": list(ids),
                    "granted": granted,
                    "names": [q.name for q in named],
                    "remaining": [reports[q.name][0] for q in named],
                    "reset": [reports[q.name][1] for q in named],
                    "spans": [float(q.per_seconds) for q in named],
                    "below": [max(5, q.limit // 10) for q in named],
                },
            )

    def spans(self, quotas: Sequence[Quota]) -> list[float]:
        """Each quota's window plus ``margin`` (windows under an hour)."""
        return [q.per_seconds + (self.margin if q.per_seconds < 3600 else 0.0) for q in quotas]

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

    def in_flight(self, key: str, quota: str) -> int:
        """Calls granted for ``key`` and not answered yet (rows held ahead of now)."""
        with self.store.begin() as c:
            now = self.now(c)
            where = (calls.c.key == key) & (calls.c.quota == quota) & (calls.c.at > now)
            return int(c.execute(sa.select(sa.func.count()).where(where)).scalar() or 0)

    def record(self, key: str, quota: str) -> None:
        with self.store.begin() as c:
            c.execute(sa.text("SET LOCAL synchronous_commit = off"))
            c.execute(calls.insert().values(key=key, quota=quota, at=self.now(c)))


@dataclass(eq=False)
class SharedCall(Call):
    """A call granted in the database: its rows there and the grant time (database clock)."""

    ids: list[int] = field(default_factory=list)
    granted: float | None = None


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

    def _counting(self, key: str) -> dict[str, Any]:
        """Calls without a key (Exact's ``current/Me``, before the division is known) count
        against every key of the scope, and every key's calls count them: exact for one
        division, on the safe side for several."""
        scope = f"{self.scope}|"
        if key:
            return {"counted": (scope,), "lock": scope}
        return {"like": scope.replace("%", r"\%").replace("_", r"\_") + "%", "lock": scope}

    async def acquire(self, key: str = "") -> Call:
        quotas = tuple(self.quotas.values())
        shared = self.shared
        extra = self._counting(key)
        while True:
            wait, binding, ids, granted = await asyncio.to_thread(
                lambda: shared.grant(self._key(key), quotas, **extra)
            )
            if wait <= 0:
                return SharedCall(self, key, self.clock(), ids=ids, granted=granted)
            if wait > self.max_wait:
                raise QuotaExhausted(
                    f"quota {binding!r} for {key or 'this connection'} is spent; room again in "
                    f"{wait:.0f}s. Wait for the reset or raise the plan's limit.",
                    resets_at=time.time() + wait,
                    code="quota_exhausted",
                )
            await self.sleep(wait)

    def finish(self, call: Call, headers: Mapping[str, str] | None = None) -> None:
        """Move the call's rows to the answer's time and take its rate reports: one round
        trip per call (``SharedQuotas.finish``)."""
        if call.finished_at is not None:
            return
        call.finished_at = self.clock()
        reports = self._reports(headers) if headers else {}
        ids = call.ids if isinstance(call, SharedCall) else []
        granted = call.granted if isinstance(call, SharedCall) else None
        self.shared.finish(
            self._key(call.key),
            tuple(self.quotas.values()),
            reports,
            ids=ids,
            granted=granted,
            **self._counting(call.key),
        )

    def observe(
        self, key: str, quota: str, *, remaining: int, reset_in: float | None = None
    ) -> None:
        """A report not tied to a call: every call in flight counts against it."""
        if quota not in self.quotas:
            raise ValueError(f"unknown quota {quota!r}; known: {', '.join(sorted(self.quotas))}")
        self.shared.finish(
            self._key(key),
            (self.quotas[quota],),
            {quota: (remaining, reset_in)},
            **self._counting(key),
        )

    def in_flight(self, key: str) -> int:
        return self.shared.in_flight(self._key(key), next(iter(self.quotas)))

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
