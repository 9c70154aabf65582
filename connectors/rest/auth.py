"""Authentication for the declarative REST connector, as ``httpx.Auth`` objects.

``build_auth(description, credentials, base_url)`` fills ``${name}`` placeholders from the
connection's credentials and returns the auth to put on the client. OAuth 2 client
credentials fetch a token on first use (one request even when many calls start at once),
keep it until shortly before ``expires_in`` runs out, and fetch a new one once when the API
answers 401 to a cached token.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from typing import Any

import httpx
from mapwright.connectors.errors import AuthError, FatalError
from mapwright.connectors.http import body_summary, clean_text
from mapwright.connectors.rest.description import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    NoAuth,
    OAuth2ClientCredentials,
)

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: a token is renewed this many seconds before it expires
EXPIRY_MARGIN = 30.0

AuthSpec = NoAuth | BearerAuth | BasicAuth | ApiKeyAuth | OAuth2ClientCredentials


def fill(value: str, credentials: Mapping[str, Any], where: str) -> str:
    """``value`` with every ``${name}`` replaced by ``credentials[name]``."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if credentials.get(name) in (None, ""):
            raise AuthError(
                f"credential '{name}' is missing (used by {where}); add it to the "
                "connection's credentials"
            )
        return str(credentials[name])

    return PLACEHOLDER.sub(replace, value)


class ApiKeyQuery(httpx.Auth):
    """An API key sent as a query parameter."""

    def __init__(self, name: str, value: str):
        self.name = name
        self.value = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.url = request.url.copy_merge_params({self.name: self.value})
        yield request


class HeaderAuth(httpx.Auth):
    """A fixed header (``Authorization: Bearer ...`` or an API key header)."""

    def __init__(self, name: str, value: str):
        self.name = name
        self.value = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self.name] = self.value
        yield request


class ClientCredentials(httpx.Auth):
    """OAuth 2 client credentials grant with a cached access token."""

    requires_response_body = True

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        client_auth: str = "body",
        clock: Callable[[], float] = time.monotonic,
    ):
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self.client_auth = client_auth
        self.clock = clock
        self.token: str | None = None
        self.expires_at = 0.0
        self.fetched = 0
        self._token_lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    def token_request(self) -> httpx.Request:
        form = {"grant_type": "client_credentials"}
        if self.scope:
            form["scope"] = self.scope
        headers = {"accept": "application/json"}
        if self.client_auth == "basic":
            basic = httpx.BasicAuth(self.client_id, self.client_secret)
            request = httpx.Request("POST", self.token_url, data=form, headers=headers)
            return next(basic.auth_flow(request))
        form |= {"client_id": self.client_id, "client_secret": self.client_secret}
        return httpx.Request("POST", self.token_url, data=form, headers=headers)

    def store(self, response: httpx.Response) -> None:
        """Keep the token from a token response, or raise ``AuthError`` with its reason."""
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not body.get("access_token"):
            given = (
                body.get("error_description") or body.get("error")
                if isinstance(body, dict)
                else None
            )
            reason = (
                clean_text(str(given))
                if given
                else f"HTTP {response.status_code} ({body_summary(response)})"
            )
            raise AuthError(
                f"token request to {self.token_url} failed: {reason}. Check client_id and "
                "client_secret of the connection",
                status=response.status_code,
                endpoint=f"POST {httpx.URL(self.token_url).path}",
            )
        lifetime = float(body.get("expires_in") or 3600)
        self.token = str(body["access_token"])
        self.expires_at = self.clock() + max(lifetime - EXPIRY_MARGIN, 0.0)
        self.fetched += 1

    def current(self) -> str | None:
        """The cached token while it is still good, else ``None``."""
        return self.token if self.token is not None and self.clock() < self.expires_at else None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Synchronous clients: fetch when needed, renew once on a 401 to a cached token."""
        cached = self.current() is not None
        if not cached:
            self.store((yield self.token_request()))
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code == 401 and cached:
            self.store((yield self.token_request()))
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Async clients: as ``auth_flow``, but single-flight: concurrent calls that find no
        good token wait for one token request instead of each making their own."""
        token = self.current()
        cached = token is not None
        if token is None:
            async with self._lock():
                token = self.current()
                if token is None:
                    answer = yield self.token_request()
                    await answer.aread()
                    self.store(answer)
                    token = self.token
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401 and cached:
            await response.aread()
            async with self._lock():
                if self.token == token:
                    answer = yield self.token_request()
                    await answer.aread()
                    self.store(answer)
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._token_lock is None or self._lock_loop is not loop:
            self._token_lock, self._lock_loop = asyncio.Lock(), loop
        return self._token_lock


def build_auth(spec: AuthSpec, credentials: Mapping[str, Any], base_url: str) -> httpx.Auth | None:
    """The ``httpx.Auth`` for ``spec`` with credentials filled in (``None`` for no auth)."""
    if isinstance(spec, NoAuth):
        return None
    if isinstance(spec, BearerAuth):
        return HeaderAuth("Authorization", f"Bearer {fill(spec.token, credentials, 'auth.token')}")
    if isinstance(spec, BasicAuth):
        return httpx.BasicAuth(
            fill(spec.username, credentials, "auth.username"),
            fill(spec.password, credentials, "auth.password"),
        )
    if isinstance(spec, ApiKeyAuth):
        value = fill(spec.value, credentials, "auth.value")
        if spec.location == "query":
            return ApiKeyQuery(spec.name, value)
        return HeaderAuth(spec.name, value)
    if isinstance(spec, OAuth2ClientCredentials):
        return ClientCredentials(
            str(httpx.URL(base_url.rstrip("/") + "/").join(spec.token_url)),
            fill(spec.client_id, credentials, "auth.client_id"),
            fill(spec.client_secret, credentials, "auth.client_secret"),
            scope=spec.scope,
            client_auth=spec.client_auth,
        )
    raise FatalError(f"unknown auth type {spec!r}")
