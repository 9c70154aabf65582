"""One settings model for the command line and the service: ``mapwright.toml`` + environment.

::

    tenant = "demo"                          # optional; the tenant 'mapwright serve --demo' makes
    data_dir = "mapwright-data"              # optional; the SQLite store and the key file live here

    [store]                                  # optional: default SQLite in data_dir/mapwright.db
    url = "postgresql+psycopg://user@host/db"    # needs: pip install 'mapwright[postgres]'
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

    [service]                                # read by 'mapwright serve' only (api/settings.py)
    script_timeout = 5

Precedence: values given in code or on the command line, then the environment, then the
file. Environment variables are ``MAPWRIGHT_`` + the key (``MAPWRIGHT_DATA_DIR``,
``MAPWRIGHT_TENANT``, ``MAPWRIGHT_STORE_URL``, ``MAPWRIGHT_SECRET_KEY``), nested keys joined
with ``__`` (``MAPWRIGHT_CONNECTIONS__EXACT_ONLINE__BASE_URL``). The command line and
``mapwright serve`` both default to ``./mapwright-data`` and tenant ``demo``, so ``mapwright
flow list`` shows what ``mapwright serve --demo`` made; connections stored by the service
are decrypted with the same key (``MAPWRIGHT_SECRET_KEY`` or ``<data_dir>/secret.key``).
Errors name the file and the key to fix.
"""

from __future__ import annotations

import os
import stat
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from mapwright.connectors import registry
from mapwright.connectors.base import ConnectionConfig
from mapwright.engine.errors import ConfigError
from mapwright.engine.vault import Vault
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEFAULT_FILE = "mapwright.toml"
DEFAULT_DATA_DIR = Path("mapwright-data")
DEFAULT_TENANT = "demo"
#: the values read from the file, handed to ``settings_customise_sources`` (lowest rank)
_FILE_VALUES: ContextVar[dict[str, Any] | None] = ContextVar("_FILE_VALUES", default=None)


class StoreConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: unset: SQLite in the data folder; ``MAPWRIGHT_STORE_URL`` wins over it
    url: str | None = None
    #: SQLite only: NORMAL survives a killed process, FULL also a power loss (slower)
    sqlite_synchronous: str = "NORMAL"


def connector_kinds() -> list[str]:
    """Every connector kind of this installation (``connectors/registry.py``: the declared
    connectors and classes registered at run time)."""
    return registry.kinds()


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


class Settings(BaseSettings):
    """What the command line and the service share; the service extends it
    (``api/settings.py``). Build it with ``load_settings`` to read ``mapwright.toml``."""

    model_config = SettingsConfigDict(
        env_prefix="MAPWRIGHT_", env_nested_delimiter="__", extra="forbid"
    )

    tenant: str = DEFAULT_TENANT
    data_dir: Path = DEFAULT_DATA_DIR
    #: ``MAPWRIGHT_STORE_URL``: wins over ``[store] url``
    store_url: str | None = None
    #: one Fernet key, or several (comma separated, newest first) during a rotation
    secret_key: str | None = None
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
        file = InitSettingsSource(settings_cls, init_kwargs=dict(_FILE_VALUES.get() or {}))
        return (init_settings, env_settings, file)

    def database_url(self) -> str:
        """The store URL: the explicit one, else SQLite in the data folder."""
        url = self.store_url or self.store.url
        if url:
            return url
        return f"sqlite:///{self.data_dir / 'mapwright.db'}"

    def uses_data_dir(self) -> bool:
        return not (self.store_url or self.store.url)

    def key(self, *, create: bool = False) -> str | None:
        """The secret key: the configured one, else the data folder's ``secret.key`` (made,
        mode 0600, when ``create``; the service does that on its first start)."""
        if self.secret_key:
            return self.secret_key
        path = Path(self.data_dir) / "secret.key"
        if not path.exists():
            if not create:
                return None
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(Vault.new_key() + "\n", encoding="utf-8")
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        return path.read_text(encoding="utf-8").strip()

    def vault(self) -> Vault | None:
        """The vault for stored credentials, or None when there is no key yet."""
        key = self.key()
        return Vault(key) if key else None

    def connection_configs(self) -> dict[str, ConnectionConfig]:
        return {name: entry.to_config(name) for name, entry in self.connections.items()}

    def script_path(self, flow: str) -> Path | None:
        entry = self.flows.get(flow)
        if entry is None or entry.script is None:
            return None
        path = Path(entry.script)
        return path if path.is_absolute() else Path(self.base_dir) / path


#: the engine's name for the shared model (``Engine.from_config``)
EngineConfig = Settings
S = TypeVar("S", bound=Settings)


def load_settings(
    path: str | Path | None = None,
    *,
    model: type[S] = Settings,  # type: ignore[assignment]
    required: bool = False,
    **values: Any,
) -> S:
    """Read ``path`` (default ``./mapwright.toml`` when it exists) and the environment into
    ``model``; ``values`` (command-line options) win over both. The file's ``[service]``
    table is read by models that have those fields (the service) and ignored by the rest."""
    file = Path(path) if path is not None else Path(DEFAULT_FILE)
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
        data["base_dir"] = str(file.resolve().parent)
        if "data_dir" in data:
            folder = Path(str(data["data_dir"]))
            data["data_dir"] = str(folder if folder.is_absolute() else file.parent / folder)
    elif path is not None or required:
        raise ConfigError(
            f"config file {file} does not exist; create it (see 'mapwright flow --help') or "
            "pass --config with the right path"
        )
    service = data.pop("service", {})
    if not isinstance(service, dict):
        raise ConfigError(f"{file}: 'service' must be a table ([service])")
    if model is not Settings:
        data.update(service)
    token = _FILE_VALUES.set(data)
    try:
        return model(**{k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        raise ConfigError(_explain(file, exc)) from None
    finally:
        _FILE_VALUES.reset(token)


def load_config(path: str | Path | None = None, *, required: bool = False) -> Settings:
    """The engine's settings (``load_settings`` with the shared model)."""
    return load_settings(path, required=required)


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
