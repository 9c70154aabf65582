"""The files connector declares itself (``connectors/registry.py``): no credentials; the
host chooses the folder its files live in (a service gives each tenant its own)."""

from __future__ import annotations

from mapwright.connectors.registry import Declaration

DECLARATION = Declaration(
    kind="files",
    title="Files",
    connector="mapwright.connectors.files.connector:FilesConnector",
    folder=True,
    required_options=("folder",),
)
