"""The service's tables, now defined and migrated by the engine (``engine/schema.py``,
revision 0003); this name stays for the modules that still import the tables from here."""

from __future__ import annotations

from mapwright.engine.schema import (
    alert_channels,
    alert_events,
    api_keys,
    audit_log,
    flow_options,
    flow_versions,
    idempotency,
    templates,
    tenant_privacy,
)

__all__ = [
    "alert_channels",
    "alert_events",
    "api_keys",
    "audit_log",
    "flow_options",
    "flow_versions",
    "idempotency",
    "templates",
    "tenant_privacy",
]
