"""``/api/v1/flows/{name}/alerts``: webhook and e-mail channels per flow, sent events,
and a test notice. Webhook URLs may carry tokens, so they are stored encrypted and shown
without their query string."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

import email_validator
from fastapi import APIRouter, Query, Request, status
from mapwright.api.alerts import SMTP_MISSING
from mapwright.api.auth import Editor, Viewer
from mapwright.api.errors import ApiError, not_found
from mapwright.api.flows import get_flow
from mapwright.api.responses import Id
from mapwright.api.services import Services
from pydantic import BaseModel, ConfigDict, Field, model_validator

router = APIRouter(prefix="/api/v1/flows/{name}/alerts", tags=["alerts"])


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Literal["webhook", "email"]
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://[^\s]+$")
    to: list[str] | None = Field(default=None, min_length=1, max_length=50)

    @model_validator(mode="after")
    def fits(self) -> ChannelIn:
        if self.kind == "webhook" and (not self.url or self.to is not None):
            raise ValueError("a webhook channel needs 'url' (and no 'to')")
        if self.kind == "email":
            if not self.to or self.url is not None:
                raise ValueError("an email channel needs 'to' (and no 'url')")
            bad = [a for a in self.to if not _is_address(a)]
            if bad:
                raise ValueError(f"not e-mail addresses: {', '.join(bad)}")
        return self


def _is_address(text: str) -> bool:
    """An address an SMTP server can take (email-validator's syntax check, no DNS)."""
    try:
        # in-house mail servers are fine: no DNS check, no "globally deliverable" rule
        email_validator.validate_email(
            text, check_deliverability=False, strict=True, globally_deliverable=False
        )
    except email_validator.EmailNotValidError:
        return False
    return True


class ChannelOut(BaseModel):
    id: int
    kind: str
    target: str


class EventOut(BaseModel):
    id: int
    run_id: str | None
    kind: str
    channel_id: int | None
    delivered: bool
    detail: dict[str, Any]
    at: Any


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _channel_out(services: Services, row: dict[str, Any]) -> ChannelOut:
    config = services.vault.decrypt(row["config"])
    if row["kind"] == "webhook":
        parts = urlsplit(config["url"])
        target = f"{parts.scheme}://{parts.netloc}{parts.path}"
    else:
        target = ", ".join(config["to"])
    return ChannelOut(id=row["id"], kind=row["kind"], target=target)


@router.post(
    "", response_model=ChannelOut, status_code=status.HTTP_201_CREATED, summary="Add a channel"
)
async def add_channel(
    name: str, body: ChannelIn, request: Request, principal: Editor
) -> ChannelOut:
    services = _services(request)
    get_flow(services, principal.tenant, name)
    if body.kind == "email" and not services.settings.smtp_host:
        raise ApiError(422, SMTP_MISSING, errors=[("body.kind", "e-mail needs an SMTP server")])
    config = {"url": body.url} if body.kind == "webhook" else {"to": body.to}
    stored = services.vault.encrypt(config)
    new_id = services.data.alerts.add_channel(
        principal.tenant, name, body.kind, stored, at=services.clock()
    )
    row = {"id": new_id, "kind": body.kind, "config": stored}
    result = _channel_out(services, row)
    services.audit(
        principal,
        "alert.add",
        f"flows/{name}/alerts/{result.id}",
        {"kind": body.kind, "target": result.target},
    )
    return result


@router.get("", response_model=list[ChannelOut], summary="The flow's alert channels")
async def list_channels(name: str, request: Request, principal: Viewer) -> list[ChannelOut]:
    services = _services(request)
    get_flow(services, principal.tenant, name)
    return [_channel_out(services, row) for row in services.alerts.channels(principal.tenant, name)]


@router.delete(
    "/{channel_id:int}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a channel"
)
async def remove_channel(name: str, channel_id: Id, request: Request, principal: Editor) -> None:
    services = _services(request)
    if not services.data.alerts.remove_channel(principal.tenant, name, channel_id):
        raise not_found(f"alert channel {channel_id} of flow '{name}'")
    services.audit(principal, "alert.remove", f"flows/{name}/alerts/{channel_id}", {})


@router.get("/events", response_model=list[EventOut], summary="Alerts sent for this flow")
async def events(
    name: str, request: Request, principal: Viewer, limit: int = Query(50, ge=1, le=500)
) -> list[EventOut]:
    services = _services(request)
    get_flow(services, principal.tenant, name)
    rows = services.data.alerts.events(principal.tenant, name, limit=limit)
    fields = EventOut.model_fields
    return [EventOut(**{k: v for k, v in row.items() if k in fields}) for row in rows]


class SentOut(BaseModel):
    channel_id: int
    kind: str
    delivered: bool
    reason: str = Field(description="'delivered', or what went wrong")


@router.post("/test", response_model=list[SentOut], summary="Send a test notice to every channel")
async def test_channels(name: str, request: Request, principal: Editor) -> list[dict[str, Any]]:
    services = _services(request)
    get_flow(services, principal.tenant, name)
    return await services.alerts.send(principal.tenant, name, None, "test", {"flow": name})
