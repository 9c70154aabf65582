"""The Exact Online objects the flows use, as data: endpoint, key, sync twin, rules.

Each ``ExactObject`` is a ``connectors.base.ObjectSpec`` plus where it lives in Exact's REST
API (``endpoint``, e.g. ``crm/Accounts``), its ``sync/*`` twin when one exists (paged by the
Int64 ``Timestamp`` rowversion, 1000 per page, ``$select`` mandatory), the inline line
collection for documents (``SalesOrderLines`` …) and the fields each line must carry.

Everything here comes from ``shared/reference/exact-online-api.md`` (endpoint map, required
fields, max lengths) and the field table in ``fields.py``; ``tests`` check that every field
named here exists in that table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mapwright.connectors.base import Capability, ObjectSpec
from mapwright.connectors.exact_online.fields import FIELDS

Incremental = Literal["timestamp", "modified"]

_READ: frozenset[Capability] = frozenset({"list", "incremental", "get", "find"})
_WRITE: frozenset[Capability] = frozenset({"create", "update", "batch_create"})


@dataclass(frozen=True)
class ExactObject(ObjectSpec):
    """An ``ObjectSpec`` with its Exact endpoint and paging/incremental strategy.

    ``incremental`` is ``"timestamp"`` (read ``sync_endpoint`` with ``Timestamp gt N``) or
    ``"modified"`` (read ``endpoint`` with ``Modified ge datetime'…'`` and ``__next`` paging);
    ``None`` means a full list each time. ``lines`` names the inline collection a document is
    created with, ``line_required`` the fields each line needs. ``one_of`` lists groups of
    fields of which at least one must be set (Contacts: FirstName or LastName).
    """

    endpoint: str = ""
    sync_endpoint: str | None = None
    incremental: Incremental | None = None
    lines: str | None = None
    line_required: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()
    webhook_topic: str | None = None

    def edm(self, name: str) -> str:
        """The Edm type of field ``name`` (``String`` when the reference has none)."""
        found = FIELDS[self.endpoint].get(name)
        if found is None:
            known = ", ".join(sorted(FIELDS[self.endpoint]))
            raise KeyError(
                f"Exact endpoint {self.endpoint} has no field {name!r}; its fields are: {known}"
            )
        return found.edm if found.edm not in ("?", "Complex") else "String"

    def sync_select(self) -> str:
        """The ``$select`` list for the sync endpoint: every documented scalar field whose
        type the reference knows (fields known only from newer client code, such as
        ``CustomField``, are left out: selecting a field Exact lacks costs a 400)."""
        assert self.sync_endpoint
        fields = FIELDS[self.sync_endpoint].values()
        names = [f.name for f in fields if f.edm not in ("Complex", "?")]
        return ",".join(names)


def _obj(
    name: str,
    endpoint: str,
    key: str,
    capabilities: frozenset[Capability],
    *,
    find_keys: tuple[str, ...] = (),
    sync: str | None = None,
    incremental: Incremental | None = None,
    required: tuple[str, ...] = (),
    max_lengths: dict[str, int] | None = None,
    lines: str | None = None,
    line_required: tuple[str, ...] = (),
    one_of: tuple[tuple[str, ...], ...] = (),
    topic: str | None = None,
    description: str = "",
) -> ExactObject:
    cursor = {"timestamp": "Timestamp", "modified": "Modified", None: None}[incremental]
    return ExactObject(
        name=name,
        key=key,
        capabilities=capabilities,
        find_keys=find_keys or (key,),
        cursor_field=cursor,
        required=required,
        max_lengths=max_lengths or {},
        description=description,
        endpoint=endpoint,
        sync_endpoint=sync,
        incremental=incremental,
        lines=lines,
        line_required=line_required,
        one_of=one_of,
        webhook_topic=topic,
    )


_LIST_ONLY: frozenset[Capability] = frozenset({"list", "get", "find"})

OBJECTS: dict[str, ExactObject] = {
    o.name: o
    for o in [
        _obj(
            "accounts",
            "crm/Accounts",
            "ID",
            _READ | _WRITE,
            find_keys=(
                "ID",
                "Code",
                "Name",
                "Email",
                "VATNumber",
                "ChamberOfCommerce",
                "SearchCode",
            ),
            sync="sync/CRM/Accounts",
            incremental="timestamp",
            required=("Name",),
            max_lengths={"Code": 18},
            topic="Accounts",
            description="Relations (customers: Status 'C'); a private person is an Account "
            "named after the person, usually with one main Contact",
        ),
        _obj(
            "contacts",
            "crm/Contacts",
            "ID",
            _READ | _WRITE,
            find_keys=("ID", "Account", "Email"),
            sync="sync/CRM/Contacts",
            incremental="timestamp",
            required=("Account",),
            one_of=(("FirstName", "LastName"),),
            topic="Contacts",
            description="Contact persons of an account",
        ),
        _obj(
            "addresses",
            "crm/Addresses",
            "ID",
            _READ | _WRITE,
            find_keys=("ID", "Account", "Contact"),
            sync="sync/CRM/Addresses",
            incremental="timestamp",
            topic="Addresses",
            description="Addresses; Type 1 visit, 2 postal, 3 invoice, 4 delivery",
        ),
        _obj(
            "items",
            "logistics/Items",
            "ID",
            _READ | _WRITE,
            find_keys=("ID", "Code", "Barcode", "SearchCode", "ItemGroup"),
            sync="sync/Logistics/Items",
            incremental="timestamp",
            required=("Code", "Description"),
            max_lengths={"Description": 60, "ExtraDescription": 255},
            topic="Items",
            description="Articles; every variant is its own Item (no variant entity)",
        ),
        _obj(
            "item_groups",
            "logistics/ItemGroups",
            "ID",
            _READ,
            find_keys=("ID", "Code"),
            incremental="modified",
            description="Item groups (categories)",
        ),
        _obj(
            "item_extra_fields",
            "read/logistics/ItemExtraField",
            "ItemID",
            frozenset({"list", "find"}),
            find_keys=("ItemID",),
            description="Free (extra) field values per item: ItemID, Number, Description, Value",
        ),
        _obj(
            "item_prices",
            "logistics/SalesItemPrices",
            "ID",
            _READ | _WRITE,
            find_keys=("ID", "Item", "Account"),
            sync="sync/Logistics/SalesItemPrices",
            incremental="timestamp",
            required=("Item", "Price"),
            description="Sales prices per item (optionally per customer)",
        ),
        _obj(
            "warehouses",
            "inventory/Warehouses",
            "ID",
            _READ,
            find_keys=("ID", "Code"),
            incremental="modified",
            description="Warehouses",
        ),
        _obj(
            "item_warehouses",
            "inventory/ItemWarehouses",
            "ID",
            _READ | _WRITE,
            find_keys=("ID", "Item", "Warehouse"),
            incremental="modified",
            required=("Item", "Warehouse"),
            description="Stock per item and warehouse (CurrentStock, PlannedStockOut …); "
            "the sync twin lacks the stock quantities, so Modified is used",
        ),
        _obj(
            "stock_positions",
            "sync/Inventory/StockPositions",
            "ID",
            frozenset({"list", "incremental"}),
            sync="sync/Inventory/StockPositions",
            incremental="timestamp",
            topic="StockPositions",
            description="Stock positions per item and warehouse (sync endpoint only)",
        ),
        _obj(
            "stock_position",
            "read/logistics/StockPosition",
            "ItemId",
            frozenset({"get"}),
            description="Stock position of one item (InStock, PlanningIn, PlanningOut)",
        ),
        _obj(
            "sales_orders",
            "salesorder/SalesOrders",
            "OrderID",
            _READ | _WRITE,
            find_keys=("OrderID", "OrderNumber", "YourRef", "OrderedBy"),
            sync="sync/SalesOrder/SalesOrderHeaders",
            incremental="timestamp",
            required=("OrderedBy", "SalesOrderLines"),
            lines="SalesOrderLines",
            line_required=("Item",),
            topic="SalesOrders",
            description="Sales orders with inline SalesOrderLines; YourRef is not unique",
        ),
        _obj(
            "sales_order_lines",
            "salesorder/SalesOrderLines",
            "ID",
            _READ,
            find_keys=("ID", "OrderID", "Item"),
            sync="sync/SalesOrder/SalesOrderLines",
            incremental="timestamp",
            description="Lines of sales orders",
        ),
        _obj(
            "sales_invoices",
            "salesinvoice/SalesInvoices",
            "InvoiceID",
            _READ | _WRITE,
            find_keys=("InvoiceID", "InvoiceNumber", "YourRef", "OrderedBy"),
            incremental="modified",
            required=("OrderedBy", "SalesInvoiceLines"),
            lines="SalesInvoiceLines",
            line_required=("Item",),
            topic="SalesInvoices",
            description="Sales invoices (not booked until printed); the sync twin mixes "
            "headers and lines, so Modified is used",
        ),
        _obj(
            "sales_invoice_lines",
            "salesinvoice/SalesInvoiceLines",
            "ID",
            _LIST_ONLY,
            find_keys=("ID", "InvoiceID"),
            description="Lines of sales invoices",
        ),
        _obj(
            "sales_entries",
            "salesentry/SalesEntries",
            "EntryID",
            _READ | _WRITE,
            find_keys=("EntryID", "EntryNumber", "YourRef", "Customer"),
            incremental="modified",
            required=("Customer", "Journal", "SalesEntryLines"),
            lines="SalesEntryLines",
            line_required=("AmountFC", "GLAccount"),
            description="Booked sales journal entries (no invoice document)",
        ),
        _obj(
            "sales_entry_lines",
            "salesentry/SalesEntryLines",
            "ID",
            _LIST_ONLY,
            find_keys=("ID", "EntryID"),
            description="Lines of sales entries",
        ),
        _obj(
            "vat_codes",
            "vat/VATCodes",
            "ID",
            _READ | _WRITE,
            find_keys=("ID", "Code"),
            incremental="modified",
            required=("Code", "Description"),
            description="VAT codes; Percentage is a fraction (0.21)",
        ),
        _obj(
            "payment_conditions",
            "cashflow/PaymentConditions",
            "ID",
            _READ | frozenset({"create", "batch_create"}),
            find_keys=("ID", "Code"),
            incremental="modified",
            required=("Code", "Description"),
            description="Payment conditions",
        ),
        _obj(
            "shipping_methods",
            "sales/ShippingMethods",
            "ID",
            _READ,
            find_keys=("ID", "Code"),
            incremental="modified",
            description="Shipping methods (read-only)",
        ),
        _obj(
            "journals",
            "financial/Journals",
            "ID",
            _READ,
            find_keys=("ID", "Code"),
            incremental="modified",
            description="Journals; invoices and entries reference a journal by Code",
        ),
        _obj(
            "goods_deliveries",
            "salesorder/GoodsDeliveries",
            "EntryID",
            _READ | _WRITE,
            find_keys=("EntryID", "DeliveryNumber", "DeliveryAccount"),
            sync="sync/SalesOrder/GoodsDeliveries",
            incremental="timestamp",
            required=("DeliveryDate", "GoodsDeliveryLines"),
            lines="GoodsDeliveryLines",
            line_required=("SalesOrderLineID", "QuantityDelivered"),
            topic="GoodsDeliveries",
            description="Shipments of sales order lines",
        ),
        _obj(
            "goods_delivery_lines",
            "salesorder/GoodsDeliveryLines",
            "ID",
            _READ,
            find_keys=("ID", "EntryID", "SalesOrderLineID"),
            sync="sync/SalesOrder/GoodsDeliveryLines",
            incremental="timestamp",
            description="Lines of goods deliveries",
        ),
        _obj(
            "webhook_subscriptions",
            "webhooks/WebhookSubscriptions",
            "ID",
            frozenset({"list", "get", "find", "create", "batch_create", "update"}),
            find_keys=("ID", "Topic", "CallbackURL"),
            required=("CallbackURL", "Topic"),
            description="Webhook subscriptions (callbacks carry no data, only the key)",
        ),
        _obj(
            "deleted_records",
            "sync/Deleted",
            "ID",
            frozenset({"list", "incremental"}),
            sync="sync/Deleted",
            incremental="timestamp",
            description="Deletions of the last two months: EntityKey (the deleted record's "
            "key) and EntityType (2 accounts, 3 addresses, 5 contacts, 8 item prices, 9 items, "
            "12 sales orders …)",
        ),
    ]
}

#: roles flows may ask for that Exact does not have, with what to use instead
UNSUPPORTED: dict[str, str] = {
    "item_variants": "Exact Online has no variant entity: create each variant as its own "
    "Item (own Code) and group the variants with Class_01..Class_10 or an item group",
    "item_attributes": "Use the 'item_extra_fields' object (read/logistics/ItemExtraField) "
    "or the FreeTextField_xx/FreeNumberField_xx fields on items",
    "payment_methods": "Exact has no payment-method endpoint; the method is the "
    "PaymentMethod field of 'payment_conditions'",
    "shipments": "Use 'goods_deliveries' (salesorder/GoodsDeliveries)",
}
