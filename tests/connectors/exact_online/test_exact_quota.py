"""Quotas: the connector stays inside Exact's minute/day limits and its error budget.

The minute-limit tests run on a ``VirtualTimeLoop``: the sandbox, the connector's governor and
every sleep (the connector's waits, request latencies) share one frozen clock that jumps to the
next timer whenever every task waits, so interleavings are the same on every run.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from mapwright.connectors.errors import FatalError, QuotaExhausted
from mapwright.connectors.exact_online.sandbox import Clock, describe
from mapwright.connectors.exact_online.testing import (
    BASE,
    START,
    make_connector,
    make_sandbox,
    run_virtual,
)


class Latencies:
    """ASGI wrapper: API request number ``i`` (in the order they leave the client) travels
    ``script(i)[0]`` seconds to the sandbox and its answer ``script(i)[1]`` seconds back (on
    the virtual clock); ``arrivals`` are the clock times the sandbox counted them at."""

    def __init__(self, app: Any, clock: Clock, script: Callable[[int], tuple[float, float]]):
        self.app, self.clock, self.script = app, clock, script
        self.state = app.state  # describe() reads the sandbox from here
        self.sent = 0
        self.arrivals: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/v1/"):
            await self.app(scope, receive, send)
            return
        there, back = self.script(self.sent)
        self.sent += 1
        await asyncio.sleep(there)
        self.arrivals.append(self.clock.now())
        answer: list[Any] = []

        async def keep(message: Any) -> None:
            answer.append(message)

        await self.app(scope, receive, keep)
        await asyncio.sleep(back)
        for message in answer:
            await send(message)

    def per_minute(self) -> Counter[int]:
        """Requests that reached the sandbox per clock minute (Exact's window)."""
        return Counter(int(at // 60) for at in self.arrivals)


def test_never_exceeds_the_minute_limit_under_concurrency() -> None:
    app, sandbox, clock = make_sandbox(latency_ms=1)
    connector = make_connector(app, clock, sleep=asyncio.sleep)
    vat = next(iter(sandbox.store.table("vat/VATCodes")))
    start = clock.now()

    async def main() -> list[Any]:
        try:
            return await asyncio.gather(*(connector.get("vat_codes", vat) for _ in range(150)))
        finally:
            await connector.aclose()

    results = run_virtual(main(), clock)
    assert all(r is not None for r in results)
    assert sandbox.counters.served_429 == 0
    per_minute = {k: n for k, n in sandbox.counters.minute.items()}
    assert max(per_minute.values()) <= 60
    assert clock.now() - start >= 120, "151 calls at 60/min need at least two minute resets"
    assert clock.now() - start < 180, "and no more: the third minute has room for the rest"


def test_a_late_answer_does_not_free_room_the_server_has_already_given_away() -> None:
    # 3 calls per minute. Three calls leave at 0:59 and reach Exact at 1:01 (the next clock
    # minute, which they fill); the answer of the first to arrive (2 left) comes back last, at
    # 1:31, after the one saying 0 left. Counting a call when it leaves, the window frees at
    # 1:59 and a fourth call lands in the full minute; so does trusting the late answer.
    app, sandbox, clock = make_sandbox(minutely_limit=3)
    script = {0: (2.0, 30.0), 1: (2.0, 1.0), 2: (2.0, 1.0)}
    wire = Latencies(app, clock, lambda i: script.get(i, (0.0, 0.0)))
    connector = make_connector(
        wire, clock, sleep=asyncio.sleep, minutely_limit=3, division=sandbox.division
    )
    vat = next(iter(sandbox.store.table("vat/VATCodes")))

    async def main() -> None:
        await connector.auth.access_token()
        await asyncio.sleep(START + 59 - clock.now())
        await asyncio.gather(*(connector.get("vat_codes", vat) for _ in range(3)))
        assert clock.now() == START + 91
        await asyncio.sleep(START + 119 - clock.now())
        assert await connector.get("vat_codes", vat) is not None
        await connector.aclose()

    run_virtual(main(), clock)
    assert sandbox.counters.served_429 == 0
    assert wire.arrivals[:3] == [START + 61] * 3
    assert wire.arrivals[3] >= START + 120, "the fourth call waits for the next minute"


@pytest.mark.parametrize("seed", range(6))
def test_never_exceeds_the_minute_limit_whatever_the_latencies(seed: int) -> None:
    app, sandbox, clock = make_sandbox()
    rng = random.Random(seed)
    choices = (0.0, 0.001, 0.5, 3.0, 20.0)
    latencies = [(rng.choice(choices), rng.choice(choices)) for _ in range(200)]
    wire = Latencies(app, clock, latencies.__getitem__)
    connector = make_connector(wire, clock, sleep=asyncio.sleep)
    vat = next(iter(sandbox.store.table("vat/VATCodes")))

    async def main() -> list[Any]:
        await asyncio.sleep(rng.random() * 60)
        try:
            return await asyncio.gather(*(connector.get("vat_codes", vat) for _ in range(150)))
        finally:
            await connector.aclose()

    results = run_virtual(main(), clock)
    assert all(r is not None for r in results)
    assert sandbox.counters.served_429 == 0
    assert len(wire.arrivals) == 151
    assert max(wire.per_minute().values()) <= 60


async def test_minute_budget_used_by_another_worker_is_respected() -> None:
    app, sandbox, clock = make_sandbox()
    connector = make_connector(app, clock)
    await connector.division()
    stored = await connector.store.load()
    assert stored is not None
    token = stored.access_token
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as other:
        for _ in range(50):
            r = await other.get("/api/v1/current/Me", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200
    vat = next(iter(sandbox.store.table("vat/VATCodes")))
    for _ in range(30):
        assert await connector.get("vat_codes", vat) is not None
    assert sandbox.counters.served_429 == 0
    await connector.aclose()


async def test_daily_limit_stops_before_the_server_refuses() -> None:
    app, sandbox, clock = make_sandbox(daily_limit=25)
    connector = make_connector(app, clock)
    vat = next(iter(sandbox.store.table("vat/VATCodes")))
    with pytest.raises(QuotaExhausted) as info:
        for _ in range(40):
            await connector.get("vat_codes", vat)
    assert sandbox.counters.served_429 == 0
    assert sum(sandbox.counters.day.values()) == 25
    assert info.value.resets_at is not None and info.value.resets_at > clock.now()
    await connector.aclose()


async def test_error_budget_stops_calls_to_the_failing_endpoint_only() -> None:
    app, sandbox, clock = make_sandbox()
    connector = make_connector(app, clock)
    path = f"/api/v1/{await connector.division()}/crm/Accounts"
    for _ in range(10):
        with pytest.raises(FatalError):
            await connector.call("GET", path, params={"$filter": "Nope eq 1"})
    before = sandbox.counters.requests
    with pytest.raises(QuotaExhausted) as info:
        await connector.call("GET", path, params={"$filter": "Name eq 'x'"})
    assert "crm/Accounts" in str(info.value) and info.value.resets_at is not None
    assert sandbox.counters.requests == before, "the refused call never reached Exact"
    assert sandbox.counters.blocked == 0 and not sandbox.counters.blocked_until
    assert await connector.get("vat_codes", next(iter(sandbox.store.table("vat/VATCodes"))))
    clock.advance(3601)
    assert await connector.find("accounts", "Name", ["x"]) == {"x": []}
    await connector.aclose()


async def test_sandbox_blocks_an_app_that_ignores_the_error_budget() -> None:
    app, sandbox, clock = make_sandbox()
    info = describe(app, BASE)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        token = (
            await http.post(
                "/api/oauth2/token",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": info["refresh_token"],
                    "client_id": info["client_id"],
                    "client_secret": info["client_secret"],
                },
            )
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        url = f"/api/v1/{info['division']}/crm/Accounts"
        statuses = [
            (await http.get(url, params={"$filter": "Nope eq 1"}, headers=headers)).status_code
            for _ in range(12)
        ]
        assert statuses[:11] == [400] * 11
        assert statuses[11] == 429
        ok_elsewhere = await http.get(f"/api/v1/{info['division']}/vat/VATCodes", headers=headers)
        assert ok_elsewhere.status_code == 200


async def test_minutely_429_carries_only_minutely_headers() -> None:
    app, sandbox, clock = make_sandbox(minutely_limit=2)
    info = describe(app, BASE)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        token = (
            await http.post(
                "/api/oauth2/token",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": info["refresh_token"],
                    "client_id": info["client_id"],
                    "client_secret": info["client_secret"],
                },
            )
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        answers = [await http.get("/api/v1/current/Me", headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "X-RateLimit-Remaining" in answers[1].headers
    assert "X-RateLimit-Remaining" not in answers[2].headers
    assert answers[2].headers["X-RateLimit-Minutely-Remaining"] == "0"
