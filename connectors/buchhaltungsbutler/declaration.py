"""BuchhaltungsButler declares itself: credentials and sandbox (``connectors/registry.py``)."""

from __future__ import annotations

from typing import Any

from mapwright.connectors.registry import CredentialField, Declaration, Sandbox


def _sandbox_connection(info: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return str(info["base_url"]), dict(info["credentials"])


DECLARATION = Declaration(
    kind="buchhaltungsbutler",
    title="BuchhaltungsButler",
    connector="mapwright.connectors.buchhaltungsbutler.client:BuchhaltungsButler",
    credentials=(
        CredentialField(
            "api_client",
            label="API client",
            help="API client (Einstellungen > API)",
            secret=False,
        ),
        CredentialField("api_secret", label="API secret", help="API secret of that client"),
        CredentialField("api_key", label="API key (per customer)", help="API key of the company"),
    ),
    sandbox=Sandbox(
        "buchhaltungsbutler", "mapwright.connectors.buchhaltungsbutler.sandbox", _sandbox_connection
    ),
)
