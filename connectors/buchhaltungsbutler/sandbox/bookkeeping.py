"""Sandbox handlers for postings (``/postings/get``, ``/postings/add/*``) and comments.

Postings use BB's symbolic VAT codes (a percentage is 400/19 ``invalid vat specified``).
Posting a receipt books each line between the receipt's debtor/creditor and the given
posting account (outbound: debtor in debit; inbound: creditor in credit; credit notes the
other way round). Codes other than 19 are the sandbox's choice; ``/postings/add/*`` answer
``{success, message}`` only (the real answer fields are not in the reference notes).
"""

from __future__ import annotations

from typing import Any

from mapwright.connectors.buchhaltungsbutler.sandbox import validate as v
from mapwright.connectors.buchhaltungsbutler.sandbox.context import Context
from mapwright.connectors.buchhaltungsbutler.sandbox.seed import TAX_KEYS
from mapwright.connectors.buchhaltungsbutler.sandbox.validate import BBError, invalid

VAT_CODES = frozenset(
    [
        "0_none",
        "19_vat",
        "7_vat",
        "19_pre",
        "7_pre",
        "19_both_1",
        "19_both_506",
        "19_both_6506",
        "19_both_511",
        "19_both_6511",
        "19_both_6501",
        "19_both_1_no_pre",
        "19_both_2",
        "7_both",
        "19_both_2_no_pre",
        "7_both_no_pre",
        "19_pre_app",
        "7_pre_app",
        "19_both_app_1",
        "19_both_app_506",
        "19_both_app_511",
        "19_both_app_2",
        "7_both_app",
    ]
)
ORDERS = (
    "default",
    "date ASC",
    "date DESC",
    "date_last_action ASC",
    "date_last_action DESC",
    "id_by_customer ASC",
    "id_by_customer DESC",
)
STATUSES = ("unconfirmed", "confirmed", "fixed")


def posting_item(p: dict[str, Any]) -> dict[str, Any]:
    """A posting as ``/postings/get`` shows it."""
    return {
        "id_by_customer": str(p["id"]),
        "date": p["date"],
        "date_delivery": p["date_delivery"],
        "date_vat_effective": p["date_vat_effective"],
        "postingtext": p["postingtext"],
        "amount": p["amount"],
        "currency": p["currency"],
        "vat": p["vat"],
        "credit_type": None,
        "debit_postingaccount_number": p["debit_postingaccount_number"],
        "credit_postingaccount_number": p["credit_postingaccount_number"],
        "tax_key": TAX_KEYS.get(p["vat"]),
        "booking_number": str(p["id"]),
        "cost_location": p["cost_location"],
        "cost_location_two": p["cost_location_two"],
        "transaction_amount": None,
        "transaction_purpose": None,
        "fixed": "1" if p["status"] == "fixed" else "0",
        "comment": p["comment"],
        "receipt_id_by_customer": str(p["receipt_id_by_customer"])
        if p["receipt_id_by_customer"]
        else None,
        "transaction_id_by_customer": None,
    }


def get_postings(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    date_from = v.date(body, "date_from", 5, required=True)
    date_to = v.date(body, "date_to", 6, required=True)
    action_from = v.datetime(body, "date_last_action_from", 7)
    action_to = v.datetime(body, "date_last_action_to", 8)
    account = v.text(body, "account", 9)
    postingaccount = v.text(body, "postingaccount", 10)
    status = v.choice(body, "posting_status", 11, STATUSES)
    cost = v.text(body, "cost_location", 12)
    order = v.choice(body, "order", 13, ORDERS) or "default"
    limit, offset = v.paging(body, default=1000, maximum=1000, limit_code=14, offset_code=15)
    assert date_from is not None and date_to is not None
    rows = []
    for p in ctx.store.all("postings"):
        accounts = (p["debit_postingaccount_number"], p["credit_postingaccount_number"])
        if not date_from <= p["date"] <= date_to:
            continue
        if (action_from and p["date_last_action"] < action_from) or (
            action_to and p["date_last_action"] > action_to
        ):
            continue
        if (account and account not in accounts) or (
            postingaccount and postingaccount not in accounts
        ):
            continue
        if (status and p["status"] != status) or (cost and p["cost_location"] != cost):
            continue
        rows.append(p)
    field, _blank, direction = order.partition(" ")
    key = {"default": "id", "id_by_customer": "id"}.get(field, field)
    rows.sort(key=lambda p: p[key], reverse=direction == "DESC")
    page = [posting_item(p) for p in rows[offset : offset + limit]]
    return {"rows": len(page), "data": page}


def _lines(ctx: Context, body: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    arrays = {}
    for name, code in (("postingaccounts", 6), ("postingtexts", 7), ("vats", 8), ("amounts", 9)):
        values = body.get(name)
        if not isinstance(values, list) or not values:
            raise invalid(code, name)
        arrays[name] = values
    if len({len(values) for values in arrays.values()}) != 1:
        raise invalid(6, "postingaccounts")
    lines = []
    for account, text, vat, amount in zip(*arrays.values(), strict=True):
        if ctx.store.get("postingaccounts", account) is None:
            raise invalid(6, "postingaccounts")
        if vat not in VAT_CODES:
            raise invalid(19, "vat")
        value = v.amount({"amount": amount}, "amount", 9, required=True)
        assert value is not None
        lines.append((str(account), str(text), str(vat), v.money(value)))
    return lines


def add_receipt_postings(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    number = v.integer(body, "receipt_id_by_customer", 5, required=True, strict=True)
    receipt = ctx.store.get("receipts", number)
    if receipt is None:
        raise invalid(5, "receipt_id_by_customer")
    lines = _lines(ctx, body)
    outbound = receipt["type"].endswith("outbound")
    party_field = "debtor" if outbound else "creditor"
    party = v.integer(body, party_field, 16, strict=True) or receipt["creditor_debtor"]
    if party is None:
        party = 10000 if outbound else 70000
    stamp = ctx.stamp()
    for account, text, vat, amount in lines:
        debit, credit = (str(party), account) if outbound else (account, str(party))
        if receipt["type"].startswith("credit"):
            debit, credit = credit, debit
        posting_id = ctx.store.next_id("postings", len(ctx.store.all("postings")) + 1)
        ctx.store.put(
            "postings",
            posting_id,
            _posting(posting_id, receipt["date"], text, amount, vat, debit, credit, number, stamp),
        )
    receipt["modified"] = stamp
    ctx.store.put("receipts", receipt["id"], receipt)
    return {}


def add_free_posting(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    day = v.date(body, "date", 5, required=True)
    text = v.text(body, "postingtext", 6, required=True)
    value = v.amount(body, "amount", 7, required=True)
    debit = v.integer(body, "postingaccount_debit", 8, required=True, strict=True)
    credit = v.integer(body, "postingaccount_credit", 9, required=True, strict=True)
    vat = body.get("vat")
    if vat not in VAT_CODES:
        raise invalid(19, "vat")
    for number, code in ((debit, 8), (credit, 9)):
        known = any(ctx.store.get(t, number) for t in ("postingaccounts", "debtors", "creditors"))
        if not known:
            raise invalid(code, "postingaccount_debit" if code == 8 else "postingaccount_credit")
    assert value is not None and day is not None and text is not None
    posting_id = ctx.store.next_id("postings", len(ctx.store.all("postings")) + 1)
    ctx.store.put(
        "postings",
        posting_id,
        _posting(
            posting_id,
            day,
            text,
            v.money(value),
            str(vat),
            str(debit),
            str(credit),
            None,
            ctx.stamp(),
        ),
    )
    return {}


def _posting(
    number: int,
    day: str,
    text: str,
    amount: str,
    vat: str,
    debit: str,
    credit: str,
    receipt: int | None,
    stamp: str,
) -> dict[str, Any]:
    return {
        "id": number,
        "date": day,
        "date_delivery": day,
        "date_vat_effective": day,
        "postingtext": text,
        "amount": amount,
        "currency": "EUR",
        "vat": vat,
        "debit_postingaccount_number": debit,
        "credit_postingaccount_number": credit,
        "receipt_id_by_customer": receipt,
        "status": "unconfirmed",
        "cost_location": None,
        "cost_location_two": None,
        "comment": None,
        "date_last_action": stamp,
    }


def add_comment(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    """A comment on exactly one receipt or transaction (codes 5-10 as in BB's spec)."""
    text = v.text(body, "comment_text", 12, required=True, max_len=10_000)
    transaction = body.get("transaction_id_by_customer") is not None
    receipt = body.get("receipt_id_by_customer") is not None
    if transaction and receipt:
        raise BBError(
            400, 7, "only transaction_id_by_customer or receipt_id_by_customer should be specified"
        )
    if not (transaction or receipt):
        raise BBError(
            400,
            8,
            "either transaction_id_by_customer or receipt_id_by_customer should be specified",
        )
    if transaction:
        number = v.integer(body, "transaction_id_by_customer", 5, strict=True, minimum=1)
        if ctx.store.get("transactions", number) is None:
            raise BBError(400, 9, "transaction was not found")
    else:
        number = v.integer(body, "receipt_id_by_customer", 6, strict=True, minimum=1)
        if ctx.store.get("receipts", number) is None:
            raise BBError(400, 10, "receipt was not found")
    key = "transaction_id_by_customer" if transaction else "receipt_id_by_customer"
    comment_id = ctx.store.next_id("comments")
    ctx.store.put(
        "comments", comment_id, {key: number, "comment_text": text, "created": ctx.stamp()}
    )
    return {}
