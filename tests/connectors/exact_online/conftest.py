"""Fixtures for the Exact Online tests (helpers live in ``exact_online/testing.py``).

The contract suite also runs against the real API when these variables are set (opt-in):
``MAPWRIGHT_EXACT_CLIENT_ID``, ``MAPWRIGHT_EXACT_CLIENT_SECRET``, ``MAPWRIGHT_EXACT_TOKEN_FILE``
(written by ``mapwright connect exact-online``), optional ``MAPWRIGHT_EXACT_HOST`` (nl, be, …)
and ``MAPWRIGHT_EXACT_DIVISION``. It creates test records (accounts, items, orders).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from mapwright.connectors.exact_online.sandbox import Sandbox, describe
from mapwright.connectors.exact_online.testing import (
    BASE,
    REAL_VARS,
    Target,
    make_connector,
    make_sandbox,
    real_connector,
)


@pytest.fixture(params=["sandbox", "real"])
async def target(request: pytest.FixtureRequest) -> AsyncIterator[Target]:
    if request.param == "real":
        missing = [name for name in REAL_VARS if not os.environ.get(name)]
        if missing:
            pytest.skip(
                "real Exact Online run is opt-in: set "
                + ", ".join(missing)
                + " (see docs/connectors/exact-online.md)"
            )
        connector = real_connector()
        yield Target(connector, None, None)
    else:
        app, sandbox, clock = make_sandbox(records=40)
        connector = make_connector(app, clock)
        yield Target(connector, sandbox, clock)
    await connector.aclose()


@dataclass
class Wire:
    """Plain HTTP to an in-process sandbox (no connector in between), with a valid token."""

    http: httpx.AsyncClient
    root: str
    sandbox: Sandbox
    app: Any

    async def get(self, path: str, **params: str) -> httpx.Response:
        return await self.http.get(f"{self.root}/{path}", params=params)

    async def post(self, path: str, body: Any) -> httpx.Response:
        headers = {"Prefer": "return=representation"}
        return await self.http.post(f"{self.root}/{path}", json=body, headers=headers)

    async def put(self, path: str, key: str, body: Any) -> httpx.Response:
        return await self.http.put(f"{self.root}/{path}(guid'{key}')", json=body)

    async def delete(self, path: str, key: str) -> httpx.Response:
        return await self.http.delete(f"{self.root}/{path}(guid'{key}')")

    def rows(self, table: str) -> list[dict[str, Any]]:
        return list(self.sandbox.store.table(table).values())

    def one(self, table: str, **match: Any) -> dict[str, Any]:
        found = [r for r in self.rows(table) if all(r.get(k) == v for k, v in match.items())]
        assert len(found) == 1, f"{len(found)} rows of {table} match {match}"
        return found[0]


async def open_wire(app: Any) -> Wire:
    info = describe(app, BASE)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
    form = {
        "grant_type": "refresh_token",
        "refresh_token": info["refresh_token"],
        "client_id": info["client_id"],
        "client_secret": info["client_secret"],
    }
    token = (await http.post("/api/oauth2/token", data=form)).json()["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    return Wire(http, f"/api/v1/{info['division']}", app.state.sandbox, app)


@pytest.fixture
async def wire() -> AsyncIterator[Wire]:
    app, _, _ = make_sandbox(records=40)
    opened = await open_wire(app)
    yield opened
    await opened.http.aclose()
