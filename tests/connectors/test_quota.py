"""The rate governor on a fake clock: windows, calls in flight, server reports, pauses,
budgets, sharing."""

from __future__ import annotations

import asyncio
import random

import pytest
from mapwright.connectors.base import Quota
from mapwright.connectors.errors import QuotaExhausted
from mapwright.connectors.quota import (
    EPOCH_RESET_MARGIN,
    RateGovernor,
    RateHeader,
    shared_governor,
)

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


async def answered(rate: RateGovernor, key: str) -> None:
    """One call answered at once (no latency), without rate headers."""
    call = await rate.acquire(key)
    call.finish()


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
        await answered(rate, "d1")
    assert clock.sleeps == []
    assert rate.used("d1", "burst") == 3


async def test_the_next_call_waits_until_the_oldest_leaves_the_window() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    for at in (0.0, 1.0, 2.0):
        clock.now = at
        await answered(rate, "d1")
    await answered(rate, "d1")
    assert clock.sleeps == [8.0]
    assert clock.now == 10.0


async def test_random_call_pattern_never_exceeds_the_window() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    rng = random.Random(3)
    times = []
    for _ in range(60):
        clock.now += rng.choice([0.0, 0.1, 0.5, 2.0, 7.0])
        await answered(rate, "d1")
        times.append(clock.now)
    assert_within(times, PER_10S)


async def test_concurrent_callers_share_the_window() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    times: list[float] = []

    async def call() -> None:
        await answered(rate, "d1")
        times.append(clock.now)

    await asyncio.gather(*(call() for _ in range(10)))
    assert len(times) == 10
    assert_within(sorted(times), PER_10S)


async def test_keys_are_counted_separately() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    for _ in range(3):
        await answered(rate, "d1")
        await answered(rate, "d2")
    assert clock.sleeps == []


async def test_every_quota_of_the_key_must_have_room() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S, Quota("minute", limit=4, per_seconds=60, scope="division"))
    for _ in range(4):
        await answered(rate, "d1")
    await answered(rate, "d1")
    assert clock.now == 60.0


async def test_spent_daily_budget_raises_quota_exhausted_instead_of_sleeping() -> None:
    clock = FakeClock()
    rate = governor(clock, DAILY)
    await answered(rate, "d1")
    clock.now = 100.0
    await answered(rate, "d1")
    with pytest.raises(QuotaExhausted) as caught:
        await answered(rate, "d1")
    assert clock.sleeps == []
    assert caught.value.resets_at == WALL_START + 86_400
    assert "daily" in str(caught.value)


async def test_server_reported_remaining_zero_waits_for_its_reset_in_epoch_ms_and_a_margin() -> (
    None
):
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
    await answered(rate, "d1")
    assert clock.sleeps == [5.0 + EPOCH_RESET_MARGIN]  # our wall clock may run ahead of theirs


async def test_server_reported_remaining_counts_down_with_our_calls() -> None:
    clock = FakeClock()
    rate = governor(clock, Quota("minute", limit=100, per_seconds=60, scope="key"))
    rate.observe("k", "minute", remaining=2, reset_in=30)
    await answered(rate, "k")
    await answered(rate, "k")
    assert clock.sleeps == []
    await answered(rate, "k")
    assert clock.sleeps == [30.0]


MINUTE = Quota("minute", limit=100, per_seconds=60, scope="key")
REPORTS = RateHeader("minute", "X-Remaining", "X-Reset", reset_unit="seconds")


def report(remaining: int, reset: float = 30) -> dict[str, str]:
    return {"X-Remaining": str(remaining), "X-Reset": str(reset)}


async def test_a_call_counts_until_its_answer_and_one_window_after() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    calls = [await rate.acquire("d1") for _ in range(3)]
    assert rate.in_flight("d1") == 3
    clock.now = 5.0  # answered after 5 s: a server may have counted them as late as that
    for call in calls:
        call.finish()
    assert rate.in_flight("d1") == 0
    await answered(rate, "d1")
    assert clock.sleeps == [10.0]
    assert clock.now == 15.0


async def test_calls_in_flight_hold_the_room_until_answered() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    calls = [await rate.acquire("d1") for _ in range(3)]
    waiting = asyncio.ensure_future(rate.acquire("d1"))
    await asyncio.sleep(0)
    assert clock.sleeps == [10.0]  # no answer yet: room comes one window after one at best
    for call in calls:
        call.finish()
    next_call = await waiting
    assert next_call.acquired_at == 20.0  # answered at 10 (the fake sleep), room at 20
    assert clock.sleeps == [10.0, 10.0]


async def test_a_call_never_finished_counts_as_answered_after_stale_after() -> None:
    clock = FakeClock()
    rate = RateGovernor(
        [PER_10S], clock=clock.monotonic, sleep=clock.sleep, stale_after=100, max_wait=200
    )
    for _ in range(3):
        await rate.acquire("d1")  # never finished (a lost call)
    await answered(rate, "d1")
    assert clock.now == 110.0
    assert rate.in_flight("d1") == 0


async def test_finishing_twice_counts_once() -> None:
    clock = FakeClock()
    rate = governor(clock, MINUTE, headers=[REPORTS])
    call = await rate.acquire("k")
    call.finish(report(1))
    call.finish(report(50))
    assert rate.used("k", "minute") == 1
    await answered(rate, "k")
    assert clock.sleeps == []
    await answered(rate, "k")
    assert clock.sleeps == [30.0]


async def test_calls_in_flight_count_against_a_report() -> None:
    clock = FakeClock()
    rate = governor(clock, MINUTE, headers=[REPORTS])
    first, _second = await rate.acquire("k"), await rate.acquire("k")
    first.finish(report(2))  # the second is still on its way: it takes one of the two
    await answered(rate, "k")
    assert clock.sleeps == []
    await answered(rate, "k")
    assert clock.sleeps == [30.0]


async def test_a_late_answer_with_more_remaining_does_not_loosen_the_newest_report() -> None:
    clock = FakeClock()
    rate = governor(clock, MINUTE, headers=[REPORTS])
    first, second = await rate.acquire("k"), await rate.acquire("k")
    second.finish(report(0))  # reached the server last
    first.finish(report(1))  # answered later: it reached the server first
    await answered(rate, "k")
    assert clock.sleeps == [30.0]


async def test_an_answer_that_reached_the_server_before_the_report_stops_counting() -> None:
    clock = FakeClock()
    rate = governor(clock, MINUTE, headers=[REPORTS])
    first, second = await rate.acquire("k"), await rate.acquire("k")
    second.finish(report(1))  # the first may still arrive after it: nothing left for now
    first.finish(report(2))  # it arrived before: the one left is ours
    await answered(rate, "k")
    assert clock.sleeps == []
    await answered(rate, "k")
    assert clock.sleeps == [30.0]


async def test_a_call_that_ended_without_answer_counts_against_a_later_report() -> None:
    clock = FakeClock()
    rate = governor(clock, MINUTE, headers=[REPORTS])
    lost, reporting = await rate.acquire("k"), await rate.acquire("k")
    lost.finish()  # a transport error: it may have reached the server at any time
    reporting.finish(report(1))
    await answered(rate, "k")
    assert clock.sleeps == [30.0]


async def test_a_report_of_the_next_window_replaces_the_last_one() -> None:
    clock = FakeClock()
    rate = governor(clock, MINUTE, headers=[REPORTS])
    first = await rate.acquire("k")
    first.finish(report(0, reset=2))
    await answered(rate, "k")
    assert clock.sleeps == [2.0]
    second = await rate.acquire("k")
    second.finish(report(3, reset=60))
    for _ in range(2):
        await answered(rate, "k")
    assert clock.sleeps == [2.0]


async def test_a_report_without_reset_counts_every_call_answered_since_it_was_sent() -> None:
    clock = FakeClock()
    rate = governor(clock, MINUTE, headers=[RateHeader("minute", "X-Remaining")])
    slow, quick = await rate.acquire("k"), await rate.acquire("k")
    quick.finish({"X-Remaining": "5"})
    slow.finish({"X-Remaining": "2"})  # no window to compare by: the quick one may be later
    await answered(rate, "k")
    assert clock.sleeps == []
    await answered(rate, "k")
    assert clock.sleeps == [60.0]


async def test_a_call_without_key_counts_against_every_key() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    await answered(rate, "")
    for _ in range(2):
        await answered(rate, "d1")
        await answered(rate, "d2")
    assert clock.sleeps == []
    assert rate.used("", "burst") == 5  # the keyless call counts every key's
    await answered(rate, "d1")
    assert clock.sleeps == [10.0]


async def test_headers_without_reset_hold_for_one_window() -> None:
    clock = FakeClock()
    header = RateHeader("burst", "X-Remaining")
    rate = governor(clock, PER_10S, headers=[header])
    rate.observe_headers("d1", {"X-Remaining": "0"})
    await answered(rate, "d1")
    assert clock.sleeps == [10.0]


async def test_pause_honours_retry_after() -> None:
    clock = FakeClock()
    rate = governor(clock, PER_10S)
    rate.pause("d1", 3)
    await answered(rate, "d1")
    await answered(rate, "d2")
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
