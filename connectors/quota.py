"""Rate governor: keep calls within a connector's declared ``Quota`` data.

A ``RateGovernor`` holds the quotas of one system (``Connector.quotas``). Calls are counted
per *key* (the quota's scope instance: an Exact division, a REST connection); a call without a
key (Exact's ``current/Me``, before the division is known) counts against every key, and every
key's calls count against it (Exact counts ``current/Me`` against the current division).

Each request is one ``Call``: ``call = await governor.acquire(key)`` waits until the call fits
every quota of the key; ``call.finish(response.headers)`` once its answer is in, or
``call.finish()`` when there is none (a transport error, a cancelled send).
``send_with_retry`` (``connectors/http.py``) does both; a call never finished counts as in
flight for ``stale_after`` seconds.

Why a call counts until its answer: a server counts a request when it *arrives*, in windows of
its own (Exact: per clock minute), and a request arrives somewhere between ``acquire`` and its
answer. So a call counts while in flight and for ``per_seconds`` after its answer, and the
next call may go when fewer than ``limit`` are counted. Then no span of ``per_seconds``,
wherever the server's window edges lie, sees more than ``limit`` arrivals under any latency:
of the calls arriving in one window take the last one acquired, at ``t``; every other one
arrived after the window opened, later than ``t - per_seconds``, so at ``t`` it was in flight
or answered less than ``per_seconds`` earlier, and counted. (Counting at ``acquire`` instead
let calls sent late in one window land in the next, on top of that window's own.)

What the server reports tightens the count: ``finish`` reads remaining/reset values (declared
per quota as ``RateHeader``). A report covers the calls that reached the server before it,
not those still on the way, and answers come back in any order. Within one server window
(one reset time) the server's count only grows, so the report with the fewest remaining is
the newest: the governor keeps that one, and counts against it every call that may reach the
server after it (in flight when it came, acquired since, or ended without a report after it
was sent); a call whose own report shows more remaining arrived earlier and stops counting.
A report without a reset time holds for one window of the quota and counts every call that
ended after it was sent as well. Epoch reset times get ``EPOCH_RESET_MARGIN`` seconds more
(our wall clock and the server's may differ a little). ``observe``/``observe_headers`` take a
report not tied to a call (a report of "now": every call in flight counts against it), and
``pause(key, seconds)`` honours a ``Retry-After``. When the wait for room would be longer than
``max_wait`` (a daily budget spent), ``acquire`` raises ``QuotaExhausted`` with ``resets_at``
instead of sleeping.

Several connector instances in one process share a governor through ``shared_governor(scope,
quotas)``. Across processes the engine installs a ``QuotaBackend`` (``set_backend``: counts
in PostgreSQL, ``engine/shared_quota.py``); ``shared_governor`` then hands out its governors,
behind the same ``acquire``/``finish`` calls.
Clocks and sleep are injectable, so tests run on a fake clock.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from mapwright.connectors.base import Quota
from mapwright.connectors.errors import QuotaExhausted

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
ResetUnit = Literal["epoch_ms", "epoch_s", "seconds"]
#: seconds added to a reset given as a wall-clock time (picqer's Exact client adds 1 s too)
EPOCH_RESET_MARGIN = 1.0
#: a call not finished after this many seconds counts as answered then (a lost ``finish``)
STALE_AFTER = 600.0


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


@dataclass(eq=False)
class Call:
    """One call the governor let through: counted as in flight from ``acquire`` until
    ``finish``, then for each quota's window."""

    governor: RateGovernor
    key: str
    acquired_at: float
    finished_at: float | None = None

    def finish(self, headers: Mapping[str, str] | None = None) -> None:
        """The call's answer is in (``headers``: its response headers, read for rate
        reports) or it ended without one; a second ``finish`` does nothing."""
        self.governor.finish(self, headers)


#: a server report for one quota: (remaining calls, seconds until its window resets or None)
Report = tuple[int, float | None]


@dataclass(eq=False)
class _Observed:
    """The newest server report for one key and quota, and what may come on top of it."""

    remaining: int
    reset_at: float  # clock time the server's window resets
    known: bool  # the server named the reset: reports of one window compare
    pending: set[Call] = field(default_factory=set)  # may reach the server after the report
    ended: int = 0  # ended after it was sent without a report of its own (or any, if unknown)

    def left(self) -> int:
        return self.remaining - self.ended - len(self.pending)


class _Lane:
    """The counts of one key."""

    __slots__ = ("flying", "ended", "unreported", "observed")

    def __init__(self, names: Iterable[str]):
        self.flying: dict[Call, None] = {}  # in acquire order
        self.ended: dict[str, deque[float]] = {name: deque() for name in names}
        self.unreported: dict[str, deque[float]] = {name: deque() for name in names}
        self.observed: dict[str, _Observed] = {}


def _since(times: deque[float], start: float) -> int:
    """How many of the ascending ``times`` are at or after ``start``."""
    n = 0
    for at in reversed(times):
        if at < start:
            break
        n += 1
    return n


class RateGovernor:
    """Limits per key for a set of quotas, counting calls until answered; see the module
    docstring."""

    def __init__(
        self,
        quotas: Iterable[Quota],
        *,
        headers: Sequence[RateHeader] = (),
        max_wait: float = 120.0,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
        stale_after: float = STALE_AFTER,
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
        self.stale_after = stale_after
        self._lanes: dict[str, _Lane] = {}
        self._paused_until: dict[str, float] = {}
        self._lock = threading.Lock()

    async def acquire(self, key: str = "") -> Call:
        """Wait until a call for ``key`` fits every quota, then count it as in flight; the
        caller finishes the returned ``Call`` when the answer is in.

        Raises ``QuotaExhausted`` when room would only come after more than ``max_wait``.
        """
        while True:
            granted = self._try_acquire(key)
            if isinstance(granted, Call):
                return granted
            await self.sleep(granted)

    def finish(self, call: Call, headers: Mapping[str, str] | None = None) -> None:
        """``call`` is answered (``headers``: the answer's) or ended without an answer."""
        reports = self._reports(headers) if headers else {}
        with self._lock:
            if call.finished_at is None:
                self._end(call, self.clock(), reports)

    # -- counting ------------------------------------------------------------------------
    def _lane(self, key: str) -> _Lane:
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane(self.quotas)
        return lane

    def _sharing(self, key: str) -> list[_Lane]:
        """The lanes whose calls count for ``key``: its own and the keyless one (every lane
        for the keyless key); the same lanes count ``key``'s calls."""
        own = self._lane(key)
        if not key:
            return list(self._lanes.values())
        keyless = self._lanes.get("")
        return [own] if keyless is None else [own, keyless]

    def _try_acquire(self, key: str) -> Call | float:
        with self._lock:
            now = self.clock()
            lanes = self._sharing(key)
            wait = self._wait(key, lanes, now)
            if wait > 0 and self._drop_stale(lanes, now):
                wait = self._wait(key, lanes, now)
            if wait > self.max_wait:
                name = self._binding_quota(key, lanes, now, wait)
                raise QuotaExhausted(
                    f"quota {name!r} for {key or 'this connection'} is spent; room again in "
                    f"{wait:.0f}s. Wait for the reset or raise the plan's limit.",
                    resets_at=self.wall_clock() + wait,
                    code="quota_exhausted",
                )
            if wait > 0:
                return wait
            call = Call(self, key, now)
            self._lanes[key].flying[call] = None
            for lane in lanes:
                for observed in lane.observed.values():
                    observed.pending.add(call)
            return call

    def _wait(self, key: str, lanes: list[_Lane], now: float) -> float:
        wait = self._paused_until.get(key, now) - now
        for quota in self.quotas.values():
            wait = max(wait, self._wait_for(key, lanes, quota, now))
        return wait

    def _wait_for(self, key: str, lanes: list[_Lane], quota: Quota, now: float) -> float:
        name, per = quota.name, quota.per_seconds
        horizon = now - per
        count = 0
        answered: list[deque[float]] = []
        for lane in lanes:
            times = lane.ended[name]
            while times and times[0] <= horizon:
                times.popleft()
            unreported = lane.unreported[name]
            while unreported and unreported[0] <= horizon:
                unreported.popleft()
            count += len(times) + len(lane.flying)
            if times:
                answered.append(times)
        wait = 0.0
        if count >= quota.limit:
            index = count - quota.limit  # this many answered calls must leave the window
            if index >= sum(len(times) for times in answered):
                wait = per  # calls in flight hold the room: answers first, then one window
            elif len(answered) == 1:
                wait = answered[0][index] + per - now
            else:
                merged = heapq.merge(*answered)
                wait = next(itertools.islice(merged, index, None)) + per - now
        own = self._lanes[key]
        observed = own.observed.get(name)
        if observed is not None:
            if now >= observed.reset_at:
                del own.observed[name]
            elif observed.left() <= 0:
                wait = max(wait, observed.reset_at - now)
        return wait

    def _drop_stale(self, lanes: list[_Lane], now: float) -> bool:
        """End calls in flight for longer than ``stale_after`` (never finished); whether any."""
        dropped = False
        for lane in lanes:
            while lane.flying:
                call = next(iter(lane.flying))
                if call.acquired_at > now - self.stale_after:
                    break
                self._end(call, now, {})
                dropped = True
        return dropped

    def _binding_quota(self, key: str, lanes: list[_Lane], now: float, wait: float) -> str:
        for quota in self.quotas.values():
            if self._wait_for(key, lanes, quota, now) >= wait:
                return quota.name
        return "retry-after pause"

    def _end(self, call: Call, now: float, reports: Mapping[str, Report]) -> None:
        call.finished_at = now
        lane = self._lane(call.key)
        lane.flying.pop(call, None)
        for name in self.quotas:
            lane.ended[name].append(now)
            report = reports.get(name)
            if report is None:
                lane.unreported[name].append(now)  # it may have arrived at any time
            else:
                self._report(call.key, name, report[0], report[1], call, now)

    # -- what the server says ------------------------------------------------------------
    def _report(
        self,
        key: str,
        name: str,
        remaining: int,
        reset_in: float | None,
        call: Call | None,
        now: float,
    ) -> None:
        """Take a report of quota ``name`` for ``key``: from ``call``'s answer, or (None) one
        that holds now."""
        per = self.quotas[name].per_seconds
        own = self._lane(key)
        observed = own.observed.get(name)
        if observed is not None and now >= observed.reset_at:
            del own.observed[name]
            observed = None
        known = reset_in is not None
        if reset_in is not None and reset_in <= 0:  # its window is over: not in the current
            if observed is not None and call is not None:
                observed.pending.discard(call)
            return
        reset_at = now + (per if reset_in is None else reset_in)
        if observed is not None and known and observed.known:
            earlier = reset_at < observed.reset_at - per / 2
            same = not earlier and reset_at <= observed.reset_at + per / 2
            if earlier or (same and remaining >= observed.remaining):
                # the call reached the server before the kept report (or in an older window)
                if call is not None:
                    observed.pending.discard(call)
                return
        lanes = self._sharing(key)
        pending = {c for lane in lanes for c in lane.flying if c is not call}
        ended = 0
        if call is not None:
            for lane in lanes:
                times = lane.unreported[name] if known else lane.ended[name]
                ended += _since(times, call.acquired_at)
            if not known:
                ended -= 1  # the call itself
        own.observed[name] = _Observed(max(remaining, 0), reset_at, known, pending, ended)

    def observe(
        self, key: str, quota: str, *, remaining: int, reset_in: float | None = None
    ) -> None:
        """Record what the server says now: ``remaining`` calls until ``reset_in`` seconds
        (every call in flight still counts against it).

        Without a reset time the report holds for one window of the quota.
        """
        if quota not in self.quotas:
            raise ValueError(f"unknown quota {quota!r}; known: {', '.join(sorted(self.quotas))}")
        with self._lock:
            self._report(key, quota, remaining, reset_in, None, self.clock())

    def observe_headers(self, key: str, headers: Mapping[str, str]) -> None:
        """Feed rate-limit response headers (as declared in ``headers=``) for ``key``, not
        tied to a call (``Call.finish`` takes a call's own)."""
        for name, (remaining, reset_in) in self._reports(headers).items():
            self.observe(key, name, remaining=remaining, reset_in=reset_in)

    def _reports(self, headers: Mapping[str, str]) -> dict[str, Report]:
        """The reports in response headers, per quota."""
        if not self.headers:
            return {}
        lowered = {name.lower(): value for name, value in headers.items()}
        reports: dict[str, Report] = {}
        for spec in self.headers:
            raw = lowered.get(spec.remaining.lower())
            if raw is None:
                continue
            try:
                remaining = int(float(raw))
            except ValueError:
                continue
            reports[spec.quota] = (remaining, self._reset_in(spec, lowered))
        return reports

    def _reset_in(self, spec: RateHeader, headers: Mapping[str, str]) -> float | None:
        raw = headers.get(spec.reset.lower()) if spec.reset else None
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            return None
        if spec.reset_unit == "epoch_ms":
            return value / 1000 - self.wall_clock() + EPOCH_RESET_MARGIN
        if spec.reset_unit == "epoch_s":
            return value - self.wall_clock() + EPOCH_RESET_MARGIN
        return value

    def pause(self, key: str, seconds: float) -> None:
        """Let no call for ``key`` through for ``seconds`` (a 429's ``Retry-After``)."""
        with self._lock:
            until = self.clock() + max(seconds, 0.0)
            self._paused_until[key] = max(self._paused_until.get(key, until), until)

    def in_flight(self, key: str) -> int:
        """Calls of ``key`` acquired and not finished yet."""
        with self._lock:
            lane = self._lanes.get(key)
            return 0 if lane is None else len(lane.flying)

    def used(self, key: str, quota: str) -> int:
        """Calls counted for ``key`` in ``quota`` now: in flight, or answered within its
        window."""
        with self._lock:
            now = self.clock()
            lanes = self._sharing(key)
            self._wait_for(key, lanes, self.quotas[quota], now)
            return sum(len(lane.ended[quota]) + len(lane.flying) for lane in lanes)


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
