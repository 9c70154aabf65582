"""The shop sandbox itself: credentials, OAuth tokens, seed data, SQLite state, limits."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from mapwright.connectors.base import ConnectionConfig
from mapwright.connectors.errors import AuthError
from mapwright.connectors.rest import RestConnector, validate_description
from mapwright.connectors.sandbox import FaultOptions, SandboxOptions
from mapwright.connectors.shop import DESCRIPTION_FILE
from mapwright.connectors.shop.sandbox import create_app, describe


def raw(app: FastAPI, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://shop.test", headers=headers
    )


async def test_calls_without_a_credential_get_401_with_an_error_body(shop_app: FastAPI) -> None:
    async with raw(shop_app) as client:
        response = await client.get("/api/v1/products")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("header", ["X-API-Key", "Authorization"])
async def test_api_key_works_as_header_or_bearer(shop_app: FastAPI, header: str) -> None:
    key = describe(shop_app, "http://x")["api_key"]
    value = key if header == "X-API-Key" else f"Bearer {key}"
    async with raw(shop_app, **{header: value}) as client:
        response = await client.get("/api/v1/categories")
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "599"


def oauth_connector(app: FastAPI, transport: httpx.AsyncBaseTransport, secret: str) -> Any:
    data = yaml.safe_load(DESCRIPTION_FILE.read_text(encoding="utf-8"))
    data["auth"] = {
        "type": "oauth2_client_credentials",
        "token_url": "/oauth/token",
        "client_id": "${client_id}",
        "client_secret": "${client_secret}",
    }

    class OAuthShop(RestConnector):
        description = validate_description(data)

    info = describe(app, "http://shop.test")
    config = ConnectionConfig(
        kind="rest",
        base_url=info["base_url"],
        credentials={"client_id": info["client_id"], "client_secret": secret},
    )
    return OAuthShop(config, transport=transport, governor=None)


async def test_oauth_client_credentials_token_is_fetched_once_and_reused(
    shop_app: FastAPI, connect: Any
) -> None:
    _, transport = connect(shop_app)
    shop = oauth_connector(shop_app, transport, "shop-sandbox-secret")
    await shop.get("products", 1)
    await shop.list("categories")
    assert [path for _, path in transport.calls].count("/oauth/token") == 1
    assert len(transport.calls) == 3


async def test_concurrent_first_calls_share_one_token_request(make_shop: Any, connect: Any) -> None:
    app = make_shop(faults=FaultOptions(latency_ms=5))  # every answer waits: calls overlap
    _, transport = connect(app)
    shop = oauth_connector(app, transport, "shop-sandbox-secret")
    found = await asyncio.gather(*(shop.get("products", n) for n in range(1, 6)))
    assert all(record is not None for record in found)
    assert [path for _, path in transport.calls].count("/oauth/token") == 1


async def test_expired_oauth_token_is_renewed(make_shop: Any, connect: Any, fake_time: Any) -> None:
    app = make_shop(clock=fake_time, token_ttl=120)
    _, transport = connect(app)
    shop = oauth_connector(app, transport, "shop-sandbox-secret")
    shop.client.auth.clock = fake_time
    await shop.get("products", 1)
    fake_time.now += 200
    assert await shop.get("products", 1) is not None
    assert [path for _, path in transport.calls].count("/oauth/token") == 2


async def test_wrong_client_secret_is_an_auth_error_naming_the_fix(
    shop_app: FastAPI, connect: Any
) -> None:
    _, transport = connect(shop_app)
    shop = oauth_connector(shop_app, transport, "wrong")
    with pytest.raises(AuthError, match="client id or secret is wrong.*client_secret"):
        await shop.get("products", 1)


def test_seed_data_is_deterministic() -> None:
    first = create_app(SandboxOptions(seed=9, records=20)).state.shop.store.all("products")
    again = create_app(SandboxOptions(seed=9, records=20)).state.shop.store.all("products")
    other = create_app(SandboxOptions(seed=10, records=20)).state.shop.store.all("products")
    assert first == again
    assert first != other
    assert len(first) == 20
    assert any(p["type"] == "variant" for p in first + other)


async def test_sqlite_state_survives_a_restart(tmp_path: Path) -> None:
    data = str(tmp_path / "shop.db")
    app = create_app(SandboxOptions(records=5, data_file=data))
    async with raw(app, **{"X-API-Key": "shop-sandbox-key"}) as client:
        created = await client.post(
            "/api/v1/products", json={"sku": "KEEP-1", "name": "Bleibt", "price": 1}
        )
    assert created.status_code == 201
    app.state.shop.store.close()
    again = create_app(SandboxOptions(records=5, data_file=data))
    async with raw(again, **{"X-API-Key": "shop-sandbox-key"}) as client:
        listed = await client.get("/api/v1/products", params={"sku": "KEEP-1"})
        newer = await client.post(
            "/api/v1/products", json={"sku": "KEEP-2", "name": "Neu", "price": 1}
        )
    assert listed.json()["data"][0]["name"] == "Bleibt"
    assert listed.json()["meta"]["total"] == 1
    assert newer.json()["id"] == created.json()["id"] + 1
    assert len(again.state.shop.store.all("products")) == 7


async def test_per_page_above_the_maximum_is_refused(shop_app: FastAPI) -> None:
    async with raw(shop_app, **{"X-API-Key": "shop-sandbox-key"}) as client:
        response = await client.get("/api/v1/products", params={"per_page": 500})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "per_page"


async def test_bad_updated_since_names_the_parameter(shop_app: FastAPI) -> None:
    async with raw(shop_app, **{"X-API-Key": "shop-sandbox-key"}) as client:
        response = await client.get("/api/v1/products", params={"updated_since": "gestern"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "updated_since"


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown shop sandbox setting"):
        create_app(SandboxOptions(extra={"rate_limt": 5}))
