"""HTTP for connectors: one client factory and one send loop with retry, backoff and quotas.

``make_client(base_url, transport)`` builds the ``httpx.AsyncClient`` every connector uses;
``transport`` is the seam (``None`` = real network, ``httpx.ASGITransport(app=sandbox)``
in-process, ``httpx.MockTransport`` for unit tests).

``send_with_retry(client, build, classify, ...)`` sends one logical call:

* before every attempt it waits for the rate governor (``connectors/quota.py``); the attempt
  counts as in flight until its answer, whose rate-limit headers it reports (a failed
  attempt is finished without), and every 429's ``Retry-After`` pauses the governor;
* ``classify(response)`` turns a response into ``None`` (success) or a ``ConnectorError``
  (``classify_status`` is a sound default);
* idempotent calls (GET/HEAD/OPTIONS, or ``idempotent=True``) are retried on
  ``RetriableError`` with exponential backoff and jitter, honouring ``Retry-After``;
* writes are not retried, because only the engine can check whether a write already landed.
  Two cases are safe and retried (``RetryPolicy.retry_unsent_writes``): a 429 (rate limiters
  reject before the handler runs) and a connection that never opened (nothing was sent);
* a transport error becomes ``RetriableError``; on a write whose request may have reached
  the server (read timeout, dropped connection) it carries ``maybe_committed=True``, so the
  engine looks the record up by its natural key before sending it again.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from mapwright.connectors.errors import (
    AuthError,
    ConnectorError,
    FatalError,
    RetriableError,
    SkippableError,
)
from mapwright.connectors.quota import RateGovernor
from mapwright.connectors.retry import Backoff

Classify = Callable[[httpx.Response], ConnectorError | None]
RequestBuilder = Callable[[], httpx.Request]
Sleep = Callable[[float], Awaitable[None]]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRIABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: transport errors raised before any byte of the request left: safe to send again
UNSENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RetryPolicy(Backoff):
    """The shared policy (``connectors/retry.py``: ``attempts`` tries in all, backoff
    doubling from ``base_delay`` up to ``max_delay`` with jitter, ``Retry-After`` as a floor;
    one above ``max_retry_after`` is not waited for here: the error is raised so the engine
    can reschedule the run), plus whether writes that were never sent are retried."""

    retry_unsent_writes: bool = True

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Delay before retry number ``attempt`` (1-based) when the server named none."""
        return self.delay(attempt, None, rng)


def make_client(
    base_url: str,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    params: Mapping[str, Any] | None = None,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for ``base_url``; ``transport=None`` means the real network."""
    merged = {"user-agent": "mapwright", "accept": "application/json"}
    merged.update(headers or {})
    return httpx.AsyncClient(
        base_url=base_url,
        transport=transport,
        headers=merged,
        auth=auth,
        timeout=timeout,
        params=params,
    )


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)


def body_summary(response: httpx.Response) -> str:
    """What an answer's body is, never what it says: ``text/html, 1234 bytes, not shown``."""
    kind = response.headers.get("content-type", "no content type").split(";")[0].strip()
    return f"{kind[:60]}, {len(response.content)} bytes, not shown"


def clean_text(value: str, limit: int = 200) -> str:
    """One line of printable text, at most ``limit`` characters (for messages from remote
    systems: no control characters, no terminal escapes, no multi-line dumps)."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def response_message(response: httpx.Response, limit: int = 200) -> str:
    """The target's own error message from the common JSON shapes (one clean line), else
    the status with a summary of the body: a remote body is never copied verbatim."""
    try:
        body = response.json()
    except ValueError:
        body = None
    for path in (
        ("error", "message"),
        ("error", "message", "value"),
        ("message",),
        ("error_description",),
        ("detail",),
        ("error",),
    ):
        value: Any = body
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and value.strip():
            return clean_text(value, limit)
    reason = response.reason_phrase or "error"
    if not response.content:
        return f"HTTP {response.status_code} {reason}"
    return f"HTTP {response.status_code} {reason} ({body_summary(response)})"


def endpoint_of(request: httpx.Request) -> str:
    return f"{request.method} {request.url.path}"


def classify_status(response: httpx.Response) -> ConnectorError | None:
    """Default classification by status: 2xx/3xx fine, 401/403 fatal, 408/425/429/5xx
    retriable, other 4xx skippable (the target refused this record)."""
    status = response.status_code
    if status < 400:
        return None
    message = response_message(response)
    endpoint = endpoint_of(response.request)
    if status in (401, 403):
        return AuthError(message, status=status, endpoint=endpoint)
    if status in RETRIABLE_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return RetriableError(message, status=status, endpoint=endpoint, retry_after=retry_after)
    if status >= 500:
        return FatalError(message, status=status, endpoint=endpoint)
    return SkippableError(message, status=status, endpoint=endpoint)


def transport_error(exc: httpx.TransportError, request: httpx.Request) -> ConnectorError:
    """A transport failure as a connector error; ``maybe_committed`` for writes that may
    have reached the server."""
    endpoint = endpoint_of(request)
    name = type(exc).__name__
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FatalError(
            f"cannot call {request.url}: {exc}. Check the base URL.", endpoint=endpoint
        )
    write = request.method not in IDEMPOTENT_METHODS
    maybe = write and not isinstance(exc, UNSENT_ERRORS)
    note = " The write may have been applied; look it up before sending it again." if maybe else ""
    return RetriableError(
        f"{name} talking to {request.url.host}: {exc}.{note}",
        endpoint=endpoint,
        code=name,
        maybe_committed=maybe,
    )


async def send_with_retry(
    client: httpx.AsyncClient,
    build: RequestBuilder,
    classify: Classify = classify_status,
    *,
    governor: RateGovernor | None = None,
    quota_key: str = "",
    idempotent: bool | None = None,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
) -> httpx.Response:
    """Send the request ``build()`` makes (a fresh one per attempt); see the module docstring.

    Returns the successful response or raises the classified ``ConnectorError`` of the last
    attempt. Example::

        response = await send_with_retry(
            client, lambda: client.build_request("GET", "/api/v1/products"), governor=rate
        )
    """
    chance = rng  # made on the first failure: seeding one reads the OS's entropy (a syscall)
    attempt = 0
    while True:
        attempt += 1
        # the call counts from here until its answer (or failure): see connectors/quota.py
        call = await governor.acquire(quota_key) if governor is not None else None
        try:
            request = build()
            retry_ok = request.method in IDEMPOTENT_METHODS if idempotent is None else idempotent
            response = await client.send(request)
        except httpx.TransportError as exc:
            if call is not None:
                call.finish()
            error = transport_error(exc, request)
            unsent = isinstance(exc, UNSENT_ERRORS)
            if not retry_ok and not (unsent and policy.retry_unsent_writes):
                raise error from exc
            cause: BaseException | None = exc
        except BaseException:
            if call is not None:
                call.finish()
            raise
        else:
            if call is not None:
                call.finish(response.headers)
            classified = classify(response)
            if classified is None:
                return response
            error, cause = classified, None
            limited = response.status_code == 429
            if limited and governor is not None and isinstance(error, RetriableError):
                chance = chance or random.Random()
                governor.pause(quota_key, error.retry_after or policy.backoff(attempt, chance))
            if not retry_ok and not (limited and policy.retry_unsent_writes):
                raise error
        if not isinstance(error, RetriableError) or policy.gives_up(attempt, error):
            raise error from cause
        chance = chance or random.Random()
        await sleep(policy.delay(attempt, error, chance))
