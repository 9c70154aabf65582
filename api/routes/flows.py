"""``/api/v1/flows``: create from a built-in or a template, edit, versions and diffs,
enable/disable, schedule, per-flow privacy options, delete; ``/api/v1/builtins`` lists the
shipped flows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from mapwright.api import flows as f
from mapwright.api.auth import Editor, Viewer
from mapwright.api.errors import ApiError
from mapwright.api.responses import ExactRoute, Id, WholeNumber
from mapwright.api.schedule import Schedule, next_run
from mapwright.api.services import Services
from pydantic import BaseModel, ConfigDict, Field, model_validator

router = APIRouter(prefix="/api/v1", tags=["flows"], route_class=ExactRoute)
NAME = r"^[a-z][a-z0-9_\-]{0,99}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class TemplateRef(Strict):
    name: str = Field(max_length=100)
    version: str | None = Field(default=None, max_length=50, description="default: newest")


class FlowIn(Strict):
    name: str = Field(pattern=NAME)
    builtin: str | None = Field(default=None, max_length=100, description="copy a built-in flow")
    template: TemplateRef | None = Field(default=None, description="install a template")
    script: str | None = Field(default=None, max_length=200_000, description="or give a script")
    settings: dict[str, Any] = Field(default_factory=dict)
    connections: dict[str, str] = Field(
        default_factory=dict, description="system in the script -> connection name"
    )
    enabled: bool = False

    @model_validator(mode="after")
    def one_origin(self) -> FlowIn:
        given = [x for x in (self.builtin, self.template, self.script) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'builtin', 'template' or 'script'")
        return self


class FlowPatch(Strict):
    """A JSON merge patch (RFC 7396): settings and connections not named stay as they are;
    a setting or connection set to ``null`` is removed (the script's default applies)."""

    script: str | None = Field(default=None, max_length=200_000)
    settings: dict[str, Any] | None = None
    connections: dict[str, str | None] | None = None
    note: str | None = Field(default=None, max_length=1000)


class FlowOut(BaseModel):
    name: str
    version: int
    enabled: bool
    script: str
    settings: dict[str, Any]
    settings_schema: dict[str, Any]
    connections: dict[str, str]
    source: list[str] | None
    target: str | None
    origin: dict[str, Any]
    schedule: dict[str, Any] | None
    next_run_at: Any = None
    store_payloads: bool
    redact: list[str]
    pause_after: int
    paused_reason: str | None
    parked_alert_at: int | None = None


class BuiltinOut(BaseModel):
    name: str
    description: str | None
    source: list[str] | None
    target: str | None
    settings_schema: dict[str, Any]


class VersionOut(BaseModel):
    version: int
    actor: str
    note: str | None
    created_at: Any
    script: str
    settings: dict[str, Any]


class DiffOut(BaseModel):
    from_version: int = Field(alias="from")
    to: int
    script: str
    settings: dict[str, Any]


class ScheduleIn(Strict):
    interval_seconds: WholeNumber | None = Field(default=None, ge=60, le=31 * 86400)
    cron: str | None = Field(default=None, max_length=100, description="5-field cron, UTC")

    @model_validator(mode="after")
    def one_kind(self) -> ScheduleIn:
        if (self.interval_seconds is None) == (self.cron is None):
            raise ValueError("give exactly one of 'interval_seconds' or 'cron'")
        return self


class OptionsIn(Strict):
    store_payloads: bool | None = None
    redact: list[str] | None = Field(default=None, max_length=100)
    pause_after: WholeNumber | None = Field(
        default=None, ge=0, le=1000, description="0 = never pause"
    )
    parked_alert_at: WholeNumber | None = Field(
        default=None,
        ge=0,
        le=1_000_000,
        description="send a 'parked' alert when this many parked records are open; 0 = never",
    )


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def flow_out(services: Services, tenant: str, name: str) -> FlowOut:
    stored = f.get_flow(services, tenant, name)
    compiled = f.compile_checked(stored.script, name, "script")
    options = services.options(tenant, name)
    return FlowOut(
        name=name,
        version=stored.version,
        enabled=stored.enabled,
        script=stored.script,
        settings=stored.settings,
        settings_schema=f.settings_schema(compiled),
        connections=stored.connections,
        source=list(compiled.source) if compiled.source else None,
        target=compiled.target,
        origin=options["origin"] or {},
        schedule=options["schedule"],
        next_run_at=options["next_run_at"],
        store_payloads=options["store_payloads"],
        redact=list(options["redact"] or []),
        pause_after=options["pause_after"],
        paused_reason=options["paused_reason"],
        parked_alert_at=options["parked_alert_at"] or None,
    )


@router.get("/builtins", response_model=list[BuiltinOut], summary="The shipped flows")
async def builtins(request: Request, _: Viewer) -> list[BuiltinOut]:
    services = _services(request)
    out = []
    for name, flow in sorted(services.catalog.builtin().items()):
        compiled = f.compile_checked(flow.script, name, "script")
        out.append(
            BuiltinOut(
                name=name,
                description=compiled.description,
                source=list(compiled.source) if compiled.source else None,
                target=compiled.target,
                settings_schema=f.settings_schema(compiled),
            )
        )
    return out


@router.post(
    "/flows", response_model=FlowOut, status_code=status.HTTP_201_CREATED, summary="Create a flow"
)
async def create_flow(body: FlowIn, request: Request, principal: Editor) -> FlowOut:
    from mapwright.api.templates import find_template

    services = _services(request)
    tenant = principal.tenant
    if body.name in services.store.flows(tenant):
        raise ApiError(409, f"flow '{body.name}' exists; edit it with PATCH or delete it first")
    origin: dict[str, Any]
    if body.builtin is not None:
        shipped = services.catalog.builtin().get(body.builtin)
        if shipped is None:
            known = ", ".join(sorted(services.catalog.builtin())) or "none"
            raise ApiError(
                422,
                f"no built-in flow '{body.builtin}'",
                errors=[("body.builtin", f"known: {known}")],
            )
        script, origin = shipped.script, {"builtin": body.builtin}
        defaults: dict[str, Any] = {}
    elif body.template is not None:
        found = find_template(services, tenant, body.template.name, body.template.version)
        script = found["manifest"]["script"]
        defaults = dict(found["manifest"].get("settings") or {})
        origin = {
            "template": found["name"],
            "version": found["version"],
            "hash": found["content_hash"],
        }
    else:
        script, origin, defaults = str(body.script), {"script": True}, {}
    compiled = f.compile_checked(script, body.name)
    settings = {**defaults, **body.settings}
    f.settings_checked(compiled, settings)
    f.save_version(
        services,
        tenant,
        body.name,
        script,
        settings,
        body.connections,
        body.enabled,
        principal.actor,
        "created",
    )
    services.set_options(tenant, body.name, origin=origin)
    services.audit(
        principal,
        "flow.create",
        f"flows/{body.name}",
        {"origin": origin, "settings": settings, "connections": body.connections},
    )
    return flow_out(services, tenant, body.name)


@router.get("/flows", response_model=list[FlowOut], summary="The tenant's flows")
async def list_flows(request: Request, principal: Viewer) -> list[FlowOut]:
    services = _services(request)
    return [
        flow_out(services, principal.tenant, n)
        for n in sorted(services.store.flows(principal.tenant))
    ]


@router.get("/flows/{name}", response_model=FlowOut, summary="One flow")
async def get_flow(name: str, request: Request, principal: Viewer) -> FlowOut:
    return flow_out(_services(request), principal.tenant, name)


@router.patch("/flows/{name}", response_model=FlowOut, summary="Edit script, settings, connections")
async def edit_flow(name: str, body: FlowPatch, request: Request, principal: Editor) -> FlowOut:
    services = _services(request)
    tenant = principal.tenant
    current = f.get_flow(services, tenant, name)
    script = body.script if body.script is not None else current.script
    settings = f.merge_patch(current.settings, body.settings or {})
    connections = f.merge_patch(current.connections, body.connections or {})
    compiled = f.compile_checked(script, name)
    f.settings_checked(compiled, settings)
    old = {"version": current.version, "script": current.script, "settings": current.settings}
    saved = f.save_version(
        services,
        tenant,
        name,
        script,
        settings,
        connections,
        current.enabled,
        principal.actor,
        body.note,
    )
    change = f.diff(old, {"version": saved.version, "script": script, "settings": settings})
    if connections != current.connections:
        change["connections"] = {"before": current.connections, "after": connections}
    services.audit(principal, "flow.edit", f"flows/{name}", change)
    return flow_out(services, tenant, name)


@router.get("/flows/{name}/versions", response_model=list[VersionOut], summary="Version history")
async def list_versions(name: str, request: Request, principal: Viewer) -> list[VersionOut]:
    services = _services(request)
    f.get_flow(services, principal.tenant, name)
    return [VersionOut(**row) for row in f.versions(services, principal.tenant, name)]


@router.get(
    "/flows/{name}/versions/{a:int}/diff/{b:int}",
    response_model=DiffOut,
    summary="What changed between two versions",
)
async def diff_versions(name: str, a: Id, b: Id, request: Request, principal: Viewer) -> DiffOut:
    services = _services(request)
    f.get_flow(services, principal.tenant, name)
    old = f.version(services, principal.tenant, name, a)
    new = f.version(services, principal.tenant, name, b)
    return DiffOut(**f.diff(old, new))


@router.post(
    "/flows/{name}/versions/{number:int}/restore",
    response_model=FlowOut,
    summary="Restore a version",
)
async def restore(name: str, number: Id, request: Request, principal: Editor) -> FlowOut:
    services = _services(request)
    current = f.get_flow(services, principal.tenant, name)
    old = f.version(services, principal.tenant, name, number)
    f.save_version(
        services,
        principal.tenant,
        name,
        old["script"],
        old["settings"],
        current.connections,
        current.enabled,
        principal.actor,
        f"restored version {number}",
    )
    services.audit(principal, "flow.restore", f"flows/{name}", {"version": number})
    return flow_out(services, principal.tenant, name)


async def _toggle(request: Request, principal: Any, name: str, enabled: bool) -> FlowOut:
    services = _services(request)
    stored = f.get_flow(services, principal.tenant, name)
    f.set_enabled(services, principal.tenant, name, enabled)
    if enabled:
        # an alerting streak stays open: the next good run sends the recovery notice
        services.set_options(principal.tenant, name, paused_reason=None, failures=0)
    services.audit(
        principal,
        "flow.enable" if enabled else "flow.disable",
        f"flows/{name}",
        {"enabled": {"before": stored.enabled, "after": enabled}},
    )
    return flow_out(services, principal.tenant, name)


@router.post("/flows/{name}/enable", response_model=FlowOut, summary="Enable (un-pause) a flow")
async def enable(name: str, request: Request, principal: Editor) -> FlowOut:
    return await _toggle(request, principal, name, True)


@router.post("/flows/{name}/disable", response_model=FlowOut, summary="Disable a flow")
async def disable(name: str, request: Request, principal: Editor) -> FlowOut:
    return await _toggle(request, principal, name, False)


@router.put("/flows/{name}/schedule", response_model=FlowOut, summary="Set an interval or cron")
async def set_schedule(name: str, body: ScheduleIn, request: Request, principal: Editor) -> FlowOut:
    services = _services(request)
    f.get_flow(services, principal.tenant, name)
    schedule = Schedule(body.interval_seconds, body.cron)
    try:
        due = next_run(schedule, services.clock())
    except ValueError as exc:
        raise ApiError(422, f"invalid schedule: {exc}", errors=[("body.cron", str(exc))]) from None
    before = services.options(principal.tenant, name)["schedule"]
    services.set_options(principal.tenant, name, schedule=schedule.to_json(), next_run_at=due)
    services.audit(
        principal, "flow.schedule", f"flows/{name}", {"before": before, "after": schedule.to_json()}
    )
    return flow_out(services, principal.tenant, name)


@router.delete("/flows/{name}/schedule", response_model=FlowOut, summary="Remove the schedule")
async def clear_schedule(name: str, request: Request, principal: Editor) -> FlowOut:
    services = _services(request)
    f.get_flow(services, principal.tenant, name)
    services.set_options(principal.tenant, name, schedule=None, next_run_at=None)
    services.audit(principal, "flow.schedule", f"flows/{name}", {"after": None})
    return flow_out(services, principal.tenant, name)


@router.put(
    "/flows/{name}/options", response_model=FlowOut, summary="Privacy, pause and alert options"
)
async def set_flow_options(
    name: str, body: OptionsIn, request: Request, principal: Editor
) -> FlowOut:
    services = _services(request)
    f.get_flow(services, principal.tenant, name)
    values = body.model_dump(exclude_none=True)
    before = services.options(principal.tenant, name)
    services.set_options(principal.tenant, name, **values)
    services.audit(
        principal,
        "flow.options",
        f"flows/{name}",
        {k: {"before": before.get(k), "after": v} for k, v in values.items()},
    )
    return flow_out(services, principal.tenant, name)


@router.delete("/flows/{name}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a flow")
async def delete(name: str, request: Request, principal: Editor) -> None:
    services = _services(request)
    f.get_flow(services, principal.tenant, name)
    f.delete_flow(services, principal.tenant, name)
    services.audit(principal, "flow.delete", f"flows/{name}", {})
