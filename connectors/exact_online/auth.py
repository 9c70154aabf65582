"""Exact Online OAuth2: country hosts, token stores and single-flight refresh.

Exact issues 10-minute access tokens (``expires_in`` is the *string* ``"600"``) and rotates
the refresh token on every refresh: once the new pair is used the old refresh token is dead,
and two workers refreshing with the same token break the chain for good (the user must
consent again). A new access token may not be requested within 570 s of the previous one
(HTTP 400 ``access_denied`` / ``TooEarlyToRefreshTokens``).

``TokenManager`` follows from that:

* it refreshes only when the token is about to expire (``refresh_margin`` before expiry) and
  never before ``min_refresh_interval`` (570 s) after the last issue;
* one refresh at a time: an ``asyncio.Lock`` inside the process plus the store's
  ``refresh_lock()`` across processes (``FileTokenStore`` uses a lock file); under the lock it
  re-reads the store, so a caller that waited finds the fresh pair and does not refresh again;
* the rotated pair is saved (atomically for files) *before* anyone uses it, so the old refresh
  token is never sent again;
* a passing failure of the token endpoint (429, 5xx, a connection that did not open) is
  retried under the same lock with the connector's back-off (``RetryPolicy``, honouring
  ``Retry-After``), so one hiccup does not fail a run and the waiting callers still see one
  refresh. A refresh whose answer was lost (the request may have been processed) is not
  repeated at once: the 570 s rule applies from that attempt (see ``_refresh``).

A ``TokenStore`` is a small protocol (``load``/``save``/``refresh_lock``); the engine can add a
database-backed one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode, urlparse

import filelock
import httpx
from mapwright.connectors.errors import AuthError, RetriableError
from mapwright.connectors.http import (
    UNSENT_ERRORS,
    RetryPolicy,
    Sleep,
    clean_text,
    parse_retry_after,
)

#: Exact's country hosts (same paths on each); a licence lives on exactly one of them
HOSTS: dict[str, str] = {
    "nl": "https://start.exactonline.nl",
    "be": "https://start.exactonline.be",
    "de": "https://start.exactonline.de",
    "fr": "https://start.exactonline.fr",
    "es": "https://start.exactonline.es",
    "uk": "https://start.exactonline.co.uk",
    "us": "https://start.exactonline.com",
}

ACCESS_TOKEN_SECONDS = 600
MIN_REFRESH_INTERVAL = 570.0
REFRESH_MARGIN = 30.0


def resolve_host(host: str) -> str:
    """A country code (``nl``, ``be``, ``de``, ``fr``, ``es``, ``uk``, ``us``) or a base URL."""
    key = host.strip().lower()
    if key in HOSTS:
        return HOSTS[key]
    parsed = urlparse(host.strip())
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return host.strip().rstrip("/")
    raise ValueError(
        f"unknown Exact host {host!r}: use one of {', '.join(HOSTS)} or a base URL such as "
        "https://start.exactonline.nl"
    )


def authorize_url(base_url: str, client_id: str, redirect_uri: str, state: str) -> str:
    """The consent page the user opens (authorization-code grant)."""
    query = urlencode(
        {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "state": state,
            "force_login": "0",
        }
    )
    return f"{base_url.rstrip('/')}/api/oauth2/auth?{query}"


@dataclass(frozen=True)
class TokenSet:
    """One access/refresh pair with its issue time (UNIX seconds) and the host it is for."""

    access_token: str
    refresh_token: str
    issued_at: float
    expires_at: float
    base_url: str = ""
    division: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenSet:
        try:
            return cls(
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                issued_at=float(data["issued_at"]),
                expires_at=float(data["expires_at"]),
                base_url=str(data.get("base_url") or ""),
                division=int(data["division"]) if data.get("division") is not None else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AuthError(
                f"stored Exact tokens are incomplete ({exc}); run `mapwright connect "
                "exact-online` again"
            ) from None

    @classmethod
    def from_response(
        cls, body: dict[str, Any], *, now: float, base_url: str, division: int | None = None
    ) -> TokenSet:
        """Parse a token-endpoint answer; ``expires_in`` may be a string (Exact) or int."""
        try:
            expires_in = float(body.get("expires_in") or ACCESS_TOKEN_SECONDS)
            return cls(
                access_token=str(body["access_token"]),
                refresh_token=str(body["refresh_token"]),
                issued_at=now,
                expires_at=now + expires_in,
                base_url=base_url,
                division=division,
            )
        except (KeyError, TypeError, ValueError):
            raise AuthError(
                "Exact token endpoint answered without access_token/refresh_token"
            ) from None


class TokenStore(Protocol):
    """Where one connection's tokens live; ``refresh_lock`` spans processes."""

    async def load(self) -> TokenSet | None: ...

    async def save(self, tokens: TokenSet) -> None: ...

    def refresh_lock(self) -> contextlib.AbstractAsyncContextManager[None]: ...


class MemoryTokenStore:
    """Tokens in memory (tests, one process); the lock is an ``asyncio.Lock``."""

    def __init__(self, tokens: TokenSet | None = None):
        self.tokens = tokens
        self.saves = 0
        self._lock = asyncio.Lock()

    async def load(self) -> TokenSet | None:
        return self.tokens

    async def save(self, tokens: TokenSet) -> None:
        self.tokens = tokens
        self.saves += 1

    @contextlib.asynccontextmanager
    async def refresh_lock(self) -> AsyncIterator[None]:
        async with self._lock:
            yield


class FileTokenStore:
    """Tokens in a JSON file (mode 0600), replaced atomically; a ``.lock`` file next to it
    serialises refreshes across processes."""

    def __init__(self, path: str | os.PathLike[str], *, poll_seconds: float = 0.02):
        self.path = Path(path)
        self.poll_seconds = poll_seconds
        self._lock_path = str(self.path) + ".lock"

    async def load(self) -> TokenSet | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return TokenSet.from_json(json.loads(text))
        except json.JSONDecodeError:
            raise AuthError(
                f"token file {self.path} is not valid JSON; delete it and run `mapwright "
                "connect exact-online` again"
            ) from None

    async def save(self, tokens: TokenSet) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(tokens.to_json(), handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    @contextlib.asynccontextmanager
    async def refresh_lock(self) -> AsyncIterator[None]:
        lock = filelock.FileLock(self._lock_path, thread_local=False)
        while True:
            try:
                lock.acquire(blocking=False)
                break
            except filelock.Timeout:
                await asyncio.sleep(self.poll_seconds)
        try:
            yield
        finally:
            lock.release()


@dataclass
class OAuthApp:
    """The registered app: its id/secret and the redirect URI used for consent."""

    client_id: str
    client_secret: str
    redirect_uri: str = ""


class TokenManager:
    """Hands out valid access tokens; refreshes single-flight and persists the rotation."""

    def __init__(
        self,
        app: OAuthApp,
        store: TokenStore,
        http: httpx.AsyncClient,
        base_url: str,
        *,
        clock: Callable[[], float] = time.time,
        min_refresh_interval: float = MIN_REFRESH_INTERVAL,
        refresh_margin: float = REFRESH_MARGIN,
        sleep: Sleep = asyncio.sleep,
        policy: RetryPolicy = RetryPolicy(),
    ):
        self.app = app
        self.store = store
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.min_refresh_interval = min_refresh_interval
        self.refresh_margin = refresh_margin
        self.refreshes = 0
        self.sleep = sleep
        self.policy = policy
        self._rng = random.Random()
        self._lock = asyncio.Lock()
        self._tokens: TokenSet | None = None
        self._lost_at: float | None = None

    def _due(self, tokens: TokenSet) -> bool:
        return self.clock() >= tokens.expires_at - self.refresh_margin

    def _allowed_in(self, tokens: TokenSet) -> float:
        return tokens.issued_at + self.min_refresh_interval - self.clock()

    async def tokens(self) -> TokenSet:
        """The current pair, loading it from the store on first use."""
        if self._tokens is None:
            self._tokens = await self.store.load()
            if self._tokens is None:
                raise AuthError(
                    "no Exact Online tokens stored for this connection; run `mapwright "
                    "connect exact-online` to give consent"
                )
        return self._tokens

    async def access_token(self) -> str:
        """A valid access token; refreshes (once, for all callers) when it is due."""
        tokens = await self.tokens()
        if not self._due(tokens):
            return tokens.access_token
        return (await self._refresh_if(lambda fresh: self._due(fresh))).access_token

    async def after_unauthorized(self, rejected: str) -> str:
        """After a 401 with ``rejected``: a newer token if someone refreshed, else a refreshed
        one (when the 570 s rule allows it), else the same token for one more try."""

        def stale(fresh: TokenSet) -> bool:
            return fresh.access_token == rejected or self._due(fresh)

        return (await self._refresh_if(stale, after_401=True)).access_token

    async def _refresh_if(
        self, needed: Callable[[TokenSet], bool], after_401: bool = False
    ) -> TokenSet:
        async with self._lock, self.store.refresh_lock():
            fresh = await self.store.load()
            if fresh is None:
                raise AuthError(
                    "Exact Online tokens were removed; run `mapwright connect exact-online` again"
                )
            self._tokens = fresh
            if not needed(fresh):
                return fresh
            wait = self._allowed_in(fresh)
            if self._lost_at is not None:
                wait = max(wait, self._lost_at + self.min_refresh_interval - self.clock())
            if wait > 0:
                if after_401:
                    # too young to refresh: the 401 may be a load-balancer hiccup, so the
                    # caller retries once with the same token and gives up on a second 401
                    return fresh
                raise RetriableError(
                    "Exact forbids a new access token within 570 s of the last one",
                    retry_after=wait,
                )
            new = await self._refresh(fresh)
            await self.store.save(new)
            self._tokens = new
            return new

    async def _refresh(self, tokens: TokenSet) -> TokenSet:
        data = {
            "grant_type": "refresh_token",
            "refresh_token": tokens.refresh_token,
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret,
        }
        attempt = 0
        while True:
            attempt += 1
            now = self.clock()
            try:
                body = await token_request(self.http, self.base_url, data)
                break
            except RetriableError as exc:
                if exc.maybe_committed:
                    # the answer was lost: Exact may have issued a pair we never saw. Its
                    # 570 s rule then runs from now, and the old refresh token stays usable
                    # until the new pair is used (about 10 minutes), so try again 570 s on
                    self._lost_at = now
                    exc.retry_after = self.min_refresh_interval
                    raise
                too_early = exc.status == 400
                if too_early or self.policy.gives_up(attempt, exc):
                    raise
                await self.sleep(self.policy.delay(attempt, exc, self._rng))
        self._lost_at = None
        self.refreshes += 1
        return TokenSet.from_response(
            body, now=now, base_url=tokens.base_url or self.base_url, division=tokens.division
        )


async def token_request(
    http: httpx.AsyncClient, base_url: str, data: dict[str, str]
) -> dict[str, Any]:
    """POST the token endpoint (form-encoded) and classify its OAuth-style errors."""
    url = f"{base_url.rstrip('/')}/api/oauth2/token"
    try:
        response = await http.post(url, data=data, headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        raise RetriableError(
            f"Exact token endpoint unreachable ({type(exc).__name__}); the old refresh token "
            "stays valid until a new one is used",
            endpoint="oauth2/token",
            maybe_committed=not isinstance(exc, UNSENT_ERRORS),
        ) from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 200 and isinstance(body, dict):
        return body
    error = body.get("error") if isinstance(body, dict) else None
    error = clean_text(error, 80) if isinstance(error, str) else None
    description = body.get("error_description") if isinstance(body, dict) else None
    description = clean_text(description) if isinstance(description, str) else None
    reason = response.headers.get("Reason", "")
    text = f"{error or 'HTTP ' + str(response.status_code)}: {description or reason or ''}"
    if response.status_code == 400 and (
        error == "access_denied" or reason.startswith("TooEarlyToRefreshTokens")
    ):
        raise RetriableError(
            f"Exact refused the refresh as too early ({text.strip()})",
            retry_after=MIN_REFRESH_INTERVAL,
            status=400,
            code=error,
            endpoint="oauth2/token",
        )
    if response.status_code in (400, 401, 403):
        raise AuthError(
            f"Exact rejected the grant ({text.strip()}); run `mapwright connect exact-online` "
            "to give consent again",
            status=response.status_code,
            code=error,
            endpoint="oauth2/token",
        )
    raise RetriableError(
        f"Exact token endpoint failed ({text.strip()})",
        status=response.status_code,
        endpoint="oauth2/token",
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )


async def exchange_code(
    http: httpx.AsyncClient,
    base_url: str,
    app: OAuthApp,
    code: str,
    *,
    clock: Callable[[], float] = time.time,
) -> TokenSet:
    """First consent: trade an authorization code for a token pair."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": app.redirect_uri,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
    }
    now = clock()
    body = await token_request(http, base_url, data)
    return TokenSet.from_response(body, now=now, base_url=base_url)


def with_division(tokens: TokenSet, division: int) -> TokenSet:
    """The same pair remembering the division (from current/Me)."""
    return replace(tokens, division=division)
