"""Metrics read from the store at scrape time, so every replica reports the whole deployment.

Runs are executed by any worker, so counters kept in one service process would see only
its own runs. ``StoreCollector`` (a prometheus-client collector) asks the database instead:

* ``mapwright_runs_queued`` / ``mapwright_runs_running`` per tenant and flow (queue depth);
* ``mapwright_run_duration_seconds`` (count and sum of finished runs) per tenant and flow;
* ``mapwright_quota_used`` / ``mapwright_quota_left`` per shared quota scope, key and quota
  (PostgreSQL with workers: the counts of ``engine/shared_quota.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.store import Store
from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily

log = logging.getLogger("mapwright.metrics")


class StoreCollector:
    """See the module docstring; register it on a ``CollectorRegistry``."""

    def __init__(self, store: Store):
        self.store = store

    def describe(self) -> list[Any]:
        return []  # collected on demand; nothing to check at registration

    def collect(self) -> Iterator[Any]:
        try:
            yield from self._runs()
            yield from self._quotas()
        except sa.exc.SQLAlchemyError:  # a scrape never fails the service
            log.warning("metrics: the store could not be read", exc_info=True)

    def _runs(self) -> Iterator[Any]:
        queued = GaugeMetricFamily(
            "mapwright_runs_queued", "Runs waiting for a worker", labels=["tenant", "flow"]
        )
        running = GaugeMetricFamily(
            "mapwright_runs_running", "Runs in progress", labels=["tenant", "flow"]
        )
        duration = SummaryMetricFamily(
            "mapwright_run_duration_seconds",
            "Duration of finished runs (kept in the store)",
            labels=["tenant", "flow"],
        )
        runs = t.runs
        with self.store.begin() as c:
            active = c.execute(
                sa.select(runs.c.tenant, runs.c.flow, runs.c.status, sa.func.count())
                .where(runs.c.status.in_(("queued", "running")))
                .group_by(runs.c.tenant, runs.c.flow, runs.c.status)
            ).all()
            finished = c.execute(
                sa.select(runs.c.tenant, runs.c.flow, runs.c.started_at, runs.c.finished_at).where(
                    runs.c.finished_at.is_not(None) & runs.c.started_at.is_not(None)
                )
            ).all()
        for tenant, flow, status, count in active:
            (queued if status == "queued" else running).add_metric([tenant, flow], count)
        counts: dict[tuple[str, str], int] = {}
        sums: dict[tuple[str, str], float] = {}
        for tenant, flow, started, ended in finished:
            counts[(tenant, flow)] = counts.get((tenant, flow), 0) + 1
            sums[(tenant, flow)] = sums.get((tenant, flow), 0.0) + max(
                (ended - started).total_seconds(), 0.0
            )
        for (tenant, flow), count in counts.items():
            duration.add_metric([tenant, flow], count_value=count, sum_value=sums[(tenant, flow)])
        yield queued
        yield running
        yield duration

    def _quotas(self) -> Iterator[Any]:
        if self.store.engine.dialect.name != "postgresql":
            return
        from mapwright.engine.shared_quota import calls, limits

        used = GaugeMetricFamily(
            "mapwright_quota_used",
            "Calls counted in the quota's window, all processes together",
            labels=["scope", "key", "quota"],
        )
        left = GaugeMetricFamily(
            "mapwright_quota_left",
            "Calls left in the quota's window, all processes together",
            labels=["scope", "key", "quota"],
        )
        insp = sa.inspect(self.store.engine)
        if not insp.has_table("mw_quota_limits"):
            return
        with self.store.begin() as c:
            now = float(
                c.execute(sa.text("SELECT extract(epoch from clock_timestamp())")).scalar() or 0
            )
            for scope, quota, limit, span in c.execute(sa.select(limits)).all():
                rows = c.execute(
                    sa.select(calls.c.key, sa.func.count())
                    .where(
                        calls.c.key.startswith(scope + "|", autoescape=True)
                        & (calls.c.quota == quota)
                        & (calls.c.at > now - span)
                    )
                    .group_by(calls.c.key)
                ).all()
                for key, count in rows:
                    label = [scope, key[len(scope) + 1 :], quota]
                    used.add_metric(label, count)
                    left.add_metric(label, max(limit - count, 0))
        yield used
        yield left
