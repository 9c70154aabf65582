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
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

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
    """A sleep that advances the frozen clock instead of waiting."""

    async def sleep(seconds: float) -> None:
        clock.advance(max(seconds, 0.0))
        await asyncio.sleep(0)

    return sleep


def expired_tokens(app: Any, clock: Clock, refresh: str | None = None) -> TokenSet:
    info = describe(app, BASE)
    now = clock.now()
    return TokenSet("at-expired", refresh or info["refresh_token"], now - 700, now - 100, BASE)


def make_connector(
    app: Any, clock: Clock, *, store: Any = None, **options: Any
) -> ExactOnlineConnector:
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
        sleep=fake_sleep(clock),
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
