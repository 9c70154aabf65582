"""Exact Online answers sorted into the connector error classes (what the runner must do).

Exact's error body is OData v2: ``{"error": {"code": "", "message": {"lang": "", "value":
"…"}}}``, the text often localised (Dutch ``Verplicht: …``). Classification goes by status and
by whether the call was a write, never by the message text:

========  =====================================  ========================================
status    read (GET)                             write (POST/PUT)
========  =====================================  ========================================
400       FatalError: our query is wrong          SkippableError: Exact refused the record
401       AuthError (after one refresh+retry)     same
403       AuthError: division/rights              same
404       FatalError: unknown endpoint            SkippableError: unknown record
429       RetriableError until the minute reset;  same
          QuotaExhausted when the day is spent
500       RetriableError                          SkippableError when the body carries a
                                                  message (business rule: "Gegeven bestaat
                                                  reeds."), else RetriableError
502-504   RetriableError                          RetriableError (maybe committed is for
                                                  transport failures only)
========  =====================================  ========================================
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from mapwright.connectors.errors import (
    AuthError,
    ConnectorError,
    FatalError,
    QuotaExhausted,
    RetriableError,
    SkippableError,
)
from mapwright.connectors.exact_online.limits import endpoint_of
from mapwright.connectors.exact_online.odata import error_message
from mapwright.connectors.http import clean_text, response_message


def message_of(response: httpx.Response, limit: int = 500) -> str:
    """Exact's own error text (``error.message.value``, one clean line), else the status
    and a summary of the body (a body is never copied into a message verbatim)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    text = error_message(body)
    if text:
        return clean_text(text, limit)
    return response_message(response)


def _header_float(response: httpx.Response, name: str) -> float | None:
    raw = response.headers.get(name)
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


def classify(
    response: httpx.Response, *, clock: Callable[[], float] = time.time
) -> ConnectorError | None:
    """``None`` for a success, else the error to raise for ``response``."""
    status = response.status_code
    if status < 400:
        return None
    request = response.request
    write = request.method not in ("GET", "HEAD")
    endpoint = endpoint_of(request.url.path)
    message = message_of(response)
    reason = response.headers.get("Reason")
    if reason and reason not in message:
        message = f"{message} ({reason})"
    if status == 401:
        return AuthError(
            f"Exact rejected the access token: {message}. Run `mapwright connect "
            "exact-online` if this persists",
            code="unauthorized",
            status=status,
            endpoint=endpoint,
        )
    if status == 403:
        return AuthError(
            f"Exact refused access: {message}. Check that the division belongs to the "
            "consenting user and that the user has rights on this endpoint",
            code="forbidden",
            status=status,
            endpoint=endpoint,
        )
    if status == 429:
        now = clock()
        daily_left = _header_float(response, "X-RateLimit-Remaining")
        daily_reset = _header_float(response, "X-RateLimit-Reset")
        if daily_left is not None and daily_left <= 0:
            return QuotaExhausted(
                f"Exact's daily call limit for this division is spent: {message}",
                resets_at=daily_reset / 1000 if daily_reset else None,
                code="daily_limit",
                status=status,
                endpoint=endpoint,
            )
        minute_reset = _header_float(response, "X-RateLimit-Minutely-Reset")
        retry_after = _header_float(response, "Retry-After")
        if retry_after is None and minute_reset is not None:
            retry_after = max(minute_reset / 1000 - now, 0.0) + 1.0
        return RetriableError(
            f"Exact rate limit hit: {message}",
            retry_after=retry_after,
            code="rate_limited",
            status=status,
            endpoint=endpoint,
        )
    if status in (502, 503, 504) or (status == 500 and not write):
        return RetriableError(
            f"Exact is unavailable or failed: {message}",
            retry_after=_header_float(response, "Retry-After"),
            status=status,
            endpoint=endpoint,
        )
    if write:
        if status == 500 and not _has_odata_message(response):
            return RetriableError(
                f"Exact failed on the write: {message}", status=status, endpoint=endpoint
            )
        return SkippableError(
            f"Exact refused the record: {message}", status=status, endpoint=endpoint
        )
    return FatalError(
        f"Exact rejected the request {request.method} {request.url.path}: {message}",
        status=status,
        endpoint=endpoint,
    )


def _has_odata_message(response: httpx.Response) -> bool:
    try:
        return bool(error_message(response.json()))
    except ValueError:
        return False
