"""Webhook callbacks of the sandbox: a signed POST per subscription of a changed record's topic.

The body is ``{"Content": {"Topic", "ClientId", "Division", "Action", "Key",
"ExactOnlineEndpoint", "EventCreatedOn"}, "HashCode": …}`` (reference §4, Webhooks); it carries
no data, only the key. Failures are logged, never raised.
"""

from __future__ import annotations

from typing import Any

import httpx
from mapwright.connectors.exact_online.sandbox.state import Store
from mapwright.connectors.exact_online.webhooks import callback_body

#: table -> webhook topic (direct writes send callbacks; stock changes send none)
TOPICS = {
    "crm/Accounts": "Accounts",
    "crm/Contacts": "Contacts",
    "crm/Addresses": "Addresses",
    "logistics/Items": "Items",
    "salesorder/SalesOrders": "SalesOrders",
    "salesinvoice/SalesInvoices": "SalesInvoices",
    "salesorder/GoodsDeliveries": "GoodsDeliveries",
}


async def send_callbacks(
    store: Store,
    table: str,
    event: dict[str, Any],
    *,
    secret: str,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[dict[str, Any]]:
    """POST ``event`` (the Content fields after Topic) to every subscription of the table's
    topic; one log entry per callback (URL, content, status or error)."""
    topic = TOPICS.get(table)
    if topic is None:
        return []
    entries: list[dict[str, Any]] = []
    for subscription in store.table("webhooks/WebhookSubscriptions").values():
        if subscription.get("Topic") != topic:
            continue
        content = {"Topic": topic, **event}
        entry: dict[str, Any] = {"url": subscription["CallbackURL"], **content}
        try:
            async with httpx.AsyncClient(transport=transport, timeout=5) as http:
                answer = await http.post(
                    subscription["CallbackURL"],
                    content=callback_body(content, secret),
                    headers={"Content-Type": "application/json"},
                )
            entry["status"] = answer.status_code
        except httpx.HTTPError as exc:
            entry["error"] = type(exc).__name__
        entries.append(entry)
    return entries
