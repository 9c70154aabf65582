"""``/api/v1/templates``: export a flow, import (validated, conflicts reported), list,
version history, publish to the instance's gallery, signed share links.

Share links: ``POST .../share`` answers a signed token (HMAC, expires after
``share_link_ttl_days``); anyone holding it can read the manifest at
``GET /api/v1/shared/{token}`` and any tenant can import it with
``POST /api/v1/templates`` ``{"share_token": ...}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from mapwright.api import templates as tpl
from mapwright.api.auth import Editor, Viewer
from mapwright.api.errors import ApiError, not_found
from mapwright.api.flows import get_flow
from mapwright.api.responses import ExactJSON
from mapwright.api.services import Services
from mapwright.api.signing import BadSignature, Signer
from pydantic import BaseModel, ConfigDict, Field, model_validator

router = APIRouter(prefix="/api/v1", tags=["templates"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ExportIn(Strict):
    version: str = Field(pattern=tpl.SEMVER.pattern, description="semantic version, e.g. 1.0.0")
    description: str | None = Field(default=None, max_length=2000)
    name: str | None = Field(
        default=None, pattern=tpl.NAME.pattern, description="default: flow name"
    )


class ImportIn(Strict):
    manifest: dict[str, Any] | None = None
    share_token: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def one(self) -> ImportIn:
        if (self.manifest is None) == (self.share_token is None):
            raise ValueError("give exactly one of 'manifest' or 'share_token'")
        return self


class TemplateOut(BaseModel):
    name: str
    version: str
    description: str
    content_hash: str
    requires: list[str]
    gallery: bool
    created_at: Any
    manifest: dict[str, Any] | None = None


class ImportOut(TemplateOut):
    state: str = Field(description="created | unchanged")
    tests: list[dict[str, Any]]


class ShareOut(BaseModel):
    token: str
    url: str
    expires_in_days: int


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def out(row: dict[str, Any], *, manifest: bool = False) -> dict[str, Any]:
    m = row["manifest"]
    return {
        "name": row["name"],
        "version": row["version"],
        "description": m.get("description", ""),
        "content_hash": row["content_hash"],
        "requires": m.get("requires", []),
        "gallery": row["tenant"] is None,
        "created_at": row["created_at"],
        "manifest": m if manifest else None,
    }


@router.post(
    "/flows/{name}/export",
    response_model=TemplateOut,
    response_class=ExactJSON,
    status_code=status.HTTP_201_CREATED,
    summary="Export a flow as a template (kept in the tenant's library)",
)
async def export_flow(name: str, body: ExportIn, request: Request, principal: Editor) -> ExactJSON:
    services = _services(request)
    flow = get_flow(services, principal.tenant, name)
    manifest = tpl.build_manifest(
        body.name or name, body.version, body.description, flow.script, flow.settings
    )
    tpl.refuse_secrets(manifest)
    row, state = tpl.store_template(services, principal.tenant, manifest)
    services.audit(
        principal,
        "template.export",
        f"templates/{manifest['name']}/{body.version}",
        {"flow": name, "hash": row["content_hash"], "state": state},
    )
    return ExactJSON(out(row, manifest=True), status_code=201)


@router.post(
    "/templates",
    response_model=ImportOut,
    response_class=ExactJSON,
    status_code=status.HTTP_201_CREATED,
    summary="Import a template (manifest or share token)",
    responses={
        200: {"model": ImportOut, "description": "already imported, unchanged"},
        409: {"description": "same name and version with other content"},
    },
)
async def import_template(body: ImportIn, request: Request, principal: Editor) -> ExactJSON:
    services = _services(request)
    manifest: Any = body.manifest
    if body.share_token is not None:
        manifest = _shared_manifest(services, body.share_token)
    checked, results = tpl.validate(manifest)
    row, state = tpl.store_template(services, principal.tenant, checked)
    services.audit(
        principal,
        "template.import",
        f"templates/{row['name']}/{row['version']}",
        {"hash": row["content_hash"], "state": state},
    )
    data = {**out(row, manifest=True), "state": state, "tests": results}
    return ExactJSON(data, status_code=201 if state == "created" else 200)


@router.get(
    "/templates",
    response_model=list[TemplateOut],
    response_class=ExactJSON,
    summary="The tenant's templates and the gallery (newest version of each)",
)
async def list_templates(request: Request, principal: Viewer) -> ExactJSON:
    services = _services(request)
    newest: dict[tuple[bool, str], dict[str, Any]] = {}
    for owner in (principal.tenant, None):
        for row in tpl.template_rows(services, owner):
            newest[(owner is None, row["name"])] = row
    return ExactJSON([out(r) for _, r in sorted(newest.items())])


@router.get(
    "/templates/{name}/versions",
    response_model=list[TemplateOut],
    response_class=ExactJSON,
    summary="Every version of a template (tenant's and gallery's)",
)
async def template_versions(name: str, request: Request, principal: Viewer) -> ExactJSON:
    services = _services(request)
    rows = tpl.template_rows(services, principal.tenant, name) + tpl.template_rows(
        services, None, name
    )
    if not rows:
        raise not_found(f"template '{name}'")
    return ExactJSON([out(r) for r in rows])


@router.get(
    "/templates/{name}/versions/{version}",
    response_model=TemplateOut,
    response_class=ExactJSON,
    summary="One template version with its manifest",
)
async def template_version(
    name: str, version: str, request: Request, principal: Viewer
) -> ExactJSON:
    row = tpl.find_template(_services(request), principal.tenant, name, version)
    return ExactJSON(out(row, manifest=True))


def _own(services: Services, tenant: str, name: str, version: str) -> dict[str, Any]:
    row = tpl.template_row(services, tenant, name, version)
    if row is None:
        raise not_found(f"template '{name}' version {version}")
    return row


@router.post(
    "/templates/{name}/versions/{version}/publish",
    response_model=TemplateOut,
    response_class=ExactJSON,
    summary="Publish to the instance's gallery",
)
async def publish(name: str, version: str, request: Request, principal: Editor) -> ExactJSON:
    services = _services(request)
    row = _own(services, principal.tenant, name, version)
    published, state = tpl.store_template(services, None, row["manifest"], gallery=True)
    services.audit(principal, "template.publish", f"templates/{name}/{version}", {"state": state})
    return ExactJSON(out(published))


@router.post(
    "/templates/{name}/versions/{version}/share",
    response_model=ShareOut,
    summary="A signed link to this template version",
)
async def share(name: str, version: str, request: Request, principal: Editor) -> ShareOut:
    services = _services(request)
    row = _own(services, principal.tenant, name, version)
    days = services.settings.share_link_ttl_days
    token = Signer(services.settings.secret_key or "").sign(
        "template", {"id": row["id"], "h": row["content_hash"]}, days * 86400
    )
    services.audit(principal, "template.share", f"templates/{name}/{version}", {"days": days})
    url = services.settings.public_url.rstrip("/") + f"/api/v1/shared/{token}"
    return ShareOut(token=token, url=url, expires_in_days=days)


def _shared_manifest(services: Services, token: str) -> dict[str, Any]:
    try:
        data = Signer(services.settings.secret_key or "").verify("template", token)
    except BadSignature as exc:
        raise ApiError(404, f"share link not valid: {exc}") from None
    row = services.data.templates.get(data["id"])
    if row is None or row["content_hash"] != data.get("h"):
        raise ApiError(404, "the shared template no longer exists")
    manifest: dict[str, Any] = row["manifest"]
    return manifest


@router.get(
    "/shared/{token}",
    response_class=ExactJSON,
    summary="Read a shared template (no key needed)",
    responses={200: {"content": {"application/json": {}}}, 404: {"description": "bad link"}},
)
async def shared(token: str, request: Request) -> Response:
    manifest = _shared_manifest(_services(request), token)
    return ExactJSON({"manifest": manifest, "content_hash": tpl.content_hash(manifest)})
