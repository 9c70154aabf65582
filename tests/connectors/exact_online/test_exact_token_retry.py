"""A passing failure of Exact's token endpoint (429, 5xx, a connection that did not open) is
retried with back-off, and concurrent callers still cause exactly one refresh."""

from __future__ import annotations

import asyncio

import httpx
from mapwright.connectors.exact_online.auth import MemoryTokenStore
from mapwright.connectors.exact_online.client import ExactOnlineConnector
from mapwright.connectors.exact_online.sandbox import describe
from mapwright.connectors.exact_online.testing import (
    BASE,
    expired_tokens,
    fake_sleep,
    make_connector,
    make_sandbox,
)
from mapwright.connectors.faults import fault_state


class FlakyTokenEndpoint(httpx.AsyncBaseTransport):
    """The sandbox, except that the first ``failures`` token requests fail as given."""

    def __init__(self, app: object, failures: list[int | type[httpx.TransportError]]):
        self.inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self.failures = list(failures)
        self.token_attempts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/token"):
            self.token_attempts += 1
            if self.failures:
                failure = self.failures.pop(0)
                if isinstance(failure, int):
                    return httpx.Response(failure, json={"error": "server_error"}, request=request)
                raise failure("connection refused", request=request)
        return await self.inner.handle_async_request(request)


def connector_over(transport: httpx.AsyncBaseTransport, app: object, clock: object):
    config = make_connector(app, clock).config  # type: ignore[arg-type]
    sleeps: list[float] = []
    advance = fake_sleep(clock)  # type: ignore[arg-type]

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await advance(seconds)

    connector = ExactOnlineConnector(
        config,
        transport=transport,
        token_store=MemoryTokenStore(expired_tokens(app, clock)),  # type: ignore[arg-type]
        clock=clock.now,  # type: ignore[attr-defined]
        sleep=sleep,
    )
    return connector, sleeps


async def test_a_429_from_the_token_endpoint_is_retried_after_a_back_off() -> None:
    app, sandbox, clock = make_sandbox()
    connector, sleeps = connector_over(httpx.ASGITransport(app=app), app, clock)
    fault_state(app).options.burst_429 = 1
    me = await connector.me()
    assert me["CurrentDivision"] == sandbox.division
    assert sandbox.counters.refreshes == 1
    assert len(sleeps) == 1 and sleeps[0] > 0  # Exact sends no Retry-After: back-off
    await connector.aclose()


async def test_a_5xx_and_an_unopened_connection_are_retried_with_back_off() -> None:
    app, sandbox, clock = make_sandbox()
    flaky = FlakyTokenEndpoint(app, [503, httpx.ConnectError, 500])
    connector, sleeps = connector_over(flaky, app, clock)
    me = await connector.me()
    assert me["CurrentDivision"] == sandbox.division
    assert flaky.token_attempts == 4
    assert sandbox.counters.refreshes == 1
    assert len(sleeps) == 3 and sleeps[0] < sleeps[2]  # the back-off grows
    await connector.aclose()


async def test_concurrent_callers_meeting_a_token_429_cause_one_refresh() -> None:
    app, sandbox, clock = make_sandbox(latency_ms=2)
    connector = make_connector(app, clock)
    await connector.division()
    clock.advance(600)
    fault_state(app).options.burst_429 = 1
    old = describe(app, BASE)["refresh_token"]
    results = await asyncio.gather(*(connector.me() for _ in range(20)))
    assert all(r["CurrentDivision"] == sandbox.division for r in results)
    refreshes = [c for c in sandbox.auth.token_calls if c["grant_type"] == "refresh_token"]
    assert [c["status"] for c in refreshes] == [200, 200]  # the start, then one for all 20
    assert len({c["token"] for c in refreshes}) == 2
    stored = await connector.store.load()
    assert stored is not None and stored.refresh_token != old
    await connector.aclose()


async def test_persistent_token_failures_still_end_in_a_retriable_error() -> None:
    from mapwright.connectors.errors import RetriableError

    app, _, clock = make_sandbox()
    flaky = FlakyTokenEndpoint(app, [503] * 10)
    connector, sleeps = connector_over(flaky, app, clock)
    try:
        await connector.me()
    except RetriableError as exc:
        assert exc.status == 503
    else:
        raise AssertionError("a token endpoint that keeps failing must not pass")
    assert flaky.token_attempts == connector.retry.attempts
    await connector.aclose()
