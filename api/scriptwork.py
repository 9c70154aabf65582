"""The work behind ``/api/v1/scripts``: lint, format, embedded tests, map records.

These functions run inside a script worker process (``api/workers.py``), never in the
service process: a script that runs away is killed with its worker. They take and return
plain, picklable data; a client mistake is raised as ``ApiError`` (the worker hands its
status, detail and field errors back to the service).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mapwright import jsonio
from mapwright.api.errors import ApiError, mapping_errors
from mapwright.engine import fieldcheck
from mapwright.engine import language as dsl
from mapwright.engine.language import (
    MappingError,
    MappingRuntimeError,
    MemoryResolver,
    PositionedError,
    format_source,
    run_tests,
)
from mapwright.engine.trace import field_trace

# imported by the worker pool's forkserver before it forks workers (``workers.PRELOAD``): every
# worker starts with the parser built, instead of building it within its first job's time limit
dsl.warm()


def compile_script(script: str, name: str) -> Any:
    try:
        return dsl.compile(script, name=name)
    except MappingError as exc:
        raise ApiError(
            422, f"the script does not compile: {exc}", errors=mapping_errors(exc)
        ) from None


def lint(script: str, name: str) -> list[dict[str, Any]]:
    """The script's diagnostics as JSON objects (line, column, severity, message); field
    names the target system does not have are warnings (``engine/fieldcheck.py``)."""
    found = dsl.lint(script, name=name) + fieldcheck.check(script, name=name)
    found.sort(key=lambda d: (d.line, d.column))
    return [dict(d.to_json()) for d in found]


def format_script(script: str, name: str) -> str:
    try:
        return format_source(script, name=name)
    except MappingError as exc:
        raise ApiError(
            422, f"the script cannot be formatted: {exc}", errors=mapping_errors(exc)
        ) from None


def script_tests(script: str, name: str) -> list[dict[str, Any]]:
    """The results of the script's embedded tests."""
    return [
        {"name": r.name, "line": r.line, "passed": r.passed, "diff": r.diff, "error": r.error}
        for r in run_tests(compile_script(script, name))
    ]


def _error(exc: MappingError) -> dict[str, Any]:
    data: dict[str, Any] = {"message": getattr(exc, "message", str(exc))}
    if isinstance(exc, PositionedError) and exc.position is not None:
        pos = exc.position
        data.update(
            line=pos.line, column=pos.column, end_line=pos.end_line, end_column=pos.end_column
        )
    if isinstance(exc, MappingRuntimeError):
        data.update(rule=exc.rule, path=exc.path, value=jsonio.plain(exc.value))
    return data


def map_records(
    script_text: str,
    name: str,
    records: list[dict[str, Any]],
    settings: dict[str, Any],
    lookups: dict[str, list[dict[str, Any]]],
    trace: bool,
) -> bytes:
    """Map every record: counts plus one result per record (with the field trace), as the
    JSON answer's bytes: encoded here, in the worker, from what ``Outcome.to_json`` gives
    (plain data already), so neither a deep copy nor a large pickle is made on the way."""
    script = compile_script(script_text, name)
    try:
        resolved = script.resolve_settings(settings or None)
    except dsl.SettingsError as exc:
        raise ApiError(422, str(exc), errors=mapping_errors(exc)) from None
    resolver = MemoryResolver(lookups)
    counts = {"ok": 0, "skipped": 0, "parked": 0, "error": 0}
    results = []
    for index, record in enumerate(records):
        item: dict[str, Any] = {"index": index}
        try:
            outcome = script.run(record, settings=resolved, resolver=resolver)
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
    return jsonio.dumps_ready({"counts": counts, "results": results})


def ping() -> str:
    """A no-op job: proves a worker answers (used when a worker starts)."""
    return "pong"


#: the jobs a worker accepts, by name
JOBS: dict[str, Callable[..., Any]] = {
    "lint": lint,
    "format": format_script,
    "test": script_tests,
    "map": map_records,
    "ping": ping,
}
