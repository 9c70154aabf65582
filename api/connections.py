"""Connections as the service sees them: encrypted credentials, persisted OAuth tokens,
and a real test call.

``SecureConnections`` is the engine's ``Connections`` with a ``Vault`` (credentials read
from the store are decrypted, a connector with rotating tokens keeps them in there:
``engine/connections.py``) and the operator's policy below. What a connector needs is read
from its declaration (``engine/connection_service.py`` asks ``connectors/registry.py``);
nothing here knows a connector by name.

Every connection of a tenant is built under the operator's policy:

* network calls go through the egress policy (``api/egress.py``), unless the connection
  reaches an in-process sandbox (the demo, the tests);
* a connector that declares ``folder`` (``files``) gets the tenant's folder
  ``<files_root>/<tenant>`` (links out of it are refused); without ``MAPWRIGHT_FILES_ROOT``
  such connections are refused;
* an option a connector declares in ``option_files`` (``rest``: ``options.description``) is
  the content itself (inline), or a file name inside ``MAPWRIGHT_DESCRIPTIONS_DIR``; any
  other server path is refused.

``probe`` makes one cheap authenticated read to prove the credentials work.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from mapwright.api.egress import EgressPolicy, EgressTransport
from mapwright.engine import connection_service
from mapwright.engine.connection_service import (
    AuthError,
    ConnectionConfig,
    Connector,
    ConnectorError,
    FatalError,
)
from mapwright.engine.connections import Connections
from mapwright.engine.errors import EngineError
from mapwright.engine.store import Store, StoredConnection
from mapwright.engine.vault import Vault


class SecureConnections(Connections):
    """Store-backed connections with encrypted credentials; see the module docstring."""

    def __init__(
        self,
        store: Store,
        vault: Vault,
        *,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        egress: EgressPolicy | None = None,
        files_root: Path | None = None,
        descriptions_dir: Path | None = None,
    ):
        super().__init__(store=store, transports=transports, vault=vault)
        self.vault: Vault = vault
        self.store_ref = store
        self.egress = egress
        self.files_root = files_root
        self.descriptions_dir = descriptions_dir

    def save(
        self,
        tenant: str,
        name: str,
        kind: str,
        base_url: str | None,
        credentials: dict[str, Any],
        options: dict[str, Any],
    ) -> None:
        self.store_ref.ensure_tenant(tenant)
        self.store_ref.save_connection(
            tenant,
            StoredConnection(
                tenant, name, kind, base_url, self.vault.encrypt(credentials), options
            ),
        )

    def transport_for(self, name: str, config: ConnectionConfig) -> httpx.AsyncBaseTransport | None:
        """A transport registered for the connection name, else for its base URL, else the
        network behind the egress policy."""
        if name in self.transports:
            return self.transports[name]
        base = str(config.base_url or "")
        for key, transport in self.transports.items():
            if key.startswith("http") and base.startswith(key):
                return transport
        return self.network()

    def network(self) -> httpx.AsyncBaseTransport | None:
        """The real network for tenant calls: behind the egress policy when there is one."""
        return EgressTransport(self.egress) if self.egress is not None else None

    def tenant_folder(self, tenant: str) -> Path:
        """The folder of ``tenant``'s file connections; ``FatalError`` when there is none."""
        if self.files_root is None:
            raise FatalError(
                "file connections are switched off on this service; the operator enables "
                "them with MAPWRIGHT_FILES_ROOT (each tenant gets a folder inside it)",
                code="files_disabled",
            )
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", tenant):
            raise FatalError(f"tenant '{tenant}' has no valid folder name for its files")
        folder = self.files_root / tenant
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def option_file(self, option: str, options: dict[str, Any]) -> Any:
        """An option that may name a server file (``rest``: ``description``): the content
        itself, or a file name inside the operator's descriptions folder (checked after links
        are followed), handed to the connector as that file's full path."""
        given = options.get(option)
        if not isinstance(given, str):
            return given
        if self.descriptions_dir is None:
            raise FatalError(
                f"options.{option} must be the {option} itself (a JSON object); "
                f"{option} files are switched off on this service (the operator enables "
                "them with MAPWRIGHT_DESCRIPTIONS_DIR)",
                code="description_path",
            )
        root = self.descriptions_dir.resolve()
        path = (root / given).resolve()
        if root not in path.parents:
            raise FatalError(
                f"options.{option} '{given}' is not a file in the service's descriptions "
                f"folder; give a file name from that folder or the {option} itself",
                code="description_path",
            )
        return str(path)

    def build(self, tenant: str, name: str) -> Connector:
        if name in self.instances:
            return self.instances[name]
        config = self.config(tenant, name)
        declared = connection_service.declaration(config.kind)
        cls = declared.connector_class()
        extra: dict[str, Any] = {}
        if declared.token_store:
            chosen = self.token_stores(tenant, name, config) if self.token_stores else None
            extra["token_store"] = chosen or self.store_tokens(tenant, name)
        if declared.folder:
            extra["root"] = self.tenant_folder(tenant)
        for option in declared.option_files:
            if option in config.options:
                config.options = {
                    **config.options,
                    option: self.option_file(option, config.options),
                }
        return cls(config, transport=self.transport_for(name, config), **extra)


async def probe(connector: Connector) -> str:
    """One authenticated read; returns what was checked, raises ``ConnectorError``."""
    me = getattr(connector, "me", None)
    if me is not None:
        await me()
        return "current/Me answered"
    available = getattr(connector, "available", None)
    if available is not None:  # files: the objects are the files present
        names = sorted(available())
        if not names:
            return "the folder has no files yet"
        await connector.list(names[0], page_size=1)
        return f"listed {names[0]}"
    last: ConnectorError | None = None
    # the declarative REST connector keeps its objects per instance in ``specs``
    specs = dict(connector.objects) or dict(getattr(connector, "specs", {}))
    for name, spec in specs.items():
        if not spec.supports("list"):
            continue
        try:
            await connector.list(name, page_size=1)
        except AuthError:
            raise
        except ConnectorError as exc:  # this object needs filters: try the next one
            last = exc
            continue
        return f"listed {name}"
    raise last or ConnectorError(f"{connector.title} offers no object to read for a test")


async def test_connection(connections: SecureConnections, tenant: str, name: str) -> str:
    """Build the connector and probe it; closes it afterwards."""
    try:
        connector = connections.build(tenant, name)
    except (EngineError, ConnectorError) as exc:
        raise ConnectorError(str(exc)) from exc
    try:
        return await probe(connector)
    finally:
        await connector.aclose()
