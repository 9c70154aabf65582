"""The shop sandbox app: settings, authentication, rate limiting, error bodies, OAuth token.

Every ``/api/v1`` call needs a credential: ``Authorization: Bearer <api_key>``,
``X-API-Key: <api_key>``, or a bearer token from ``POST /oauth/token`` (client
credentials grant). Calls are limited per credential to ``rate_limit`` per 60 s (sliding
window); every answer carries ``X-RateLimit-Limit/-Remaining/-Reset`` (reset as UNIX
seconds) and a call over the limit gets ``429`` with ``Retry-After``.

Every error answers ``{"error": {"code": ..., "message": ..., "field": ...}}``.
"""

from __future__ import annotations

import base64
import binascii
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from mapwright.connectors.shop.sandbox.store import ShopStore
from starlette.exceptions import HTTPException as StarletteHTTPException

Clock = Callable[[], float]


@dataclass
class ShopSettings:
    """Switches from ``SandboxOptions.extra`` (all optional)."""

    api_key: str = "shop-sandbox-key"
    client_id: str = "shop-sandbox-client"
    client_secret: str = "shop-sandbox-secret"
    rate_limit: int = 600
    max_per_page: int = 200
    token_ttl: int = 3600
    clock: Clock = field(default=time.time)

    @classmethod
    def from_extra(cls, extra: dict[str, Any]) -> ShopSettings:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(extra) - known)
        if unknown:
            raise ValueError(
                f"unknown shop sandbox setting(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}"
            )
        return cls(**extra)


class ShopError(Exception):
    """An error answer: HTTP ``status`` with the shop's error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}


def error_response(exc: ShopError) -> JSONResponse:
    body = {"error": {"code": exc.code, "message": exc.message, "field": exc.field}}
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


class RateLimiter:
    """``limit`` calls per 60 s per principal, sliding window."""

    window = 60.0

    def __init__(self, limit: int, clock: Clock):
        self.limit = limit
        self.clock = clock
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, principal: str) -> dict[str, str]:
        """Count one call; the rate headers to send, or ``ShopError`` 429 when over."""
        with self._lock:
            now = self.clock()
            calls = self._calls.setdefault(principal, deque())
            while calls and calls[0] <= now - self.window:
                calls.popleft()
            if len(calls) >= self.limit:
                wait = calls[0] + self.window - now
                headers = self._headers(0, calls[0] + self.window)
                headers["Retry-After"] = str(max(1, math.ceil(wait)))
                raise ShopError(
                    429,
                    "rate_limited",
                    f"more than {self.limit} calls per minute; retry after {math.ceil(wait)} s",
                    headers=headers,
                )
            calls.append(now)
            reset = calls[0] + self.window
            return self._headers(self.limit - len(calls), reset)

    def _headers(self, remaining: int, reset: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(math.ceil(reset)),
        }


@dataclass
class Shop:
    """Everything a request handler needs: the store, the settings and the live tokens."""

    store: ShopStore
    settings: ShopSettings
    limiter: RateLimiter
    tokens: dict[str, float] = field(default_factory=dict)

    def principal(self, request: Request) -> str:
        """The caller's credential name, or ``ShopError`` 401."""
        key = request.headers.get("x-api-key")
        if key is not None:
            if secrets.compare_digest(key, self.settings.api_key):
                return "api_key"
            raise ShopError(401, "unauthorized", "X-API-Key is not valid")
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ShopError(
                401,
                "unauthorized",
                "send 'Authorization: Bearer <api key or access token>' or 'X-API-Key'",
            )
        if secrets.compare_digest(token, self.settings.api_key):
            return "api_key"
        expires = self.tokens.get(token)
        if expires is None:
            raise ShopError(401, "invalid_token", "the bearer token is not known")
        if expires <= self.settings.clock():
            raise ShopError(401, "token_expired", "the access token has expired; get a new one")
        return "client"


def shop_of(request: Request) -> Shop:
    shop: Shop = request.app.state.shop
    return shop


def guard(request: Request, response: Response) -> Shop:
    """Dependency of every API route: authenticate, count against the rate limit."""
    shop = shop_of(request)
    principal = shop.principal(request)
    response.headers.update(shop.limiter.check(principal))
    return shop


Guarded = Annotated[Shop, Depends(guard)]


def build_app(shop: Shop) -> FastAPI:
    """The FastAPI app around ``shop`` with error handlers and the token endpoint."""
    app = FastAPI(title="mapwright shop sandbox", version="1")
    app.state.shop = shop

    @app.exception_handler(ShopError)
    async def _shop_error(request: Request, exc: ShopError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"] if part != "body")
        return error_response(ShopError(422, "invalid", first["msg"], field=where or None))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else "http_error"
        return error_response(ShopError(exc.status_code, code, str(exc.detail)))

    @app.post("/oauth/token")
    async def token(request: Request) -> JSONResponse:
        """OAuth 2 client credentials grant (client id/secret in the form or Basic auth)."""
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return _oauth_error("unsupported_grant_type", "only client_credentials is offered")
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if client_id is None:
            client_id, client_secret = _basic_credentials(request)
        settings = shop.settings
        if client_id != settings.client_id or not secrets.compare_digest(
            client_secret or "", settings.client_secret
        ):
            return _oauth_error("invalid_client", "client id or secret is wrong", status=401)
        access = secrets.token_urlsafe(24)
        shop.tokens[access] = settings.clock() + settings.token_ttl
        return JSONResponse(
            {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": settings.token_ttl,
                "scope": form.get("scope", "shop"),
            }
        )

    return app


def _oauth_error(code: str, description: str, *, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": code, "error_description": description}, status_code=status)


def _basic_credentials(request: Request) -> tuple[str | None, str | None]:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        user, _, password = base64.b64decode(value).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    return user, password
