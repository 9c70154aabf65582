"""Write rules of the sandbox: body parsing, mandatory fields, uniqueness, derived values.

What Exact does on POST/PUT/DELETE, as far as the reference notes know it: unknown
properties and malformed bodies are 400; missing mandatory fields are 400 with one
``Mandatory: <field>`` line each (Dutch ``Verplicht:`` with ``language="nl"``); duplicates are
500 ``Gegeven bestaat reeds.``/"record already exists"; unknown references are 500
``Ongeldige referentie: …``; invoicing a non-customer is 500 ``Ongeldig: Factuur voor (Type)``.
Derived values follow the notes: account codes right-aligned to 18, order/invoice/delivery
numbers counting up, line amounts and header totals, ``*Name``/``*Code``/``*Description``
companions, order status 12/20/21, stock (PlannedStockOut on open order lines, CurrentStock
down on delivery).
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from mapwright.connectors.exact_online.fields import FIELDS, PRIMARY_KEYS
from mapwright.connectors.exact_online.odata import parse_date
from mapwright.connectors.exact_online.sandbox.documents import Documents
from mapwright.connectors.exact_online.sandbox.errors import ApiError
from mapwright.connectors.exact_online.sandbox.index import column, text_key
from mapwright.connectors.exact_online.sandbox.state import Store, new_guid
from mapwright.connectors.exact_online.sandbox.views import LINES

Row = dict[str, Any]

MANDATORY: dict[str, tuple[str, ...]] = {
    "crm/Accounts": ("Name",),
    "crm/Contacts": ("Account",),
    "logistics/Items": ("Code", "Description"),
    "logistics/SalesItemPrices": ("Item", "Price"),
    "inventory/ItemWarehouses": ("Item", "Warehouse"),
    "salesorder/SalesOrders": ("OrderedBy",),
    "salesorder/SalesOrderLines": ("Item",),
    "salesinvoice/SalesInvoices": ("OrderedBy",),
    "salesinvoice/SalesInvoiceLines": ("Item",),
    "salesentry/SalesEntries": ("Customer", "Journal"),
    "salesentry/SalesEntryLines": ("AmountFC", "GLAccount"),
    "salesorder/GoodsDeliveries": ("DeliveryDate",),
    "salesorder/GoodsDeliveryLines": ("SalesOrderLineID", "QuantityDelivered"),
    "vat/VATCodes": ("Code", "Description"),
    "cashflow/PaymentConditions": ("Code", "Description"),
    "webhooks/WebhookSubscriptions": ("CallbackURL", "Topic"),
}
UNIQUE: dict[str, tuple[str, ...]] = {
    "crm/Accounts": ("Code",),
    "logistics/Items": ("Code",),
    "vat/VATCodes": ("Code",),
    "cashflow/PaymentConditions": ("Code",),
    "salesorder/SalesOrders": ("OrderNumber",),
    "inventory/ItemWarehouses": ("Item", "Warehouse"),
    "webhooks/WebhookSubscriptions": ("Topic", "CallbackURL"),
}
MAX_LENGTH: dict[tuple[str, str], int] = {
    ("crm/Accounts", "Code"): 18,
    ("logistics/Items", "Description"): 60,
    ("logistics/Items", "ExtraDescription"): 255,
}
DUTCH = {"OrderedBy": "Besteld door", "InvoiceTo": "Factuur voor", "DeliverTo": "Leveren aan"}
DELETED_TYPES = {
    "crm/Accounts": 2,
    "crm/Addresses": 3,
    "crm/Contacts": 5,
    "logistics/SalesItemPrices": 8,
    "logistics/Items": 9,
    "salesorder/SalesOrders": 12,
}
#: salesinvoice/SalesInvoices.Type (reference §4); 8023/8024 also need a Warehouse
INVOICE_TYPES = {
    8020: "Sales invoice",
    8021: "Sales credit note",
    8023: "Direct sales invoice",
    8024: "Direct sales credit note",
}
#: document number field, counter and first number (orders may post their own number)
NUMBERS = {
    "salesorder/SalesOrders": ("OrderNumber", "order_number", 1),
    "salesinvoice/SalesInvoices": ("InvoiceNumber", "invoice_number", 24000001),
    "salesentry/SalesEntries": ("EntryNumber", "entry_number", 24700001),
    "salesorder/GoodsDeliveries": ("DeliveryNumber", "delivery_number", 1),
}
#: an address posted with the same values as an existing one answers that one
SAME_ADDRESS = ("Account", "Type", "AddressLine1", "AddressLine2", "Postcode", "City", "Country")
#: default sales VAT code fields that must name a usable sales VAT code
VAT_DEFAULTS = {"crm/Accounts": "SalesVATCode", "logistics/Items": "SalesVatCode"}
WEBHOOK_TOPICS = {
    "Accounts",
    "Addresses",
    "Contacts",
    "Items",
    "StockPositions",
    "SalesOrders",
    "SalesInvoices",
    "GoodsDeliveries",
    "BankEntries",
    "CashEntries",
}


def _coerce(endpoint: str, name: str, value: Any) -> Any:
    edm = FIELDS[endpoint][name].edm
    if value is None:
        return None
    try:
        if edm == "Guid":
            return str(uuid.UUID(str(value)))
        if edm == "DateTime":
            moment = parse_date(value)
            return int(moment.timestamp() * 1000) if moment else None
        if edm == "Double":
            return float(value)
        if edm in ("Int16", "Int32", "Int64", "Byte"):
            return int(value)
        if edm == "Boolean":
            if not isinstance(value, bool):
                raise ValueError
            return value
        if edm == "String":
            return str(value)
    except (TypeError, ValueError):
        raise ApiError(
            400, f"Error processing request stream. Invalid value for property '{name}'."
        ) from None
    return value


#: on Contacts, setting the main field overwrites its business twin (reference pitfall 14)
BUSINESS_TWINS = {"Email": "BusinessEmail", "Phone": "BusinessPhone", "Mobile": "BusinessMobile"}


def _mirror_business(changes: Row, row: Row) -> None:
    for main, business in BUSINESS_TWINS.items():
        if main in changes:
            row[business] = changes[main]


class Rules(Documents):
    """Applies writes to the store for one division."""

    def __init__(
        self,
        store: Store,
        rng: random.Random,
        clock: Any,
        division: int,
        *,
        language: str = "en",
        user_id: str = "",
    ):
        self.store = store
        self.rng = rng
        self.clock = clock
        self.division = division
        self.language = language
        self.user_id = user_id

    # -- helpers -----------------------------------------------------------------------------
    def parse_body(self, endpoint: str, body: Any, *, lines: bool = True) -> Row:
        if not isinstance(body, dict):
            raise ApiError(
                400,
                "Error processing request stream. The request should be a "
                "valid top-level resource object.",
            )
        fields = FIELDS[endpoint]
        line_spec = LINES.get(endpoint) if lines else None
        row: Row = {}
        for name, value in body.items():
            if name == "__metadata":
                continue
            if name not in fields:
                raise ApiError(
                    400,
                    "Parsing request content failed due to: Make sure to only "
                    f"use property names that are defined by the type ('{name}')",
                )
            if line_spec and name == line_spec[0]:
                if not isinstance(value, list):
                    raise ApiError(
                        400,
                        "Error processing request stream. The request should "
                        "be a valid top-level resource object.",
                    )
                row[name] = [self.parse_body(line_spec[1], v, lines=False) for v in value]
            elif fields[name].edm == "Complex":
                continue
            else:
                row[name] = _coerce(endpoint, name, value)
        return row

    def mandatory(self, endpoint: str, row: Row, prefix: str = "") -> list[str]:
        word = "Verplicht" if self.language == "nl" else "Mandatory"
        missing = []
        for name in MANDATORY.get(endpoint, ()):
            if row.get(name) in (None, ""):
                label = DUTCH.get(name, name) if self.language == "nl" else name
                missing.append(f"{word}: {prefix}{label}")
        if endpoint == "crm/Contacts" and not (row.get("FirstName") or row.get("LastName")):
            missing.append(f"{word}: {prefix}LastName")
        return missing

    # -- create ------------------------------------------------------------------------------
    def create(self, endpoint: str, body: Any) -> Row:
        row = self.parse_body(endpoint, body)
        missing = self.mandatory(endpoint, row)
        line_spec = LINES.get(endpoint)
        if line_spec:
            lines = row.get(line_spec[0]) or []
            if not lines and endpoint != "salesentry/SalesEntries":
                missing.append(
                    ("Verplicht: " if self.language == "nl" else "Mandatory: ") + line_spec[0]
                )
            for line in lines:
                missing += self.mandatory(line_spec[1], line)
        if missing:
            raise ApiError(400, "\r\n".join(dict.fromkeys(missing)))
        for (ep, name), limit in MAX_LENGTH.items():
            value = row.get(name)
            if ep == endpoint and isinstance(value, str) and len(value.strip()) > limit:
                raise ApiError(400, f"{name}: maximum length is {limit} characters")
        key_field = "ItemID" if endpoint == "read/logistics/ItemExtraField" else None
        key_field = key_field or PRIMARY_KEYS[endpoint]
        row[key_field] = str(row.get(key_field) or new_guid(self.rng)).lower()
        self._check_vat_default(endpoint, row)
        hook = getattr(self, "_create_" + endpoint.split("/")[-1].lower(), None)
        if hook is not None:
            existing = hook(row)
            if existing is not None:
                return existing
        lines_in = row.get(line_spec[0]) if line_spec else None
        if line_spec and lines_in:
            self.prepare_lines(endpoint, lines_in)  # refuses before anything is stored
        self._unique(endpoint, row)
        self._number(endpoint, row)
        self.stamp(row, True)
        if line_spec:
            row.pop(line_spec[0], None)
        self.store.put(endpoint, row[key_field], row)
        if line_spec and lines_in:
            for number, line in enumerate(lines_in, start=1):
                self._add_line(endpoint, row, line, number)
            self._totals(endpoint, row)
        if endpoint == "logistics/SalesItemPrices":
            self.mirror_price(row["Item"])
        return row

    def _number(self, endpoint: str, row: Row) -> None:
        """Document numbers, drawn once every check has passed (a refusal leaves no gap)."""
        if endpoint not in NUMBERS:
            return
        name, counter, first = NUMBERS[endpoint]
        if row.get(name) is None or endpoint != "salesorder/SalesOrders":
            row[name] = self.store.next(counter, first)
        if endpoint == "salesorder/GoodsDeliveries":
            row["EntryNumber"] = row["DeliveryNumber"]

    def _check_vat_default(self, endpoint: str, row: Row) -> None:
        """A default sales VAT code (account, item) must be a usable sales code."""
        name = VAT_DEFAULTS.get(endpoint)
        if name and row.get(name) not in (None, ""):
            vat = self.sales_vat(row[name])
            row[name] = vat["Code"]
            row[name + "Description"] = vat.get("Description")

    def _shipping(self, row: Row, *, code: bool) -> None:
        """Fill the shipping method's companions (an unknown Guid is a bad reference)."""
        if not row.get("ShippingMethod"):
            row["ShippingMethodDescription"] = None
            if code:
                row["ShippingMethodCode"] = None
            return
        label = "Verzendwijze" if self.language == "nl" else "ShippingMethod"
        method = self.ref("sales/ShippingMethods", row["ShippingMethod"], label)
        row["ShippingMethodDescription"] = method.get("Description")
        if code:
            row["ShippingMethodCode"] = method.get("Code")

    def _unique(self, endpoint: str, row: Row, key: str | None = None) -> None:
        names = UNIQUE.get(endpoint)
        if not names or any(row.get(n) in (None, "") for n in names):
            return
        wanted = tuple(str(row[n]).strip().casefold() for n in names)
        table = self.store.table(endpoint)
        rows, keys = list(table.values()), list(table)
        # the first field narrows enough (an item's warehouses); one field is cheaper to check
        index = column(self.store.indexes, endpoint, names[:1], text_key, rows)
        for position in index.candidates([wanted[:1]]):
            if keys[position] == key:
                continue
            other = rows[position]
            if tuple(str(other.get(n)).strip().casefold() for n in names) == wanted:
                raise self._duplicate()

    def _create_accounts(self, row: Row) -> None:
        if row.get("Code"):
            row["Code"] = str(row["Code"]).strip().rjust(18)
        else:
            row["Code"] = str(self.next_account_code()).rjust(18)
        row.setdefault("Type", "A")
        row["IsSales"] = row.get("Status") == "C"

    def _create_contacts(self, row: Row) -> None:
        _mirror_business(row, row)
        account = self.ref("crm/Accounts", row["Account"], "Account")
        row["AccountName"] = account.get("Name")
        row["AccountIsCustomer"] = account.get("Status") == "C"
        row["FullName"] = " ".join(
            str(row[n]) for n in ("FirstName", "MiddleName", "LastName") if row.get(n)
        )
        if not account.get("MainContact"):
            account["MainContact"] = row["ID"]
            self.store.put("crm/Accounts", account["ID"], account)
        row["IsMainContact"] = account.get("MainContact") == row["ID"]
        row["AccountMainContact"] = account.get("MainContact")

    def _create_addresses(self, row: Row) -> Row | None:
        if row.get("Account"):
            row["AccountName"] = self.ref("crm/Accounts", row["Account"], "Account").get("Name")
        # the account's addresses, in table order (the first match answers)
        for other in self.candidates("crm/Addresses", "Account", row.get("Account")):
            if all(other.get(n) == row.get(n) for n in SAME_ADDRESS):
                return other
        return None

    def _create_items(self, row: Row) -> None:
        group = self.get("logistics/ItemGroups", row.get("ItemGroup"))
        if row.get("ItemGroup") and group is None:
            self.ref("logistics/ItemGroups", row["ItemGroup"], "ItemGroup")
        if group:
            row["ItemGroupCode"] = group["Code"]
            row["ItemGroupDescription"] = group["Description"]
        row.setdefault("IsSalesItem", True)
        row.setdefault("IsStockItem", True)
        row.setdefault("Unit", "pc")
        row.setdefault("Stock", 0.0)
        # read-only: mirrors the item's price row (set prices through SalesItemPrices)
        row["StandardSalesPrice"] = None

    def _create_salesitemprices(self, row: Row) -> None:
        item = self.ref("logistics/Items", row["Item"], "Item")
        row["Item"] = item["ID"]
        row["ItemCode"], row["ItemDescription"] = item["Code"], item["Description"]
        if row.get("Account"):
            row["AccountName"] = self.ref("crm/Accounts", row["Account"], "Account").get("Name")
        row.setdefault("Currency", "EUR")

    def _create_itemwarehouses(self, row: Row) -> None:
        self.ref("logistics/Items", row["Item"], "Item")
        self.ref("inventory/Warehouses", row["Warehouse"], "Warehouse")
        row.update(CurrentStock=0.0, PlannedStockIn=0.0, PlannedStockOut=0.0, ReservedStock=0.0)

    def _create_salesorders(self, row: Row) -> None:
        ordered = self.ref(
            "crm/Accounts",
            row["OrderedBy"],
            DUTCH["OrderedBy"] if self.language == "nl" else "OrderedBy",
        )
        for name in ("DeliverTo", "InvoiceTo"):
            target = self.ref("crm/Accounts", row.get(name) or ordered["ID"], name)
            row[name], row[name + "Name"] = target["ID"], target.get("Name")
        row["OrderedByName"] = ordered.get("Name")
        self._shipping(row, code=False)
        row.update(Status=12, DeliveryStatus=12, InvoiceStatus=12, ApprovalStatus=1)
        row.setdefault("Currency", "EUR")
        row.setdefault("OrderDate", self.clock.ms())

    def _create_salesorderlines(self, row: Row) -> Row:
        """A line posted on its own (``OrderID`` names the order): priced and totalled like
        an inline line."""
        word = "Verplicht" if self.language == "nl" else "Mandatory"
        if not row.get("OrderID"):
            raise ApiError(400, f"{word}: OrderID")
        order = self.ref("salesorder/SalesOrders", row["OrderID"], "OrderID")
        if order.get("Status") == 21:
            raise ApiError(400, "The sales order is complete and cannot be changed.")
        self.prepare_lines("salesorder/SalesOrders", [row])
        numbers = [
            int(r.get("LineNumber") or 0)
            for r in self.store.table("salesorder/SalesOrderLines").values()
            if r.get("OrderID") == order["OrderID"]
        ]
        self._add_line("salesorder/SalesOrders", order, row, max(numbers, default=0) + 1)
        self._totals("salesorder/SalesOrders", order)
        return row

    def _invoice_type(self, row: Row) -> None:
        kind = row.get("Type")
        if kind not in INVOICE_TYPES:
            word = "Ongeldig" if self.language == "nl" else "Invalid"
            raise ApiError(400, f"{word}: Type ({kind}; use 8020, 8021, 8023 or 8024)")
        row["TypeDescription"] = INVOICE_TYPES[kind]
        if kind in (8023, 8024):
            if not row.get("Warehouse"):
                word = "Verplicht" if self.language == "nl" else "Mandatory"
                raise ApiError(400, f"{word}: Warehouse")
            self.ref("inventory/Warehouses", row["Warehouse"], "Warehouse")

    def _create_salesinvoices(self, row: Row) -> None:
        row.setdefault("Type", 8020)
        self._invoice_type(row)
        ordered = self.ref("crm/Accounts", row["OrderedBy"], "OrderedBy")
        if ordered.get("Status") != "C":
            raise ApiError(
                500,
                "Ongeldig: Factuur voor (Type)"
                if self.language == "nl"
                else "Invalid: Invoice to (Type)",
            )
        row.setdefault("InvoiceTo", ordered["ID"])
        row["OrderedByName"] = row["InvoiceToName"] = ordered.get("Name")
        row.setdefault("Journal", "70")
        row.setdefault("Currency", "EUR")
        row.setdefault("InvoiceDate", self.clock.ms())
        row["Status"] = 10

    def _create_salesentries(self, row: Row) -> None:
        self.ref("crm/Accounts", row["Customer"], "Customer")
        row.setdefault("Type", 20)
        row.setdefault("Currency", "EUR")
        row.setdefault("EntryDate", self.clock.ms())

    def _create_goodsdeliveries(self, row: Row) -> None:
        for line in row.get("GoodsDeliveryLines") or []:
            self.ref("salesorder/SalesOrderLines", line["SalesOrderLineID"], "SalesOrderLineID")
        self._shipping(row, code=True)

    def _create_webhooksubscriptions(self, row: Row) -> None:
        if row["Topic"] not in WEBHOOK_TOPICS:
            raise ApiError(400, f"Invalid topic: {row['Topic']}")
        row["UserID"] = self.user_id

    # -- update / delete ---------------------------------------------------------------------
    def update(self, endpoint: str, key: str, body: Any) -> None:
        stored = self.get(endpoint, key)
        if stored is None:
            raise ApiError(404, "Not found")
        row = dict(stored)  # the stored row changes only once every check passed
        changes = self.parse_body(endpoint, body, lines=False)
        if endpoint == "salesorder/SalesOrders" and row.get("Status") == 21:
            raise ApiError(400, "The sales order is complete and cannot be changed.")
        fields = FIELDS[endpoint]
        changes = {
            n: v for n, v in changes.items() if "U" in fields[n].verbs or fields[n].verbs == "-"
        }
        self._check_vat_default(endpoint, changes)
        if endpoint == "salesinvoice/SalesInvoices" and "Type" in changes:
            merged = {**row, **changes}
            self._invoice_type(merged)
            changes["TypeDescription"] = merged["TypeDescription"]
        if endpoint == "salesorder/SalesOrders" and "ShippingMethod" in changes:
            self._shipping(changes, code=False)
        old_item = row.get("Item")
        row.update(changes)
        if endpoint == "logistics/SalesItemPrices":
            self.ref("logistics/Items", row["Item"], "Item")
        if endpoint == "crm/Accounts" and row.get("Code"):
            row["Code"] = str(row["Code"]).strip().rjust(18)
        if endpoint == "crm/Contacts":
            _mirror_business(changes, row)
        self._unique(endpoint, row, key)
        self.stamp(row, False)
        self.store.put(endpoint, key, row)
        if endpoint == "logistics/SalesItemPrices":
            self.mirror_price(row["Item"])
            if old_item != row["Item"]:
                self.mirror_price(str(old_item))

    def delete(self, endpoint: str, key: str) -> None:
        gone_row = self.store.delete(endpoint, key)
        if gone_row is None:
            raise ApiError(404, "Not found")
        if endpoint == "logistics/SalesItemPrices":
            self.mirror_price(gone_row["Item"])
        if endpoint in DELETED_TYPES:
            gone: Row = {
                "ID": new_guid(self.rng),
                "EntityKey": key,
                "EntityType": DELETED_TYPES[endpoint],
                "DeletedDate": self.clock.ms(),
                "DeletedBy": self.user_id,
                "Division": self.division,
            }
            self.store.put("sync/Deleted", gone["ID"], gone)
