"""send_with_retry against scripted servers (MockTransport) and a faulted in-process app."""

from __future__ import annotations

import random
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from mapwright.connectors.base import Quota
from mapwright.connectors.errors import AuthError, RetriableError, SkippableError
from mapwright.connectors.faults import install_faults
from mapwright.connectors.http import (
    RetryPolicy,
    make_client,
    parse_retry_after,
    send_with_retry,
)
from mapwright.connectors.quota import RateGovernor, RateHeader
from mapwright.connectors.sandbox import FaultOptions

Step = httpx.Response | Exception


class Script:
    """A server answering from a list of responses (or transport errors), one per request."""

    def __init__(self, *steps: Step):
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def scripted(script: Script) -> httpx.AsyncClient:
    return make_client("http://target", httpx.MockTransport(script))


def get(client: httpx.AsyncClient) -> Callable[[], httpx.Request]:
    return lambda: client.build_request("GET", "/things")


def post(client: httpx.AsyncClient) -> Callable[[], httpx.Request]:
    return lambda: client.build_request("POST", "/things", json={"name": "a"})


def ok() -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


def status(code: int, **headers: str) -> httpx.Response:
    return httpx.Response(code, json={"error": {"message": f"said {code}"}}, headers=headers)


async def test_get_is_retried_with_growing_jittered_backoff() -> None:
    script = Script(status(503), status(500), ok())
    sleeps = Sleeps()
    async with scripted(script) as client:
        response = await send_with_retry(client, get(client), sleep=sleeps, rng=random.Random(1))
    assert response.status_code == 200
    assert len(script.requests) == 3
    first, second = sleeps.delays
    assert 0.25 <= first <= 0.5
    assert 0.5 <= second <= 1.0


async def test_retry_after_is_honoured() -> None:
    script = Script(status(429, **{"Retry-After": "7"}), ok())
    sleeps = Sleeps()
    async with scripted(script) as client:
        await send_with_retry(client, get(client), sleep=sleeps)
    assert len(sleeps.delays) == 1
    assert 7.0 <= sleeps.delays[0] <= 8.0


async def test_retry_after_beyond_the_policy_is_raised_for_the_engine() -> None:
    script = Script(status(503, **{"Retry-After": "3600"}), ok())
    sleeps = Sleeps()
    async with scripted(script) as client:
        with pytest.raises(RetriableError) as caught:
            await send_with_retry(client, get(client), sleep=sleeps)
    assert caught.value.retry_after == 3600
    assert sleeps.delays == []


async def test_gives_up_after_the_policy_attempts() -> None:
    script = Script(status(502), status(502), status(502), ok())
    sleeps = Sleeps()
    async with scripted(script) as client:
        with pytest.raises(RetriableError) as caught:
            await send_with_retry(client, get(client), policy=RetryPolicy(attempts=3), sleep=sleeps)
    assert caught.value.status == 502
    assert len(script.requests) == 3
    assert len(sleeps.delays) == 2


async def test_write_is_not_retried_on_a_server_error() -> None:
    script = Script(status(503), ok())
    sleeps = Sleeps()
    async with scripted(script) as client:
        with pytest.raises(RetriableError) as caught:
            await send_with_retry(client, post(client), sleep=sleeps)
    assert len(script.requests) == 1
    assert caught.value.maybe_committed is False
    assert sleeps.delays == []


async def test_write_is_retried_on_429_because_it_was_rejected_unprocessed() -> None:
    script = Script(status(429, **{"Retry-After": "1"}), ok())
    async with scripted(script) as client:
        response = await send_with_retry(client, post(client), sleep=Sleeps())
    assert response.status_code == 200
    assert len(script.requests) == 2


async def test_write_429_is_raised_when_unsent_retries_are_off() -> None:
    script = Script(status(429), ok())
    policy = RetryPolicy(retry_unsent_writes=False)
    async with scripted(script) as client:
        with pytest.raises(RetriableError):
            await send_with_retry(client, post(client), policy=policy, sleep=Sleeps())
    assert len(script.requests) == 1


async def test_write_marked_idempotent_is_retried() -> None:
    script = Script(status(503), ok())
    async with scripted(script) as client:
        await send_with_retry(client, post(client), idempotent=True, sleep=Sleeps())
    assert len(script.requests) == 2


async def test_get_is_retried_after_a_dropped_connection() -> None:
    script = Script(httpx.ReadError("connection reset"), ok())
    async with scripted(script) as client:
        response = await send_with_retry(client, get(client), sleep=Sleeps())
    assert response.status_code == 200


async def test_write_that_never_connected_is_retried_and_not_maybe_committed() -> None:
    script = Script(httpx.ConnectError("refused"), httpx.ConnectError("refused"))
    policy = RetryPolicy(attempts=2)
    async with scripted(script) as client:
        with pytest.raises(RetriableError) as caught:
            await send_with_retry(client, post(client), policy=policy, sleep=Sleeps())
    assert len(script.requests) == 2
    assert caught.value.maybe_committed is False


async def test_auth_and_record_errors_are_not_retried() -> None:
    script = Script(status(401), httpx.Response(422, json={"message": "sku taken"}))
    async with scripted(script) as client:
        with pytest.raises(AuthError):
            await send_with_retry(client, get(client), sleep=Sleeps())
        with pytest.raises(SkippableError, match="sku taken") as caught:
            await send_with_retry(client, post(client), sleep=Sleeps())
    assert caught.value.status == 422
    assert caught.value.endpoint == "POST /things"


def items_app(options: FaultOptions) -> FastAPI:
    app = FastAPI()
    app.state.items = []

    @app.post("/things")
    async def add(item: dict[str, str]) -> dict[str, str]:
        app.state.items.append(item)
        return item

    install_faults(app, options, seed=1)
    return app


async def test_lost_write_response_is_maybe_committed_and_not_resent() -> None:
    app = items_app(FaultOptions(timeout_after_commit_rate=1.0))
    async with make_client("http://sandbox", httpx.ASGITransport(app=app)) as client:
        with pytest.raises(RetriableError) as caught:
            await send_with_retry(client, post(client), sleep=Sleeps())
    assert caught.value.maybe_committed is True
    assert app.state.items == [{"name": "a"}]


async def test_dropped_write_is_maybe_committed() -> None:
    app = items_app(FaultOptions(drop_rate=1.0))
    async with make_client("http://sandbox", httpx.ASGITransport(app=app)) as client:
        with pytest.raises(RetriableError) as caught:
            await send_with_retry(client, post(client), sleep=Sleeps())
    assert caught.value.maybe_committed is True


async def test_governor_is_acquired_fed_headers_and_paused_on_429() -> None:
    now = [0.0]

    async def advance(seconds: float) -> None:  # a fake clock: waiting moves time on
        now[0] += seconds

    governor = RateGovernor(
        [Quota("minute", limit=100, per_seconds=60, scope="key")],
        headers=[RateHeader("minute", "X-Remaining", "X-Reset", reset_unit="seconds")],
        clock=lambda: now[0],
        sleep=advance,
    )
    script = Script(
        status(429, **{"Retry-After": "4"}),
        httpx.Response(200, json={}, headers={"X-Remaining": "0", "X-Reset": "30"}),
    )
    async with scripted(script) as client:
        await send_with_retry(client, get(client), governor=governor, quota_key="k", sleep=Sleeps())
    assert governor.used("k", "minute") == 2
    waited: list[float] = []

    async def record_and_advance(seconds: float) -> None:
        waited.append(seconds)
        now[0] += seconds

    governor.sleep = record_and_advance
    await governor.acquire("k")
    assert waited[0] == 30.0


async def test_every_attempt_is_finished_whatever_ends_it() -> None:
    governor = RateGovernor(
        [Quota("minute", limit=100, per_seconds=60, scope="key")],
        clock=lambda: 0.0,
        sleep=Sleeps(),
    )
    script = Script(httpx.ConnectError("refused"), status(503), ok(), httpx.ReadTimeout("slow"))
    async with scripted(script) as client:
        await send_with_retry(client, get(client), governor=governor, quota_key="k", sleep=Sleeps())
        with pytest.raises(RetriableError):
            await send_with_retry(
                client,
                post(client),
                governor=governor,
                quota_key="k",
                sleep=Sleeps(),
                policy=RetryPolicy(attempts=1),
            )

        def broken() -> httpx.Request:
            raise ValueError("no request")

        with pytest.raises(ValueError):
            await send_with_retry(client, broken, governor=governor, quota_key="k")
    assert governor.in_flight("k") == 0
    assert governor.used("k", "minute") == 5


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
