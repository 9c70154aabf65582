"""The ``orders`` reconciler: BuchhaltungsButler outbound receipts against Exact documents.

Source side: every outbound receipt dated in the period that the flow would send, by the
flow's ``payment_status`` setting (paid = ``amount_paid`` covers ``amount``, as in
``orders.map``). Gross is the receipt's ``amount``. Net and VAT are what BuchhaltungsButler
booked: for a booked receipt its postings (each posting's gross split at its VAT code's
rate, rounded per posting as the books do; a single rate over the whole receipt can differ by
a cent), else the rate of the receipt detail (``/receipts/get/<id>``: ``vat``). A receipt with
neither (mixed rates, not booked) is compared by gross only. Net is rounded to the cent and
VAT is gross minus net, so the parts add up to the gross. Credit notes (``credit outbound``,
or a negative amount) count negative: Exact keeps them with negative amounts.

Target side: the Exact documents of the flow's ``document`` setting whose ``YourRef`` is the
receipt's invoice number: sales invoices (``AmountFC`` gross, ``AmountFCExclVat`` net,
``VATAmountFC`` VAT), sales orders (``AmountFC``, ``AmountFCExclVat``; VAT = the difference:
orders have no header VAT field) or sales entries (``AmountFC`` gross incl. VAT,
``VATAmountFC``; net = the difference).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from mapwright.engine.reconcile import (
    MISSING,
    PARKED,
    Amounts,
    DocumentLine,
    ReconcileContext,
    ReconcileError,
    Reconciliation,
    TargetDocument,
    compare,
    money,
    net_of,
    register,
)

SOURCE = ("buchhaltungsbutler", "receipts")
TARGET = "exact_online"


@dataclass(frozen=True)
class Document:
    """Where an Exact document keeps its id, number and money."""

    object: str
    id: str
    number: str
    gross: str
    net: str | None
    vat: str | None

    def amounts(self, record: dict[str, Any]) -> Amounts:
        gross = money(record.get(self.gross))
        net = money(record.get(self.net)) if self.net else None
        vat = money(record.get(self.vat)) if self.vat else None
        if net is None and gross is not None and vat is not None:
            net = gross - vat
        if vat is None and gross is not None and net is not None:
            vat = gross - net
        return Amounts(gross, net, vat)


DOCUMENTS = {
    "sales_invoice": Document(
        "sales_invoices", "InvoiceID", "InvoiceNumber", "AmountFC", "AmountFCExclVat", "VATAmountFC"
    ),
    "sales_order": Document(
        "sales_orders", "OrderID", "OrderNumber", "AmountFC", "AmountFCExclVat", None
    ),
    "sales_entry": Document(
        "sales_entries", "EntryID", "EntryNumber", "AmountFC", None, "VATAmountFC"
    ),
}


def is_paid(receipt: dict[str, Any]) -> bool:
    """Paid as ``orders.map`` decides it: the paid amount covers a non-zero amount."""
    amount, paid = money(receipt.get("amount")), money(receipt.get("amount_paid") or "0")
    return amount is not None and amount != 0 and paid is not None and abs(paid) >= abs(amount)


def selected(receipt: dict[str, Any], payment_status: str) -> bool:
    if payment_status == "all":
        return True
    return is_paid(receipt) == (payment_status == "paid")


def rate_of(code: Any) -> Decimal | None:
    """The percentage of a BB rate (``"19.00"``) or posting VAT code (``"19_vat"``)."""
    found = re.match(r"^\s*([0-9]+(?:\.[0-9]+)?)", str(code if code is not None else ""))
    return Decimal(found.group(1)) if found else None


def from_postings(gross: Decimal, postings: list[dict[str, Any]]) -> Amounts | None:
    """Net and VAT as booked: each posting's gross split at its VAT code's rate. ``None``
    when the postings do not add up to the receipt's gross or name no rate."""
    net, total = Decimal("0.00"), Decimal("0.00")
    for posting in postings:
        rate, amount = rate_of(posting.get("vat")), money(posting.get("amount"))
        if rate is None or amount is None:
            return None
        total += abs(amount)
        net += net_of(abs(amount), rate)
    if not postings or total != gross:
        return None
    return Amounts(gross, net, gross - net)


def from_rate(gross: Decimal, detail: dict[str, Any] | None) -> Amounts | None:
    """Net and VAT from the receipt's single rate (detail ``vat``); ``None`` when mixed."""
    vat = (detail or {}).get("vat")
    rate = rate_of(vat) if vat not in (None, "") else None
    if rate is None:
        return None
    net = net_of(gross, rate)
    return Amounts(gross, net, gross - net)


def signed(amounts: Amounts, credit: bool) -> Amounts:
    if not credit:
        return amounts
    return Amounts(
        *(
            -value if value is not None else None
            for value in (amounts.gross, amounts.net, amounts.vat)
        )
    )


@register("orders")
async def reconcile_orders(ctx: ReconcileContext) -> Reconciliation:
    script, settings = ctx.script, ctx.settings
    if tuple(script.source or ()) != SOURCE or script.target != TARGET:
        raise ReconcileError(
            f"flow '{ctx.flow.name}' does not read buchhaltungsbutler.receipts into "
            "exact_online, so the orders reconciler cannot compare it; reconcile a flow "
            "with that source and target"
        )
    document = DOCUMENTS.get(str(settings.get("document")))
    if document is None:
        raise ReconcileError(
            f"flow '{ctx.flow.name}': setting document = {settings.get('document')!r} is not "
            f"one of {', '.join(DOCUMENTS)}"
        )
    status = str(settings.get("payment_status", "paid"))
    bb, exact = ctx.connectors[SOURCE[0]], ctx.connectors[TARGET]

    filters = dict(script.source_params(settings))
    if ctx.date_from:
        filters["date_from"] = ctx.date_from.isoformat()
    if ctx.date_to:
        filters["date_to"] = ctx.date_to.isoformat()
    receipts: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = await ctx.read(partial(bb.list, SOURCE[1], cursor=cursor, filters=filters))
        receipts += [r for r in page.records if ctx.in_period(r.get("date"))]
        if not page.has_more or not page.records:
            break
        cursor = page.cursor

    result = Reconciliation(
        ctx.flow.name,
        ctx.tenant,
        ctx.date_from,
        ctx.date_to,
        f"buchhaltungsbutler.receipts ({filters.get('list_direction', 'outbound')}, "
        f"payment_status = {status})",
        f"exact_online.{document.object} (YourRef = invoice number)",
    )
    echoes = ctx.echoes(".".join(SOURCE), (str(r.get("id_by_customer")) for r in receipts))
    chosen = []
    for receipt in receipts:
        echo = echoes.get(str(receipt.get("id_by_customer")))
        if echo is not None:
            result.skip(echo)
        elif selected(receipt, status):
            chosen.append(receipt)
        else:
            result.skip(f"payment state is not {status} (setting payment_status = {status})")
    chosen.sort(key=lambda r: (str(r.get("date") or ""), str(r.get("invoicenumber") or "")))
    ids = [str(r.get("id_by_customer")) for r in chosen]
    postings: dict[Any, list[dict[str, Any]]] = {}
    if ids:
        postings = await ctx.read(lambda: bb.find("postings", "receipt_id_by_customer", ids))
    split: dict[str, Amounts | None] = {}
    for receipt, rid in zip(chosen, ids, strict=True):
        gross = abs(money(receipt.get("amount")) or Decimal("0.00"))
        split[rid] = from_postings(gross, postings.get(rid, []))
        if split[rid] is None:
            detail = await ctx.read(partial(bb.get, SOURCE[1], rid))
            split[rid] = from_rate(gross, detail)
    refs = sorted({str(r["invoicenumber"]) for r in chosen if r.get("invoicenumber")})
    found = await ctx.read(lambda: exact.find(document.object, "YourRef", refs)) if refs else {}
    logs = ctx.logs(ids)

    seen: dict[str, str] = {}
    for receipt, rid in zip(chosen, ids, strict=True):
        ref = str(receipt.get("invoicenumber") or "")
        amount = money(receipt.get("amount"))
        # as orders.map decides it: a credit type, or a negative amount (a reversal)
        credit = str(receipt.get("type", "")).startswith("credit") or (amount or 0) < 0
        amounts = split[rid] or Amounts(abs(amount) if amount is not None else None)
        line = DocumentLine(
            ref,
            rid,
            "credit" if credit else "invoice",
            receipt.get("date"),
            receipt.get("counterparty"),
            signed(amounts, credit),
            log=logs.get(rid),
        )
        result.lines.append(line)
        if ref in seen or not ref:
            line.status = MISSING
            line.note = (
                f"BuchhaltungsButler has another receipt ({seen[ref]}) with invoice number "
                f"{ref}; Exact documents are found by YourRef, so only one of them can be sent"
                if ref
                else "the receipt has no invoice number, so no Exact document can carry it"
            )
            continue
        seen[ref] = rid
        line.targets = [
            TargetDocument(
                str(doc.get(document.id)),
                None if doc.get(document.number) is None else str(doc.get(document.number)),
                document.amounts(doc),
            )
            for doc in found.get(ref, [])
        ]
        line.targets.sort(key=lambda doc: (len(doc.number or ""), doc.number or "", doc.id))
        compare(line)
        if line.status == MISSING:
            _explain_missing(line)
        elif line.source.net is None:
            line.note = (
                "BuchhaltungsButler has no single VAT rate and no postings that add up to the "
                "amount for this receipt: only the gross is compared"
            )
    return result


def _explain_missing(line: DocumentLine) -> None:
    log = line.log
    if log is None:
        line.note = "no run of the flow has processed this receipt yet"
    elif log.outcome in ("parked", "failed") and log.parked_state == "open":
        line.status = PARKED
        line.note = log.reason
    elif log.outcome == "skipped":
        line.note = f"the last run skipped it: {log.reason}"
    else:
        line.note = f"the last run's outcome was {log.outcome}, but Exact has no such document"
