"""mapwright.connectors.shop: the shop (our generic REST target) as connector kind ``shop``.

``ShopConnector`` is the declarative REST connector with ``shop.yaml`` built in; its sandbox
lives in ``connectors/shop/sandbox``. A connection needs ``base_url`` and the credential
``api_key``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from mapwright.connectors.base import register
from mapwright.connectors.rest import Description, RestConnector, load_description

DESCRIPTION_FILE = Path(__file__).with_name("shop.yaml")


@register
class ShopConnector(RestConnector):
    """The shop sandbox's API, described in ``shop.yaml``."""

    kind: ClassVar[str] = "shop"
    title: ClassVar[str] = "Shop"
    description: ClassVar[Description | None] = load_description(DESCRIPTION_FILE)


__all__ = ["DESCRIPTION_FILE", "ShopConnector"]
