"""Flow bookkeeping on top of the engine's store: versions, diffs, enable/disable, deletion.

The engine's ``Store.save_flow`` keeps the current definition and bumps its version; the
history (every version's script and settings, who saved it) is kept here in
``flow_versions`` so versions can be listed, compared and restored.
"""

from __future__ import annotations

import difflib
from typing import Any

from mapwright import jsonio
from mapwright.api.errors import ApiError, mapping_errors, not_found
from mapwright.api.responses import exact
from mapwright.api.services import Services
from mapwright.engine import language as dsl
from mapwright.engine.store import StoredFlow


def compile_checked(script: str, name: str, loc: str = "body.script") -> Any:
    """The compiled script, or a 422 naming every problem with its position."""
    try:
        return dsl.compile(script, name=f"{name}.map")
    except dsl.MappingError as exc:
        errors = [
            (f"{loc}:{where.split(':', 1)[1]}" if ":" in where else loc, msg)
            for where, msg in mapping_errors(exc)
        ]
        raise ApiError(422, f"the script does not compile: {exc}", errors=errors) from None


def settings_checked(compiled: Any, settings: dict[str, Any], loc: str = "body.settings") -> None:
    """Validate ``settings`` against the script's declared settings, field by field."""
    try:
        compiled.resolve_settings(exact(settings) or None)
    except dsl.SettingsError as exc:
        raise ApiError(
            422,
            "the settings do not fit the flow's settings schema",
            errors=[(f"{loc}.{name}", message) for name, message in exc.errors],
        ) from None


def settings_schema(compiled: Any) -> dict[str, Any]:
    return {name: spec.to_json() for name, spec in compiled.settings.items()}


def merge_patch(target: Any, patch: Any) -> Any:
    """JSON merge patch (RFC 7396): objects merge key by key, ``null`` removes a key, any
    other value replaces. ``PATCH /flows/{name}`` applies it to settings and connections."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def get_flow(services: Services, tenant: str, name: str) -> StoredFlow:
    flow = services.store.flows(tenant).get(name)
    if flow is None:
        raise not_found(f"flow '{name}'")
    return flow


def save_version(
    services: Services,
    tenant: str,
    name: str,
    script: str,
    settings: dict[str, Any],
    connections: dict[str, str],
    enabled: bool,
    actor: str,
    note: str | None = None,
) -> StoredFlow:
    """Save the flow (new engine version) and record the version in the history."""
    services.store.ensure_tenant(tenant)
    saved = services.store.save_flow(
        tenant, name, script, settings=settings, connections=connections, enabled=enabled
    )
    services.data.flows.record_version(
        tenant,
        name,
        saved.version,
        script=script,
        settings=settings,
        actor=actor,
        note=note,
        at=services.clock(),
    )
    return saved


def set_enabled(services: Services, tenant: str, name: str, enabled: bool) -> None:
    services.data.flows.set_enabled(tenant, name, enabled)


def delete_flow(services: Services, tenant: str, name: str) -> None:
    services.data.flows.delete(tenant, name)


def versions(services: Services, tenant: str, name: str) -> list[dict[str, Any]]:
    return services.data.flows.versions(tenant, name)


def version(services: Services, tenant: str, name: str, number: int) -> dict[str, Any]:
    for row in versions(services, tenant, name):
        if row["version"] == number:
            return row
    raise not_found(f"version {number} of flow '{name}'")


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Unified diff of the scripts and a field diff of the settings."""
    script = "\n".join(
        difflib.unified_diff(
            old["script"].splitlines(),
            new["script"].splitlines(),
            f"v{old['version']}",
            f"v{new['version']}",
            lineterm="",
        )
    )
    before, after = old["settings"] or {}, new["settings"] or {}
    settings = {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if jsonio.dumps(before.get(key)) != jsonio.dumps(after.get(key))
    }
    return {"from": old["version"], "to": new["version"], "script": script, "settings": settings}
