"""Quotas: the connector stays inside Exact's minute/day limits and its error budget."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from mapwright.connectors.errors import FatalError, QuotaExhausted
from mapwright.connectors.exact_online.sandbox import describe
from mapwright.connectors.exact_online.testing import BASE, make_connector, make_sandbox


async def test_never_exceeds_the_minute_limit_under_concurrency() -> None:
    app, sandbox, clock = make_sandbox(latency_ms=1)
    connector = make_connector(app, clock)
    vat = next(iter(sandbox.store.table("vat/VATCodes")))
    start = clock.now()
    results = await asyncio.gather(*(connector.get("vat_codes", vat) for _ in range(150)))
    assert all(r is not None for r in results)
    assert sandbox.counters.served_429 == 0
    per_minute = {k: n for k, n in sandbox.counters.minute.items()}
    assert max(per_minute.values()) <= 60
    assert clock.now() - start >= 120, "151 calls at 60/min need at least two minute resets"
    await connector.aclose()


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
