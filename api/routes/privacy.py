"""``/api/v1/privacy``: retention and redaction settings of the tenant, the purge job,
erase-by-subject. All need an admin key; every change is audited."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from mapwright.api.auth import Admin
from mapwright.api.privacy import (
    erase_subject,
    payload_ttl,
    purge,
    save_tenant_privacy,
    tenant_privacy,
)
from mapwright.api.responses import WholeNumber
from mapwright.api.services import Services
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(prefix="/api/v1/privacy", tags=["privacy"])


class PrivacySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    payload_ttl_days: WholeNumber | None = Field(
        default=None,
        ge=0,
        le=3650,
        description="drop record payloads after N days (null: the service default, 30 days "
        "unless the operator set MAPWRIGHT_PAYLOAD_TTL_DAYS)",
    )
    metadata_ttl_days: WholeNumber | None = Field(
        default=None, ge=0, le=3650, description="delete runs after N days (null: keep)"
    )
    redact: list[str] = Field(
        default_factory=list, max_length=200, description="field paths masked in logs"
    )


class PrivacyOut(PrivacySettings):
    payload_ttl_effective_days: int = Field(
        description="the payload retention that applies: the tenant's, else the default"
    )
    payload_ttl_default_days: int = Field(description="the service's default retention")


class PurgeOut(BaseModel):
    payloads_dropped: int
    runs_deleted: int


class EraseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)


class EraseOut(BaseModel):
    records_erased: int


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _out(services: Services, own: dict[str, Any]) -> PrivacyOut:
    return PrivacyOut(
        **own,
        payload_ttl_effective_days=payload_ttl(services, own["payload_ttl_days"]),
        payload_ttl_default_days=services.settings.payload_ttl_days,
    )


@router.get("", response_model=PrivacyOut, summary="Retention and redaction settings")
async def get_privacy(request: Request, principal: Admin) -> PrivacyOut:
    services = _services(request)
    return _out(services, tenant_privacy(services, principal.tenant))


@router.put("", response_model=PrivacyOut, summary="Change retention and redaction")
async def put_privacy(body: PrivacySettings, request: Request, principal: Admin) -> PrivacyOut:
    services = _services(request)
    before = tenant_privacy(services, principal.tenant)
    save_tenant_privacy(services, principal.tenant, body.model_dump())
    services.audit(
        principal, "privacy.update", "privacy", {"before": before, "after": body.model_dump()}
    )
    return _out(services, body.model_dump())


@router.post("/purge", response_model=PurgeOut, summary="Apply retention now (also runs hourly)")
async def run_purge(request: Request, principal: Admin) -> PurgeOut:
    services = _services(request)
    result = purge(services)
    services.audit(principal, "privacy.purge", "privacy", result)
    return PurgeOut(**result)


@router.post("/erase", response_model=EraseOut, summary="Erase a data subject (by e-mail)")
async def erase(body: EraseIn, request: Request, principal: Admin) -> EraseOut:
    services = _services(request)
    count = erase_subject(services, principal.tenant, body.email)
    services.audit(principal, "privacy.erase", "privacy", {"records": count})
    return EraseOut(records_erased=count)
