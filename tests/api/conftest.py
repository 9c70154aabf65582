"""Fixtures of the API tests: an app on a temporary SQLite store, the real sandboxes of
Exact Online and BuchhaltungsButler mounted in-process, tenants with API keys."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mapwright.api.app import create_app  # noqa: E402
from mapwright.api.auth import issue_key  # noqa: E402
from mapwright.api.services import (
    Services,  # noqa: E402
    create_tenant,  # noqa: E402
)
from mapwright.api.settings import ApiSettings  # noqa: E402
from mapwright.api.vault import Vault  # noqa: E402
from mapwright.connectors.buchhaltungsbutler import sandbox as bb_sandbox  # noqa: E402
from mapwright.connectors.exact_online import sandbox as exact_sandbox  # noqa: E402
from mapwright.connectors.sandbox import SandboxOptions  # noqa: E402


@dataclass
class World:
    app: Any
    services: Services
    client: httpx.AsyncClient
    exact_app: Any
    bb_app: Any
    exact_info: dict[str, Any]
    bb_info: dict[str, Any]
    admin: dict[str, str]

    def key(self, scope: str, tenant: str | None = None, *, reveal: bool = False) -> dict[str, str]:
        """Headers with a new key of ``scope`` for ``tenant`` (default: the world's tenant)."""
        keys = self.services.data.keys
        _, key = issue_key(keys, tenant or "acme", f"{scope}-key", scope, reveal=reveal)  # type: ignore[arg-type]
        return {"Authorization": f"Bearer {key}"}

    def tenant(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_tenant(self.services, name)}"}

    async def connect_sandboxes(self, headers: dict[str, str] | None = None) -> None:
        headers = headers or self.admin
        exact = {
            "name": "exact_online",
            "kind": "exact_online",
            "base_url": self.exact_info["base_url"],
            "credentials": {
                "client_id": self.exact_info["client_id"],
                "client_secret": self.exact_info["client_secret"],
                "refresh_token": self.exact_info["refresh_token"],
            },
        }
        bb = {
            "name": "buchhaltungsbutler",
            "kind": "buchhaltungsbutler",
            "base_url": self.bb_info["base_url"],
            "credentials": dict(self.bb_info["credentials"]),
        }
        for body in (exact, bb):
            response = await self.client.post("/api/v1/connections", json=body, headers=headers)
            assert response.status_code == 201, response.text


@pytest.fixture
def settings(tmp_path: Path) -> ApiSettings:
    return ApiSettings(data_dir=tmp_path / "data", secret_key=Vault.new_key())


@pytest.fixture
def make_world(settings: ApiSettings) -> Iterator[Callable[..., Any]]:
    created: list[World] = []

    async def build(**kwargs: Any) -> World:
        # an app id of its own per world: the connector counts Exact's quota per app id
        exact_app = exact_sandbox.create_app(
            SandboxOptions(seed=7, records=6, extra={"client_id": str(uuid.uuid4())})
        )
        bb_app = bb_sandbox.create_app(SandboxOptions(seed=11, records=8))
        # a BB base URL of its own per world: the connector paces per account and process
        bb_url = f"http://bb-{uuid.uuid4().hex[:8]}.sandbox"
        exact_url = f"http://exact-{uuid.uuid4().hex[:8]}.sandbox"
        transports = {
            exact_url: httpx.ASGITransport(app=exact_app),
            bb_url: httpx.ASGITransport(app=bb_app),
        }
        app = create_app(kwargs.pop("settings", settings), transports=transports, **kwargs)
        services: Services = app.state.services
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://mapwright.test",
        )
        world = World(
            app,
            services,
            client,
            exact_app,
            bb_app,
            exact_sandbox.describe(exact_app, exact_url),
            bb_sandbox.describe(bb_app, bb_url),
            {"Authorization": f"Bearer {create_tenant(services, 'acme')}"},
        )
        created.append(world)
        return world

    yield build
    for world in created:
        world.services.close()


@pytest.fixture
async def world(make_world: Callable[..., Any]) -> AsyncIterator[World]:
    built: World = await make_world()
    yield built
    await built.services.executor.drain()
    await built.client.aclose()
