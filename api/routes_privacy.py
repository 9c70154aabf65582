"""``/api/v1/privacy``: retention and redaction settings of the tenant, the purge job,
erase-by-subject. All need an admin key; every change is audited."""

from __future__ import annotations

from fastapi import APIRouter, Request
from mapwright.api.auth import Admin
from mapwright.api.privacy import erase_subject, purge, save_tenant_privacy, tenant_privacy
from mapwright.api.services import Services
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(prefix="/api/v1/privacy", tags=["privacy"])


class PrivacySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    payload_ttl_days: int | None = Field(
        default=None, ge=0, le=3650, description="drop record payloads after N days (null: keep)"
    )
    metadata_ttl_days: int | None = Field(
        default=None, ge=0, le=3650, description="delete runs after N days (null: keep)"
    )
    redact: list[str] = Field(
        default_factory=list, max_length=200, description="field paths masked in logs"
    )


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


@router.get("", response_model=PrivacySettings, summary="Retention and redaction settings")
async def get_privacy(request: Request, principal: Admin) -> PrivacySettings:
    return PrivacySettings(**tenant_privacy(_services(request), principal.tenant))


@router.put("", response_model=PrivacySettings, summary="Change retention and redaction")
async def put_privacy(body: PrivacySettings, request: Request, principal: Admin) -> PrivacySettings:
    services = _services(request)
    before = tenant_privacy(services, principal.tenant)
    save_tenant_privacy(services, principal.tenant, body.model_dump())
    services.audit(
        principal, "privacy.update", "privacy", {"before": before, "after": body.model_dump()}
    )
    return body


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
