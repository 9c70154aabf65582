"""``mapwright.toml``: the store, the connections and per-flow overrides, with env overrides.

::

    tenant = "default"                       # optional

    [store]
    url = "sqlite:///mapwright.db"           # or postgresql+psycopg://user@host/db
    sqlite_synchronous = "NORMAL"            # FULL: also survive power loss (slower)

    [connections.exact_online]               # the name flows refer to (default: the system)
    kind = "exact_online"                    # connector kind
    base_url = "http://127.0.0.1:8001"       # point any connection at a sandbox
    credentials = { client_id = "..." }
    options = { division = 123 }

    [flows.orders]                           # optional: override a built-in flow or add one
    script = "flows/orders.map"              # relative to this file; omitted = built-in
    settings = { document = "sales_order" }
    connections = { exact_online = "exact_online" }   # system in the script -> connection

Environment variables win over the file: ``MAPWRIGHT_STORE_URL``, ``MAPWRIGHT_TENANT``, and
any key by path with ``__`` (``MAPWRIGHT_CONNECTIONS__EXACT_ONLINE__BASE_URL``). Errors name
the file and the key to fix.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from mapwright.connectors.base import CONNECTORS, ConnectionConfig
from mapwright.engine.db import DEFAULT_URL
from mapwright.engine.errors import ConfigError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_FILE = "mapwright.toml"


class StoreConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = DEFAULT_URL
    #: SQLite only: NORMAL survives a killed process, FULL also a power loss (slower)
    sqlite_synchronous: str = "NORMAL"


def connector_kinds() -> list[str]:
    """Every connector kind of this installation: the registered classes and the connector
    packages (``mapwright.connectors.<kind>``)."""
    import pkgutil

    import mapwright.connectors as package

    kinds = set(CONNECTORS)
    kinds.update(info.name for info in pkgutil.iter_modules(package.__path__) if info.ispkg)
    return sorted(kinds)


class ConnectionEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    base_url: str | None = None
    credentials: dict[str, Any] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        kinds = connector_kinds()
        if value not in kinds:
            raise ValueError(
                f"unknown connection kind '{value}'; the kinds are: {', '.join(kinds)}"
            )
        return value

    def to_config(self, name: str) -> ConnectionConfig:
        return ConnectionConfig(
            kind=self.kind,
            base_url=self.base_url,
            credentials=dict(self.credentials),
            options=dict(self.options),
            name=name,
        )


class FlowEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    script: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    connections: dict[str, str] = Field(default_factory=dict)
    enabled: bool = True


class EngineConfig(BaseSettings):
    """The whole configuration; build it with ``load_config``."""

    model_config = SettingsConfigDict(
        env_prefix="MAPWRIGHT_", env_nested_delimiter="__", extra="forbid"
    )

    tenant: str = "default"
    store: StoreConfig = Field(default_factory=StoreConfig)
    connections: dict[str, ConnectionEntry] = Field(default_factory=dict)
    flows: dict[str, FlowEntry] = Field(default_factory=dict)
    #: the directory relative script paths are read from (the config file's folder)
    base_dir: str = "."

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)

    def connection_configs(self) -> dict[str, ConnectionConfig]:
        return {name: entry.to_config(name) for name, entry in self.connections.items()}

    def script_path(self, flow: str) -> Path | None:
        entry = self.flows.get(flow)
        if entry is None or entry.script is None:
            return None
        path = Path(entry.script)
        return path if path.is_absolute() else Path(self.base_dir) / path


def load_config(path: str | Path | None = None, *, required: bool = False) -> EngineConfig:
    """Read ``path`` (default ``./mapwright.toml`` when it exists) plus the environment."""
    file = Path(path) if path is not None else Path(DEFAULT_FILE)
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
        data["base_dir"] = str(file.resolve().parent)
    elif path is not None or required:
        raise ConfigError(
            f"config file {file} does not exist; create it (see 'mapwright flow --help') or "
            "pass --config with the right path"
        )
    if os.environ.get("MAPWRIGHT_STORE_URL"):
        data.setdefault("store", {})
        data["store"] = {**data["store"], "url": os.environ["MAPWRIGHT_STORE_URL"]}
    try:
        return EngineConfig(**data)
    except ValidationError as exc:
        raise ConfigError(_explain(file, exc)) from None


def _explain(file: Path, exc: ValidationError) -> str:
    lines = [f"{file}: the configuration is not valid:"]
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if loc and loc[0] in ("connections", "flows") and len(loc) >= 2:
            where = f"[{loc[0]}.{loc[1]}]" + (f" {'.'.join(loc[2:])}" if loc[2:] else "")
        else:
            where = ".".join(loc) or "(top level)"
        hint = _hint(error["type"], loc)
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"  {where}: {message}{hint}")
    return "\n".join(lines)


def _hint(kind: str, loc: list[str]) -> str:
    if kind == "missing" and loc[-1] == "kind":
        return f' (add e.g. kind = "exact_online"; kinds: {", ".join(connector_kinds())})'
    if kind == "extra_forbidden":
        return " (remove it, or check the spelling)"
    return ""
