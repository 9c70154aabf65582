"""Helpers to run the BuchhaltungsButler connector against its sandbox (tests, demos).

``make_pair(...)`` builds a seeded sandbox app and a connector wired to it in-process
(``httpx.ASGITransport``), both on one ``FakeClock`` so rate limits and pacing run on fake
time. ``pay_later(app, receipt_id)`` pays a receipt the way a bookkeeper does in BB: a bank
transaction (``/transactions/add``) assigned to it (``/transactions/assign/receipt``), over
HTTP. ``real_connector()`` builds a connector for the real API from ``MAPWRIGHT_BB_*``
environment variables (the opt-in of the contract suite).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from mapwright.connectors.base import ConnectionConfig
from mapwright.connectors.buchhaltungsbutler.client import DEFAULT_BASE_URL, BuchhaltungsButler
from mapwright.connectors.buchhaltungsbutler.pacing import Pacer
from mapwright.connectors.buchhaltungsbutler.sandbox import create_app, describe
from mapwright.connectors.sandbox import FaultOptions, SandboxOptions

REAL_VARS = ("MAPWRIGHT_BB_API_CLIENT", "MAPWRIGHT_BB_API_SECRET", "MAPWRIGHT_BB_API_KEY")
SANDBOX_URL = "http://bb.sandbox"
#: 2026-01-15 10:00 UTC: later than every seeded timestamp
START = 1_768_471_200.0


class FakeClock:
    """A clock that moves only when someone sleeps on it (or ``advance`` is called)."""

    def __init__(self, start: float = START):
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """A transport that notes (fake time, path, status) of every request it passes on."""

    inner: httpx.AsyncBaseTransport
    clock: FakeClock
    calls: list[tuple[float, str, int]] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = self.clock()
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.TransportError:
            self.calls.append((sent, request.url.path, 0))
            raise
        self.calls.append((sent, request.url.path, response.status_code))
        return response

    def times(self, suffix: str = "") -> list[float]:
        return [when for when, path, _ in self.calls if path.endswith(suffix)]


@dataclass
class Pair:
    app: FastAPI
    connector: BuchhaltungsButler
    clock: FakeClock
    recorder: Recorder
    info: dict[str, Any]


def make_app(
    clock: FakeClock,
    *,
    seed: int = 11,
    records: int = 40,
    data_file: str | None = None,
    faults: FaultOptions | None = None,
    **settings: Any,
) -> FastAPI:
    options = SandboxOptions(
        seed=seed,
        records=records,
        data_file=data_file,
        faults=faults or FaultOptions(),
        extra={"clock": clock, **settings},
    )
    return create_app(options)


def connect(
    app: FastAPI,
    clock: FakeClock,
    *,
    options: dict[str, Any] | None = None,
    pacer: Pacer | None = None,
) -> tuple[BuchhaltungsButler, Recorder, dict[str, Any]]:
    info = describe(app, SANDBOX_URL)
    recorder = Recorder(httpx.ASGITransport(app=app), clock)
    config = ConnectionConfig(
        kind="buchhaltungsbutler",
        base_url=info["base_url"],
        credentials=dict(info["credentials"]),
        options=options or {},
        name="bb-sandbox",
    )
    connector = BuchhaltungsButler(
        config, transport=recorder, clock=clock, sleep=clock.sleep, wall_clock=clock, pacer=pacer
    )
    return connector, recorder, info


def make_pair(*, options: dict[str, Any] | None = None, **app_args: Any) -> Pair:
    """A seeded sandbox and a connector to it, sharing one ``FakeClock``."""
    clock = FakeClock()
    app = make_app(clock, **app_args)
    connector, recorder, info = connect(app, clock, options=options)
    return Pair(app, connector, clock, recorder, info)


class SandboxRefused(RuntimeError):
    """The sandbox answered a helper's call with BB's error envelope."""


def sandbox_client(app: FastAPI) -> httpx.AsyncClient:
    """Plain HTTP to ``app`` with its credentials (Basic auth; add ``api_key`` per body)."""
    info = describe(app, SANDBOX_URL)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=info["base_url"],
        auth=(info["api_client"], info["api_secret"]),
    )


async def pay_later(
    app: FastAPI,
    receipt_id: int | str,
    *,
    amount: Decimal | str | None = None,
    booking_date: str | None = None,
    account: int = 1200,
) -> int:
    """Pay receipt ``receipt_id`` now through BB's endpoints; the new transaction's id.

    ``amount`` (positive) defaults to what is still open; money comes in for outbound
    invoices and goes out for credit notes and supplier invoices. ``booking_date``
    (``YYYY-MM-DD HH:MM:SS``) defaults to the sandbox clock's now. Raises ``SandboxRefused``
    when BB refuses a call (faults on the app hit these calls too).
    """
    api_key = describe(app, SANDBOX_URL)["api_key"]
    async with sandbox_client(app) as http:

        async def post(path: str, **body: Any) -> dict[str, Any]:
            answer = await http.post(path, json={"api_key": api_key, **body})
            data = answer.json()
            if answer.status_code != 200 or not data.get("success"):
                raise SandboxRefused(f"{path}: HTTP {answer.status_code} {data}")
            return dict(data)

        receipt = (await post(f"/receipts/get/{int(receipt_id)}"))["data"]
        gross = abs(Decimal(receipt["amount"]))
        value = gross - Decimal(receipt["amount_paid"] or "0") if amount is None else amount
        incoming = receipt["type"] in ("invoice outbound", "credit inbound")
        signed = Decimal(value) if incoming else -Decimal(value)
        added = await post(
            "/transactions/add",
            account=account,
            to_from=receipt["counterparty"] or "unknown",
            amount=float(signed),
            booking_date=booking_date or app.state.bb.stamp(),
            purpose=f"{receipt['invoicenumber']} {receipt['counterparty']}",
        )
        transaction = int(added["id_by_customer"])
        await post(
            "/transactions/assign/receipt",
            transaction_id_by_customer=transaction,
            receipt_id_by_customer=int(receipt_id),
        )
        return transaction


def real_connector() -> BuchhaltungsButler:
    """A connector for the real API from ``MAPWRIGHT_BB_API_CLIENT/_SECRET/_KEY`` (and
    optionally ``MAPWRIGHT_BB_BASE_URL``)."""
    env = os.environ
    config = ConnectionConfig(
        kind="buchhaltungsbutler",
        base_url=env.get("MAPWRIGHT_BB_BASE_URL", DEFAULT_BASE_URL),
        credentials={
            "api_client": env["MAPWRIGHT_BB_API_CLIENT"],
            "api_secret": env["MAPWRIGHT_BB_API_SECRET"],
            "api_key": env["MAPWRIGHT_BB_API_KEY"],
        },
        name="bb-real",
    )
    return BuchhaltungsButler(config)
