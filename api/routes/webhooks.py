"""Exact Online webhook callbacks: ``POST /api/v1/webhooks/exact-online/{tenant}/{connection}``.

Register this URL (with the tenant and connection name) as the ``CallbackURL`` of a
``webhooks/WebhookSubscriptions`` subscription. Exact sends no API key: the callback is
authenticated by its ``HashCode`` (HMAC-SHA256 with the app's webhook secret, kept as the
connection's credential ``webhook_secret``); a wrong signature answers 401, an unknown
connection 404. A genuine callback answers 200 at once with the runs it started
(``engine/webhooks.py``); a repeated one answers 200 with ``duplicate: true``.
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
        401: {"model": Problem, "description": "the HashCode does not match the secret"},
        404: {"model": Problem, "description": "no such tenant or connection"},
        409: {"model": Problem, "description": "the connection has no webhook_secret yet"},
    },
)


@router.post("/exact-online/{tenant}/{connection}")
async def exact_online_callback(tenant: str, connection: str, request: Request) -> Any:
    """One Exact Online webhook callback (see the module docstring)."""
    services = request.app.state.services
    body = await request.body()
    try:
        result = receive(services.engine, tenant, connection, body)
    except WebhookRejected as exc:
        raise ApiError(exc.status, str(exc)) from None
    return result.to_json()
