"""Document effects in the sandbox: line money and VAT, totals, stock moves, deliveries.

**Line money on POST** (``salesinvoice/SalesInvoices`` and ``salesorder/SalesOrders`` lines).
Exact's field docs (``shared/reference/exact-online/entities.json``) define UnitPrice as the
price per unit, Discount as (default price - line price) / default price, NetPrice as the net
price of the line, AmountFC as the line amount excluding VAT, and VATAmountFC (invoice lines) /
VATAmount (order lines) as the VAT amount, "specify to differ from the automatically
calculated one". From those, as fixed by the issue 9 contract, the sandbox computes in order:

1. UnitPrice: as posted; else the item's default price (its active ``logistics/SalesItemPrices``
   row without Account, else ``StandardSalesPrice``);
2. Discount: as posted; else (UnitPrice - NetPrice) / UnitPrice when NetPrice is posted and
   UnitPrice > 0; else 0;
3. NetPrice: as posted; else UnitPrice x (1 - Discount);
4. AmountFC: as posted; else NetPrice x Quantity in cents (Quantity defaults to 1; negative
   quantities stay negative: credit notes and trade-in lines just carry their signs);
5. VATPercentage from the VAT code (the line's VATCode, else the item's SalesVatCode); the VAT
   amount as posted, else AmountFC x VATPercentage in cents;
6. a line with no UnitPrice, NetPrice or AmountFC whose item has no price is refused (400
   ``Mandatory: Price (item CODE)``).

Where the contract is silent (an item without any price, a line posting only NetPrice or
AmountFC) UnitPrice is that NetPrice, or AmountFC / Quantity, so the line reads consistently.
Cents round half away from zero. Headers: AmountFCExclVat = sum of AmountFC, VATAmountFC = sum
of VAT (invoices; orders have no such header field), AmountFC = excl. + VAT. Sales entry lines:
AmountFC (excl. VAT) as posted, VATAmountFC as posted or computed; header AmountFC = sum incl.
VAT. A VAT code on a sales line must exist, not be blocked and not be purchase-only
(VATTransactionType P), else 500 ``Invalid reference: VAT code``. Every line is checked before
anything is stored: a refused document leaves no header and no line behind.

**Stock.** Sales order lines raise PlannedStockOut in the order's (or the main) warehouse;
goods delivery lines lower CurrentStock and PlannedStockOut (and ReservedStock by what the
order line had reserved back-to-back), count QuantityDelivered on the order line and set the
order Status to 20 (partly delivered) or 21 (complete). ReservedStock is back-to-back stock
(received on a purchase order for a sales order, not yet delivered), not PlannedStockOut.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mapwright.connectors.exact_online.sandbox.errors import ApiError
from mapwright.connectors.exact_online.sandbox.index import LOOSE, SCALARS, column, same_key
from mapwright.connectors.exact_online.sandbox.state import Clock, Store, new_guid
from mapwright.connectors.exact_online.sandbox.views import LINES

Row = dict[str, Any]
PRICED = ("salesorder/SalesOrders", "salesinvoice/SalesInvoices")
CENT = Decimal("0.01")
ZERO = Decimal(0)


def code_number(value: Any) -> Any:
    """Index key of an account code for ``next_account_code``: the number an all-digit
    code holds, else -1 (codes that ``isdigit`` but ``int`` refuses, like '²', are loose:
    the scan's ValueError stays)."""
    if type(value) not in SCALARS:
        return LOOSE
    if not str(value).strip().isdigit():
        return -1
    try:
        return int(value)
    except ValueError:
        return LOOSE


def dec(value: Any) -> Decimal:
    """A stored number as an exact decimal (floats through their shortest text)."""
    return Decimal(repr(float(value)))


def cents(value: Decimal) -> float:
    """Rounded to cents, half away from zero."""
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


class Documents:
    """Shared helpers of the write rules: lookups, stamps, stock, lines and totals."""

    store: Store
    rng: random.Random
    clock: Clock
    division: int
    language: str
    user_id: str

    def get(self, table: str, key: Any) -> Row | None:
        return self.store.table(table).get(str(key).lower()) if key else None

    def ref(self, table: str, key: Any, label: str) -> Row:
        found = self.get(table, key)
        if found is None:
            raise self.invalid(label)
        return found

    def candidates(self, table: str, field: str, value: Any) -> list[Row]:
        """The rows of ``table`` whose ``field`` can ``==`` ``value``, in table order, from
        an index (``index.py``): a superset, so callers keep their own exact test. Worth it
        only for a costly test: checking the index costs about what a scan with a plain
        ``row.get(field) == value`` costs (an item's prices, a document's lines stay scans)."""
        rows = list(self.store.table(table).values())
        wanted = same_key(value)
        if wanted is LOOSE:  # a value that cannot be keyed: every row
            return rows
        index = column(self.store.indexes, table, (field,), same_key, rows)
        return [rows[p] for p in sorted(index.candidates([wanted]))]

    def next_account_code(self) -> int:
        """One more than the largest all-digit account code (0 when there is none)."""
        rows = list(self.store.table("crm/Accounts").values())
        index = column(self.store.indexes, "crm/Accounts", ("Code",), code_number, rows)
        loose = [rows[p] for p in sorted(index.loose)]  # checked as the scan checked them
        numbers = [int(r["Code"]) for r in loose if str(r.get("Code", "")).strip().isdigit()]
        return max(max(index.buckets, default=0), *numbers, 0) + 1

    def invalid(self, label: str) -> ApiError:
        word = "Ongeldige referentie" if self.language == "nl" else "Invalid reference"
        return ApiError(500, f"{word}: {label}")

    def _duplicate(self) -> ApiError:
        return ApiError(
            500, "Gegeven bestaat reeds." if self.language == "nl" else "Record already exists."
        )

    def stamp(self, row: Row, created: bool) -> None:
        now = self.clock.ms()
        if created:
            row["Created"] = now
            row["Creator"] = self.user_id
        row["Modified"] = now
        row["Modifier"] = self.user_id
        row["Division"] = self.division

    # -- VAT and prices ----------------------------------------------------------------------
    def sales_vat(self, code: Any) -> Row:
        """The VAT code row usable on a sales line or as a sales default, else 500."""
        wanted = str(code).strip()
        for row in self.store.table("vat/VATCodes").values():
            if str(row.get("Code")).strip() == wanted:
                if not row.get("IsBlocked") and row.get("VATTransactionType") != "P":
                    return row
                break
        raise self.invalid("BTW-code" if self.language == "nl" else "VAT code")

    def listed_price(self, item: str) -> float | None:
        """The price of the item's active ``logistics/SalesItemPrices`` row without Account
        (in EUR; the latest start wins), ``None`` when it has none."""
        now = self.clock.ms()
        rows = [
            r
            for r in self.store.table("logistics/SalesItemPrices").values()
            if r.get("Item") == item
            and not r.get("Account")
            and r.get("Price") is not None
            and (r.get("Currency") or "EUR") == "EUR"
            and (r.get("StartDate") or 0) <= now
            and (r.get("EndDate") is None or r["EndDate"] > now)
        ]
        if not rows:
            return None
        best = max(rows, key=lambda r: (r.get("StartDate") or 0, -(r.get("Quantity") or 0)))
        return float(best["Price"])

    def default_price(self, item: str) -> float | None:
        """The item's default sales price: the listed price, else ``StandardSalesPrice``."""
        listed = self.listed_price(item)
        if listed is not None:
            return listed
        price = (self.get("logistics/Items", item) or {}).get("StandardSalesPrice")
        return None if price is None else float(price)

    def mirror_price(self, item: str) -> None:
        """Keep ``Items.StandardSalesPrice`` equal to the listed price (a read-only mirror;
        the item's Modified and Timestamp stay: the price row is what changed)."""
        row = self.get("logistics/Items", item)
        if row is not None:
            row["StandardSalesPrice"] = self.listed_price(item)
            self.store.put("logistics/Items", item, row, touch=False)

    # -- stock -------------------------------------------------------------------------------
    def item_warehouse(self, item: str, warehouse: str | None = None) -> Row:
        table = self.store.table("inventory/ItemWarehouses")
        if warehouse is None:
            mains = [w for w in self.store.table("inventory/Warehouses").values() if w.get("Main")]
            warehouse = mains[0]["ID"] if mains else None
        for row in table.values():
            if row["Item"] == item and (warehouse is None or row["Warehouse"] == warehouse):
                return row
        item_row = self.ref("logistics/Items", item, "Item")
        wh = self.get("inventory/Warehouses", warehouse) or {}
        row = {
            "ID": new_guid(self.rng),
            "Item": item,
            "ItemCode": item_row["Code"],
            "ItemDescription": item_row["Description"],
            "ItemUnit": item_row.get("Unit"),
            "Warehouse": warehouse,
            "WarehouseCode": wh.get("Code"),
            "WarehouseDescription": wh.get("Description"),
            "CurrentStock": 0.0,
            "PlannedStockIn": 0.0,
            "PlannedStockOut": 0.0,
            "ReservedStock": 0.0,
        }
        self.stamp(row, True)
        return self.store.put("inventory/ItemWarehouses", row["ID"], row)

    def move_stock(
        self,
        item: str,
        *,
        current: float = 0,
        planned_out: float = 0,
        reserved: float = 0,
        warehouse: str | None = None,
    ) -> None:
        row = self.item_warehouse(item, warehouse)
        row["CurrentStock"] = float(row.get("CurrentStock") or 0) + current
        row["PlannedStockOut"] = float(row.get("PlannedStockOut") or 0) + planned_out
        row["ReservedStock"] = float(row.get("ReservedStock") or 0) + reserved
        row["ProjectedStock"] = (
            row["CurrentStock"] + float(row.get("PlannedStockIn") or 0) - row["PlannedStockOut"]
        )
        self.stamp(row, False)
        self.store.put("inventory/ItemWarehouses", row["ID"], row)
        item_row = self.get("logistics/Items", item)
        if item_row is not None:
            item_row["Stock"] = sum(
                float(r.get("CurrentStock") or 0)
                for r in self.store.table("inventory/ItemWarehouses").values()
                if r["Item"] == item
            )
            self.store.put("logistics/Items", item, item_row)

    # -- lines -------------------------------------------------------------------------------
    def prepare_lines(self, endpoint: str, lines: list[Row]) -> None:
        """Check every line and compute its money (steps 1-6 above); stores nothing."""
        for line in lines:
            if line.get("Item"):
                item = self.ref("logistics/Items", line["Item"], "Item")
                line["Item"] = item["ID"]
                line["ItemCode"], line["ItemDescription"] = item["Code"], item["Description"]
                line.setdefault("Description", item["Description"])
                line.setdefault("UnitCode", item.get("Unit"))
                if line.get("VATCode") is None:
                    line["VATCode"] = item.get("SalesVatCode")
            if endpoint in PRICED:
                self._price_line(endpoint, line)
            if endpoint in PRICED or endpoint == "salesentry/SalesEntries":
                self._line_vat(endpoint, line)

    def _price_line(self, endpoint: str, line: Row) -> None:
        quantity = dec(1 if line.get("Quantity") is None else line["Quantity"])
        names = ("UnitPrice", "Discount", "NetPrice", "AmountFC")
        posted = {n: dec(line[n]) for n in names if line.get(n) is not None}
        default = self.default_price(line["Item"])
        if not ({"UnitPrice", "NetPrice", "AmountFC"} & set(posted)) and default is None:
            code = line.get("ItemCode")
            text = f"Verplicht: Prijs (artikel {code})" if self.language == "nl" else None
            raise ApiError(400, text or f"Mandatory: Price (item {code})")
        unit = posted.get("UnitPrice")
        if unit is None and default is not None:
            unit = dec(default)
        if unit is None:  # no price anywhere: the posted net price or amount per unit
            unit = posted.get("NetPrice")
        if unit is None:
            unit = posted["AmountFC"] / quantity if quantity else ZERO
        net_posted = posted.get("NetPrice")
        discount = posted.get("Discount")
        if discount is None:
            discount = ZERO
            if net_posted is not None and unit > 0:
                discount = (unit - net_posted) / unit
        net = unit * (1 - discount) if net_posted is None else net_posted
        amount = posted.get("AmountFC", net * quantity)
        line.update(
            Quantity=float(quantity),
            UnitPrice=float(unit),
            Discount=float(discount),
            NetPrice=float(net),
            AmountFC=cents(amount),
            AmountDC=cents(amount),
        )

    def _line_vat(self, endpoint: str, line: Row) -> None:
        field = "VATAmount" if endpoint == "salesorder/SalesOrders" else "VATAmountFC"
        code = line.get("VATCode")
        vat = self.sales_vat(code) if code not in (None, "") else {}
        percentage = float(vat.get("Percentage") or 0)
        line["VATPercentage"] = percentage
        line["VATCodeDescription"] = vat.get("Description")
        amount = line.get(field)
        if amount is None:
            amount = cents(dec(line["AmountFC"]) * dec(percentage))
        line[field] = float(amount)
        if field == "VATAmountFC":
            line["VATAmountDC"] = float(amount)

    def _add_line(self, endpoint: str, head: Row, line: Row, number: int) -> None:
        """Store one prepared line and apply its stock effect."""
        _, table, link = LINES[endpoint]
        key = "EntryID" if endpoint == "salesorder/GoodsDeliveries" else ""
        line["ID"] = str(line.get("ID") or new_guid(self.rng)).lower()
        line[link] = head[key or link]
        line["LineNumber"] = number
        line["Division"] = self.division
        if endpoint == "salesorder/SalesOrders":
            line.update(
                OrderNumber=head["OrderNumber"],
                QuantityDelivered=0.0,
                QuantityInvoiced=0.0,
                DeliveryDate=line.get("DeliveryDate") or head.get("DeliveryDate"),
            )
            self.move_stock(
                line["Item"], planned_out=line["Quantity"], warehouse=head.get("WarehouseID")
            )
        if endpoint == "salesorder/GoodsDeliveries":
            self._deliver(head, line)
        self.stamp(line, True)
        self.store.put(table, line["ID"], line)

    def _deliver(self, head: Row, line: Row) -> None:
        order_line = self.ref(
            "salesorder/SalesOrderLines", line["SalesOrderLineID"], "SalesOrderLineID"
        )
        quantity = float(line["QuantityDelivered"])
        order_line["QuantityDelivered"] = float(order_line.get("QuantityDelivered") or 0) + quantity
        released = min(float(order_line.get("_reserved") or 0), max(quantity, 0.0))
        order_line["_reserved"] = float(order_line.get("_reserved") or 0) - released
        self.stamp(order_line, False)
        self.store.put("salesorder/SalesOrderLines", order_line["ID"], order_line)
        order = self.ref("salesorder/SalesOrders", order_line["OrderID"], "OrderID")
        line.update(
            Item=order_line["Item"],
            ItemCode=order_line.get("ItemCode"),
            ItemDescription=order_line.get("ItemDescription"),
            QuantityOrdered=order_line["Quantity"],
            SalesOrderNumber=order["OrderNumber"],
            SalesOrderLineNumber=order_line["LineNumber"],
            DeliveryDate=head.get("DeliveryDate"),
        )
        self.move_stock(
            order_line["Item"],
            current=-quantity,
            planned_out=-quantity,
            reserved=-released,
            warehouse=order.get("WarehouseID"),
        )
        head.setdefault("DeliveryAccount", order.get("DeliverTo"))
        head["DeliveryAccountName"] = order.get("DeliverToName")
        lines = [
            r
            for r in self.store.table("salesorder/SalesOrderLines").values()
            if r["OrderID"] == order["OrderID"]
        ]
        done = all(float(r.get("QuantityDelivered") or 0) >= float(r["Quantity"]) for r in lines)
        order["Status"] = order["DeliveryStatus"] = 21 if done else 20
        self.stamp(order, False)
        self.store.put("salesorder/SalesOrders", order["OrderID"], order)
        self.store.put("salesorder/GoodsDeliveries", head["EntryID"], head)

    def _totals(self, endpoint: str, head: Row) -> None:
        _, table, link = LINES[endpoint]
        if endpoint == "salesorder/GoodsDeliveries":
            return
        key = head[link]
        lines = [r for r in self.store.table(table).values() if r.get(link) == key]
        field = "VATAmount" if endpoint == "salesorder/SalesOrders" else "VATAmountFC"
        excl = sum((dec(r.get("AmountFC") or 0) for r in lines), Decimal(0))
        vat = sum((dec(r.get(field) or 0) for r in lines), Decimal(0))
        gross = cents(excl + vat)
        if endpoint == "salesentry/SalesEntries":
            head.update(
                AmountFC=gross, AmountDC=gross, VATAmountFC=cents(vat), VATAmountDC=cents(vat)
            )
        else:
            head.update(AmountFCExclVat=cents(excl), AmountFC=gross, AmountDC=gross)
            if endpoint == "salesinvoice/SalesInvoices":
                head.update(VATAmountFC=cents(vat), VATAmountDC=cents(vat))
        self.store.put(endpoint, str(key), head)
