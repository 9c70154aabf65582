"""``/api/v1/scripts``: lint, format, test, preview (with a per-field trace) and run.

Nothing here touches a connected system: lookups come from the request (``lookups``:
``{"exact_online.items": [records...]}``), so the browser editor can preview a flow before
any connection exists. Work runs in a thread with the service's script timeout; a script
that takes longer answers 422.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from mapwright import dsl
from mapwright.api.auth import Runner, Viewer
from mapwright.api.errors import ApiError, mapping_errors
from mapwright.api.responses import ExactJSON, exact
from mapwright.api.trace import field_trace
from mapwright.dsl.errors import MappingError, MappingRuntimeError, PositionedError
from mapwright.dsl.formatter import format_source
from mapwright.dsl.resolver import MemoryResolver
from mapwright.dsl.testing import run_tests
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(prefix="/api/v1/scripts", tags=["scripts"])
T = TypeVar("T")
MAX_SCRIPT = 200_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ScriptIn(Strict):
    script: str = Field(max_length=MAX_SCRIPT, description="the mapping script text")
    name: str = Field(default="script.map", max_length=200, pattern=r"^[\w.\-]+$")


class RecordsIn(ScriptIn):
    records: list[dict[str, Any]] = Field(max_length=10_000, description="source records")
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


async def _bounded(request: Request, work: Callable[[], T]) -> T:
    timeout = request.app.state.services.settings.script_timeout
    try:
        return await asyncio.wait_for(asyncio.to_thread(work), timeout)
    except TimeoutError:
        raise ApiError(
            422,
            f"the script took longer than {timeout:g} s; simplify it or send fewer records",
            errors=[("script", "timeout")],
        ) from None


def _compile(body: ScriptIn) -> Any:
    try:
        return dsl.compile(body.script, name=body.name)
    except MappingError as exc:
        raise ApiError(
            422, f"the script does not compile: {exc}", errors=mapping_errors(exc)
        ) from None


def _error(exc: MappingError) -> dict[str, Any]:
    data: dict[str, Any] = {"message": getattr(exc, "message", str(exc))}
    if isinstance(exc, PositionedError) and exc.position is not None:
        pos = exc.position
        data.update(
            line=pos.line, column=pos.column, end_line=pos.end_line, end_column=pos.end_column
        )
    if isinstance(exc, MappingRuntimeError):
        data.update(rule=exc.rule, path=exc.path, value=exc.value)
    return data


def _map_all(body: RecordsIn, *, trace: bool) -> dict[str, Any]:
    script = _compile(body)
    try:
        settings = script.resolve_settings(exact(body.settings) or None)
    except dsl.SettingsError as exc:
        raise ApiError(422, str(exc), errors=mapping_errors(exc)) from None
    resolver = MemoryResolver(exact(body.lookups))
    counts = {"ok": 0, "skipped": 0, "parked": 0, "error": 0}
    results = []
    for index, record in enumerate(exact(body.records)):
        item: dict[str, Any] = {"index": index}
        try:
            outcome = script.run(record, settings=settings, resolver=resolver)
        except MappingError as exc:
            item.update(status="error", error=_error(exc))
        except dsl.LookupPending as exc:
            item.update(status="error", error={"message": f"lookup not answerable: {exc}"})
        else:
            if outcome.skipped is not None:
                item.update(status="skipped", reason=outcome.skipped)
            elif outcome.parked is not None:
                item.update(status="parked", reason=outcome.parked)
            else:
                item.update(status="ok", result=outcome.to_json())
                if trace:
                    item["trace"] = field_trace(script, outcome)
        counts[item["status"]] += 1
        results.append(item)
    return {"counts": counts, "results": results}


@router.post("/lint", response_model=LintOut, summary="Problems of a script, with positions")
async def lint(body: ScriptIn, request: Request, _: Viewer) -> LintOut:
    found = await _bounded(request, lambda: dsl.lint(body.script, name=body.name))
    return LintOut(
        ok=not found,
        diagnostics=[DiagnosticOut(**d.to_json()) for d in found],  # type: ignore[arg-type]
    )


@router.post("/format", response_model=FormatOut, summary="The script in canonical layout")
async def format_script(body: ScriptIn, request: Request, _: Viewer) -> FormatOut:
    def work() -> str:
        try:
            return format_source(body.script, name=body.name)
        except MappingError as exc:
            raise ApiError(
                422, f"the script cannot be formatted: {exc}", errors=mapping_errors(exc)
            ) from None

    text = await _bounded(request, work)
    return FormatOut(script=text, changed=text != body.script)


@router.post("/test", response_model=TestsOut, summary="Run the script's embedded tests")
async def test_script(body: ScriptIn, request: Request, _: Viewer) -> TestsOut:
    def work() -> list[Any]:
        return run_tests(_compile(body))

    results = await _bounded(request, work)
    tests = [
        TestOut(name=r.name, line=r.line, passed=r.passed, diff=r.diff, error=r.error)
        for r in results
    ]
    passed = sum(1 for r in tests if r.passed)
    return TestsOut(passed=passed, failed=len(tests) - passed, tests=tests)


def _limit(request: Request, body: RecordsIn) -> None:
    limit = request.app.state.services.settings.max_preview_records
    if len(body.records) > limit:
        raise ApiError(
            422,
            f"at most {limit} records per request; send the rest in further requests",
            errors=[("body.records", f"{len(body.records)} records, limit {limit}")],
        )


@router.post(
    "/preview",
    response_model=ResultsOut,
    response_class=ExactJSON,
    summary="Map sample records: results, per-field trace, errors with positions",
)
async def preview(body: RecordsIn, request: Request, _: Viewer) -> ExactJSON:
    _limit(request, body)
    return ExactJSON(await _bounded(request, lambda: _map_all(body, trace=True)))


@router.post(
    "/run",
    response_model=ResultsOut,
    response_class=ExactJSON,
    summary="Run a script on posted records and return the mapped records",
)
async def run_script(body: RecordsIn, request: Request, _: Runner) -> ExactJSON:
    _limit(request, body)
    return ExactJSON(await _bounded(request, lambda: _map_all(body, trace=False)))
