"""``GET /api/v1/flows/{name}/reconcile``: a flow's source and target side by side.

The engine's reconciler reads both systems for the period (``date_from``/``date_to``, the
source documents' dates, both included) and answers totals per side (count, gross, net, VAT,
exact decimals), counts per status and one line per source document with the target
documents found, the differing fields and a link to the record's activity log. A flow without
a reconciler answers 422 naming the flows that have one (docs/reconcile.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Request
from mapwright.api.auth import Viewer
from mapwright.api.errors import ApiError
from mapwright.api.flows import get_flow
from mapwright.api.responses import ExactJSON
from mapwright.api.services import Services
from mapwright.engine.reconcile import NoReconciler, ReconcileError, reconcile
from pydantic import BaseModel

router = APIRouter(prefix="/api/v1", tags=["reconcile"])


class SideTotals(BaseModel):
    count: int
    gross: float
    net: float
    vat: float
    unknown: int


class TargetDocOut(BaseModel):
    id: str
    number: str | None
    gross: float | None
    net: float | None
    vat: float | None


class DifferenceOut(BaseModel):
    field: str
    source: float | None
    target: float | None


class LogOut(BaseModel):
    run_id: str
    record_id: int
    outcome: str
    reason: str | None
    parked_state: str | None
    path: str


class AmountsOut(BaseModel):
    gross: float | None
    net: float | None
    vat: float | None


class DocumentOut(BaseModel):
    ref: str
    source_id: str
    status: str
    kind: str
    date: str | None
    party: str | None
    source: AmountsOut
    target: list[TargetDocOut]
    differences: list[DifferenceOut]
    note: str | None
    log: LogOut | None


class ReconciliationOut(BaseModel):
    flow: str
    tenant: str
    period: dict[str, str | None]
    source: str
    target: str
    differences: int
    counts: dict[str, int]
    skipped: dict[str, int]
    totals: dict[str, SideTotals]
    documents: list[DocumentOut]


@router.get(
    "/flows/{name}/reconcile",
    response_model=ReconciliationOut,
    response_class=ExactJSON,
    summary="Reconcile a flow: source vs target per document and in total",
)
async def reconcile_flow(
    name: str,
    request: Request,
    principal: Viewer,
    date_from: dt.date | None = Query(None, description="first day (YYYY-MM-DD), included"),
    date_to: dt.date | None = Query(None, description="last day (YYYY-MM-DD), included"),
) -> ExactJSON:
    services: Services = request.app.state.services
    get_flow(services, principal.tenant, name)
    try:
        result = await reconcile(
            services.engine, principal.tenant, name, date_from=date_from, date_to=date_to
        )
    except NoReconciler as exc:
        raise ApiError(422, str(exc), errors=[("path.name", str(exc))]) from None
    except ReconcileError as exc:
        raise ApiError(422, str(exc), errors=[("query", str(exc))]) from None
    body: dict[str, Any] = result.to_json()
    return ExactJSON(body)
