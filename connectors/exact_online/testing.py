"""Test helpers: an Exact sandbox on a frozen clock and connectors wired to it in-process.

Used by the contract suite and usable by engine tests (no pytest dependency).

The contract suite also runs against the real API when these variables are set (opt-in):
``MAPWRIGHT_EXACT_CLIENT_ID``, ``MAPWRIGHT_EXACT_CLIENT_SECRET``, ``MAPWRIGHT_EXACT_TOKEN_FILE``
(written by ``mapwright connect exact-online``), optional ``MAPWRIGHT_EXACT_HOST`` (nl, be, …)
and ``MAPWRIGHT_EXACT_DIVISION``. It creates test records (accounts, items, orders).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import selectors
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from mapwright.connectors.base import ConnectionConfig
from mapwright.connectors.exact_online.auth import FileTokenStore, MemoryTokenStore, TokenSet
from mapwright.connectors.exact_online.client import ExactOnlineConnector
from mapwright.connectors.exact_online.sandbox import Clock, Sandbox, create_app, describe
from mapwright.connectors.sandbox import FaultOptions, SandboxOptions

BASE = "http://exact.test"
START = 1_800_000_000.0
REAL_VARS = (
    "MAPWRIGHT_EXACT_CLIENT_ID",
    "MAPWRIGHT_EXACT_CLIENT_SECRET",
    "MAPWRIGHT_EXACT_TOKEN_FILE",
)


@dataclass
class Target:
    """A connector plus, for the sandbox, the app behind it (``None`` for the real API)."""

    connector: ExactOnlineConnector
    sandbox: Sandbox | None
    clock: Clock | None


def make_sandbox(
    records: int = 12, *, latency_ms: int = 0, **extra: Any
) -> tuple[Any, Sandbox, Clock]:
    """A seeded sandbox on a frozen clock; ``latency_ms`` (real time, via the fault layer)
    makes every request yield, so concurrent callers really interleave."""
    clock = Clock(frozen_at=START)
    options = SandboxOptions(
        seed=7,
        records=records,
        faults=FaultOptions(latency_ms=latency_ms),
        extra={"clock": clock, **extra},
    )
    app = create_app(options)
    return app, app.state.sandbox, clock


def fake_sleep(clock: Clock) -> Callable[[float], Awaitable[None]]:
    """A sleep that advances the frozen clock instead of waiting. Concurrent sleepers each
    move it (the clock jumps by the sum, even past requests still in flight): for concurrent
    callers use a ``VirtualTimeLoop`` and ``asyncio.sleep``."""

    async def sleep(seconds: float) -> None:
        clock.advance(max(seconds, 0.0))
        await asyncio.sleep(0)

    return sleep


T = TypeVar("T")


class _VirtualSelector(selectors.DefaultSelector):
    """Where the event loop would block until its next timer, moves ``clock`` on to it."""

    def __init__(self, clock: Clock):
        super().__init__()
        self.clock = clock

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None or timeout <= 0:
            return super().select(timeout)
        ready = super().select(0)
        if not ready:
            self.clock.advance(timeout)
        return ready


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop on the frozen ``clock``: ``asyncio.sleep`` (the connector's, the fault
    layer's latency, a test's) takes no real time; whenever every task waits, the clock jumps
    to the next timer. Timers that fall due together run in the order they were set, so a
    run is the same every time. Not for code that waits on threads: their work would look
    instant next to the timers."""

    def __init__(self, clock: Clock):
        super().__init__(_VirtualSelector(clock))
        self.clock = clock
        self.start = clock.now()

    def time(self) -> float:
        # seconds since the loop started: near 0 a float still resolves the loop's
        # ``_clock_resolution`` (at epoch magnitude ``now + 1e-9 == now``, and a timer set for
        # exactly the time the clock jumped to would never count as due)
        return self.clock.now() - self.start


def run_virtual(main: Coroutine[Any, Any, T], clock: Clock) -> T:
    """Run ``main`` to completion on a ``VirtualTimeLoop`` of ``clock``."""
    loop = VirtualTimeLoop(clock)
    try:
        return loop.run_until_complete(main)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def expired_tokens(app: Any, clock: Clock, refresh: str | None = None) -> TokenSet:
    info = describe(app, BASE)
    now = clock.now()
    return TokenSet("at-expired", refresh or info["refresh_token"], now - 700, now - 100, BASE)


def make_connector(
    app: Any,
    clock: Clock,
    *,
    store: Any = None,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    **options: Any,
) -> ExactOnlineConnector:
    """A connector on ``app`` and ``clock``; ``sleep`` defaults to ``fake_sleep(clock)``
    (pass ``asyncio.sleep`` on a ``VirtualTimeLoop``)."""
    info = describe(app, BASE)
    config = ConnectionConfig(
        kind="exact_online",
        base_url=BASE,
        credentials={"client_id": info["client_id"], "client_secret": info["client_secret"]},
        options=options,
    )
    return ExactOnlineConnector(
        config,
        transport=httpx.ASGITransport(app=app),
        token_store=store or MemoryTokenStore(expired_tokens(app, clock)),
        clock=clock,
        sleep=sleep or fake_sleep(clock),
    )


def real_connector() -> ExactOnlineConnector:
    options: dict[str, Any] = {}
    if os.environ.get("MAPWRIGHT_EXACT_DIVISION"):
        options["division"] = int(os.environ["MAPWRIGHT_EXACT_DIVISION"])
    config = ConnectionConfig(
        kind="exact_online",
        base_url=os.environ.get("MAPWRIGHT_EXACT_HOST", "nl"),
        credentials={
            "client_id": os.environ["MAPWRIGHT_EXACT_CLIENT_ID"],
            "client_secret": os.environ["MAPWRIGHT_EXACT_CLIENT_SECRET"],
            "token_file": os.environ["MAPWRIGHT_EXACT_TOKEN_FILE"],
        },
        options=options,
    )
    return ExactOnlineConnector(config)


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free 127.0.0.1 port in a thread; yields its base URL."""
    import socket
    import threading

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def race_worker(
    base_url: str, client_id: str, client_secret: str, token_file: str, callers: int
) -> int:
    """One process of the cross-process refresh race: ``callers`` concurrent ``current/Me``
    calls through a connector on a shared token file; returns how many succeeded."""

    async def run() -> int:
        config = ConnectionConfig(
            kind="exact_online",
            base_url=base_url,
            credentials={"client_id": client_id, "client_secret": client_secret},
        )
        connector = ExactOnlineConnector(config, token_store=FileTokenStore(token_file))
        try:
            results = await asyncio.gather(*(connector.me() for _ in range(callers)))
        finally:
            await connector.aclose()
        return sum(1 for r in results if r.get("UserID"))

    return asyncio.run(run())
