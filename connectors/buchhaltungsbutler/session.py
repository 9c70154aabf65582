"""One customer account's HTTP conversation with BuchhaltungsButler.

Every BB call is a POST with HTTP Basic (API client + secret) and the customer's ``api_key`` in
the JSON body. ``Session.call`` paces the call (``Pacer``), sends it, returns the success
envelope, or raises the error ``errors.classify`` picks by (endpoint, error_code). Retries:

- throttling answers (403/15, 429) are safe to repeat, also for writes (BB refuses before it
  acts); BB sends no ``Retry-After``, so the key pauses ``throttle_seconds`` (5 s), doubling;
- reads also repeat on 5xx and transport errors, pausing ``backoff_seconds``, doubling;
- a write whose answer was lost (timeout, dropped connection) or that met a 5xx is never
  repeated: BB has no idempotency key, so ``WriteOutcomeUnknown`` (``maybe_committed``) goes
  to the caller, who looks the record up first. A connection that never opened is repeated.
"""

from __future__ import annotations

from typing import Any

import httpx
from mapwright.connectors.buchhaltungsbutler.errors import WriteOutcomeUnknown, classify
from mapwright.connectors.buchhaltungsbutler.pacing import Pacer
from mapwright.connectors.errors import ConnectorError, RetriableError
from mapwright.connectors.http import make_client, parse_retry_after

UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
MAX_PAUSE = 60.0


class Session:
    """Auth, pacing and retries for one ``api_key`` at one base URL."""

    def __init__(
        self,
        base_url: str,
        *,
        api_client: str,
        api_secret: str,
        api_key: str,
        pacer: Pacer,
        transport: httpx.AsyncBaseTransport | None = None,
        max_attempts: int = 5,
        backoff_seconds: float = 2.0,
        throttle_seconds: float = 5.0,
        timeout_seconds: float = 60.0,
    ):
        self.api_key = api_key
        self.pacer = pacer
        self.max_attempts = max(1, max_attempts)
        self.backoff_seconds = backoff_seconds
        self.throttle_seconds = throttle_seconds
        self.client = make_client(
            base_url,
            transport,
            auth=httpx.BasicAuth(api_client, api_secret),
            timeout=timeout_seconds,
        )

    async def call(self, endpoint: str, body: dict[str, Any], *, write: bool) -> dict[str, Any]:
        """POST ``body`` plus ``api_key`` to ``endpoint``; the success envelope or an error."""
        payload = {"api_key": self.api_key, **body}
        last, _, tail = endpoint.rpartition("/")
        quota_path = last if tail.isdigit() else endpoint
        for attempt in range(1, self.max_attempts + 1):
            await self.pacer.acquire(self.api_key, quota_path)
            try:
                response = await self.client.post(endpoint, json=payload)
            except UNSENT as exc:
                error: ConnectorError = RetriableError(
                    f"BuchhaltungsButler unreachable: {exc}", endpoint=endpoint
                )
            except httpx.TransportError as exc:
                error = self._lost(endpoint, type(exc).__name__, write)
                if write:
                    raise error from exc
            else:
                data = _json(response)
                if response.status_code == 200 and isinstance(data, dict) and data.get("success"):
                    return data
                error = self._refused(endpoint, response, data, write)
                if isinstance(error, WriteOutcomeUnknown):
                    raise error
            if not isinstance(error, RetriableError) or attempt == self.max_attempts:
                raise error
            self.pacer.pause(self.api_key, self._wait(error, attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _refused(
        self, endpoint: str, response: httpx.Response, data: Any, write: bool
    ) -> ConnectorError:
        content_type = response.headers.get("content-type", "")
        status = response.status_code
        error = classify(endpoint, status, data, write=write, content_type=content_type)
        if write and status >= 500 and not isinstance(error, WriteOutcomeUnknown):
            error = WriteOutcomeUnknown(
                f"{error.message}; the write may have been applied: look the record up before "
                "sending it again",
                status=error.status,
                code=error.code,
                endpoint=endpoint,
            )
        if isinstance(error, RetriableError):
            error.retry_after = parse_retry_after(response.headers.get("retry-after"))
        return error

    @staticmethod
    def _lost(endpoint: str, what: str, write: bool) -> RetriableError:
        if write:
            return WriteOutcomeUnknown(
                f"BuchhaltungsButler answer lost ({what}); the write may have been applied: "
                "look the record up before sending it again",
                endpoint=endpoint,
            )
        return RetriableError(f"BuchhaltungsButler answer lost ({what})", endpoint=endpoint)

    def _wait(self, error: RetriableError, attempt: int) -> float:
        if error.retry_after is not None:
            return min(error.retry_after, MAX_PAUSE)
        base = self.throttle_seconds if error.code == "15" else self.backoff_seconds
        return min(base * 2 ** (attempt - 1), MAX_PAUSE)

    async def aclose(self) -> None:
        await self.client.aclose()


def _json(response: httpx.Response) -> Any:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        return response.json()
    except ValueError:
        return None
