"""OAuth: single-flight refresh, rotation, the 570 s rule, 401 handling."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from mapwright.connectors.errors import AuthError
from mapwright.connectors.exact_online.auth import FileTokenStore, MemoryTokenStore, TokenSet
from mapwright.connectors.exact_online.sandbox import describe
from mapwright.connectors.exact_online.testing import (
    BASE,
    expired_tokens,
    make_connector,
    make_sandbox,
)


def refresh_calls(sandbox) -> list[dict]:
    return [c for c in sandbox.auth.token_calls if c["grant_type"] == "refresh_token"]


def assert_no_token_reused(sandbox) -> None:
    sent = [c["token"] for c in refresh_calls(sandbox)]
    assert len(sent) == len(set(sent)), "a refresh token was sent twice"
    assert all(c["status"] == 200 for c in refresh_calls(sandbox))


async def test_twenty_concurrent_callers_cause_exactly_one_refresh() -> None:
    app, sandbox, clock = make_sandbox(latency_ms=2)
    connector = make_connector(app, clock)
    old = describe(app, BASE)["refresh_token"]
    await connector.division()  # current/Me first, so the 20 callers race on the refresh
    clock.advance(600)
    results = await asyncio.gather(*(connector.get("vat_codes", _id(sandbox)) for _ in range(20)))
    assert all(r is not None for r in results)
    assert sandbox.counters.refreshes == 2  # one at start, exactly one for the 20 callers
    assert_no_token_reused(sandbox)
    stored = await connector.store.load()
    assert stored is not None and stored.refresh_token != old
    await connector.aclose()


async def test_twenty_connectors_sharing_a_token_file_refresh_once(tmp_path) -> None:
    app, sandbox, clock = make_sandbox(latency_ms=2)
    path = tmp_path / "exact.json"
    await FileTokenStore(path).save(expired_tokens(app, clock))
    connectors = [make_connector(app, clock, store=FileTokenStore(path)) for _ in range(20)]
    await asyncio.gather(*(c.me() for c in connectors))
    assert sandbox.counters.refreshes == 1
    assert_no_token_reused(sandbox)
    on_disk = await FileTokenStore(path).load()
    assert on_disk is not None and on_disk.refresh_token == sandbox.grant.current
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    for c in connectors:
        await c.aclose()


async def test_rotated_token_is_used_for_the_next_refresh() -> None:
    app, sandbox, clock = make_sandbox()
    connector = make_connector(app, clock)
    await connector.me()
    clock.advance(400)
    await connector.me()
    assert sandbox.counters.refreshes == 1, "no refresh before expiry - margin"
    clock.advance(200)
    await connector.me()
    assert sandbox.counters.refreshes == 2
    assert_no_token_reused(sandbox)
    await connector.aclose()


async def test_sandbox_enforces_570_seconds_and_rotation() -> None:
    app, sandbox, clock = make_sandbox()
    info = describe(app, BASE)
    form = {
        "grant_type": "refresh_token",
        "client_id": info["client_id"],
        "client_secret": info["client_secret"],
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        first = await http.post(
            "/api/oauth2/token", data={**form, "refresh_token": info["refresh_token"]}
        )
        assert first.status_code == 200 and first.json()["expires_in"] == "600"
        new = first.json()["refresh_token"]
        early = await http.post("/api/oauth2/token", data={**form, "refresh_token": new})
        assert early.status_code == 400
        assert early.json()["error"] == "access_denied"
        assert early.headers["Reason"].startswith("TooEarlyToRefreshTokens")
        used = await http.get(
            "/api/v1/current/Me",
            headers={"Authorization": f"Bearer {first.json()['access_token']}"},
        )
        assert used.status_code == 200
        clock.advance(600)
        old = await http.post(
            "/api/oauth2/token", data={**form, "refresh_token": info["refresh_token"]}
        )
        assert old.status_code == 400 and old.json()["error"] == "invalid_grant"
        again = await http.post("/api/oauth2/token", data={**form, "refresh_token": new})
        assert again.status_code == 200
        expired = await http.get(
            "/api/v1/current/Me",
            headers={"Authorization": f"Bearer {first.json()['access_token']}"},
        )
        assert expired.status_code == 401


async def test_401_refreshes_once_and_retries() -> None:
    app, sandbox, clock = make_sandbox()
    now = clock.now()
    store = MemoryTokenStore(
        TokenSet("at-revoked", describe(app, BASE)["refresh_token"], now - 580, now + 20, BASE)
    )
    connector = make_connector(app, clock, store=store)
    me = await connector.me()
    assert me["CurrentDivision"] == sandbox.division
    assert sandbox.counters.refreshes == 1
    await connector.aclose()


async def test_401_on_a_young_token_is_an_auth_error_without_refresh() -> None:
    app, sandbox, clock = make_sandbox()
    now = clock.now()
    store = MemoryTokenStore(
        TokenSet("at-revoked", describe(app, BASE)["refresh_token"], now - 60, now + 540, BASE)
    )
    connector = make_connector(app, clock, store=store)
    with pytest.raises(AuthError, match="connect exact-online"):
        await connector.me()
    assert refresh_calls(sandbox) == []
    assert sandbox.counters.requests == 2, "one retry with the same token, then give up"
    await connector.aclose()


async def test_rejected_refresh_token_asks_for_consent_again() -> None:
    app, sandbox, clock = make_sandbox()
    now = clock.now()
    store = MemoryTokenStore(TokenSet("x", "rt-unknown", now - 700, now - 100, BASE))
    connector = make_connector(app, clock, store=store)
    with pytest.raises(AuthError, match="invalid_grant"):
        await connector.me()
    await connector.aclose()


def _id(sandbox) -> str:
    return next(iter(sandbox.store.table("vat/VATCodes")))


async def test_tokens_in_credentials_are_used() -> None:
    from mapwright.connectors.base import ConnectionConfig
    from mapwright.connectors.exact_online.client import ExactOnlineConnector
    from mapwright.connectors.exact_online.testing import fake_sleep

    app, sandbox, clock = make_sandbox()
    info = describe(app, BASE)
    config = ConnectionConfig(
        kind="exact_online",
        base_url=BASE,
        credentials={
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
            "tokens": expired_tokens(app, clock).to_json(),
        },
    )
    connector = ExactOnlineConnector(
        config, transport=httpx.ASGITransport(app=app), clock=clock, sleep=fake_sleep(clock)
    )
    assert (await connector.me())["CurrentDivision"] == sandbox.division
    assert sandbox.counters.refreshes == 1
    await connector.aclose()


async def test_lost_refresh_answer_waits_570_s_then_reuses_the_old_token() -> None:
    from mapwright.connectors.errors import RetriableError
    from mapwright.connectors.faults import fault_state

    app, sandbox, clock = make_sandbox()
    connector = make_connector(app, clock)
    fault_state(app).options.timeout_after_commit_rate = 1.0
    with pytest.raises(RetriableError) as lost:
        await connector.me()
    assert lost.value.retry_after == 570
    fault_state(app).options.timeout_after_commit_rate = 0.0
    calls = len(sandbox.auth.token_calls)
    clock.advance(100)
    with pytest.raises(RetriableError) as early:
        await connector.me()
    assert early.value.retry_after == pytest.approx(470)
    assert len(sandbox.auth.token_calls) == calls, "no doomed refresh was sent"
    clock.advance(470)
    me = await connector.me()
    assert me["CurrentDivision"] == sandbox.division
    assert [c["status"] for c in sandbox.auth.token_calls] == [200, 200]
