"""The studio in the browser: ``/`` serves the editor, dashboard and onboarding wizard;
``/docs`` and ``/redoc`` serve Swagger UI and ReDoc from the same bundle (no CDN).

The bundle is built from ``studio/`` (TypeScript, CodeMirror 6, Preact) by
``scripts/build-studio`` and committed in ``api/static/studio/``, so ``pip install`` needs no
Node. Its ``manifest.json`` records the hash of the sources it was built from; a test
compares it with the sources in the repository.

Read-only endpoints under ``/api/v1/studio`` feed the editor: the language's vocabulary
(keywords, builtin functions with signature and doc), a connector's field catalogue (objects
and their documented fields), a few records of a flow's source for the preview, and the
sandboxes this service hosts (so the wizard can connect a new tenant to them in one click).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from mapwright.api.auth import Runner, Viewer
from mapwright.api.errors import ApiError, not_found
from mapwright.api.responses import ExactJSON
from mapwright.engine import connection_service, fieldcheck, vocabulary
from mapwright.engine.connection_service import ConnectorError
from mapwright.engine.errors import EngineError
from mapwright.engine.language import MappingError
from pydantic import BaseModel, Field
from starlette.routing import Mount

BUNDLE = Path(__file__).resolve().parent / "static" / "studio"
ASSETS = "/studio"
router = APIRouter(prefix="/api/v1/studio", tags=["studio"])


class FunctionOut(BaseModel):
    name: str
    signature: str
    summary: str
    doc: str
    category: str
    examples: list[dict[str, str]]


class LanguageOut(BaseModel):
    keywords: dict[str, list[str]]
    functions: list[FunctionOut]
    setting_types: list[str]


class FieldOut(BaseModel):
    name: str
    type: str = Field(description="the system's type, e.g. String, Guid, Double")
    verbs: str = Field(description="G read, P create, U update, D delete; - unknown")


class ObjectOut(BaseModel):
    where: str = Field(description="the system's own name, e.g. crm/Accounts")
    description: str
    find_keys: list[str]
    required: list[str]
    fields: list[FieldOut]
    lines: str | None = Field(description="the inline line collection, e.g. SalesOrderLines")
    line_fields: list[FieldOut]


class CatalogueOut(BaseModel):
    kind: str
    title: str
    objects: dict[str, ObjectOut]


class SandboxOut(BaseModel):
    name: str = Field(description="the connection name the built-in flows use")
    kind: str
    base_url: str
    credentials: dict[str, str] = Field(
        description="what to create the connection with (Exact: the app's id and secret; "
        "the consent gives the tokens)"
    )


@router.get("/language", response_model=LanguageOut, summary="Keywords and builtin functions")
async def language(_: Viewer) -> dict[str, Any]:
    return vocabulary.language()


@router.get(
    "/catalogue",
    response_model=list[str],
    summary="Connector kinds that document their fields",
)
async def catalogue_kinds(_: Viewer) -> list[str]:
    return fieldcheck.kinds()


@router.get(
    "/catalogue/{kind}",
    response_model=CatalogueOut,
    summary="A connector's objects and their documented fields",
)
async def catalogue(kind: str, _: Viewer) -> dict[str, Any]:
    found = vocabulary.system_fields(kind)
    if found is None:
        raise not_found(f"field catalogue of connector '{kind}'")
    return found


@router.get(
    "/sandboxes",
    response_model=list[SandboxOut],
    summary="The sandboxes this service hosts (serve --demo), to connect a tenant to",
)
async def sandboxes(request: Request, _: Viewer) -> list[SandboxOut]:
    base = request.app.state.services.settings.public_url.rstrip("/")
    found = []
    for route in request.app.routes:
        if not isinstance(route, Mount) or not route.path.startswith("/sandbox/"):
            continue
        name = route.path.removeprefix("/sandbox/")
        kind = connection_service.sandbox_kind(name)
        described = connection_service.describe_sandbox(
            name, route.app, base + route.path, with_tokens=False
        )
        if kind is None or described is None:
            continue
        url, creds = described
        found.append(SandboxOut(name=kind, kind=kind, base_url=url, credentials=creds))
    return found


class SamplesOut(BaseModel):
    source: str = Field(description="system.object the records come from")
    connection: str
    records: list[dict[str, Any]]


@router.get(
    "/flows/{name}/samples",
    response_model=SamplesOut,
    response_class=ExactJSON,
    summary="A few records of the flow's source, read now (for the preview; nothing is written)",
)
async def samples(
    name: str,
    request: Request,
    principal: Runner,
    limit: int = Query(5, ge=1, le=50),
) -> ExactJSON:
    from mapwright.api.flows import compile_checked, get_flow

    services = request.app.state.services
    stored = get_flow(services, principal.tenant, name)
    script = compile_checked(stored.script, name, "script")
    if script.source is None:
        raise ApiError(422, f"flow '{name}' has no 'source' line to read samples from")
    system, object_name = script.source
    connection = stored.connections.get(system, system)
    if connection not in services.store.connections(principal.tenant):
        raise ApiError(
            422, f"flow '{name}' reads from connection '{connection}', which does not exist"
        )
    try:
        filters = script.source_params(script.resolve_settings(stored.settings)) or None
        connector = services.connections.build(principal.tenant, connection)
        try:
            page = await connector.list(object_name, page_size=limit, filters=filters)
        finally:
            await connector.aclose()
    except (ConnectorError, EngineError, MappingError) as exc:
        raise ApiError(422, f"reading samples from {system}.{object_name} failed: {exc}") from None
    return ExactJSON(
        {
            "source": f"{system}.{object_name}",
            "connection": connection,
            "records": page.records[:limit],
        }
    )


def _page(name: str) -> Response:
    path = BUNDLE / name
    if not path.is_file():
        return HTMLResponse(
            "<h1>The studio is not built</h1><p>Run <code>scripts/build-studio</code>.</p>",
            status_code=503,
        )
    return FileResponse(path, media_type="text/html", headers={"Cache-Control": "no-cache"})


def install(app: FastAPI) -> None:
    """Serve the studio at ``/`` and local API docs at ``/docs`` and ``/redoc``."""
    app.include_router(router)
    if BUNDLE.is_dir():
        app.mount(ASSETS, StaticFiles(directory=BUNDLE), name="studio")
    vendor = f"{ASSETS}/vendor"

    @app.get("/", include_in_schema=False)
    async def studio() -> Response:
        return _page("index.html")

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} API",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
            swagger_css_url=f"{vendor}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.svg",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title=f"{app.title} API",
            redoc_js_url=f"{vendor}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.svg",
            with_google_fonts=False,
        )
