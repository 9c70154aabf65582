"""Fault injection for sandbox apps: latency, error statuses, 429 bursts, drops, lost responses.

``install_faults(app, options, seed=...)`` wraps a sandbox FastAPI app in a pure ASGI layer
driven by ``FaultOptions`` and adds an admin router at ``/_admin/faults``. Decisions come from
one ``random.Random(seed)``, so the same requests in the same order meet the same faults.
Admin endpoints (``/_admin/...``) are never subject to faults.

Per request, in this order:

1. ``latency_ms``: wait that long before anything else.
2. ``burst_429``: while the burst counter is above zero, answer ``429`` with
   ``Retry-After: 1`` and count down. The handler does not run.
3. ``drop_rate``: drop the connection before the handler runs (nothing is written).
4. ``error_rates`` (``{status: probability}``, probabilities summed, at most 1): answer that
   status with an error body; ``429`` and ``503`` carry ``Retry-After: 1``. The handler does
   not run. A sandbox whose real system answers errors in its own envelope passes
   ``error_answer`` to ``install_faults`` (status -> body and headers; bursts use it too).
5. ``timeout_after_commit_rate`` (writes only: POST, PUT, PATCH, DELETE): the handler runs
   and commits, then the response is lost.

How a client sees each fault:

=====================  ==========================================  ===========================
fault                  in-process (``httpx.ASGITransport``)         over a socket (uvicorn)
=====================  ==========================================  ===========================
latency                the response arrives later                   same
burst / error status   an ordinary response with that status        same
                       and body ``{"error": {"code": "injected_
                       fault", ...}}``
drop                   ``DroppedConnection``, a subclass of         status line and headers,
                       ``httpx.RemoteProtocolError``, raised by     then the socket closes
                       ``client.send``                              mid-body: httpx raises
                                                                    ``httpx.RemoteProtocolError``
                                                                    (``httpx.ReadError`` when
                                                                    the close resets the
                                                                    connection)
lost response          ``LostResponse``, a subclass of              same as drop, but the write
                       ``httpx.ReadTimeout``, raised after the      was applied
                       write was applied
=====================  ==========================================  ===========================

Over a socket the server cannot close a connection without a byte through ASGI (uvicorn
answers 500 to an app error before the response starts), so a drop starts the response and
then fails; the client never gets a complete response. A client must therefore treat any
transport error on a write as "maybe committed" (``connectors/http.py`` does).
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI
from mapwright.connectors.sandbox import FaultOptions
from pydantic import BaseModel, Field, field_validator

ADMIN_PREFIX = "/_admin"
FAULTS_PATH = f"{ADMIN_PREFIX}/faults"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRY_AFTER_SECONDS = 1

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]
#: an injected error answer for a status: (JSON body or None for an empty body, extra headers)
ErrorAnswer = Callable[[int], tuple[dict[str, Any] | None, list[tuple[bytes, bytes]]]]


def generic_error_answer(status: int) -> tuple[dict[str, Any] | None, list[tuple[bytes, bytes]]]:
    """The default injected body; ``429`` and ``503`` carry ``Retry-After``."""
    body = {"error": {"code": "injected_fault", "message": f"injected HTTP {status}"}}
    headers = []
    if status in (429, 503):
        headers.append((b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
    return body, headers


class DroppedConnection(httpx.RemoteProtocolError):
    """Injected: the connection was dropped before the request was handled."""


class LostResponse(httpx.ReadTimeout):
    """Injected: the request was handled and committed, then its response was lost."""


class FaultSettings(BaseModel):
    """The admin body for ``PUT /_admin/faults``: the same fields as ``FaultOptions``."""

    latency_ms: int = Field(0, ge=0, le=60_000)
    error_rates: dict[int, float] = Field(default_factory=dict)
    burst_429: int = Field(0, ge=0)
    drop_rate: float = Field(0.0, ge=0.0, le=1.0)
    timeout_after_commit_rate: float = Field(0.0, ge=0.0, le=1.0)

    @field_validator("error_rates")
    @classmethod
    def _check_rates(cls, rates: dict[int, float]) -> dict[int, float]:
        for status, probability in rates.items():
            if not 400 <= status <= 599:
                raise ValueError(f"status {status} is not an error status; use 400-599")
            if not 0.0 <= probability <= 1.0:
                raise ValueError(f"probability {probability} for {status} must be in 0..1")
        if sum(rates.values()) > 1.0 + 1e-9:
            raise ValueError("error rates add up to more than 1; lower them")
        return rates

    def to_options(self) -> FaultOptions:
        return FaultOptions(**self.model_dump())


class FaultState:
    """The live fault settings of one app plus its seeded random source."""

    def __init__(
        self,
        options: FaultOptions,
        *,
        seed: int,
        sleep: Sleep = asyncio.sleep,
        error_answer: ErrorAnswer = generic_error_answer,
    ):
        self.options = _copy(options)
        self.seed = seed
        self.sleep = sleep
        self.error_answer = error_answer
        self.random = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {}

    def replace(self, options: FaultOptions) -> None:
        with self._lock:
            self.options = _copy(options)

    def reset(self) -> None:
        """No faults any more; the random source starts again from the seed."""
        with self._lock:
            self.options = FaultOptions()
            self.random = random.Random(self.seed)
            self.injected = {}

    def decide(self, method: str) -> tuple[str, int | None]:
        """The fault for one request: ``("none"|"burst"|"drop"|"status"|"lose", status)``."""
        with self._lock:
            opts = self.options
            if opts.burst_429 > 0:
                opts.burst_429 -= 1
                return self._count("burst"), 429
            draw = self.random.random()
            if opts.drop_rate and draw < opts.drop_rate:
                return self._count("drop"), None
            draw = self.random.random()
            edge = 0.0
            for status in sorted(opts.error_rates):
                edge += opts.error_rates[status]
                if draw < edge:
                    return self._count("status"), status
            draw = self.random.random()
            if method in WRITE_METHODS and draw < opts.timeout_after_commit_rate:
                return self._count("lose"), None
            return "none", None

    def _count(self, kind: str) -> str:
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return kind

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            data = asdict(self.options)
            data["error_rates"] = {str(k): v for k, v in self.options.error_rates.items()}
            data["injected"] = dict(self.injected)
            data["seed"] = self.seed
            return data


def _copy(options: FaultOptions) -> FaultOptions:
    """A validated private copy (the burst counter counts down on it)."""
    return FaultSettings(**asdict(options)).to_options()


class FaultMiddleware:
    """Pure ASGI layer applying ``FaultState`` decisions to every non-admin HTTP request."""

    def __init__(self, app: ASGIApp, state: FaultState):
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        if self.state.options.latency_ms:
            await self.state.sleep(self.state.options.latency_ms / 1000)
        kind, status = self.state.decide(scope["method"])
        if kind in ("burst", "status") and status is not None:
            await _send_error(send, status, self.state.error_answer)
        elif kind == "drop":
            await _fail_mid_response(send, DroppedConnection("connection dropped (injected)"))
        elif kind == "lose":
            await self.app(scope, receive, _discard)
            await _fail_mid_response(send, LostResponse("response lost after commit (injected)"))
        else:
            await self.app(scope, receive, send)


async def _discard(message: Message) -> None:
    """Swallow the handler's response: it is the one that gets lost."""


async def _send_error(send: Send, status: int, answer: ErrorAnswer) -> None:
    payload, extra = answer(status)
    body = b"" if payload is None else json.dumps(payload).encode()
    names = {name.lower() for name, _ in extra}
    headers = [(b"content-length", b"%d" % len(body))] + list(extra)
    if b"content-type" not in names:
        headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _fail_mid_response(send: Send, exc: Exception) -> None:
    """Start a response that promises a body, then fail: the connection ends mid-message."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
        }
    )
    raise exc


def install_faults(
    app: FastAPI,
    options: FaultOptions,
    *,
    seed: int,
    sleep: Sleep = asyncio.sleep,
    error_answer: ErrorAnswer = generic_error_answer,
) -> FaultState:
    """Add the fault layer and the ``/_admin/faults`` router to ``app``; return the state.

    Call it inside ``create_app`` before the app serves a request. ``sleep`` is injectable
    so tests can observe latency without waiting; ``error_answer`` shapes injected error
    answers like the real system's (default: ``generic_error_answer``).
    """
    state = FaultState(options, seed=seed, sleep=sleep, error_answer=error_answer)
    app.state.faults = state
    app.add_middleware(FaultMiddleware, state=state)
    app.include_router(_admin_router(state))
    return state


def fault_state(app: FastAPI) -> FaultState:
    """The ``FaultState`` installed on ``app`` (raises if ``install_faults`` was not called)."""
    state = getattr(app.state, "faults", None)
    if not isinstance(state, FaultState):
        raise LookupError("this app has no fault layer; call install_faults(app, ...) first")
    return state


def _admin_router(state: FaultState) -> APIRouter:
    router = APIRouter(prefix=FAULTS_PATH, tags=["admin"])

    @router.get("")
    async def current_faults() -> dict[str, Any]:
        """The fault settings in force, what was injected so far, and the seed."""
        return state.snapshot()

    @router.put("")
    async def replace_faults(settings: FaultSettings) -> dict[str, Any]:
        """Replace every fault setting (fields left out fall back to 'no fault')."""
        state.replace(settings.to_options())
        return state.snapshot()

    @router.post("/reset")
    async def reset_faults() -> dict[str, Any]:
        """Turn all faults off and restart the random source from the seed."""
        state.reset()
        return state.snapshot()

    return router
