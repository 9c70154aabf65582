"""Prometheus metrics: runs by outcome, records by outcome, calls per connector, quotas.

Each app has its own ``CollectorRegistry`` (several apps in one process, e.g. in tests, do
not clash). ``calls`` counts the HTTP attempts the per-record log reports per target system
plus connection tests; ``quota_remaining`` is filled from the connectors' declared quotas
minus the calls counted in the quota's window (a conservative estimate: the rate headers of
the real systems are read by the connectors' governors, which are per process).
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from mapwright.engine import connection_service
from mapwright.engine.store import Run
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.runs = Counter(
            "mapwright_runs", "Finished runs", ["flow", "status"], registry=self.registry
        )
        self.records = Counter(
            "mapwright_records", "Records processed", ["flow", "outcome"], registry=self.registry
        )
        self.calls = Counter(
            "mapwright_connector_calls",
            "Calls made to connected systems",
            ["connector"],
            registry=self.registry,
        )
        self.quota = Gauge(
            "mapwright_quota_remaining",
            "Calls left in the quota window (estimate)",
            ["connector", "quota"],
            registry=self.registry,
        )
        self.requests = Counter(
            "mapwright_http_requests",
            "API requests",
            ["method", "status"],
            registry=self.registry,
        )
        self._recent: dict[str, deque[float]] = {}

    def call(self, connector: str, n: int = 1) -> None:
        self.calls.labels(connector).inc(n)
        recent = self._recent.setdefault(connector, deque(maxlen=100_000))
        now = time.monotonic()
        for _ in range(n):
            recent.append(now)

    def count_run(self, run: Run, records: list[dict[str, Any]]) -> None:
        self.runs.labels(run["flow"], run["status"]).inc()
        for row in records:
            self.records.labels(run["flow"], row["outcome"]).inc()
            for op in row.get("operations") or []:
                system = str(op.get("target", "")).split(".", 1)[0]
                if system and op.get("attempts"):
                    self.call(system, int(op["attempts"]))

    def watch_store(self, store: Any) -> None:
        """Also report queue depth, run durations and shared quotas read from ``store`` at
        each scrape (the same numbers on every replica; ``engine/ops_metrics.py``)."""
        from mapwright.engine.ops_metrics import StoreCollector

        if not getattr(self, "_watching", False):
            self.registry.register(StoreCollector(store))
            self._watching = True

    def render(self) -> bytes:
        self._update_quotas()
        return generate_latest(self.registry)

    def _update_quotas(self) -> None:
        now = time.monotonic()
        for connector, recent in self._recent.items():
            for quota in connection_service.quotas(connector):
                used = sum(1 for at in recent if now - at <= quota.per_seconds)
                self.quota.labels(connector, quota.name).set(max(quota.limit - used, 0))
