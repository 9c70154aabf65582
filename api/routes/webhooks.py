"""Exact Online webhook callbacks: ``POST /api/v1/webhooks/exact-online/{tenant}/{connection}``.

Register this URL (with the tenant and connection name) as the ``CallbackURL`` of a
``webhooks/WebhookSubscriptions`` subscription. Exact sends no API key: the callback is
authenticated by its ``HashCode`` (HMAC-SHA256 with the app's webhook secret, kept as the
connection's credential ``webhook_secret``). A genuine callback answers 200 at once with the
runs it started (``engine/webhooks.py``); a repeated one answers 200 with ``duplicate: true``.

Anything else answers 401 with one and the same problem body: a wrong ``HashCode``, a body
that is no callback, an unknown tenant or connection, a connection that is not an Exact
Online one or has no ``webhook_secret`` yet. The caller is unauthenticated, so a 404 or 409
would tell it which tenant and connection names exist; the service log says which it was
(event ``webhook.rejected``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from mapwright.api.errors import ApiError, Problem
from mapwright.engine.webhooks import WebhookRejected, receive

router = APIRouter(
    prefix="/api/v1/webhooks",
    tags=["webhooks"],
    responses={
        401: {
            "model": Problem,
            "description": "not a genuine callback for this URL: a wrong HashCode, or no "
            "Exact Online connection of that name with a webhook_secret (one answer for all, "
            "so the URL tells a caller nothing; the service log says which)",
        },
    },
)


@router.post("/exact-online/{tenant}/{connection}")
async def exact_online_callback(tenant: str, connection: str, request: Request) -> Any:
    """One Exact Online webhook callback (see the module docstring)."""
    services = request.app.state.services
    body = await request.body()
    try:
        result = receive(services.engine, tenant, connection, body, system="exact-online")
    except WebhookRejected as exc:
        raise ApiError(exc.status, str(exc)) from None
    return result.to_json()
