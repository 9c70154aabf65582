"""Operations: ``/health`` (the process answers), ``/ready`` (the store answers),
``/metrics`` (Prometheus text format). None of them needs an API key."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from mapwright.api.errors import ApiError
from mapwright.api.metrics import CONTENT_TYPE
from mapwright.engine.errors import StoreError
from pydantic import BaseModel

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: str


@router.get("/health", response_model=Health, summary="The process is up")
async def health() -> Health:
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Health,
    summary="The store answers",
    responses={503: {"description": "the store does not answer"}},
)
async def ready(request: Request) -> Health:
    try:
        request.app.state.services.store.ping()
    except StoreError:
        raise ApiError(503, "the store does not answer; check MAPWRIGHT_STORE_URL") from None
    return Health(status="ready")


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
async def metrics(request: Request) -> Response:
    return Response(request.app.state.services.metrics.render(), media_type=CONTENT_TYPE)
