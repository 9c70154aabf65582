"""The shop sandbox: a small REST shop (products with variants, categories, stock, shipments).

``create_app(options)`` builds the FastAPI app, ``describe(app, base_url)`` says how to reach
it. Run it with ``mapwright sandbox shop`` or mount it in tests with
``httpx.ASGITransport(app=create_app(SandboxOptions()))``. Switches go into
``SandboxOptions.extra`` (``ShopSettings``: credentials, ``rate_limit`` per minute,
``max_per_page``, ``token_ttl``, ``clock``). The API is described in
``docs/connectors/sandboxes.md`` and, as a declarative connector, in ``connectors/shop/shop.yaml``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from mapwright.connectors.faults import install_faults
from mapwright.connectors.sandbox import SandboxOptions
from mapwright.connectors.shop.sandbox.app import RateLimiter, Shop, ShopSettings, build_app
from mapwright.connectors.shop.sandbox.routes import router
from mapwright.connectors.shop.sandbox.seed import fill
from mapwright.connectors.shop.sandbox.store import ShopStore

__all__ = ["ShopSettings", "create_app", "describe"]


def create_app(options: SandboxOptions | None = None) -> FastAPI:
    """The shop app for ``options``: seeded when its store is empty, faults installed."""
    options = options or SandboxOptions()
    settings = ShopSettings.from_extra(dict(options.extra))
    store = ShopStore(options.data_file)
    if store.empty:
        fill(store, options.seed, options.records)
    shop = Shop(store, settings, RateLimiter(settings.rate_limit, settings.clock))
    app = build_app(shop)
    app.include_router(router)
    install_faults(app, options.faults, seed=options.seed)
    return app


def describe(app: FastAPI, base_url: str) -> dict[str, Any]:
    """How to reach the running sandbox: base URL, credentials, admin endpoint."""
    settings: ShopSettings = app.state.shop.settings
    return {
        "sandbox": "shop",
        "base_url": base_url,
        "api_base": f"{base_url}/api/v1",
        "api_key": settings.api_key,
        "auth": "Authorization: Bearer <api_key> or X-API-Key: <api_key>",
        "client_id": settings.client_id,
        "client_secret": settings.client_secret,
        "token_url": f"{base_url}/oauth/token",
        "rate_limit_per_minute": settings.rate_limit,
        "admin": f"{base_url}/_admin/faults",
    }
