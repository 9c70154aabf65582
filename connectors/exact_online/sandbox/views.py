"""Which sandbox endpoint reads which table, and how a stored row looks on the wire.

A ``View`` maps a readable endpoint (``crm/Accounts``, ``sync/CRM/Accounts``,
``bulk/CRM/Accounts``, ``sync/Inventory/StockPositions`` …) to a table, the field list of the
reference (``fields.py``), its key and page size. The reference lists the ``bulk/*`` endpoints
but gives no field list for most of them: a bulk view uses the field list of its normal
endpoint (``bulk/CRM/Accounts`` answers like ``crm/Accounts``, 1000 per page).
``sync/SalesInvoice/SalesInvoices`` mixes headers (``LineNumber`` 0, ``ID`` = the InvoiceID)
and lines (the line's ``ID`` and fields on top of its header's), each with its own Timestamp.

Rendering projects a row onto that field list (unset fields are ``null``, as Exact sends
them), writes datetimes as ``"/Date(ms)/"``, adds ``__metadata`` and shows line collections
as ``__deferred`` unless ``$expand``-ed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mapwright.connectors.exact_online.fields import FIELDS, PRIMARY_KEYS

Row = dict[str, Any]


@dataclass(frozen=True)
class View:
    endpoint: str
    table: str
    key: str
    sync: bool = False
    bulk: bool = False
    #: wire field -> stored field, for sync views whose names differ from the table
    alias: dict[str, str] = field(default_factory=dict)
    #: computes extra wire values from a row (derived sync views)
    derive: Callable[[Row], Row] | None = None
    writable: str = ""  # verbs: P, U, D
    #: the endpoint whose field list applies (bulk views: their normal endpoint)
    schema: str = ""
    #: builds the rows from the tables (table name -> rows) instead of reading ``table``
    combine: Callable[[Callable[[str], dict[str, Row]]], list[Row]] | None = None
    #: the only fields ``$filter`` may name (empty: any field)
    filterable: frozenset[str] = frozenset()

    @property
    def shape(self) -> str:
        return self.schema or self.endpoint

    @property
    def fields(self) -> set[str]:
        return set(FIELDS[self.shape])

    @property
    def page_size(self) -> int:
        return 1000 if self.sync or self.bulk else 60

    def value(self, row: Row, name: str) -> Any:
        if name == "Timestamp" and self.sync:
            return row.get("_ts")
        if self.derive is not None:
            derived = self.derive(row)
            if name in derived:
                return derived[name]
        return row.get(self.alias.get(name, name))


def _stock_position(row: Row) -> Row:
    current = float(row.get("CurrentStock") or 0)
    planned_out = float(row.get("PlannedStockOut") or 0)
    planned_in = float(row.get("PlannedStockIn") or 0)
    return {
        "ItemId": row.get("Item"),
        "PlanningIn": planned_in,
        "PlanningOut": planned_out,
        "FreeStock": current - planned_out,
        "ProjectedStock": current + planned_in - planned_out,
        "ReservedStock": float(row.get("ReservedStock") or 0),
        "UnitCode": row.get("ItemUnit"),
        "UnitDescription": row.get("ItemUnitDescription"),
    }


_PLAIN = {
    "crm/Accounts": "PUD",
    "crm/Contacts": "PUD",
    "crm/Addresses": "PUD",
    "logistics/Items": "PUD",
    "logistics/ItemGroups": "",
    "logistics/SalesItemPrices": "PUD",
    "read/logistics/ItemExtraField": "",
    "inventory/Warehouses": "",
    "inventory/ItemWarehouses": "PUD",
    "salesorder/SalesOrders": "PUD",
    "salesorder/SalesOrderLines": "PUD",
    "salesorder/GoodsDeliveries": "PU",
    "salesorder/GoodsDeliveryLines": "",
    "salesinvoice/SalesInvoices": "PUD",
    "salesinvoice/SalesInvoiceLines": "",
    "salesentry/SalesEntries": "PUD",
    "salesentry/SalesEntryLines": "",
    "vat/VATCodes": "PUD",
    "cashflow/PaymentConditions": "P",
    "sales/ShippingMethods": "",
    "financial/Journals": "",
    "webhooks/WebhookSubscriptions": "PUD",
}

_SYNC = {
    "sync/CRM/Accounts": "crm/Accounts",
    "sync/CRM/Contacts": "crm/Contacts",
    "sync/CRM/Addresses": "crm/Addresses",
    "sync/Logistics/Items": "logistics/Items",
    "sync/Logistics/SalesItemPrices": "logistics/SalesItemPrices",
    "sync/Inventory/ItemWarehouses": "inventory/ItemWarehouses",
    "sync/SalesOrder/SalesOrderLines": "salesorder/SalesOrderLines",
    "sync/SalesOrder/GoodsDeliveries": "salesorder/GoodsDeliveries",
    "sync/SalesOrder/GoodsDeliveryLines": "salesorder/GoodsDeliveryLines",
    "sync/Deleted": "sync/Deleted",
}

#: bulk endpoint -> the normal endpoint it reads (and whose fields it answers with)
_BULK = {
    "bulk/CRM/Accounts": "crm/Accounts",
    "bulk/CRM/Contacts": "crm/Contacts",
    "bulk/CRM/Addresses": "crm/Addresses",
    "bulk/Logistics/Items": "logistics/Items",
    "bulk/Logistics/SalesItemPrices": "logistics/SalesItemPrices",
    "bulk/SalesOrder/SalesOrders": "salesorder/SalesOrders",
    "bulk/SalesOrder/GoodsDeliveries": "salesorder/GoodsDeliveries",
    "bulk/SalesInvoice/SalesInvoices": "salesinvoice/SalesInvoices",
}
#: bulk/CRM/Addresses filters only on these (reference §4, "sync/* and bulk/*")
ADDRESS_FILTERS = frozenset({"Account", "Contact", "ID", "Main", "Type", "Warehouse"})


def _invoice_rows(table: Callable[[str], dict[str, Row]]) -> list[Row]:
    """sync/SalesInvoice/SalesInvoices: one row per header (LineNumber 0) and per line."""
    headers = table("salesinvoice/SalesInvoices")
    rows = [{**h, "ID": h["InvoiceID"], "LineNumber": 0} for h in headers.values()]
    for line in table("salesinvoice/SalesInvoiceLines").values():
        head = headers.get(line.get("InvoiceID") or "")
        if head is not None:
            rows.append({**head, **line})
    return rows


def _build() -> dict[str, View]:
    views: dict[str, View] = {}
    for endpoint, verbs in _PLAIN.items():
        key = "ItemID" if endpoint == "read/logistics/ItemExtraField" else _key(endpoint)
        views[endpoint.lower()] = View(endpoint, endpoint, key, writable=verbs)
    for endpoint, table in _SYNC.items():
        key = "EntryID" if "GoodsDeliveries" in endpoint else "ID"
        views[endpoint.lower()] = View(endpoint, table, key, sync=True)
    views["sync/salesorder/salesorderheaders"] = View(
        "sync/SalesOrder/SalesOrderHeaders",
        "salesorder/SalesOrders",
        "OrderID",
        sync=True,
        alias={"ID": "OrderID"},
    )
    views["sync/inventory/stockpositions"] = View(
        "sync/Inventory/StockPositions",
        "inventory/ItemWarehouses",
        "ID",
        sync=True,
        derive=_stock_position,
    )
    views["read/logistics/stockposition"] = View(
        "read/logistics/StockPosition",
        "inventory/ItemWarehouses",
        "ItemId",
        derive=_stock_position,
    )
    views["sync/salesinvoice/salesinvoices"] = View(
        "sync/SalesInvoice/SalesInvoices",
        "salesinvoice/SalesInvoices",
        "ID",
        sync=True,
        combine=_invoice_rows,
    )
    views["bulk/salesorder/salesorderlines"] = View(
        "bulk/SalesOrder/SalesOrderLines", "salesorder/SalesOrderLines", "ID", bulk=True
    )
    for endpoint, table in _BULK.items():
        views[endpoint.lower()] = View(
            endpoint,
            table,
            _key(table),
            bulk=True,
            schema=table,
            filterable=ADDRESS_FILTERS if table == "crm/Addresses" else frozenset(),
        )
    return views


def _key(endpoint: str) -> str:
    return PRIMARY_KEYS[endpoint]


VIEWS: dict[str, View] = _build()
#: inline line collections: document endpoint -> (collection field, line table, link field)
LINES: dict[str, tuple[str, str, str]] = {
    "salesorder/SalesOrders": ("SalesOrderLines", "salesorder/SalesOrderLines", "OrderID"),
    "salesinvoice/SalesInvoices": (
        "SalesInvoiceLines",
        "salesinvoice/SalesInvoiceLines",
        "InvoiceID",
    ),
    "salesentry/SalesEntries": ("SalesEntryLines", "salesentry/SalesEntryLines", "EntryID"),
    "salesorder/GoodsDeliveries": (
        "GoodsDeliveryLines",
        "salesorder/GoodsDeliveryLines",
        "EntryID",
    ),
}
MODEL_TYPES = {
    "crm/Accounts": "Account",
    "crm/Contacts": "Contact",
    "crm/Addresses": "Address",
    "logistics/Items": "Item",
    "salesorder/SalesOrders": "SalesOrder",
    "salesorder/SalesOrderLines": "SalesOrderLine",
    "salesorder/GoodsDeliveries": "GoodsDelivery",
    "salesinvoice/SalesInvoices": "SalesInvoice",
    "salesentry/SalesEntries": "SalesEntry",
}


def wire(value: Any, edm: str) -> Any:
    """A stored value as Exact writes it (datetimes as ``/Date(ms)/``)."""
    if value is None:
        return None
    if edm == "DateTime" and isinstance(value, int | float):
        return f"/Date({int(value)})/"
    return value


def render(
    view: View,
    row: Row,
    *,
    base: str,
    select: list[str] | None,
    expand: set[str],
    lines_of: Callable[[str, str], list[Row]],
) -> Row:
    """``row`` as one record of ``view`` (``base`` is ``{host}/api/v1/{division}``)."""
    fields = FIELDS[view.shape]
    names = select if select else list(fields)
    key = view.value(row, view.key)
    model = MODEL_TYPES.get(view.shape, view.shape.rsplit("/", 1)[-1].rstrip("s"))
    out: Row = {
        "__metadata": {
            "uri": f"{base}/{view.endpoint}(guid'{key}')",
            "type": f"Exact.Web.Api.Models.{model}",
        }
    }
    line_spec = LINES.get(view.shape)
    for name in names:
        spec = fields[name]
        if line_spec and name == line_spec[0]:
            uri = f"{base}/{view.endpoint}(guid'{key}')/{name}"
            if name in expand:
                line_view = VIEWS[line_spec[1].lower()]
                out[name] = {
                    "results": [
                        render(
                            line_view, r, base=base, select=None, expand=set(), lines_of=lines_of
                        )
                        for r in lines_of(line_spec[1], str(key))
                    ]
                }
            else:
                out[name] = {"__deferred": {"uri": uri}}
            continue
        out[name] = wire(view.value(row, name), spec.edm)
    return out
