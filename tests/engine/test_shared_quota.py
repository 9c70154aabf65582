"""Shared quotas (PostgreSQL) count like the in-process governor: a call from its grant until
its answer, and a server's report against every call that may still reach it after the report.

No test waits for a threshold of real time: time only passes to let a window run out, and the
assertions hold however long that took.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from mapwright.connectors.base import Quota
from mapwright.connectors.errors import QuotaExhausted
from mapwright.connectors.quota import RateHeader
from mapwright.engine.shared_quota import SharedCall, SharedGovernor, SharedQuotas
from mapwright.engine.store import Store

pytestmark = pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)

BURST = Quota("burst", limit=2, per_seconds=0.2, scope="connection")
MINUTE = Quota("minute", limit=100, per_seconds=60, scope="connection")
HEADER = RateHeader("minute", "X-Remaining", "X-Reset", reset_unit="seconds")


@pytest.fixture
def shared(store_url: str) -> Iterator[SharedQuotas]:
    store = Store.open(store_url)
    yield SharedQuotas(store, margin=0.0)
    store.close()


def report(remaining: int) -> dict[str, str]:
    return {"X-Remaining": str(remaining), "X-Reset": "30"}


async def test_a_call_in_flight_keeps_its_place_past_the_window(shared: SharedQuotas) -> None:
    rate = SharedGovernor(shared, "exact", [BURST], max_wait=5)
    first, second = await rate.acquire("d1"), await rate.acquire("d1")
    assert rate.in_flight("d1") == 2
    time.sleep(0.3)  # longer than the window: counted at the grant, both would have left it
    wait, binding, ids, _ = shared.grant("exact|d1", [BURST], lock="exact|", counted=["exact|"])
    assert (wait, binding, ids) == (pytest.approx(0.2), "burst", [])
    first.finish()
    second.finish()
    assert rate.in_flight("d1") == 0
    time.sleep(0.3)  # now one window after both answers
    assert isinstance(await rate.acquire("d1"), SharedCall)


async def test_a_late_answer_with_more_remaining_does_not_loosen_the_kept_report(
    shared: SharedQuotas,
) -> None:
    rate = SharedGovernor(shared, "exact", [MINUTE], headers=[HEADER], max_wait=5)
    first, second = await rate.acquire("d1"), await rate.acquire("d1")
    second.finish(report(0))  # reached the server last
    first.finish(report(1))  # answered later, reached the server first
    with pytest.raises(QuotaExhausted):
        await rate.acquire("d1")


async def test_calls_in_flight_count_against_a_report(shared: SharedQuotas) -> None:
    rate = SharedGovernor(shared, "exact", [MINUTE], headers=[HEADER], max_wait=5)
    first, _second = await rate.acquire("d1"), await rate.acquire("d1")
    first.finish(report(2))  # the second is still on its way: it takes one of the two
    await rate.acquire("d1")
    with pytest.raises(QuotaExhausted):
        await rate.acquire("d1")


async def test_an_answer_that_reached_the_server_before_the_report_stops_counting(
    shared: SharedQuotas,
) -> None:
    rate = SharedGovernor(shared, "exact", [MINUTE], headers=[HEADER], max_wait=5)
    first, second = await rate.acquire("d1"), await rate.acquire("d1")
    second.finish(report(1))  # the first may still arrive: nothing left
    with pytest.raises(QuotaExhausted):
        await rate.acquire("d1")
    first.finish(report(2))  # it arrived before the second: the one left is free
    await rate.acquire("d1")


async def test_a_call_without_key_counts_against_every_key(shared: SharedQuotas) -> None:
    two = Quota("two", limit=2, per_seconds=60, scope="connection")
    rate = SharedGovernor(shared, "exact", [two], max_wait=5)
    (await rate.acquire("")).finish()
    (await rate.acquire("d1")).finish()
    (await rate.acquire("d2")).finish()
    with pytest.raises(QuotaExhausted):
        await rate.acquire("d1")
