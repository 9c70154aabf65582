"""Document effects in the sandbox: line numbering, amounts and VAT, totals, stock moves.

Sales order lines raise PlannedStockOut in the order's (or the main) warehouse; goods delivery
lines lower CurrentStock and PlannedStockOut, count QuantityDelivered on the order line and set
the order Status to 20 (partly delivered) or 21 (complete). Line ``AmountFC`` is excluding VAT
(``NetPrice`` x ``Quantity``); headers carry the sums (``AmountFCExclVat``, ``AmountFC``).
"""

from __future__ import annotations

import random
from typing import Any

from mapwright.connectors.exact_online.sandbox.errors import ApiError
from mapwright.connectors.exact_online.sandbox.state import Clock, Store, new_guid
from mapwright.connectors.exact_online.sandbox.views import LINES

Row = dict[str, Any]


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
            word = "Ongeldige referentie" if self.language == "nl" else "Invalid reference"
            raise ApiError(500, f"{word}: {label}")
        return found

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
        self, item: str, *, current: float = 0, planned_out: float = 0, warehouse: str | None = None
    ) -> None:
        row = self.item_warehouse(item, warehouse)
        row["CurrentStock"] = float(row.get("CurrentStock") or 0) + current
        row["PlannedStockOut"] = float(row.get("PlannedStockOut") or 0) + planned_out
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
    def _add_line(self, endpoint: str, head: Row, line: Row, number: int) -> None:
        _, table, link = LINES[endpoint]
        key = "EntryID" if endpoint == "salesorder/GoodsDeliveries" else ""
        line["ID"] = str(line.get("ID") or new_guid(self.rng)).lower()
        line[link] = head[key or link]
        line["LineNumber"] = number
        line["Division"] = self.division
        if line.get("Item"):
            item = self.ref("logistics/Items", line["Item"], "Item")
            line["ItemCode"], line["ItemDescription"] = item["Code"], item["Description"]
            line.setdefault("Description", item["Description"])
            line.setdefault("UnitCode", item.get("Unit"))
            line.setdefault("VATCode", item.get("SalesVatCode"))
            if line.get("UnitPrice") is None:
                line["UnitPrice"] = float(item.get("StandardSalesPrice") or 0)
        if endpoint in ("salesorder/SalesOrders", "salesinvoice/SalesInvoices"):
            quantity = float(line.get("Quantity") or 1)
            line["Quantity"] = quantity
            net = float(line["UnitPrice"]) * (1 - float(line.get("Discount") or 0))
            line["NetPrice"] = round(net, 2)
            line["AmountFC"] = round(net * quantity, 2)
            vat = self._vat(line.get("VATCode"))
            line["VATPercentage"] = vat
            amount_vat = round(line["AmountFC"] * vat, 2)
            line["VATAmount" if endpoint == "salesorder/SalesOrders" else "VATAmountFC"] = (
                amount_vat
            )
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
        if endpoint == "salesentry/SalesEntries":
            vat = self._vat(line.get("VATCode"))
            line.setdefault("VATAmountFC", round(float(line["AmountFC"]) * vat, 2))
        self.stamp(line, True)
        self.store.put(table, line["ID"], line)

    def _vat(self, code: Any) -> float:
        for row in self.store.table("vat/VATCodes").values():
            if code is not None and str(row.get("Code")).strip() == str(code).strip():
                return float(row.get("Percentage") or 0)
        return 0.0

    def _deliver(self, head: Row, line: Row) -> None:
        order_line = self.ref(
            "salesorder/SalesOrderLines", line["SalesOrderLineID"], "SalesOrderLineID"
        )
        quantity = float(line["QuantityDelivered"])
        order_line["QuantityDelivered"] = float(order_line.get("QuantityDelivered") or 0) + quantity
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
        key = head[link] if link in head else head.get("EntryID")
        lines = [r for r in self.store.table(table).values() if r.get(link) == key]
        if endpoint == "salesorder/GoodsDeliveries":
            return
        excl = round(sum(float(r.get("AmountFC") or 0) for r in lines), 2)
        vat = round(sum(float(r.get("VATAmount") or r.get("VATAmountFC") or 0) for r in lines), 2)
        if endpoint == "salesentry/SalesEntries":
            head.update(
                AmountFC=round(excl + vat, 2),
                AmountDC=round(excl + vat, 2),
                VATAmountFC=vat,
                VATAmountDC=vat,
            )
        else:
            head.update(
                AmountFCExclVat=excl, AmountFC=round(excl + vat, 2), AmountDC=round(excl + vat, 2)
            )
            if endpoint == "salesinvoice/SalesInvoices":
                head.update(VATAmountFC=vat, VATAmountDC=vat)
        self.store.put(endpoint, str(key), head)
