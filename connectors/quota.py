"""Rate governor: keep calls within a connector's declared ``Quota`` data.

A ``RateGovernor`` holds the quotas of one system (``Connector.quotas``). Calls are counted
per *key* (the quota's scope instance: an Exact division, a BuchhaltungsButler api key). Before
each call a connector awaits ``acquire(key)``; the governor lets the call through when every
quota of the key has room in its sliding window (``limit`` calls in any ``per_seconds``),
otherwise it sleeps until the oldest call leaves the window.

What the server reports wins over our own count: ``observe_headers(key, headers)`` reads
remaining/reset values (declared per quota as ``RateHeader``), and ``pause(key, seconds)``
honours a ``Retry-After``. When the wait for room would be longer than ``max_wait`` (a daily
budget spent), ``acquire`` raises ``QuotaExhausted`` with ``resets_at`` instead of sleeping.

Several connector instances in one process share a governor through ``shared_governor(scope,
quotas)``. Across processes the engine installs a ``QuotaBackend`` (``set_backend``: counts
in PostgreSQL, ``engine/shared_quota.py``); ``shared_governor`` then hands out its governors,
behind the same ``acquire``/``observe_headers`` calls.
Clocks and sleep are injectable, so tests run on a fake clock.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from mapwright.connectors.base import Quota
from mapwright.connectors.errors import QuotaExhausted

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
ResetUnit = Literal["epoch_ms", "epoch_s", "seconds"]


@dataclass(frozen=True)
class RateHeader:
    """Where a server reports the state of quota ``quota``.

    ``reset_unit`` says how to read the reset header: ``epoch_ms`` (Exact), ``epoch_s``, or
    ``seconds`` from now.
    """

    quota: str
    remaining: str
    reset: str | None = None
    reset_unit: ResetUnit = "epoch_s"


@dataclass
class _Observed:
    remaining: int
    reset_at: float  # monotonic time the server's window resets
    used_since: int = 0


class RateGovernor:
    """Sliding-window limits per key for a set of quotas; see the module docstring."""

    def __init__(
        self,
        quotas: Iterable[Quota],
        *,
        headers: Sequence[RateHeader] = (),
        max_wait: float = 120.0,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ):
        self.quotas = {quota.name: quota for quota in quotas}
        for quota in self.quotas.values():
            if quota.limit < 1 or quota.per_seconds <= 0:
                raise ValueError(
                    f"quota {quota.name!r}: limit must be >= 1 and per_seconds > 0 "
                    f"(got {quota.limit} per {quota.per_seconds}s)"
                )
        self.headers = tuple(headers)
        for header in self.headers:
            if header.quota not in self.quotas:
                raise ValueError(
                    f"rate header {header.remaining!r} names unknown quota {header.quota!r}; "
                    f"known: {', '.join(sorted(self.quotas))}"
                )
        self.max_wait = max_wait
        self.clock = clock
        self.wall_clock = wall_clock
        self.sleep = sleep
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self._observed: dict[tuple[str, str], _Observed] = {}
        self._paused_until: dict[str, float] = {}
        self._lock = threading.Lock()

    async def acquire(self, key: str = "") -> None:
        """Wait until a call for ``key`` fits every quota, then count it.

        Raises ``QuotaExhausted`` when room would only come after more than ``max_wait``.
        """
        while True:
            wait = self._try_acquire(key)
            if wait is None:
                return
            await self.sleep(wait)

    def _try_acquire(self, key: str) -> float | None:
        with self._lock:
            now = self.clock()
            waits = [self._paused_until.get(key, now) - now]
            for quota in self.quotas.values():
                waits.append(self._wait_for(key, quota, now))
            wait = max(waits)
            if wait > self.max_wait:
                name = self._binding_quota(key, now, wait)
                raise QuotaExhausted(
                    f"quota {name!r} for {key or 'this connection'} is spent; room again in "
                    f"{wait:.0f}s. Wait for the reset or raise the plan's limit.",
                    resets_at=self.wall_clock() + wait,
                    code="quota_exhausted",
                )
            if wait > 0:
                return wait
            for quota in self.quotas.values():
                self._calls.setdefault((key, quota.name), deque()).append(now)
                observed = self._observed.get((key, quota.name))
                if observed is not None:
                    observed.used_since += 1
            return None

    def _wait_for(self, key: str, quota: Quota, now: float) -> float:
        calls = self._calls.get((key, quota.name))
        wait = 0.0
        if calls is not None:
            while calls and calls[0] <= now - quota.per_seconds:
                calls.popleft()
            if len(calls) >= quota.limit:
                wait = calls[len(calls) - quota.limit] + quota.per_seconds - now
        observed = self._observed.get((key, quota.name))
        if observed is not None:
            if now >= observed.reset_at:
                del self._observed[(key, quota.name)]
            elif observed.remaining - observed.used_since <= 0:
                wait = max(wait, observed.reset_at - now)
        return wait

    def _binding_quota(self, key: str, now: float, wait: float) -> str:
        for quota in self.quotas.values():
            if self._wait_for(key, quota, now) >= wait:
                return quota.name
        return "retry-after pause"

    def observe(
        self, key: str, quota: str, *, remaining: int, reset_in: float | None = None
    ) -> None:
        """Record what the server says: ``remaining`` calls until ``reset_in`` seconds.

        Without a reset time the report holds for one window of the quota.
        """
        if quota not in self.quotas:
            raise ValueError(f"unknown quota {quota!r}; known: {', '.join(sorted(self.quotas))}")
        with self._lock:
            now = self.clock()
            window = self.quotas[quota].per_seconds if reset_in is None else max(reset_in, 0.0)
            self._observed[(key, quota)] = _Observed(max(remaining, 0), now + window)

    def observe_headers(self, key: str, headers: Mapping[str, str]) -> None:
        """Feed rate-limit response headers (as declared in ``headers=``) for ``key``."""
        lowered = {name.lower(): value for name, value in headers.items()}
        for spec in self.headers:
            raw = lowered.get(spec.remaining.lower())
            if raw is None:
                continue
            try:
                remaining = int(float(raw))
            except ValueError:
                continue
            self.observe(
                key, spec.quota, remaining=remaining, reset_in=self._reset_in(spec, lowered)
            )

    def _reset_in(self, spec: RateHeader, headers: Mapping[str, str]) -> float | None:
        raw = headers.get(spec.reset.lower()) if spec.reset else None
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            return None
        if spec.reset_unit == "epoch_ms":
            return value / 1000 - self.wall_clock()
        if spec.reset_unit == "epoch_s":
            return value - self.wall_clock()
        return value

    def pause(self, key: str, seconds: float) -> None:
        """Let no call for ``key`` through for ``seconds`` (a 429's ``Retry-After``)."""
        with self._lock:
            until = self.clock() + max(seconds, 0.0)
            self._paused_until[key] = max(self._paused_until.get(key, until), until)

    def used(self, key: str, quota: str) -> int:
        """Calls counted in the current window of ``quota`` for ``key``."""
        with self._lock:
            now = self.clock()
            self._wait_for(key, self.quotas[quota], now)
            return len(self._calls.get((key, quota), ()))


_SHARED: dict[str, RateGovernor] = {}
_SHARED_LOCK = threading.Lock()


class QuotaBackend(Protocol):
    """Counts shared by every process (the engine's database-backed ``SharedQuotas``)."""

    def governor(
        self, scope: str, quotas: Iterable[Quota], headers: Sequence[RateHeader] = ()
    ) -> RateGovernor: ...

    def pacer(self, scope: str, quotas: Iterable[Quota]) -> Any: ...

    def budget(self, scope: str, limit: int, window: float) -> Any: ...


_BACKEND: QuotaBackend | None = None
#: caches of shared counters elsewhere (BB's pacers) to drop when the backend changes
_ON_CHANGE: list[Callable[[], None]] = []


def set_backend(backend: QuotaBackend | None) -> None:
    """Count every shared quota of this process in ``backend`` (None: in memory again)."""
    global _BACKEND
    with _SHARED_LOCK:
        _BACKEND = backend
        _SHARED.clear()
    for clear in _ON_CHANGE:
        clear()


def on_backend_change(clear: Callable[[], None]) -> None:
    """Call ``clear`` whenever ``set_backend`` changes the backend (drop cached counters)."""
    _ON_CHANGE.append(clear)


def backend() -> QuotaBackend | None:
    """The installed shared backend, if any (connectors ask before making their own count)."""
    return _BACKEND


def shared_governor(
    scope: str, quotas: Iterable[Quota], *, headers: Sequence[RateHeader] = ()
) -> RateGovernor:
    """The process-wide governor for ``scope`` (e.g. ``"exact-online"``), made on first use.

    Every connector instance of a system passes the same scope and so shares one count.
    """
    with _SHARED_LOCK:
        governor = _SHARED.get(scope)
        if governor is None:
            if _BACKEND is not None:
                governor = _BACKEND.governor(scope, tuple(quotas), headers)
            else:
                governor = RateGovernor(quotas, headers=headers)
            _SHARED[scope] = governor
        return governor
