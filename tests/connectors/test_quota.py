"""The rate governor on a fake clock: windows, server reports, pauses, budgets, sharing."""

from __future__ import annotations

import asyncio
import random

import pytest
from mapwright.connectors.base import Quota
from mapwright.connectors.errors import QuotaExhausted
from mapwright.connectors.quota import RateGovernor, RateHeader, shared_governor

WALL_START = 1_800_000_000.0


class FakeClock:
    """Monotonic and wall time that move only when someone sleeps or ``advance`` is called."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return WALL_START + self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def governor(
    clock: FakeClock, *quotas: Quota, headers: list[RateHeader] | None = None
) -> RateGovernor:
    return RateGovernor(
        quotas,
        headers=headers or (),
        clock=clock.monotonic,
        wall_clock=clock.wall,
        sleep=clock.sleep,
    )


PER_10S = Quota("burst", limit=3, per_seconds=10, scope="division")
DAILY = Quota("daily", limit=2, per_seconds=86_400, scope="division")


def assert_within(times: list[float], quota: Quota) -> None:
    for i, start in enumerate(times):
        inside = [t for t in times[i:] if t < start + quota.per_seconds]
        assert len(inside) <= quota.limit, f"{len(inside)} calls within {quota.per_seconds}s"


async def test_calls_within_the_limit_pass_without_waiting() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    for _ in range(3):
        await rate.acquire("d1")
    assert clock.sleeps == []
    assert rate.used("d1", "burst") == 3


async def test_the_next_call_waits_until_the_oldest_leaves_the_window() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    for at in (0.0, 1.0, 2.0):
        clock.now = at
        await rate.acquire("d1")
    await rate.acquire("d1")
    assert clock.sleeps == [8.0]
    assert clock.now == 10.0


async def test_random_call_pattern_never_exceeds_the_window() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    rng = random.Random(3)
    times = []
    for _ in range(60):
        clock.now += rng.choice([0.0, 0.1, 0.5, 2.0, 7.0])
        await rate.acquire("d1")
        times.append(clock.now)
    assert_within(times, PER_10S)


async def test_concurrent_callers_share_the_window() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    times: list[float] = []

    async def call() -> None:
        await rate.acquire("d1")
        times.append(clock.now)

    await asyncio.gather(*(call() for _ in range(10)))
    assert len(times) == 10
    assert_within(sorted(times), PER_10S)


async def test_keys_are_counted_separately() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    for _ in range(3):
        await rate.acquire("d1")
        await rate.acquire("d2")
    assert clock.sleeps == []


async def test_every_quota_of_the_key_must_have_room() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S, Quota("minute", limit=4, per_seconds=60, scope="division"))
    for _ in range(4):
        await rate.acquire("d1")
    await rate.acquire("d1")
    assert clock.now == 60.0


async def test_spent_daily_budget_raises_quota_exhausted_instead_of_sleeping() -> None:
    clock = FakeClock()
    rate = governor(clock, DAILY)
    await rate.acquire("d1")
    clock.now = 100.0
    await rate.acquire("d1")
    with pytest.raises(QuotaExhausted) as caught:
        await rate.acquire("d1")
    assert clock.sleeps == []
    assert caught.value.resets_at == WALL_START + 86_400
    assert "daily" in str(caught.value)


async def test_server_reported_remaining_zero_waits_for_its_reset_in_epoch_ms() -> None:
    clock = FakeClock()
    header = RateHeader(
        "burst",
        "X-RateLimit-Minutely-Remaining",
        "X-RateLimit-Minutely-Reset",
        reset_unit="epoch_ms",
    )
    rate = governor(clock, PER_10S, headers=[header])
    reset_ms = int((WALL_START + 5) * 1000)
    rate.observe_headers(
        "d1",
        {"x-ratelimit-minutely-remaining": "0", "x-ratelimit-minutely-reset": str(reset_ms)},
    )
    await rate.acquire("d1")
    assert clock.sleeps == [5.0]


async def test_server_reported_remaining_counts_down_with_our_calls() -> None:
    clock = FakeClock()
    rate = governor(clock, Quota("minute", limit=100, per_seconds=60, scope="key"))
    rate.observe("k", "minute", remaining=2, reset_in=30)
    await rate.acquire("k")
    await rate.acquire("k")
    assert clock.sleeps == []
    await rate.acquire("k")
    assert clock.sleeps == [30.0]


async def test_headers_without_reset_hold_for_one_window() -> None:
    clock = FakeClock()
    header = RateHeader("burst", "X-Remaining")
    rate = governor(clock, PER_10S, headers=[header])
    rate.observe_headers("d1", {"X-Remaining": "0"})
    await rate.acquire("d1")
    assert clock.sleeps == [10.0]


async def test_pause_honours_retry_after() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    rate.pause("d1", 3)
    await rate.acquire("d1")
    await rate.acquire("d2")
    assert clock.sleeps == [3.0]


def test_unknown_quota_in_header_declaration_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown quota 'daily'"):
        governor(FakeClock(), PER_10S, headers=[RateHeader("daily", "X-Remaining")])


def test_quota_without_room_is_rejected() -> None:
    with pytest.raises(ValueError, match="limit must be >= 1"):
        governor(FakeClock(), Quota("broken", limit=0, per_seconds=60, scope="x"))


def test_shared_governor_is_one_per_scope() -> None:
    first = shared_governor("test-scope-a", [PER_10S])
    assert shared_governor("test-scope-a", [PER_10S]) is first
    assert shared_governor("test-scope-b", [PER_10S]) is not first
