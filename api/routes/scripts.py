"""``/api/v1/scripts``: lint, format, test, preview (with a per-field trace) and run.

Nothing here touches a connected system: lookups come from the request (``lookups``:
``{"exact_online.items": [records...]}``), so the browser editor can preview a flow before
any connection exists. The work runs in a script worker process (``api/workers.py``):
killed at the service's time limit (422), capped in memory (422), a few jobs per tenant at a
time (429 with ``Retry-After``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from mapwright.api.auth import Principal, Runner, Viewer
from mapwright.api.errors import Problem
from mapwright.api.responses import ExactJSON, ExactRoute, exact
from mapwright.api.workers import ScriptPool
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(
    prefix="/api/v1/scripts",
    tags=["scripts"],
    route_class=ExactRoute,
    responses={
        429: {"model": Problem, "description": "the tenant runs its limit of script jobs"},
        503: {"model": Problem, "description": "every script worker is busy; retry"},
    },
)
MAX_SCRIPT = 200_000
#: records per preview or run request (one request must stay within the time limit)
MAX_RECORDS = 200


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ScriptIn(Strict):
    script: str = Field(max_length=MAX_SCRIPT, description="the mapping script text")
    name: str = Field(default="script.map", max_length=200, pattern=r"^[\w.\-]+$")


class RecordsIn(ScriptIn):
    records: list[dict[str, Any]] = Field(
        max_length=MAX_RECORDS, description=f"source records (at most {MAX_RECORDS})"
    )
    settings: dict[str, Any] = Field(default_factory=dict)
    lookups: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict, description='records of connected systems: {"sys.obj": [...]}'
    )


class DiagnosticOut(BaseModel):
    line: int
    column: int
    end_line: int
    end_column: int
    severity: str
    message: str


class LintOut(BaseModel):
    ok: bool
    diagnostics: list[DiagnosticOut]


class FormatOut(BaseModel):
    script: str
    changed: bool


class TestOut(BaseModel):
    name: str
    line: int
    passed: bool
    diff: str
    error: str


class TestsOut(BaseModel):
    passed: int
    failed: int
    tests: list[TestOut]


class RecordResult(BaseModel):
    index: int
    status: str = Field(description="ok | skipped | parked | error")
    result: Any = None
    reason: str | None = None
    error: dict[str, Any] | None = None
    trace: list[dict[str, Any]] | None = None


class ResultsOut(BaseModel):
    counts: dict[str, int]
    results: list[RecordResult]


def _pool(request: Request) -> ScriptPool:
    pool: ScriptPool = request.app.state.services.scripts
    return pool


@router.post("/lint", response_model=LintOut, summary="Problems of a script, with positions")
async def lint(body: ScriptIn, request: Request, principal: Viewer) -> LintOut:
    found = await _pool(request).run(principal.tenant, "lint", body.script, body.name)
    return LintOut(ok=not found, diagnostics=[DiagnosticOut(**d) for d in found])


@router.post("/format", response_model=FormatOut, summary="The script in canonical layout")
async def format_script(body: ScriptIn, request: Request, principal: Viewer) -> FormatOut:
    text = await _pool(request).run(principal.tenant, "format", body.script, body.name)
    return FormatOut(script=text, changed=text != body.script)


@router.post("/test", response_model=TestsOut, summary="Run the script's embedded tests")
async def test_script(body: ScriptIn, request: Request, principal: Viewer) -> TestsOut:
    results = await _pool(request).run(principal.tenant, "test", body.script, body.name)
    tests = [TestOut(**r) for r in results]
    passed = sum(1 for r in tests if r.passed)
    return TestsOut(passed=passed, failed=len(tests) - passed, tests=tests)


async def _map(request: Request, principal: Principal, body: RecordsIn, trace: bool) -> Response:
    # the worker answers with the JSON bytes (encoded there, see ``scriptwork.map_records``)
    answer: bytes = await _pool(request).run(
        principal.tenant,
        "map",
        body.script,
        body.name,
        exact(body.records),
        exact(body.settings),
        exact(body.lookups),
        trace,
    )
    return Response(answer, media_type="application/json")


@router.post(
    "/preview",
    response_model=ResultsOut,
    response_class=ExactJSON,
    summary="Map sample records: results, per-field trace, errors with positions",
)
async def preview(body: RecordsIn, request: Request, principal: Viewer) -> Response:
    return await _map(request, principal, body, trace=True)


@router.post(
    "/run",
    response_model=ResultsOut,
    response_class=ExactJSON,
    summary="Run a script on posted records and return the mapped records",
)
async def run_script(body: RecordsIn, request: Request, principal: Runner) -> Response:
    return await _map(request, principal, body, trace=False)
