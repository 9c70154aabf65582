"""Pacing BuchhaltungsButler calls: 100 per minute per customer plus per-endpoint limits.

BB limits every customer account (``api_key``) to 100 requests per minute across all
endpoints, ``/receipts/upload`` to 10 per minute and the two ``addBatch`` endpoints to one
request per 5 seconds (reference notes §3). BB sends no rate-limit headers, so the only
protection is to count: ``Pacer.acquire(key, endpoint)`` waits until the call fits the general
quota *and* the endpoint's own quotas in a sliding window (strictest reading: no ``limit + 1``
calls in any ``per_seconds`` span), then stamps the call in all of them at once. Checking and
stamping happen without an ``await`` in between, so concurrent tasks cannot overshoot.

Why not ``connectors.quota.RateGovernor``: a governor applies *every* quota it holds to every
call, while BB's upload and batch quotas hold only for their endpoints (``Quota.endpoints``);
waiting in two governors one after the other would stamp the first one too early. Clock and
sleep are injectable so tests run on a fake clock.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable

from mapwright.connectors.base import Quota

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """Sliding-window limits per key; a quota without ``endpoints`` applies to every call."""

    def __init__(
        self,
        quotas: Iterable[Quota],
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ):
        self.quotas = {quota.name: quota for quota in quotas}
        for quota in self.quotas.values():
            if quota.limit < 1 or quota.per_seconds <= 0:
                raise ValueError(f"quota {quota.name!r} needs limit >= 1 and per_seconds > 0")
        self.clock = clock
        self.sleep = sleep
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self._paused_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def applicable(self, endpoint: str) -> tuple[Quota, ...]:
        """The quotas a call to ``endpoint`` counts against."""
        return tuple(q for q in self.quotas.values() if not q.endpoints or endpoint in q.endpoints)

    async def acquire(self, key: str, endpoint: str) -> None:
        """Wait until a call to ``endpoint`` for ``key`` fits every applicable quota."""
        quotas = self.applicable(endpoint)
        while True:
            wait = self._try(key, quotas)
            if wait <= 0:
                return
            await self.sleep(wait)

    def _try(self, key: str, quotas: tuple[Quota, ...]) -> float:
        with self._lock:
            now = self.clock()
            wait = self._paused_until.get(key, now) - now
            for quota in quotas:
                calls = self._calls.setdefault((key, quota.name), deque())
                while calls and calls[0] <= now - quota.per_seconds:
                    calls.popleft()
                if len(calls) >= quota.limit:
                    wait = max(wait, calls[len(calls) - quota.limit] + quota.per_seconds - now)
            if wait > 0:
                return wait
            for quota in quotas:
                self._calls[(key, quota.name)].append(now)
            return 0.0

    def pause(self, key: str, seconds: float) -> None:
        """Let no call for ``key`` through for ``seconds`` (after a throttling answer)."""
        with self._lock:
            until = self.clock() + max(seconds, 0.0)
            self._paused_until[key] = max(self._paused_until.get(key, until), until)


_SHARED: dict[str, Pacer] = {}
_SHARED_LOCK = threading.Lock()


def _forget() -> None:
    with _SHARED_LOCK:
        _SHARED.clear()


def _watch_backend() -> None:
    from mapwright.connectors.quota import on_backend_change

    on_backend_change(_forget)


_watch_backend()


def shared_pacer(scope: str, make: Callable[[], Pacer]) -> Pacer:
    """The process-wide pacer for ``scope`` (one per BB base URL), made on first use."""
    from mapwright.connectors.quota import backend

    with _SHARED_LOCK:
        pacer = _SHARED.get(scope)
        if pacer is None:
            shared = backend()  # counted in the database for every process (engine/shared_quota)
            pacer = _SHARED[scope] = (
                shared.pacer(scope, make().quotas.values()) if shared else make()
            )
        return pacer
