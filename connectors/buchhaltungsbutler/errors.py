"""Turning BuchhaltungsButler answers into connector errors, by (endpoint, error_code).

BB's ``error_code`` means something different on every endpoint (code 7 has 32 meanings), so
the table is keyed by the *endpoint pattern* and the code; only a handful of (HTTP status,
code) pairs are global (reference notes §3). Message text is shown to people but never
inspected. The lookup order:

1. ``ENDPOINT_CODES[(endpoint, code)]`` — an endpoint-specific meaning;
2. ``GLOBAL_CODES[(status, code)]`` — auth, inactive tenant, throttling, server faults;
3. the HTTP status alone: 400 is the record's fault on a write (skip it) and a configuration
   fault on a read (stop); 401 auth; 403 fatal; 404 (BB answers unknown paths with HTML) fatal;
   422 skip; 429 and 5xx retry.

A write that may have been applied although the answer says otherwise (504/30, a lost or
dropped response) raises ``WriteOutcomeUnknown``: retriable, ``maybe_committed = True``; BB has
no idempotency key, so the caller must look the record up before sending it again.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from mapwright.connectors.errors import (
    AuthError,
    ConnectorError,
    FatalError,
    QuotaExhausted,
    RetriableError,
    SkippableError,
)

Outcome = Literal["auth", "fatal", "quota", "retry", "skip", "missing"]


class WriteOutcomeUnknown(RetriableError):
    """A write's answer was lost (timeout, dropped connection, 504/30): it may have happened."""

    def __init__(self, message: str, **kw: object):
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.maybe_committed = True


class RecordNotFound(SkippableError):
    """The record a call refers to does not exist in BuchhaltungsButler."""


GLOBAL_CODES: dict[tuple[int, int], tuple[Outcome, str]] = {
    (400, 1): ("fatal", "BB rejected the request form; this is a connector bug, report it"),
    (400, 2): ("fatal", "BB needs POST requests; this is a connector bug, report it"),
    (400, 23): ("fatal", "BB received no usable body; this is a connector bug, report it"),
    (401, 3): (
        "auth",
        "API client or secret rejected: check api_client/api_secret (HTTP Basic) in the "
        "connection, from BB Settings > Schnittstellen und API-Zugang",
    ),
    (401, 4): (
        "auth",
        "api_key unknown or not allowed for this API client: check the connection's api_key",
    ),
    (403, 11): ("fatal", "the BB customer account is not active; reactivate it in BB"),
    (403, 15): ("retry", "BB throttles writes right now (adding temporarily restricted)"),
    (429, 15): ("retry", "over the rate limit (100 requests per minute per customer)"),
    (500, 0): ("retry", "BB failed while processing the request"),
    (504, 30): ("retry", "BB timed out while processing the request"),
}

ENDPOINT_CODES: dict[tuple[str, int], tuple[Outcome, str]] = {
    ("/receipts/get/<id>", 5): ("missing", "no receipt with this id_by_customer"),
    ("/receipts/upload", 12): ("quota", "the BB plan's upload limit is reached"),
    ("/receipts/upload", 31): ("skip", "BB cannot process this file"),
    ("/receipts/upload", 32): ("skip", "BB could not read (OCR) this file"),
    ("/invoices/create", 33): ("quota", "the BB plan's invoice/upload limit is reached"),
    ("/invoices/create/e-invoice", 33): ("quota", "the BB plan's invoice/upload limit is reached"),
    ("/settings/update/debtor", 24): ("missing", "no debtor with this postingaccount_number"),
    ("/settings/update/creditor", 24): ("missing", "no creditor with this postingaccount_number"),
    ("/comments/add", 9): ("missing", "the transaction to comment on does not exist"),
    ("/comments/add", 10): ("missing", "the receipt to comment on does not exist"),
}

_ID_SEGMENT = re.compile(r"^(/receipts/(?:get|delete|restore)|/transactions/get)/\d+$")


def endpoint_pattern(path: str) -> str:
    """``/receipts/get/17`` -> ``/receipts/get/<id>``: the key the error table uses."""
    match = _ID_SEGMENT.match(path)
    return f"{match.group(1)}/<id>" if match else path


def classify(
    endpoint: str,
    status: int,
    body: Any,
    *,
    write: bool,
    content_type: str = "",
) -> ConnectorError:
    """The connector error for a failed BB answer (``body`` is the parsed JSON or None)."""
    pattern = endpoint_pattern(endpoint)
    code: int | None = None
    message = ""
    if isinstance(body, dict):
        raw = body.get("error_code")
        code = raw if isinstance(raw, int) else _as_int(raw)
        message = str(body.get("message") or "")
    outcome: Outcome
    hint: str
    if code is not None and (pattern, code) in ENDPOINT_CODES:
        outcome, hint = ENDPOINT_CODES[(pattern, code)]
    elif code is not None and (status, code) in GLOBAL_CODES:
        outcome, hint = GLOBAL_CODES[(status, code)]
    else:
        outcome, hint = _by_status(status, write, content_type, body)
    text = f"BuchhaltungsButler: {hint}" + (f" — BB says: {message}" if message else "")
    if code is not None:
        text += f" [error_code {code}]"
    kw: dict[str, Any] = {
        "status": status,
        "code": str(code) if code is not None else None,
        "endpoint": endpoint,
    }
    if outcome == "auth":
        return AuthError(text, **kw)
    if outcome == "quota":
        return QuotaExhausted(text, **kw)
    if outcome == "retry":
        if write and (status == 504 or (status, code) == (504, 30)):
            return WriteOutcomeUnknown(text, **kw)
        return RetriableError(text, **kw)
    if outcome == "missing":
        return RecordNotFound(text, **kw)
    if outcome == "skip":
        return SkippableError(text, **kw)
    return FatalError(text, **kw)


def _by_status(status: int, write: bool, content_type: str, body: Any) -> tuple[Outcome, str]:
    if status == 404 and "json" not in content_type:
        return "fatal", (
            "endpoint not found (HTML 404): check the connection's base_url "
            "(https://webapp.buchhaltungsbutler.de/api/v1)"
        )
    if status == 400:
        if write:
            return "skip", "BB refused this record"
        return "fatal", "BB refused the request parameters; check the flow's filters"
    if status == 401:
        return "auth", "credentials rejected"
    if status == 422:
        return "skip", "BB cannot process this record"
    if status == 429 or status >= 500:
        return "retry", f"passing failure (HTTP {status})"
    if status == 403:
        return "fatal", "access refused"
    if body is None:
        return "fatal", f"unexpected non-JSON answer (HTTP {status})"
    return "fatal", f"unexpected answer (HTTP {status})"


def _as_int(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None
