"""Errors as problem JSON (RFC 9457, ``application/problem+json``) with field paths.

Every client mistake answers 4xx with ``{"type", "title", "status", "detail", "errors"}``;
``errors`` lists ``{"loc": "body.settings.page_size", "msg": "..."}`` so a form can put the
message next to the field. Engine and language errors map to the status that says what to
do: unknown flow or run → 404, invalid script/settings → 422, another run active → 409, a
connector that rejects the credentials → 422. Anything else is a 500 that hides its details
(they go to the log, scrubbed of secrets).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from mapwright.engine.connection_service import ConnectorError
from mapwright.engine.errors import (
    EngineError,
    FlowInvalid,
    FlowNotFound,
    RunNotFound,
    RunRefused,
    StoreError,
)
from mapwright.engine.language import MappingError, PositionedError, SettingsError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("mapwright.api")

PROBLEM = "application/problem+json"


class FieldError(BaseModel):
    loc: str
    msg: str


class Problem(BaseModel):
    """The body of every error answer."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []


class ApiError(Exception):
    """Raise in a route to answer ``status`` with a problem body."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        errors: Sequence[tuple[str, str]] = (),
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.errors = list(errors)
        self.headers = headers


_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    502: "Upstream error",
    504: "Timeout",
}


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} does not exist (or belongs to another tenant)")


def problem(
    status: int,
    detail: str,
    errors: Sequence[tuple[str, str]] = (),
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        title=title or _TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        errors=[FieldError(loc=loc, msg=msg) for loc, msg in errors],
    )
    return JSONResponse(body.model_dump(), status_code=status, media_type=PROBLEM, headers=headers)


def _loc(parts: Sequence[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def mapping_errors(exc: MappingError) -> list[tuple[str, str]]:
    """Field errors for a script problem: ``script:LINE:COL`` per error found."""
    if isinstance(exc, SettingsError):
        return [(f"settings.{name}", message) for name, message in exc.errors]
    found = getattr(exc, "errors", None) or [exc]
    out = []
    for err in found:
        if isinstance(err, PositionedError) and err.position is not None:
            out.append((f"script:{err.position.line}:{err.position.column}", err.message))
        else:
            out.append(("script", str(err)))
    return out


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of this path answers (one path may have several routes)."""
    methods: set[str] = set()
    for route in request.app.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into problem answers."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.detail, exc.errors, title=exc.title, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [(_loc(e.get("loc", ())), str(e.get("msg", ""))) for e in exc.errors()]
        first = f"{errors[0][0]}: {errors[0][1]}" if errors else "the request is not valid"
        return problem(422, f"the request is not valid ({first})", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 404 and detail == "Not Found":
            detail = "no such endpoint; see /docs for the API"
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            return problem(422, "the body is not valid JSON (UTF-8)", [("body", "not valid JSON")])
        if exc.status_code == 405:
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.method} is not allowed here; use {', '.join(allowed)}"
        return problem(exc.status_code, detail, headers=headers or None)

    @app.exception_handler(FlowNotFound)
    async def _flow_missing(_: Request, exc: FlowNotFound) -> JSONResponse:
        return problem(404, str(exc))

    @app.exception_handler(RunNotFound)
    async def _run_missing(_: Request, exc: RunNotFound) -> JSONResponse:
        return problem(404, str(exc))

    @app.exception_handler(RunRefused)
    async def _refused(_: Request, exc: RunRefused) -> JSONResponse:
        return problem(409, str(exc), [("flow", f"run {exc.active_run} is active")])

    @app.exception_handler(FlowInvalid)
    async def _invalid(_: Request, exc: FlowInvalid) -> JSONResponse:
        cause = exc.__cause__
        errors = mapping_errors(cause) if isinstance(cause, MappingError) else []
        return problem(422, str(exc), errors)

    @app.exception_handler(MappingError)
    async def _mapping(_: Request, exc: MappingError) -> JSONResponse:
        return problem(422, str(exc), mapping_errors(exc))

    @app.exception_handler(ConnectorError)
    async def _connector(_: Request, exc: ConnectorError) -> JSONResponse:
        return problem(422, f"the connected system refused: {exc}", title="Connection problem")

    @app.exception_handler(StoreError)
    async def _store(_: Request, exc: StoreError) -> JSONResponse:
        log.error("store error: %s", exc)
        return problem(503, "the store is not available; see the service log")

    @app.exception_handler(EngineError)
    async def _engine(_: Request, exc: EngineError) -> JSONResponse:
        return problem(409, str(exc))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error in %s %s", request.method, request.url.path)
        return problem(500, "internal error; the service log has the details")
