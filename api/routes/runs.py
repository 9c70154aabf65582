"""``/api/v1/.../runs`` and ``/api/v1/parked``: start (dry run, bounded wait, idempotency
key), poll, per-record log, cancel; parked records: list, edit, replay.

Status moves ``queued → running → succeeded | partial | failed`` (or ``cancelled``).
``Idempotency-Key``: a repeated start with the same key (and the same body) answers the run
the first start created; the same key with a different body is refused with 422.
Logged payloads are redacted by the tenant's and flow's paths unless the key has
``reveal`` and the request asks ``?reveal=true``.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response, status
from mapwright import jsonio
from mapwright.api.auth import Principal, Runner, Viewer
from mapwright.api.errors import ApiError, not_found
from mapwright.api.flows import get_flow
from mapwright.api.privacy import redact, redaction_paths
from mapwright.api.responses import ExactJSON, ExactRoute, Id, WholeNumber, exact
from mapwright.api.services import TERMINAL, Services
from mapwright.engine.errors import RunNotFound
from mapwright.engine.services.starts import KeyReused
from mapwright.engine.store import Run
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(prefix="/api/v1", tags=["runs"], route_class=ExactRoute)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RunIn(Strict):
    dry_run: bool = Field(default=False, description="map and plan, write nothing")
    settings: dict[str, Any] = Field(default_factory=dict, description="overrides for this run")
    page_size: WholeNumber | None = Field(default=None, ge=1, le=1000)
    max_pages: WholeNumber | None = Field(default=None, ge=1, le=100_000)
    wait_seconds: float = Field(
        default=0,
        strict=False,
        ge=0,
        le=300,
        description="wait up to this long for the end of the run (capped at the service's "
        "MAPWRIGHT_MAX_RUN_WAIT, 60 s by default); 202 when it is still running",
    )


class RunOut(BaseModel):
    id: str
    flow: str
    status: str
    dry_run: bool
    trigger: str
    counts: dict[str, Any]
    error: str | None
    flow_version: int | None
    script_hash: str | None
    created_at: Any
    started_at: Any
    finished_at: Any


class RecordOut(BaseModel):
    id: int
    seq: int
    source_id: str | None
    outcome: str
    reason: str | None
    parked_state: str | None
    replay_of: int | None
    source: Any = None
    mapped: Any = None
    operations: list[dict[str, Any]]
    payload_stored: bool


class RunLogOut(RunOut):
    records: list[RecordOut]


class ParkedEdit(Strict):
    source: dict[str, Any] = Field(description="the corrected source record")


class ReplayIn(Strict):
    ids: list[Annotated[WholeNumber, Field(ge=1, le=2**53)]] = Field(
        min_length=1, max_length=10_000
    )
    dry_run: bool = False
    forget_pending: bool = False
    wait_seconds: float = Field(default=0, strict=False, ge=0, le=300)


class ReplayOut(BaseModel):
    runs: list[RunOut]


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def run_out(run: Run) -> dict[str, Any]:
    return {k: run.get(k) for k in RunOut.model_fields}


def get_run(services: Services, principal: Principal, run_id: str) -> Run:
    try:
        run = services.store.run(run_id)
    except RunNotFound:
        raise not_found(f"run {run_id}") from None
    if run["id"] != run_id or run["tenant"] != principal.tenant:
        raise not_found(f"run {run_id}")
    return run


async def wait_for(services: Services, run_ids: list[str], seconds: float) -> None:
    deadline = time.monotonic() + min(seconds, services.settings.max_run_wait)
    while time.monotonic() < deadline:
        if all(services.store.run(r)["status"] in TERMINAL for r in run_ids):
            return
        await asyncio.sleep(0.02)


def _hash(body: RunIn, flow: str) -> str:
    return hashlib.sha256(
        jsonio.dumps([flow, body.model_dump()], sort_keys=True).encode()
    ).hexdigest()


@router.post(
    "/flows/{name}/runs",
    response_model=RunOut,
    response_class=ExactJSON,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start a run (dry_run, bounded wait, Idempotency-Key)",
    responses={200: {"model": RunOut, "description": "the run of an earlier identical request"}},
)
async def start_run(
    name: str,
    body: RunIn,
    request: Request,
    principal: Runner,
    idempotency_key: str | None = Header(
        None, max_length=200, description="repeat-safe start: the same key gives the same run"
    ),
) -> Response:
    services = _services(request)
    tenant = principal.tenant
    get_flow(services, tenant, name)
    try:
        started = services.data.starts.start(
            services.engine,
            tenant,
            name,
            key=idempotency_key or None,
            request_hash=_hash(body, name),
            dry_run=body.dry_run,
            settings=exact(body.settings) or None,
            page_size=body.page_size,
            max_pages=body.max_pages,
            trigger="api",
        )
    except KeyReused as exc:
        raise ApiError(
            422, str(exc), errors=[("header.idempotency-key", "reused with another body")]
        ) from None
    run_id = started.run_id
    if not started.fresh:
        await wait_for(services, [run_id], body.wait_seconds)
        return ExactJSON(run_out(services.store.run(run_id)), status_code=200)
    services.executor.submit(run_id)
    await wait_for(services, [run_id], body.wait_seconds)
    run = services.store.run(run_id)
    code = 200 if run["status"] in TERMINAL else 202
    return ExactJSON(run_out(run), status_code=code, headers={"Location": f"/api/v1/runs/{run_id}"})


@router.get("/runs", response_model=list[RunOut], response_class=ExactJSON, summary="Recent runs")
async def list_runs(
    request: Request,
    principal: Viewer,
    flow: str | None = Query(None, max_length=100),
    limit: int = Query(50, ge=1, le=500),
) -> ExactJSON:
    services = _services(request)
    return ExactJSON([run_out(r) for r in services.store.runs(principal.tenant, flow, limit)])


@router.get("/runs/{run_id}", response_model=RunOut, response_class=ExactJSON, summary="Run status")
async def get_run_status(run_id: str, request: Request, principal: Viewer) -> ExactJSON:
    return ExactJSON(run_out(get_run(_services(request), principal, run_id)))


def record_out(row: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    operations = row.get("operations") or []
    return {
        "id": row["id"],
        "seq": row["seq"],
        "source_id": row["source_id"],
        "outcome": row["outcome"],
        "reason": row["reason"],
        "parked_state": row["parked_state"],
        "replay_of": row["replay_of"],
        "source": redact(row["source"], paths),
        "mapped": redact(row["plan"], paths),
        "operations": [redact(op, paths) for op in operations],
        "payload_stored": row["source"] is not None,
    }


def _paths(services: Services, principal: Principal, flow: str, reveal: bool) -> list[str]:
    if reveal and principal.reveal:
        return []
    return redaction_paths(services, principal.tenant, flow)


@router.get(
    "/runs/{run_id}/records",
    response_model=RunLogOut,
    response_class=ExactJSON,
    summary="The per-record log: source, mapped, requests, responses, outcome, diffs",
)
async def run_records(
    run_id: str,
    request: Request,
    principal: Viewer,
    reveal: bool = Query(False, description="show redacted values (needs a key with reveal)"),
    outcome: str | None = Query(None, max_length=20),
) -> ExactJSON:
    services = _services(request)
    run = get_run(services, principal, run_id)
    if reveal and not principal.reveal:
        raise ApiError(403, "this key may not reveal redacted values; ask an admin for reveal")
    paths = _paths(services, principal, run["flow"], reveal)
    rows = [r for r in services.store.records(run_id) if outcome is None or r["outcome"] == outcome]
    return ExactJSON({**run_out(run), "records": [record_out(r, paths) for r in rows]})


@router.post(
    "/runs/{run_id}/cancel", response_model=RunOut, response_class=ExactJSON, summary="Cancel a run"
)
async def cancel_run(run_id: str, request: Request, principal: Runner) -> ExactJSON:
    services = _services(request)
    run = get_run(services, principal, run_id)
    if run["status"] in TERMINAL:
        raise ApiError(409, f"run {run_id} already ended ({run['status']})")
    if not await services.executor.cancel(run_id):
        services.store.update_run(
            run_id,
            status="cancelled",
            error="cancelled before it started",
            finished_at=services.clock(),
        )
        if not run["dry_run"]:
            services.engine.lock.release(run["tenant"], run["flow"], run_id)
    services.audit(principal, "run.cancel", f"runs/{run_id}", {})
    return ExactJSON(run_out(services.store.run(run_id)))


# -- parked records ------------------------------------------------------------------------
def _record(services: Services, principal: Principal, record_id: int) -> dict[str, Any]:
    try:
        row = services.store.record(record_id)
    except RunNotFound:
        raise not_found(f"record {record_id}") from None
    if row["tenant"] != principal.tenant:
        raise not_found(f"record {record_id}")
    return row


@router.get(
    "/parked", response_model=list[RecordOut], response_class=ExactJSON, summary="Parked records"
)
async def parked(
    request: Request,
    principal: Viewer,
    flow: str | None = Query(None, max_length=100),
    reveal: bool = Query(False),
) -> ExactJSON:
    services = _services(request)
    if reveal and not principal.reveal:
        raise ApiError(403, "this key may not reveal redacted values")
    rows = services.store.parked(principal.tenant, flow)
    return ExactJSON([record_out(r, _paths(services, principal, r["flow"], reveal)) for r in rows])


@router.put(
    "/parked/{record_id:int}",
    response_model=RecordOut,
    response_class=ExactJSON,
    summary="Fix a parked record's source before replaying it",
)
async def edit_parked(
    record_id: Id, body: ParkedEdit, request: Request, principal: Runner
) -> ExactJSON:
    services = _services(request)
    row = _record(services, principal, record_id)
    if row["parked_state"] != "open":
        raise ApiError(409, f"record {record_id} is not parked (state: {row['parked_state']})")
    services.store.edit_parked_source(record_id, exact(body.source))
    before = row["source"] or {}
    changed = sorted(
        k for k in set(before) | set(body.source) if before.get(k) != body.source.get(k)
    )
    # only the names of changed fields: record values are personal data, the audit log is not
    services.audit(principal, "parked.edit", f"records/{record_id}", {"changed": changed})
    row = services.store.record(record_id)
    return ExactJSON(record_out(row, _paths(services, principal, row["flow"], False)))


@router.post(
    "/parked/replay",
    response_model=ReplayOut,
    response_class=ExactJSON,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Replay parked records (one run per flow)",
)
async def replay(body: ReplayIn, request: Request, principal: Runner) -> ExactJSON:
    services = _services(request)
    by_flow: dict[str, list[int]] = {}
    for record_id in body.ids:
        row = _record(services, principal, record_id)
        if row["source"] is None:
            raise ApiError(
                422,
                f"record {record_id} has no stored payload (flow keeps no payloads, or erased)",
                errors=[("body.ids", str(record_id))],
            )
        by_flow.setdefault(row["flow"], []).append(record_id)
    if body.forget_pending and not body.dry_run:
        from mapwright.engine.ledger import Ledger

        for flow, ids in by_flow.items():
            ledger = Ledger(services.store, principal.tenant, flow)
            for record_id in ids:
                source_id = services.store.record(record_id)["source_id"]
                for (_s, op), entry in ledger.entries([source_id]).items():
                    if entry.state == "pending":
                        ledger.forget(source_id, op)
    run_ids = []
    for flow, ids in by_flow.items():
        run_id = services.engine.start(
            principal.tenant, flow, dry_run=body.dry_run, trigger="replay", replay=ids
        )
        services.executor.submit(run_id)
        run_ids.append(run_id)
    services.audit(principal, "parked.replay", "records", {"ids": body.ids, "runs": run_ids})
    await wait_for(services, run_ids, body.wait_seconds)
    runs = [run_out(services.store.run(r)) for r in run_ids]
    # like a run start: 200 when every run finished within the wait, else 202
    code = 200 if all(run["status"] in TERMINAL for run in runs) else 202
    return ExactJSON({"runs": runs}, status_code=code)


@router.post(
    "/parked/{record_id:int}/replay",
    response_model=ReplayOut,
    response_class=ExactJSON,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Replay one parked record",
)
async def replay_one(
    record_id: Id,
    request: Request,
    principal: Runner,
    wait_seconds: float = Query(0, ge=0, le=300),
) -> ExactJSON:
    return await replay(ReplayIn(ids=[record_id], wait_seconds=wait_seconds), request, principal)
