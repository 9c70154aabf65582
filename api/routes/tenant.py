"""``/api/v1/me``, ``/api/v1/keys`` and ``/api/v1/audit``: who am I, API keys, audit log.

Tenants are created with ``api.services.create_tenant`` (the CLI's ``mapwright api tenant``
and ``serve --demo`` call it); it returns the tenant's first admin key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Request, status
from mapwright.api.auth import Admin, Principal, Scope, Viewer, issue_key
from mapwright.api.errors import not_found
from mapwright.api.services import Services
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(prefix="/api/v1", tags=["tenant"])


class MeOut(BaseModel):
    tenant: str
    key_name: str
    scope: str
    reveal: bool


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(min_length=1, max_length=200)
    scope: Scope
    reveal: bool = False


class KeyOut(BaseModel):
    id: str
    name: str
    prefix: str
    scope: str
    reveal: bool
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class NewKeyOut(KeyOut):
    key: str = Field(description="the key itself; shown only now, store it safely")


class AuditOut(BaseModel):
    id: int
    actor: str
    action: str
    target: str
    diff: Any
    at: dt.datetime


@router.get("/me", response_model=MeOut, summary="The calling key's tenant and scope")
async def me(principal: Viewer) -> MeOut:
    return MeOut(
        tenant=principal.tenant,
        key_name=principal.name,
        scope=principal.scope,
        reveal=principal.reveal,
    )


def _keys(services: Services, tenant: str) -> list[dict[str, Any]]:
    return services.data.keys.list(tenant)


@router.get("/keys", response_model=list[KeyOut], summary="The tenant's API keys (no secrets)")
async def list_keys(request: Request, principal: Admin) -> list[KeyOut]:
    return [KeyOut(**row) for row in _keys(request.app.state.services, principal.tenant)]


@router.post(
    "/keys",
    response_model=NewKeyOut,
    status_code=status.HTTP_201_CREATED,
    summary="Issue an API key for this tenant",
)
async def create_key(body: KeyIn, request: Request, principal: Admin) -> NewKeyOut:
    services: Services = request.app.state.services
    key_id, key = issue_key(
        services.data.keys, principal.tenant, body.name, body.scope, reveal=body.reveal
    )
    services.audit(principal, "key.create", f"keys/{key_id}", body.model_dump())
    row = next(r for r in _keys(services, principal.tenant) if r["id"] == key_id)
    return NewKeyOut(**row, key=key)


@router.delete(
    "/keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke an API key"
)
async def revoke_key(key_id: str, request: Request, principal: Admin) -> None:
    services: Services = request.app.state.services
    if not services.data.keys.revoke(principal.tenant, key_id):
        raise not_found(f"key {key_id}")
    services.audit(principal, "key.revoke", f"keys/{key_id}", {})


@router.get("/audit", response_model=list[AuditOut], summary="Configuration changes, newest first")
async def audit(
    request: Request,
    principal: Viewer,
    limit: int = Query(100, ge=1, le=1000),
    target: str | None = Query(None, max_length=300, description="only entries for this target"),
) -> list[AuditOut]:
    services: Services = request.app.state.services
    entries = services.data.audit.entries(principal.tenant, target=target, limit=limit)
    return [AuditOut(**row) for row in entries]


def principal_of(request: Request) -> Principal:
    principal: Principal = request.state.principal
    return principal
