"""Fixtures: the shop sandbox in-process and the shop connector talking to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from mapwright.connectors.base import ConnectionConfig
from mapwright.connectors.sandbox import FaultOptions, SandboxOptions
from mapwright.connectors.shop import ShopConnector
from mapwright.connectors.shop.sandbox import create_app, describe


class FakeTime:
    """One clock for sandbox and client: sleeping moves it forward."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class CountingTransport(httpx.AsyncBaseTransport):
    """The in-process sandbox transport, counting requests per (method, path)."""

    def __init__(self, app: FastAPI):
        self.inner = httpx.ASGITransport(app=app)
        self.calls: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)


def make_shop(*, records: int = 30, faults: FaultOptions | None = None, **extra: Any) -> FastAPI:
    return create_app(
        SandboxOptions(seed=5, records=records, faults=faults or FaultOptions(), extra=extra)
    )


def connect(app: FastAPI, clock: FakeTime | None = None) -> tuple[ShopConnector, CountingTransport]:
    info = describe(app, "http://shop.test")
    transport = CountingTransport(app)
    config = ConnectionConfig(
        kind="shop", base_url=info["base_url"], credentials={"api_key": info["api_key"]}
    )
    sleep = clock.sleep if clock else FakeTime().sleep
    return ShopConnector(config, transport=transport, governor=None, sleep=sleep), transport


@pytest.fixture
def shop_app() -> FastAPI:
    return make_shop()


@pytest.fixture
async def shop(shop_app: FastAPI) -> AsyncIterator[ShopConnector]:
    connector, _ = connect(shop_app)
    yield connector
    await connector.aclose()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture(name="make_shop")
def make_shop_fixture() -> Any:
    return make_shop


@pytest.fixture(name="connect")
def connect_fixture() -> Any:
    return connect
