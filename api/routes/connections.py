"""``/api/v1/connections``: create (tested by a real call), list, test, delete; Exact OAuth;
``/api/v1/connection-kinds``: what a connection form asks for each kind.

Credentials are write-only: they are encrypted before they reach the store and no answer
ever contains them (only the names of the fields that are set). Creating or replacing a
connection makes one authenticated read; if it fails, the previous state is restored and
the answer is 422 with the system's message.

The kinds, their required credentials and their consent come from the connectors'
declarations (``engine/connection_service.py``). A connector with an OAuth protocol (Exact
Online) needs a first consent: create the connection with ``client_id`` and
``client_secret`` only, open the ``authorize_url`` of the answer, and the system redirects to
``/api/v1/oauth/<slug>/callback`` (``exact-online``), which exchanges the code, stores the
tokens and tests the connection.
"""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse
from mapwright.api.auth import Editor, Principal, Viewer
from mapwright.api.connections import test_connection
from mapwright.api.errors import ApiError, not_found
from mapwright.api.services import Services
from mapwright.api.signing import BadSignature, Signer
from mapwright.engine import connection_service
from mapwright.engine.connection_service import ConnectorError
from mapwright.engine.errors import EngineError
from mapwright.engine.store import StoredConnection
from pydantic import BaseModel, ConfigDict, Field, field_validator

router = APIRouter(prefix="/api/v1", tags=["connections"])
NAME = r"^[a-z][a-z0-9_]{0,99}$"
CALLBACK = "/api/v1/oauth/{slug}/callback"


def callback_path(slug: str) -> str:
    return CALLBACK.format(slug=slug)


class ConnectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(pattern=NAME, description="how flows refer to it, e.g. exact_online")
    kind: str = Field(
        description="connector kind",
        json_schema_extra={"enum": [k for k in connection_service.kinds()]},
    )
    base_url: str | None = Field(default=None, max_length=500)
    credentials: dict[str, Any] = Field(
        default_factory=dict, description="write-only; encrypted at rest, never returned"
    )
    options: dict[str, Any] = Field(default_factory=dict)
    test: bool = Field(default=True, description="make a real call before saving")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        kinds = connection_service.kinds()
        if value not in kinds:
            raise ValueError(f"unknown connector kind '{value}'; the kinds are: {', '.join(kinds)}")
        return value


class ConnectionOut(BaseModel):
    name: str
    kind: str
    base_url: str | None
    options: dict[str, Any]
    credentials_set: list[str] = Field(description="names of the credential fields that are set")
    status: str = Field(description="ready | consent_needed | untested")
    authorize_url: str | None = None


class TestOut(BaseModel):
    ok: bool
    detail: str


class CredentialFieldOut(BaseModel):
    name: str = Field(description="the key in the connection's credentials")
    label: str = Field(description="what a form shows beside the input")
    required: bool = Field(description="a connection without it is refused (422)")
    secret: bool = Field(
        description="hide what is typed (password-style); every credential is write-only"
    )
    help: str = Field(description="where to find the value")


class BaseUrlOut(BaseModel):
    label: str
    help: str = Field(description="what the base URL may be; empty: the connector's default")


class ConnectionKindOut(BaseModel):
    kind: str = Field(description="the connection's kind")
    title: str
    fields: list[CredentialFieldOut] = Field(
        description="the credentials the form asks, in the declared order; fields for the "
        "command line only (Exact's token_file) are not listed"
    )
    consent: bool = Field(
        description="needs an OAuth consent: the answer of POST /connections holds the "
        "authorize_url while its status is consent_needed"
    )
    sandbox: str | None = Field(description="the sandbox it ships, by name; null: none")
    base_url: BaseUrlOut = Field(description="the optional base_url of a connection")
    required_options: list[str] = Field(
        description="options a connection needs besides the credentials, which no form asks "
        "(create it with POST /connections and 'options', or in mapwright.toml)"
    )


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _out(services: Services, tenant: str, stored: StoredConnection, state: str) -> ConnectionOut:
    creds = services.vault.decrypt(stored.credentials)
    return ConnectionOut(
        name=stored.name,
        kind=stored.kind,
        base_url=stored.base_url,
        options=stored.options,
        credentials_set=sorted(k for k, v in creds.items() if v not in (None, "")),
        status=state,
    )


def _state(services: Services, stored: StoredConnection) -> str:
    return connection_service.state(stored.kind, services.vault.decrypt(stored.credentials))


def _delete(services: Services, tenant: str, name: str) -> bool:
    return connection_service.delete_connection(services.store, tenant, name)


#: the request field a connector error code points at (else the credentials)
_ERROR_FIELDS = {
    "egress_refused": "body.base_url",
    "outside_root": "body.options.folder",
    "files_disabled": "body.options.folder",
    "description_path": "body.options.description",
    "bad_description": "body.options.description",
}


def _loc_of(exc: Exception) -> str:
    cause = exc.__cause__ if isinstance(exc.__cause__, ConnectorError) else exc
    return _ERROR_FIELDS.get(str(getattr(cause, "code", None)), "body.credentials")


def _redirect(services: Services, slug: str) -> str:
    return services.settings.public_url.rstrip("/") + callback_path(slug)


def authorize_url(
    services: Services,
    tenant: str,
    name: str,
    kind: str,
    base_url: str | None,
    credentials: dict[str, Any],
) -> str:
    """The consent page of the connection (its state is signed, valid 15 minutes)."""
    declared = connection_service.declaration(kind)
    assert declared.oauth is not None
    slug = declared.oauth.slug
    state = Signer(services.settings.secret_key or "").sign(
        f"oauth:{slug}", {"t": tenant, "c": name}, 900
    )
    return connection_service.authorize_url(
        kind, base_url, credentials, _redirect(services, slug), state
    )[1]


@router.get(
    "/connection-kinds",
    response_model=list[ConnectionKindOut],
    summary="The connection kinds and what a form asks for each (as the connectors declare)",
)
async def connection_kinds(_: Viewer) -> list[ConnectionKindOut]:
    return [
        ConnectionKindOut(
            kind=form.kind,
            title=form.title,
            fields=[
                CredentialFieldOut(
                    name=f.name, label=f.label, required=f.required, secret=f.secret, help=f.help
                )
                for f in form.fields
            ],
            consent=form.consent,
            sandbox=form.sandbox,
            base_url=BaseUrlOut(label=form.base_url_label, help=form.base_url_help),
            required_options=list(form.required_options),
        )
        for form in connection_service.kind_forms()
    ]


@router.post(
    "/connections",
    response_model=ConnectionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create or replace a connection (tested by a real call)",
)
async def create_connection(
    body: ConnectionIn, request: Request, principal: Editor
) -> ConnectionOut:
    services = _services(request)
    tenant = principal.tenant
    missing = connection_service.missing_credentials(body.kind, body.credentials)
    if missing:
        raise ApiError(
            422,
            f"credentials for {body.kind} are incomplete",
            errors=[(f"body.credentials.{k}", "required") for k in missing],
        )
    previous = services.store.connections(tenant).get(body.name)
    services.connections.save(
        tenant, body.name, body.kind, body.base_url, dict(body.credentials), dict(body.options)
    )

    def restore() -> None:
        if previous is None:
            _delete(services, tenant, body.name)
        else:
            services.store.save_connection(tenant, previous)

    declared = connection_service.declaration(body.kind)
    if declared.folder or declared.option_files:
        # the operator's policy on folders and server files, checked even without a test
        try:
            await services.connections.build(tenant, body.name).aclose()
        except (ConnectorError, EngineError) as exc:
            restore()
            raise ApiError(
                422, f"the connection is refused: {exc}", errors=[(_loc_of(exc), str(exc))]
            ) from None
    stored = services.store.connections(tenant)[body.name]
    state = _state(services, stored)
    if body.test and state == "ready":
        try:
            await test_connection(services.connections, tenant, body.name)
        except ConnectorError as exc:
            restore()
            raise ApiError(
                422,
                f"the connection test failed: {exc}",
                title="Connection test failed",
                errors=[(_loc_of(exc), str(exc))],
            ) from None
    elif not body.test and state == "ready":
        state = "untested"
    services.audit(
        principal,
        "connection.replace" if previous else "connection.create",
        f"connections/{body.name}",
        {
            "kind": body.kind,
            "base_url": body.base_url,
            "options": body.options,
            "credentials": sorted(body.credentials),
        },
    )
    out = _out(services, tenant, stored, state)
    if state == "consent_needed":
        try:
            out.authorize_url = authorize_url(
                services, tenant, body.name, body.kind, body.base_url, dict(body.credentials)
            )
        except ConnectorError as exc:
            restore()
            raise ApiError(
                422, f"the connection is refused: {exc}", errors=[("body.base_url", str(exc))]
            ) from None
    return out


@router.get("/connections", response_model=list[ConnectionOut], summary="The tenant's connections")
async def list_connections(request: Request, principal: Viewer) -> list[ConnectionOut]:
    services = _services(request)
    return [
        _out(services, principal.tenant, stored, _state(services, stored))
        for stored in services.store.connections(principal.tenant).values()
    ]


def _get(services: Services, principal: Principal, name: str) -> StoredConnection:
    stored = services.store.connections(principal.tenant).get(name)
    if stored is None:
        raise not_found(f"connection '{name}'")
    return stored


@router.get("/connections/{name}", response_model=ConnectionOut, summary="One connection")
async def get_connection(name: str, request: Request, principal: Viewer) -> ConnectionOut:
    services = _services(request)
    stored = _get(services, principal, name)
    return _out(services, principal.tenant, stored, _state(services, stored))


@router.post("/connections/{name}/test", response_model=TestOut, summary="Test a connection now")
async def test(name: str, request: Request, principal: Editor) -> TestOut:
    services = _services(request)
    _get(services, principal, name)
    try:
        detail = await test_connection(services.connections, principal.tenant, name)
    except ConnectorError as exc:
        return TestOut(ok=False, detail=str(exc))
    return TestOut(ok=True, detail=detail)


@router.delete(
    "/connections/{name}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a connection"
)
async def delete_connection(name: str, request: Request, principal: Editor) -> None:
    services = _services(request)
    if not _delete(services, principal.tenant, name):
        raise not_found(f"connection '{name}'")
    services.audit(principal, "connection.delete", f"connections/{name}", {})


@router.get(
    CALLBACK.removeprefix("/api/v1"),
    response_class=HTMLResponse,
    summary="OAuth redirect target of a connector's consent (opened by the browser)",
    responses={400: {"description": "bad or expired state, or consent refused"}},
)
async def oauth_callback(
    slug: str,
    request: Request,
    code: str | None = Query(None, max_length=4000),
    state: str = Query(..., max_length=4000),
    error: str | None = Query(None, max_length=500),
) -> HTMLResponse:
    services = _services(request)
    declared = connection_service.oauth_for(slug)
    if declared is None:
        raise not_found(f"OAuth consent '{slug}'")
    try:
        data = Signer(services.settings.secret_key or "").verify(f"oauth:{slug}", state)
    except BadSignature as exc:
        raise ApiError(400, f"invalid OAuth state: {exc}; start the consent again") from None
    tenant, name = str(data["t"]), str(data["c"])
    if error or not code:
        raise ApiError(400, f"{declared.title} did not give consent ({error or 'no code'})")
    stored = services.store.connections(tenant).get(name)
    if stored is None:
        raise ApiError(400, f"connection '{name}' no longer exists; create it again")
    config = services.connections.config(tenant, name)
    try:
        creds = await connection_service.finish_consent(
            stored.kind,
            stored.base_url,
            config.credentials,
            _redirect(services, slug),
            code,
            services.connections.transport_for(name, config),
        )
    except ConnectorError as exc:
        raise ApiError(400, f"the code exchange failed: {exc}") from None
    services.connections.update_credentials(tenant, name, creds)
    try:
        detail = await test_connection(services.connections, tenant, name)
    except ConnectorError as exc:
        detail = f"tokens stored, but the test call failed: {exc}"
    services.audit_for(tenant, f"oauth:{slug}", "connection.consent", f"connections/{name}", {})
    return HTMLResponse(
        f"<html><body><h1>{html.escape(declared.title)} connected</h1>"
        f"<p>{html.escape(name)}: {html.escape(detail)}</p>"
        "<p>You can close this window.</p></body></html>"
    )
