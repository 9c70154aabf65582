"""Mapping templates: a flow as a shareable manifest, its content hash, the gallery.

A manifest (``format: mapwright.template/1``) holds the name, a semver version, the
description, the script, the settings schema with defaults, the settings values chosen
when exporting, the connector kinds the flow needs and its tests. It never holds
credentials or connection names; an export that would contain a known secret is refused.

``content_hash`` is the SHA-256 of the canonical JSON of the manifest (sorted keys, every
number in its shortest exact decimal form: ``100.00`` hashes like ``100.0`` and ``100``),
so an export imported into another tenant and exported again hashes the same.
The gallery is the instance's shared library (rows without a tenant); the built-in flows
are seeded into it at start.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from typing import Any

from mapwright import jsonio
from mapwright.api.errors import ApiError, mapping_errors, not_found
from mapwright.api.services import Services
from mapwright.engine import language as dsl
from mapwright.engine.language import run_tests, systems_used
from mapwright.engine.vault import SECRETS

FORMAT = "mapwright.template/1"
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"
)
NAME = re.compile(r"^[a-z][a-z0-9_\-]{0,99}$")
MANIFEST_KEYS = {
    "format",
    "name",
    "version",
    "description",
    "script",
    "settings_schema",
    "settings",
    "requires",
    "tests",
}


def canonical(value: Any) -> Any:
    """``value`` with every number in one decimal form: the shortest exact one, no exponent
    (``100.00``, ``100.0`` and ``100`` are all ``100``; ``2.50`` is ``2.5``), so the text a
    client sends back (exact decimals or floats) hashes and compares like the export."""
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return value
    text = format(number.normalize(), "f")
    return Decimal("0" if text in ("-0", "0") else text)


def canonical_text(value: Any) -> str:
    return jsonio.dumps(canonical(jsonio.plain(value)), sort_keys=True)


def content_hash(manifest: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_text(manifest).encode("utf-8")).hexdigest()


def required_kinds(compiled: Any) -> list[str]:
    """The systems (connector kinds) a script reads from, looks up in or writes to."""
    return systems_used(compiled)


def build_manifest(
    name: str, version: str, description: str | None, script: str, settings: dict[str, Any]
) -> dict[str, Any]:
    compiled = dsl.compile(script, name=f"{name}.map")
    return {
        "format": FORMAT,
        "name": name,
        "version": version,
        "description": description or compiled.description or "",
        "script": script,
        "settings_schema": {n: s.to_json() for n, s in compiled.settings.items()},
        "settings": jsonio.plain(settings),
        "requires": required_kinds(compiled),
        "tests": [
            {
                "name": test.name,
                "input": jsonio.plain(test.input),
                "settings": jsonio.plain(test.settings),
                "lookups": jsonio.plain(test.lookups),
                "expect": jsonio.plain(test.expect),
            }
            for test in compiled.tests
        ],
    }


def refuse_secrets(manifest: dict[str, Any]) -> None:
    text = jsonio.dumps(manifest)
    if SECRETS.mask(text) != text:
        raise ApiError(
            422,
            "the template would contain a credential; remove secrets from the script and "
            "settings (credentials belong to connections)",
            errors=[("manifest", "contains a stored credential")],
        )


def validate(manifest: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Check a manifest; returns it and the results of its tests, or raises 422."""
    errors: list[tuple[str, str]] = []
    if not isinstance(manifest, dict):
        raise ApiError(
            422, "the manifest must be a JSON object", errors=[("body.manifest", "object")]
        )
    for key in sorted(set(manifest) - MANIFEST_KEYS):
        errors.append((f"body.manifest.{key}", "unknown field"))
    if manifest.get("format") != FORMAT:
        errors.append(("body.manifest.format", f"must be '{FORMAT}'"))
    if not isinstance(manifest.get("name"), str) or not NAME.match(manifest["name"]):
        errors.append(("body.manifest.name", "lower-case letters, digits, _ and -"))
    if not isinstance(manifest.get("version"), str) or not SEMVER.match(manifest["version"]):
        errors.append(("body.manifest.version", "a semantic version like 1.2.0"))
    if not isinstance(manifest.get("script"), str):
        errors.append(("body.manifest.script", "the mapping script text is required"))
    for key, kind in (
        ("settings", dict),
        ("settings_schema", dict),
        ("requires", list),
        ("tests", list),
    ):
        if key in manifest and not isinstance(manifest[key], kind):
            errors.append((f"body.manifest.{key}", f"must be a {kind.__name__}"))
    if errors:
        raise ApiError(422, "the template manifest is not valid", errors=errors)
    try:
        compiled = dsl.compile(manifest["script"], name=f"{manifest['name']}.map")
    except dsl.MappingError as exc:
        raise ApiError(
            422,
            f"the template's script does not compile: {exc}",
            errors=[(f"body.manifest.{loc}", msg) for loc, msg in mapping_errors(exc)],
        ) from None
    try:
        compiled.resolve_settings(manifest.get("settings") or None)
    except dsl.SettingsError as exc:
        raise ApiError(
            422,
            "the template's settings do not fit its script",
            errors=[(f"body.manifest.settings.{n}", m) for n, m in exc.errors],
        ) from None
    expected = build_manifest(
        manifest["name"],
        manifest["version"],
        manifest.get("description"),
        manifest["script"],
        manifest.get("settings") or {},
    )
    for key in ("settings_schema", "requires"):
        if key in manifest and canonical_text(manifest[key]) != canonical_text(expected[key]):
            errors.append((f"body.manifest.{key}", "does not match the script"))
    if errors:
        raise ApiError(422, "the template manifest is not consistent", errors=errors)
    extra = [
        dsl.ScriptTest(
            str(item.get("name", f"test {i + 1}")),
            item.get("input"),
            item.get("expect"),
            item.get("settings") or {},
            item.get("lookups") or {},
            0,
        )
        for i, item in enumerate(manifest.get("tests") or [])
        if isinstance(item, dict) and item.get("name") not in {x.name for x in compiled.tests}
    ]
    results = [
        {"name": r.name, "passed": r.passed, "diff": r.diff, "error": r.error}
        for r in run_tests(compiled, extra)
    ]
    full = {**expected, "tests": manifest.get("tests", expected["tests"])}
    refuse_secrets(full)
    return full, results


def store_template(
    services: Services, tenant: str | None, manifest: dict[str, Any], *, gallery: bool = False
) -> tuple[dict[str, Any], str]:
    """Save a manifest; returns (row, "created" | "unchanged"). Same name and version with
    other content is a conflict (409)."""
    digest = content_hash(manifest)
    existing = template_row(services, tenant, manifest["name"], manifest["version"])
    if existing is not None:
        if existing["content_hash"] == digest:
            return existing, "unchanged"
        raise ApiError(
            409,
            f"template {manifest['name']} {manifest['version']} exists with other content; "
            "bump the version",
            errors=[("body.manifest.version", f"taken (hash {existing['content_hash'][:12]})")],
        )
    services.data.templates.add(tenant, manifest, digest, gallery=gallery, at=services.clock())
    row = template_row(services, tenant, manifest["name"], manifest["version"])
    assert row is not None
    return row, "created"


def template_row(
    services: Services, tenant: str | None, name: str, version: str
) -> dict[str, Any] | None:
    return services.data.templates.find(tenant, name, version)


def template_rows(
    services: Services, tenant: str | None, name: str | None = None
) -> list[dict[str, Any]]:
    rows = services.data.templates.list(tenant, name)
    return sorted(rows, key=lambda r: (r["name"], _semver_key(r["version"])))


def _semver_key(version: str) -> tuple[int, ...]:
    match = SEMVER.match(version)
    return tuple(int(x) for x in match.groups()[:3]) if match else (0, 0, 0)


def find_template(
    services: Services, tenant: str, name: str, version: str | None
) -> dict[str, Any]:
    """A template of the tenant, else of the gallery; newest version when none is given."""
    for owner in (tenant, None):
        rows = [r for r in template_rows(services, owner, name) if version in (None, r["version"])]
        if rows:
            return rows[-1]
    raise not_found(f"template '{name}'" + (f" version {version}" if version else ""))


def seed_gallery(services: Services, version: str) -> int:
    """Put the built-in flows into the gallery (replacing stale copies of ``version``)."""
    added = 0
    for name, flow in services.catalog.builtin().items():
        try:
            manifest = build_manifest(name, version, None, flow.script, {})
        except dsl.MappingError:
            continue
        existing = template_row(services, None, name, version)
        if existing is not None and existing["content_hash"] != content_hash(manifest):
            services.data.templates.delete(existing["id"])
        _, state = store_template(services, None, manifest, gallery=True)
        added += state == "created"
    return added
