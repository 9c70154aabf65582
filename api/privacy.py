"""Privacy: redaction in logs, payload-free flows, retention purge, erase-by-subject.

* Redaction: a path ``email`` hides every key ``email`` at any depth; a dotted path
  ``customer.email`` hides that nested key wherever the path ends. Paths come from the
  tenant (all flows) and from the flow. Values show as ``"***"`` unless the caller's key
  has ``reveal``.
* ``store_payloads = false`` on a flow: after each run its records keep outcome, reason and
  ids, but source, mapped record, requests, responses and diffs are dropped (such records
  cannot be replayed; the per-record log says so).
* Retention: ``payload_ttl_days`` drops payloads of older records (default: the service's
  ``MAPWRIGHT_PAYLOAD_TTL_DAYS``, 30 days, for every tenant that sets nothing);
  ``metadata_ttl_days`` deletes older runs with their records (open parked records are kept
  until resolved). The scheduler of ``serve`` purges hourly.
* Erase-by-subject: every record of the tenant whose payload mentions the e-mail address
  (case-insensitive) loses its payload; open parked ones become ``erased``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mapwright.api.services import Services

MASK = "***"


def redact(value: Any, paths: Iterable[str]) -> Any:
    """``value`` with the configured paths masked (see the module docstring)."""
    patterns = [tuple(p.lower().split(".")) for p in paths if p]
    if not patterns:
        return value
    return _redact(value, (), patterns)


def _redact(value: Any, trail: tuple[str, ...], patterns: list[tuple[str, ...]]) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            here = (*trail, str(key).lower())
            if any(here[-len(p) :] == p for p in patterns if len(p) <= len(here)):
                out[key] = MASK
            else:
                out[key] = _redact(item, here, patterns)
        return out
    if isinstance(value, list):
        return [_redact(item, trail, patterns) for item in value]
    return value


def tenant_privacy(services: Services, tenant: str) -> dict[str, Any]:
    """The tenant's own settings (``payload_ttl_days`` ``None``: the service default)."""
    return services.data.privacy.settings(tenant)


def payload_ttl(services: Services, own: int | None) -> int:
    """The payload retention in days that applies: the tenant's, else the service default."""
    return own if own is not None else services.settings.payload_ttl_days


def save_tenant_privacy(services: Services, tenant: str, values: dict[str, Any]) -> None:
    services.data.privacy.save_settings(tenant, values)


def redaction_paths(services: Services, tenant: str, flow: str) -> list[str]:
    return [
        *tenant_privacy(services, tenant)["redact"],
        *services.options(tenant, flow)["redact"],
    ]


def scrub_run(services: Services, run_id: str) -> int:
    """Drop the payloads of one run's records (flows with ``store_payloads = false``)."""
    return services.data.privacy.drop_run_payloads(run_id)


def purge(services: Services, now: dt.datetime | None = None) -> dict[str, int]:
    """Apply every tenant's retention (the service default where a tenant set none)."""
    now = now or services.clock()
    dropped = deleted = 0
    privacy = services.data.privacy
    for tenant, policy in privacy.tenants().items():
        days = payload_ttl(services, policy["payload_ttl_days"])
        dropped += privacy.drop_payloads_before(tenant, now - dt.timedelta(days=days))
        if policy["metadata_ttl_days"] is not None:
            cutoff = now - dt.timedelta(days=policy["metadata_ttl_days"])
            deleted += privacy.delete_runs_before(tenant, cutoff)
    return {"payloads_dropped": dropped, "runs_deleted": deleted}


def erase_subject(services: Services, tenant: str, email: str) -> int:
    """Drop the payload of every record of ``tenant`` that mentions ``email``."""
    return services.data.privacy.erase_subject(tenant, email)
