"""The declarative REST connector declares itself (``connectors/registry.py``): its
credentials are whatever its description names, and ``options.description`` may name a
description file on the server (a service confines it to the operator's folder)."""

from __future__ import annotations

from mapwright.connectors.registry import Declaration

DECLARATION = Declaration(
    kind="rest",
    title="REST API",
    connector="mapwright.connectors.rest.connector:RestConnector",
    option_files=("description",),
    required_options=("description",),
)
