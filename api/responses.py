"""Response helpers: exact JSON numbers in and out.

Mapped records carry ``Decimal`` amounts; ``ExactJSON`` writes them as JSON numbers with
every digit (FastAPI's encoder would turn them into floats or strings). Routes of an
``ExactRoute`` router parse their JSON bodies with every fraction as ``Decimal``
(``1.23456789012345678901e5`` keeps all 21 digits) and refuse ``NaN`` and ``Infinity``,
which are not JSON. ``exact`` turns floats that still arrive (bodies built in code) into
``Decimal`` through their shortest text form.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Annotated, Any

import simplejson
from fastapi import Path, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from mapwright import jsonio
from pydantic import BaseModel, BeforeValidator


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads_exact(data: bytes | str) -> Any:
    """JSON with fractions as ``Decimal``; ``NaN``/``Infinity`` are refused."""
    return simplejson.loads(data, use_decimal=True, parse_constant=_not_json)


class ExactRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads_exact(await self.body())
        return self._json


def _python(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python")
    if isinstance(value, list):
        return [_python(item) for item in value]
    if isinstance(value, dict):
        return {key: _python(item) for key, item in value.items()}
    return value


class ExactRoute(APIRoute):
    """A route whose JSON body keeps every digit of its numbers, in the request and in the
    answer (models are written by ``ExactJSON``; see the module docstring)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any):
        status = kwargs.get("status_code") or 200
        if inspect.iscoroutinefunction(endpoint) and status != 204:

            @functools.wraps(endpoint)
            async def exact_endpoint(*args: Any, **kw: Any) -> Any:
                result = await endpoint(*args, **kw)
                if isinstance(result, Response):
                    return result
                return ExactJSON(_python(result), status_code=status)

            super().__init__(path, exact_endpoint, **kwargs)
        else:
            super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact_handler(request: Request) -> Response:
            return await handler(ExactRequest(request.scope, request.receive))

        return exact_handler


class ExactJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return jsonio.dumps(content).encode("utf-8")


def exact(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [exact(v) for v in value]
    return value


def _whole(value: Any) -> Any:
    """A JSON number with an integral value written with a fraction or an exponent (``351.0``,
    ``1e3``) is the integer it denotes, as JSON Schema's ``integer`` says; other values go on
    to the strict check unchanged."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**63:
        return int(value)
    finite = isinstance(value, Decimal) and value.is_finite() and abs(value) <= 2**63
    if finite and value == value.to_integral_value():
        return int(value)
    return value


#: an integer field of a request body (accepts ``351.0``, refuses ``351.5`` and ``"351"``)
WholeNumber = Annotated[int, BeforeValidator(_whole)]

#: a numeric id in a path: positive and small enough for every database
Id = Annotated[int, Path(ge=1, le=2**53)]
