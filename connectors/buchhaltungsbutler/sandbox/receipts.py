"""Sandbox handlers for receipts (``/receipts/*``) and invoices (``/invoices/create*``).

Error codes of ``/receipts/get``, ``/receipts/upload`` and ``/invoices/create`` follow the
reference notes; the codes of ``/receipts/add`` field checks are not documented there and are
the sandbox's choice (listed in the docs page). Invoice numbers BB generates are unique; an
explicit duplicate ``invoicenumber`` is refused with 400/22 (assumption, switchable with
``unique_invoice_numbers``). Receipts themselves have no uniqueness rule: sending the same
receipt twice creates two (reference notes §5).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Any

from mapwright.connectors.buchhaltungsbutler.sandbox import validate as v
from mapwright.connectors.buchhaltungsbutler.sandbox.context import Context
from mapwright.connectors.buchhaltungsbutler.sandbox.validate import BBError, invalid

TYPES = ("invoice inbound", "invoice outbound", "credit inbound", "credit outbound")
ORDER_FIELDS = {
    "date": "date",
    "amount": "amount",
    "invoicenumber": "invoicenumber",
    "invoicingparty": "counterparty",
}
PDF = b"%PDF-1.4\n% mapwright sandbox receipt\n%%EOF\n"


def is_paid(receipt: dict[str, Any]) -> bool:
    """Paid: assigned payments cover the receipt's (absolute) amount."""
    if not receipt["payment_date"] or not receipt["amount"]:
        return False
    return Decimal(receipt["amount_paid"]) >= abs(Decimal(receipt["amount"]))


def list_item(r: dict[str, Any]) -> dict[str, Any]:
    """A receipt as ``/receipts/get`` shows it (strings, ``"0"``/``"1"`` flags)."""
    return {
        "filename": r["filename"],
        "id_by_customer": str(r["id"]),
        "type": r["type"],
        "date": r["date"],
        "delivery_date": r["date_delivery"],
        "date_uploaded": r["date_uploaded"],
        "counterparty": r["counterparty"],
        "invoicenumber": r["invoicenumber"],
        "amount": r["amount"],
        "payment_date": r["payment_date"],
        "due_date": r["date_payment_due"],
        "account": r["account"],
        "amount_paid": r["amount_paid"],
        "amount_paid_fixed": r["amount_paid"],
        "deleted": "1" if r["deleted"] else "0",
        "link_to_receipt_id_by_customer": str(r["link"]) if r["link"] else None,
    }


def _direction(r: dict[str, Any]) -> str:
    """``inbound``/``outbound`` from the type; offers (type ``offer``) are outbound."""
    return "outbound" if r["offer"] else r["type"].split()[-1]


def detail(r: dict[str, Any]) -> dict[str, Any]:
    """A receipt as ``/receipts/get/<id>`` shows it (detail names for the dates)."""
    item = list_item(r)
    del item["delivery_date"], item["due_date"]
    item.update(
        amount_original=r["amount"],
        currency=r["currency"],
        currency_original=r["currency"],
        exchangerate="1.0000",
        vat=r["vat_rate"],
        e_invoice_type="0",
        list_direction=_direction(r),
        payment_reference=r["payment_reference"],
        date_delivery=r["date_delivery"],
        date_payment_due=r["date_payment_due"],
    )
    return item


def get_receipts(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    direction = v.choice(body, "list_direction", 5, ("inbound", "outbound"), required=True)
    status = v.choice(body, "payment_status", 6, ("paid", "unpaid"))
    date_from = v.date(body, "date_from", 7)
    date_to = v.date(body, "date_to", 8)
    counterparty = v.text(body, "counterparty", 9)
    limit, offset = v.paging(body, default=500, maximum=500, limit_code=10, offset_code=12)
    offers = v.boolean(body, "include_offers", 13)
    deleted = v.boolean(body, "deleted", 14)
    order = _order(body.get("order"))
    number = v.text(body, "invoicenumber", 17)
    due = v.date(body, "due_date", 18)
    since = v.datetime(body, "date_since_last_modified", 19)
    rows = []
    for r in sorted(ctx.store.all("receipts"), key=lambda r: r["id"]):
        if _direction(r) != direction or r["deleted"] != bool(deleted):
            continue
        if r["offer"] and not offers:
            continue
        if status and is_paid(r) != (status == "paid"):
            continue
        if (date_from and r["date"] < date_from) or (date_to and r["date"] > date_to):
            continue
        if counterparty and counterparty.casefold() not in (r["counterparty"] or "").casefold():
            continue
        if (number and r["invoicenumber"] != number) or (due and r["date_payment_due"] != due):
            continue
        if since and r["modified"] <= since:  # "later than" the given time
            continue
        rows.append(r)
    for field, direction_ in reversed(order):
        rows.sort(key=lambda r: _sort_value(r, field), reverse=direction_ == "DESC")
    page = [list_item(r) for r in rows[offset : offset + limit]]
    return {"rows": len(page), "data": page}


def _order(raw: Any) -> list[tuple[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, dict) or not raw:
        raise invalid(15, "field")
    order = []
    for name, value in raw.items():
        if name not in ORDER_FIELDS:
            raise invalid(15, "field")
        if str(value).upper() not in ("ASC", "DESC"):
            raise invalid(16, "sort value")
        order.append((ORDER_FIELDS[name], str(value).upper()))
    return order


def _sort_value(r: dict[str, Any], field: str) -> Any:
    if field == "amount":
        return Decimal(r["amount"] or 0)
    return r[field] or ""


def get_receipt(ctx: Context, body: dict[str, Any], id: int | None) -> dict[str, Any]:
    receipt = ctx.store.get("receipts", id)
    if receipt is None:
        raise invalid(5, "id_by_customer")
    data = detail(receipt)
    if v.boolean(body, "get_file", 6):
        data["file_content"] = base64.b64encode(PDF).decode()
        data["file_type"] = "pdf"
    return {"data": data}


def check_receipt(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    """Validate a ``/receipts/add`` (or batch item) body into a stored receipt (no id yet).

    Error codes and messages are BB's (spec, per the research dossier); numbers and ids must
    be JSON numbers (``"119.00"`` is ``invalid amount specified``).
    """
    kind = v.choice(body, "type", 8, TYPES, required=True)
    counterparty = v.text(body, "counterparty", 17, required=True)
    number = body.get("invoice_number")
    if number is None or not isinstance(number, (str, int)) or len(str(number)) > 60:
        raise invalid(18, "invoice number")
    day = v.date(body, "date", 19, required=True)
    gross = v.number(body, "amount", 20, required=True)
    if gross is None or gross == 0:
        raise invalid(20, "amount")
    currency = v.text(body, "currency", 21, required=True)
    if currency not in v.CURRENCIES:
        raise invalid(21, "currency")
    rate = None
    if body.get("vat_rate") != "":  # "" = none or several rates (spec)
        rate = v.number(body, "vat_rate", 22, label="vat rate")
        if rate is not None and not 0 <= rate <= 100:
            raise invalid(22, "vat rate")
    account = v.integer(body, "account", 9, strict=True, minimum=1)
    if account is not None and ctx.store.get("accounts", account) is None:
        raise BBError(400, 10, "account specified does not exist for the customer")
    party = _party(ctx, body, str(kind))
    reference = v.text(body, "payment_reference", 34, label="payment reference")
    delivery = v.date(body, "date_delivery", 35, label="date delivery")
    if delivery and day and delivery > day:
        raise invalid(35, "date delivery")
    due = v.date(body, "date_payment_due", 36)
    link = v.integer(body, "link_to_receipt_id_by_customer", 37, strict=True, minimum=1)
    if link is not None and ctx.store.get("receipts", link) is None:
        raise invalid(37, "link_to_receipt_id_by_customer")
    return new_receipt(
        ctx,
        type=kind,
        counterparty=counterparty,
        invoicenumber=str(number),
        date=day,
        amount=v.money(gross),
        currency=currency,
        vat_rate=v.money(rate) if rate is not None else None,
        account=str(account) if account is not None else None,
        creditor_debtor=party,
        payment_reference=reference,
        date_delivery=delivery,
        date_payment_due=due,
        link=link,
    )


def _party(ctx: Context, body: dict[str, Any], kind: str) -> int | None:
    """``creditor_debtor``: a debtor for outbound, a creditor for inbound receipts."""
    party = v.integer(body, "creditor_debtor", 24, strict=True, minimum=1, label="creditor/debtor")
    if party is None:
        return None
    debtor, creditor = ctx.store.get("debtors", party), ctx.store.get("creditors", party)
    if not (debtor or creditor):
        raise BBError(400, 25, "creditor/debtor specified does not exist for the customer")
    if creditor and kind.endswith("outbound"):
        raise BBError(
            400, 26, f"a receipt of type '{kind}' cannot be assigned to a creditor account"
        )
    if debtor and kind.endswith("inbound"):
        raise BBError(400, 28, f"a receipt of type '{kind}' cannot be assigned to a debtor account")
    return party


def new_receipt(ctx: Context, **fields: Any) -> dict[str, Any]:
    stamp = ctx.stamp()
    receipt: dict[str, Any] = {
        "id": None,
        "currency": "EUR",
        "vat_rate": None,
        "account": None,
        "creditor_debtor": None,
        "payment_reference": None,
        "date_delivery": None,
        "date_payment_due": None,
        "payment_date": None,
        "amount_paid": "0.00",
        "deleted": False,
        "link": None,
        "offer": False,
        "filename": None,
        "date_uploaded": stamp,
        "modified": stamp,
    }
    receipt.update(fields)
    return receipt


def save_receipt(ctx: Context, receipt: dict[str, Any]) -> str:
    receipt["id"] = ctx.store.next_id("receipts")
    receipt["filename"] = receipt["filename"] or f"beleg-{receipt['id']}.pdf"
    ctx.store.put("receipts", receipt["id"], receipt)
    return str(receipt["id"])


def add_receipt(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    return {"id_by_customer": save_receipt(ctx, check_receipt(ctx, body))}


def add_receipt_batch(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    items = body.get("receipts")
    if not isinstance(items, list) or not items:
        raise BBError(400, 6, "No receipts found")
    if len(items) > 50:
        raise BBError(400, 5, "Number of receipts exceeded")
    done, errors = [], []
    for item in items:
        try:
            if not isinstance(item, dict):
                raise invalid(8, "type")
            done.append(
                {
                    "success": True,
                    "id_by_customer": save_receipt(ctx, check_receipt(ctx, item)),
                    "message": "",
                }
            )
        except BBError as exc:
            errors.append(
                {
                    "success": False,
                    "error_code": exc.code,
                    "message": exc.message,
                    "request_data": item,
                }
            )
    return {"receipts": done, "errors": errors}


def upload_receipt(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    raw = v.text(body, "file", 5, required=True, max_len=50_000_000)
    kind = v.choice(body, "type", 6, TYPES, required=True)
    try:
        content = base64.b64decode(str(raw), validate=True)
    except (binascii.Error, ValueError):
        raise BBError(422, 31, "receipt could not be processed") from None
    if not content:
        raise BBError(422, 31, "receipt could not be processed")
    quota = ctx.settings.upload_quota
    if quota is not None and len(ctx.store.all("receipts")) >= quota:
        raise BBError(403, 12, "customer has reached the upload limit")
    currency = v.text(body, "currency", 13)
    if currency not in (None, "EUR"):
        raise invalid(13, "currency")
    gross = v.number(body, "amount", 9)
    name = v.text(body, "file_name", 7) or "upload.pdf"
    receipt = new_receipt(
        ctx,
        type=kind,
        counterparty=v.text(body, "counterparty", 8),
        invoicenumber=v.text(body, "invoice_number", 10, max_len=60) or "",
        date=v.date(body, "date", 11) or ctx.now().date().isoformat(),
        amount=v.money(gross) if gross is not None else None,
        filename=name,
    )
    number = save_receipt(ctx, receipt)
    return {"id_by_customer": number, "filename": name}


def set_deleted(flag: bool) -> Any:
    def handler(ctx: Context, body: dict[str, Any], id: int | None) -> dict[str, Any]:
        receipt = ctx.store.get("receipts", id)
        if receipt is None:
            raise invalid(5, "id_by_customer")
        receipt.update(deleted=flag, modified=ctx.stamp())
        ctx.store.put("receipts", id, receipt)
        return {}

    return handler


def create_invoice(draft: bool) -> Any:
    def handler(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
        invoice = check_invoice(ctx, body, draft)
        if draft:
            ctx.store.put("drafts", ctx.store.next_id("drafts"), invoice)
            return {}
        number = invoice["invoicenumber"] or f"RE-{ctx.store.next_id('invoicenumber', 1001)}"
        name = f"Rechnung_{number}.pdf"
        receipt = new_receipt(
            ctx,
            type={"invoice": "invoice outbound", "credit": "credit outbound"}.get(
                invoice["type"], "offer"
            ),
            offer=invoice["type"] == "offer",
            counterparty=invoice["company_name"],
            invoicenumber=number,
            date=invoice["date"],
            amount=invoice["amount"],
            vat_rate=invoice["vat_rate"],
            date_delivery=invoice["date_of_supply"],
            date_payment_due=invoice["due"],
            payment_reference=invoice["payment_reference"],
            filename=name,
        )
        return {
            "id_by_customer": save_receipt(ctx, receipt),
            "invoicenumber": number,
            "file_name": name,
        }

    return handler


ITEM_CODES = {
    "item_name": 32,
    "item_amount": 34,
    "item_unit": 35,
    "item_vat": 39,
    "item_single_price": 37,
}


def check_invoice(ctx: Context, body: dict[str, Any], draft: bool) -> dict[str, Any]:
    kind = v.choice(body, "type", 5, ("invoice", "credit", "offer"), required=True)
    prices = v.choice(body, "show_prices_type", 7, ("net", "gross"), required=True)
    company = v.text(body, "company_name", 13, required=True)
    v.country(body, "country", 20)
    day = v.date(body, "date", 21, required=True)
    number = None if draft else v.text(body, "invoicenumber", 22, max_len=60)
    if (
        number
        and ctx.settings.unique_invoice_numbers
        and any(
            r["invoicenumber"] == number and r["type"].endswith("outbound")
            for r in ctx.store.all("receipts")
        )
    ):
        raise invalid(22, "invoicenumber")
    v.email(body, "email", 25)
    due_days = None if draft else v.integer(body, "due_days", 43)
    v.choice(body, "language", 44, ("de_DE", "en_US"))
    names = body.get("item_name")
    if not isinstance(names, list) or not names:
        raise BBError(400, 6, "no items specified")
    total = Decimal(0)
    rates = set()
    for index in range(len(names)):
        line = {}
        for field, code in ITEM_CODES.items():
            values = body.get(field)
            if not isinstance(values, list) or len(values) != len(names):
                raise invalid(code, field)
            line[field] = values[index]
        v.text(line, "item_name", 32, required=True)
        v.text(line, "item_unit", 35, required=True)
        quantity = v.amount(line, "item_amount", 34, required=True)
        price = v.amount(line, "item_single_price", 37, required=True)
        rate = v.amount(line, "item_vat", 39, required=True)
        assert quantity is not None and price is not None and rate is not None
        if not 0 <= rate <= 100:
            raise invalid(39, "item_vat")
        rates.add(rate)
        line_total = quantity * price
        total += line_total * (1 + rate / 100) if prices == "net" else line_total
    supply = v.date(body, "date_of_supply", 30)
    assert day is not None
    due = (
        (dt.date.fromisoformat(day) + dt.timedelta(days=due_days)).isoformat() if due_days else None
    )
    return {
        "type": kind,
        "company_name": company,
        "date": day,
        "invoicenumber": number,
        "amount": v.money(total),
        "vat_rate": v.money(rates.pop()) if len(rates) == 1 else None,
        "date_of_supply": supply if supply and supply <= day else None,
        "due": due,
        "payment_reference": None if draft else v.text(body, "payment_reference", 45),
        "body": {k: val for k, val in body.items() if k != "api_key"},
    }
