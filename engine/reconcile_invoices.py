"""The ``invoices`` reconciler: Exact sales invoices against BuchhaltungsButler receipts.

Source side: every Exact sales invoice dated (``InvoiceDate``) in the period that the flow
would send: with an amount, processed (Status 50) when the flow's ``only_final`` is on, and
not created by mapwright itself (invoices the ``orders`` flow made from BB receipts are never
sent back). Gross ``AmountFC``, net ``AmountFCExclVat``, VAT ``VATAmountFC``; credit notes
carry negative amounts in Exact.

Target side: the outbound BB receipts whose ``invoicenumber`` is the invoice's number. The
flow sends BB only the gross amount (no VAT rate, no postings), so net and VAT are compared
only where BB knows them (booked postings or a single rate); a ``credit outbound`` receipt
counts negative.
"""

from __future__ import annotations

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
    register,
)
from mapwright.engine.reconcile_orders import DOCUMENTS, from_postings, signed

SOURCE = ("exact_online", "sales_invoices")
TARGET = "buchhaltungsbutler"
INVOICE = DOCUMENTS["sales_invoice"]


def receipt_amounts(receipt: dict[str, Any], postings: list[dict[str, Any]]) -> Amounts:
    """A BB receipt's amounts as BB keeps them, signed (credit notes negative)."""
    gross = money(receipt.get("amount"))
    if gross is None:
        return Amounts(None)
    credit = str(receipt.get("type", "")).startswith("credit") or gross < 0
    booked = from_postings(abs(gross), postings)
    return signed(booked or Amounts(abs(gross)), credit)


@register("invoices")
async def reconcile_invoices(ctx: ReconcileContext) -> Reconciliation:
    script, settings = ctx.script, ctx.settings
    if tuple(script.source or ()) != SOURCE or script.target != TARGET:
        raise ReconcileError(
            f"flow '{ctx.flow.name}' does not read exact_online.sales_invoices into "
            "buchhaltungsbutler, so the invoices reconciler cannot compare it"
        )
    exact, bb = ctx.connectors[SOURCE[0]], ctx.connectors[TARGET]
    invoices: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = await ctx.read(partial(exact.list, SOURCE[1], cursor=cursor))
        invoices += [i for i in page.records if ctx.in_period(i.get("InvoiceDate"))]
        if not page.has_more or not page.records:
            break
        cursor = page.cursor

    only_final = bool(settings.get("only_final"))
    result = Reconciliation(
        ctx.flow.name,
        ctx.tenant,
        ctx.date_from,
        ctx.date_to,
        f"exact_online.sales_invoices (only_final = {str(only_final).lower()})",
        "buchhaltungsbutler.receipts (outbound, invoicenumber = InvoiceNumber)",
    )
    echoes = ctx.echoes(".".join(SOURCE), (str(i.get(INVOICE.id)) for i in invoices))
    chosen = []
    for invoice in invoices:
        amount = money(
            invoice.get("AmountFC")
            if invoice.get("AmountFC") is not None
            else invoice.get("AmountDC")
        )
        if str(invoice.get(INVOICE.id)) in echoes:
            result.skip(echoes[str(invoice.get(INVOICE.id))])
        elif only_final and invoice.get("Status") != 50:
            result.skip("not processed yet (setting only_final = true)")
        elif not amount:
            result.skip("the invoice has no amount")
        else:
            chosen.append(invoice)
    chosen.sort(key=lambda i: (str(i.get("InvoiceDate") or ""), str(i.get("InvoiceNumber"))))
    numbers = [str(i.get("InvoiceNumber")) for i in chosen if i.get("InvoiceNumber") is not None]
    found: dict[Any, list[dict[str, Any]]] = {}
    if numbers:
        found = await ctx.read(lambda: bb.find("receipts", "invoicenumber", numbers))
    receipts = {
        number: [r for r in rows if str(r.get("type", "")).endswith("outbound")]
        for number, rows in found.items()
    }
    ids = [str(r.get("id_by_customer")) for rows in receipts.values() for r in rows]
    postings: dict[Any, list[dict[str, Any]]] = {}
    if ids:
        postings = await ctx.read(lambda: bb.find("postings", "receipt_id_by_customer", ids))
    logs = ctx.logs(str(i.get(INVOICE.id)) for i in chosen)

    for invoice in chosen:
        source_id, number = str(invoice.get(INVOICE.id)), str(invoice.get("InvoiceNumber"))
        amounts = INVOICE.amounts(invoice)
        line = DocumentLine(
            number,
            source_id,
            "credit" if (amounts.gross or 0) < 0 else "invoice",
            str(invoice.get("InvoiceDate") or "")[:10] or None,
            invoice.get("InvoiceToName") or invoice.get("OrderedByName"),
            amounts,
            log=logs.get(source_id),
        )
        line.targets = [
            TargetDocument(
                str(r.get("id_by_customer")),
                r.get("invoicenumber"),
                receipt_amounts(r, postings.get(str(r.get("id_by_customer")), [])),
            )
            for r in receipts.get(number, [])
        ]
        compare(line)
        if line.status == MISSING:
            log = line.log
            if (
                log is not None
                and log.outcome in ("parked", "failed")
                and log.parked_state == "open"
            ):
                line.status, line.note = PARKED, log.reason
            elif log is None:
                line.note = "no run of the flow has processed this invoice yet"
            else:
                line.note = f"the last run's outcome was {log.outcome}: {log.reason or 'sent'}"
        elif len(line.targets) == 1 and line.targets[0].amounts.net is None:
            line.note = "BuchhaltungsButler keeps only the gross of this receipt: gross compared"
        result.lines.append(line)
    return result
