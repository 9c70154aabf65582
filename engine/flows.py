"""Flows: a mapping script + its settings + the connections it uses.

A tenant's flows come from three places, the first that has a name wins:

1. the store (``flows`` table: edited in the browser or through the API, versioned);
2. the config file (``[flows.NAME]``: a script file and/or settings and connections);
3. the built-in scripts shipped in ``mapwright/builtin_mappings/*.map`` (name = file stem).

A config entry without ``script`` overrides only the settings/connections of the built-in flow
of the same name. Settings given here are the user's values; the script's declared defaults
fill the rest (``Script.resolve_settings``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mapwright import dsl
from mapwright.engine.config import EngineConfig
from mapwright.engine.errors import FlowInvalid, FlowNotFound
from mapwright.engine.store import Store

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "builtin_mappings"


@dataclass
class Flow:
    """One flow definition; ``connections`` maps a system named in the script to a
    connection name (a system not listed uses the connection of the same name)."""

    name: str
    script: str
    settings: dict[str, Any] = field(default_factory=dict)
    connections: dict[str, str] = field(default_factory=dict)
    enabled: bool = True
    version: int | None = None
    origin: str = "builtin"
    path: str | None = None

    @property
    def script_hash(self) -> str:
        return hashlib.sha256(self.script.encode("utf-8")).hexdigest()

    def compile(self) -> Any:
        """The compiled script; a broken script raises ``FlowInvalid`` with the DSL's message."""
        try:
            return dsl.compile(self.script, name=self.path or f"{self.name}.map")
        except dsl.MappingError as exc:
            raise FlowInvalid(
                f"flow '{self.name}' ({self.origin}) does not compile: {exc}"
            ) from exc

    def resolve_settings(self, script: Any, overrides: Mapping[str, Any] | None = None) -> dict:
        """The flow's settings with the script's defaults filled and types checked."""
        given = {**self.settings, **dict(overrides or {})}
        try:
            return dict(script.resolve_settings(given))
        except dsl.SettingsError as exc:
            problems = "; ".join(f"{name}: {message}" for name, message in exc.errors)
            raise FlowInvalid(
                f"flow '{self.name}': settings are not valid ({problems}); fix them in the "
                f"flow's settings ([flows.{self.name}.settings] in mapwright.toml)"
            ) from exc

    def connection_for(self, system: str) -> str:
        return self.connections.get(system, system)


class FlowCatalog:
    """Finds flows for a tenant in the store, the config and the built-in scripts."""

    def __init__(
        self,
        *,
        store: Store | None = None,
        config: EngineConfig | None = None,
        flows: Mapping[str, Flow] | None = None,
        builtin_dir: Path | None = BUILTIN_DIR,
    ):
        self.store = store
        self.config = config
        self.extra = dict(flows or {})
        self.builtin_dir = builtin_dir

    def builtin(self) -> dict[str, Flow]:
        if self.builtin_dir is None or not self.builtin_dir.is_dir():
            return {}
        return {
            path.stem: Flow(path.stem, path.read_text(encoding="utf-8"), path=str(path))
            for path in sorted(self.builtin_dir.glob("*.map"))
        }

    def all(self, tenant: str) -> dict[str, Flow]:
        flows = self.builtin()
        if self.config is not None:
            for name, entry in self.config.flows.items():
                base = flows.get(name)
                script_path = self.config.script_path(name)
                if script_path is not None:
                    if not script_path.exists():
                        raise FlowInvalid(
                            f"[flows.{name}] script = {entry.script!r}: file {script_path} "
                            "does not exist; fix the path (relative to mapwright.toml)"
                        )
                    script = script_path.read_text(encoding="utf-8")
                    path: str | None = str(script_path)
                elif base is not None:
                    script, path = base.script, base.path
                else:
                    raise FlowInvalid(
                        f"[flows.{name}] has no 'script' and there is no built-in flow "
                        f"'{name}'; add script = \"path/to/{name}.map\""
                    )
                flows[name] = Flow(
                    name,
                    script,
                    dict(entry.settings),
                    dict(entry.connections),
                    entry.enabled,
                    origin="config",
                    path=path,
                )
        flows.update(self.extra)
        if self.store is not None:
            for name, stored in self.store.flows(tenant).items():
                flows[name] = Flow(
                    name,
                    stored.script,
                    stored.settings,
                    stored.connections,
                    stored.enabled,
                    stored.version,
                    origin="store",
                )
        return flows

    def get(self, tenant: str, name: str) -> Flow:
        flows = self.all(tenant)
        if name in flows:
            return flows[name]
        known = ", ".join(sorted(flows)) or "none yet"
        raise FlowNotFound(
            f"no flow called '{name}' for tenant '{tenant}'; known flows: {known} "
            "('mapwright flow list' shows them)"
        )
