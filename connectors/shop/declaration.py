"""The shop declares itself: an API key and its sandbox (``connectors/registry.py``)."""

from __future__ import annotations

from typing import Any

from mapwright.connectors.registry import CredentialField, Declaration, Sandbox


def _sandbox_connection(info: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return str(info["base_url"]), {"api_key": info["api_key"]}


DECLARATION = Declaration(
    kind="shop",
    title="Shop",
    connector="mapwright.connectors.shop:ShopConnector",
    credentials=(CredentialField("api_key", label="API key", help="the shop's API key"),),
    sandbox=Sandbox("shop", "mapwright.connectors.shop.sandbox", _sandbox_connection),
)
