"""The three sandboxes in-process for benchmarks: rate limits lifted, every HTTP call counted.

Like ``tests/builtin_mappings/flow_sandboxes.build`` (whose ``World`` it returns), but each
sandbox transport is wrapped in a ``CountingTransport`` (calls per method + path, and the time
spent inside the sandbox), and the sandboxes' and connectors' rate limits are raised so that
a benchmark measures our code, not configured waits. Also: a probe for the sizes the BB
sandbox seed can make (it loops forever once a country's unique debtor names run out).
"""

from __future__ import annotations

import dataclasses
import importlib
import multiprocessing
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "builtin_mappings"))

from flow_sandboxes import BASES, MODULES, World  # noqa: E402
from mapwright.connectors.base import ConnectionConfig  # noqa: E402
from mapwright.connectors.sandbox import SandboxOptions  # noqa: E402
from mapwright.engine.connections import Connections  # noqa: E402
from mapwright.engine.flows import FlowCatalog  # noqa: E402
from mapwright.engine.retry import RetryPolicy  # noqa: E402
from mapwright.engine.runs import Engine  # noqa: E402
from mapwright.engine.store import Store  # noqa: E402

__all__ = ["Bench", "CountingTransport", "World", "bb_rows", "exact_rows", "make_world"]

HIGH = 10_000_000
#: sandbox settings (SandboxOptions.extra) that lift the configured rate limits
SANDBOX_EXTRA: dict[str, dict[str, Any]] = {
    "exact_online": {"minutely_limit": HIGH, "daily_limit": HIGH, "token_calls_per_day": HIGH},
    "buchhaltungsbutler": {"rate_limit": HIGH, "batch_interval_seconds": 0.001},
    "shop": {},
}
#: connector settings (ConnectionConfig.options) that lift the client-side pacing
CONNECTION_OPTIONS: dict[str, dict[str, Any]] = {
    "exact_online": {"minutely_limit": HIGH, "daily_limit": HIGH},
    "buchhaltungsbutler": {"requests_per_minute": HIGH},
    "shop": {},
}

_GUID_KEY = re.compile(r"\(guid'[^']*'\)")
_NUMBER = re.compile(r"/\d+(?=/|$)")


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts each request by method + path (numbers and keys folded) before passing it on."""

    def __init__(self, inner: httpx.AsyncBaseTransport, counts: Counter[str]):
        self.inner = inner
        self.counts = counts
        self.seconds = 0.0  # time spent inside the sandbox app (and the ASGI transport)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = _NUMBER.sub("/{n}", _GUID_KEY.sub("(…)", request.url.path))
        self.counts[f"{request.method} {path}"] += 1
        start = time.perf_counter()
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.seconds += time.perf_counter() - start

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclasses.dataclass
class Bench:
    world: World
    counts: dict[str, Counter[str]]
    transports: dict[str, CountingTransport]

    def reset(self) -> None:
        for counter in self.counts.values():
            counter.clear()
        for transport in self.transports.values():
            transport.seconds = 0.0

    def http_seconds(self) -> float:
        return sum(t.seconds for t in self.transports.values())

    def total(self, system: str) -> int:
        return sum(self.counts[system].values())


def connection(system: str, info: dict[str, Any]) -> ConnectionConfig:
    """The connection to one sandbox, from what its ``describe`` prints, pacing lifted."""
    if system == "exact_online":
        creds = {k: info[k] for k in ("client_id", "client_secret", "refresh_token")}
    elif system == "buchhaltungsbutler":
        creds = dict(info["credentials"])
    else:
        creds = {"api_key": info["api_key"]}
    kind = "shop" if system == "shop" else system
    return ConnectionConfig(
        kind=kind,
        base_url=info["base_url"],
        credentials=creds,
        name=system,
        options=dict(CONNECTION_OPTIONS[system]),
    )


def _seed_bb(seed: int, records: int) -> None:
    from mapwright.connectors.buchhaltungsbutler.sandbox.seed import seed_records

    seed_records(seed, records)


def bb_seed_works(seed: int, records: int, timeout: float = 5.0) -> bool:
    """Whether the BB sandbox seed can make ``records`` records (it loops forever once the
    unique debtor names of a country run out), tried in a child process with a time limit."""
    child = multiprocessing.get_context("fork").Process(target=_seed_bb, args=(seed, records))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        return False
    return child.exitcode == 0


def feasible_records(seed: int, wanted: int) -> int:
    """``wanted``, or the largest count below it the BB seed can make (binary search)."""
    if bb_seed_works(seed, wanted):
        return wanted
    low, high = 1, wanted  # low works (assumed), high does not
    while high - low > 10:
        middle = (low + high) // 2
        if bb_seed_works(seed, middle):
            low = middle
        else:
            high = middle
    return low


def make_world(folder: Path, *, records: int, seed: int, store_url: str | None = None) -> Bench:
    """Like ``flow_sandboxes.build``, with rate limits lifted and counting transports; the
    store is SQLite in ``folder`` unless ``store_url`` names another."""
    apps: dict[str, Any] = {}
    configs: dict[str, ConnectionConfig] = {}
    counts: dict[str, Counter[str]] = {}
    transports: dict[str, CountingTransport] = {}
    for system, module_name in MODULES.items():
        module = importlib.import_module(module_name)
        options = SandboxOptions(seed=seed, records=records, extra=dict(SANDBOX_EXTRA[system]))
        app = module.create_app(options)
        apps[system] = app
        configs[system] = connection(system, module.describe(app, BASES[system]))
        counts[system] = Counter()
        transports[system] = CountingTransport(httpx.ASGITransport(app=app), counts[system])
    store = Store.open(store_url or f"sqlite:///{folder / 'store.db'}")
    connections = Connections(configs, store=store, transports=dict(transports))
    # the world's rotating Exact tokens live and die with it (a PostgreSQL store would
    # otherwise share ~/.mapwright/tokens with every earlier world)
    connections.token_dir = folder / "tokens"
    engine = Engine(
        store,
        catalog=FlowCatalog(store=store),
        connections=connections,
        retry=RetryPolicy(base_delay=0.0, max_delay=0.0),
    )
    return Bench(World(apps, configs, engine, store), counts, transports)


def exact_rows(world: World, table: str) -> list[dict[str, Any]]:
    return list(world.apps["exact_online"].state.sandbox.store.table(table).values())


def bb_rows(world: World, table: str) -> list[dict[str, Any]]:
    return list(world.apps["buchhaltungsbutler"].state.bb.store.all(table))
