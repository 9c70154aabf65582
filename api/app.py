"""The app factory: ``create_app(settings)`` builds the FastAPI app of ``mapwright serve``.

The API lives under ``/api/v1`` (OpenAPI at ``/openapi.json``, docs at ``/docs``); ``/health``,
``/ready`` and ``/metrics`` sit at the root for load balancers and Prometheus. ``transports``
plugs connections into in-process sandboxes (by connection name or base URL prefix), which
is how ``--demo`` and the tests run without a network.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx
from fastapi import FastAPI
from mapwright.api import errors
from mapwright.api.services import Services
from mapwright.api.settings import ApiSettings
from mapwright.engine.store import utcnow
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("mapwright.api")
VERSION = "0.1.0"


class BodyLimit:
    """Answer 413 to request bodies above ``limit`` bytes (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "DELETE", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._reject(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._reject(send)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send: Send) -> None:
        response = errors.problem(
            413, f"the request body is larger than {self.limit} bytes; send less per request"
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": response.raw_headers,
            }
        )
        await send({"type": "http.response.body", "body": response.body})


class AccessLog:
    """One JSON log line and one metric per request (no headers, no bodies)."""

    def __init__(self, app: ASGIApp, services: Services):
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            self.services.metrics.requests.labels(scope["method"], str(status)).inc()
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )


def create_app(
    settings: ApiSettings | None = None,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
    scheduler: bool = False,
    on_start: Sequence[Callable[[Services], Awaitable[None]]] = (),
) -> FastAPI:
    """The REST service; ``scheduler=True`` also runs due schedules and the retention purge."""
    from mapwright.api import studio
    from mapwright.api.routes import (
        alerts,
        connections,
        flows,
        ops,
        privacy,
        reconcile,
        runs,
        scripts,
        templates,
        tenant,
        webhooks,
    )
    from mapwright.api.schedule import scheduler_loop

    settings = settings or ApiSettings()
    services = Services(settings, transports=transports, clock=clock)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for hook in on_start:
            await hook(services)
        task = asyncio.create_task(scheduler_loop(services)) if scheduler else None
        # what start-up built (modules, routes, compiled grammar) lives as long as the
        # service: out of the collector's sight, a full collection no longer walks it
        # (the ~250 ms pauses every few dozen requests the editor's preview showed)
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await services.executor.drain()
            services.close()

    app = FastAPI(
        title="mapwright",
        version=VERSION,
        description="Integration flows written as mapping scripts: lint, preview and run "
        "scripts, manage connections and flows, run them, read per-record logs, share "
        "templates. Authenticate with `Authorization: Bearer <API key>`.",
        lifespan=lifespan,
        docs_url=None,  # served by api/studio.py from local assets (no CDN)
        redoc_url=None,
        responses={
            401: {"model": errors.Problem, "description": "no or unknown API key"},
            403: {"model": errors.Problem, "description": "the key's scope is too small"},
            404: {"model": errors.Problem, "description": "no such object for this tenant"},
            409: {"model": errors.Problem, "description": "conflicts with the current state"},
            413: {"model": errors.Problem, "description": "request body too large"},
            422: {"model": errors.Problem, "description": "invalid input, with field paths"},
        },
    )
    app.openapi = lambda: problem_openapi(app)  # type: ignore[method-assign]
    app.state.services = services
    errors.install(app)
    for module in (
        ops,
        tenant,
        scripts,
        connections,
        flows,
        runs,
        templates,
        alerts,
        privacy,
        reconcile,
        webhooks,
    ):
        app.include_router(module.router)
    studio.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(AccessLog, services=services)
    return app


def problem_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document with every error answer typed as ``application/problem+json``."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for code, response in operation.get("responses", {}).items():
                if code[0] in "45":
                    response["content"] = {errors.PROBLEM: {"schema": problem_ref}}
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    app.openapi_schema = schema
    return schema
