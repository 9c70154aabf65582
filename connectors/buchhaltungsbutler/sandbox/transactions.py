"""Sandbox handlers for payments: ``/transactions/*`` and ``/receipts/assigned-transactions/get``.

A transaction is a bank or cash movement on a payment account (``+`` money in, ``-`` money out).
Assigning it to a receipt is what makes the receipt paid. Error codes and messages are those of
BB's spec as listed per endpoint in the research dossier (``docs/connectors/buchhaltungsbutler.md``
names the few that are the sandbox's choice). How a payment settles receipts (our model; BB
documents none of it):

- each transaction's absolute amount is shared out over its receipts in the order they were
  assigned: every receipt gets at most its own absolute amount, the last (or only) one the
  rest, so an overpayment shows as ``amount_paid`` above ``amount``;
- a receipt's ``amount_paid`` is the sum of its shares; it is **paid** (``payment_status``
  ``paid``, ``payment_date`` = the latest booking date of its transactions) once that covers its
  absolute amount; ``account`` is the payment account of its latest transaction;
- every assign/unassign sets the last-modified time of the receipts and the transaction it
  touches, so ``date_since_last_modified`` finds them again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mapwright.connectors.buchhaltungsbutler.sandbox import validate as v
from mapwright.connectors.buchhaltungsbutler.sandbox.context import Context
from mapwright.connectors.buchhaltungsbutler.sandbox.validate import BBError, invalid

BATCH_MAX = 50


def list_item(t: dict[str, Any]) -> dict[str, Any]:
    """A transaction as ``/transactions/get`` shows it (the id is a number there)."""
    return {
        "id_by_customer": t["id"],
        "to_from": t["to_from"],
        "amount": t["amount"],
        "booking_date": t["booking_date"],
        "value_date": t["value_date"],
        "purpose": t["purpose"],
    }


def detail(t: dict[str, Any]) -> dict[str, Any]:
    """A transaction as ``/transactions/get/<id>`` shows it."""
    return {
        "id_by_customer": t["id"],
        "account": t["account"],
        "to_from": t["to_from"],
        "booking_date": t["booking_date"],
        "value_date": t["value_date"],
        "amount": t["amount"],
        "currency": t["currency"] or "EUR",
        "account_number": t["account_number"],
        "bank_code": t["bank_code"],
        "bank_name": t["bank_name"],
        "purpose": t["purpose"],
        "type": t["type"],
        "booking_text": t["booking_text"],
    }


def get_transactions(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    date_from = v.date(body, "date_from", 5)
    date_to = v.date(body, "date_to", 6)
    account = v.integer(body, "account", 7, strict=True)
    to_from = v.text(body, "to_from", 8)
    limit, offset = v.paging(body, default=500, maximum=500, limit_code=9, offset_code=10)
    id_from = v.integer(body, "id_by_customer_from", 12, strict=True)
    id_to = v.integer(body, "id_by_customer_to", 13, strict=True)
    since = v.datetime(body, "date_since_last_modified", 14)
    rows = []
    for t in ctx.store.all("transactions"):
        day = t["booking_date"][:10]
        if (id_from is not None and t["id"] <= id_from) or (id_to is not None and t["id"] >= id_to):
            continue
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        if account is not None and t["account"] != str(account):
            continue
        if to_from and to_from.casefold() not in t["to_from"].casefold():
            continue
        if since and t["modified"] <= since:
            continue
        rows.append(t)
    # live: newest first; an id bound sorts by id ascending (spec)
    ascending = id_from is not None or id_to is not None
    rows.sort(key=lambda t: t["id"], reverse=not ascending)
    page = [list_item(t) for t in rows[offset : offset + limit]]
    return {"rows": len(page), "data": page}


def get_transaction(ctx: Context, body: dict[str, Any], id: int | None) -> dict[str, Any]:
    transaction = ctx.store.get("transactions", id)
    if transaction is None:
        raise BBError(400, 6, "transaction not found")
    return {"data": detail(transaction)}


def _optional_text(body: dict[str, Any], name: str, code: int, label: str, empty: bool) -> Any:
    """An optional string field; ``empty``: "" is allowed (purpose, booking_text)."""
    if empty and body.get(name) == "":
        return ""
    return v.text(body, name, code, max_len=1000 if empty else 255, label=label)


def check_transaction(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    """Validate a ``/transactions/add`` body (or batch item) into a stored transaction."""
    if body.get("account") in (None, ""):
        raise BBError(400, 5, "no account specified")
    account = v.integer(body, "account", 6, strict=True, minimum=1)
    if ctx.store.get("accounts", account) is None:
        raise BBError(400, 7, "account specified does not exist for the customer")
    if body.get("to_from") is None:
        raise BBError(400, 8, "no payment recipient or sender (to_from) specified")
    to_from = v.text(body, "to_from", 9, label="payment recipient or sender (to_from)")
    if body.get("amount") is None:
        raise BBError(400, 10, "no amount specified")
    amount = v.number(body, "amount", 13)
    if amount is None or amount == 0 or amount != amount.quantize(Decimal("0.01")):
        raise invalid(13, "amount")
    if body.get("booking_date") is None:
        raise BBError(400, 14, "no booking date specified")
    booked = v.datetime(body, "booking_date", 16, date_only=False, label="booking date")
    valued = v.datetime(body, "value_date", 17, date_only=False, label="value date")
    currency = v.text(body, "currency", 26)
    if currency is not None and currency not in v.CURRENCIES:
        raise invalid(26, "currency")
    return {
        "id": None,
        "account": str(account),
        "to_from": to_from,
        "amount": v.money(amount),
        "currency": currency,
        "booking_date": booked,
        "value_date": valued or booked,
        "account_number": _optional_text(body, "account_number", 18, "account number", False),
        "bank_code": _optional_text(body, "bank_code", 19, "bank code", False),
        "bank_name": _optional_text(body, "bank_name", 20, "bank name", False),
        "purpose": _optional_text(body, "purpose", 21, "purpose", True),
        "type": _optional_text(body, "type", 22, "type", False),
        "booking_text": _optional_text(body, "booking_text", 24, "booking text", True),
        "payment_reference": _optional_text(
            body, "payment_reference", 25, "payment reference", False
        ),
        "modified": ctx.stamp(),
    }


def save_transaction(ctx: Context, transaction: dict[str, Any]) -> int:
    """Store a checked transaction; a matching ``payment_reference`` assigns it at once."""
    transaction["id"] = ctx.store.next_id("transactions")
    ctx.store.put("transactions", transaction["id"], transaction)
    reference = transaction["payment_reference"]
    if reference:
        for receipt in ctx.store.all("receipts"):
            if receipt["payment_reference"] == reference and not receipt["deleted"]:
                assign(ctx, transaction["id"], receipt["id"])
    return int(transaction["id"])


def add_transaction(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    return {"id_by_customer": str(save_transaction(ctx, check_transaction(ctx, body)))}


def add_transaction_batch(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    items = body.get("transactions")
    if not isinstance(items, list) or not items:
        # BB documents no code for a missing array: the sandbox answers "no content"
        raise BBError(400, 23, "no post and files content received or declined")
    if len(items) > BATCH_MAX:
        raise BBError(400, 5, "Number of transactions exceeded")
    done, errors = [], []
    for item in items:
        try:
            if not isinstance(item, dict):
                raise BBError(400, 5, "no account specified")
            number = save_transaction(ctx, check_transaction(ctx, item))
            done.append({"success": True, "message": "", "id_by_customer": str(number)})
        except BBError as exc:
            errors.append(_failure(exc, item))
    return {"transactions": done, "errors": errors}


def _failure(exc: BBError, item: Any) -> dict[str, Any]:
    return {
        "success": False,
        "error_code": exc.code,
        "message": exc.message,
        "request_data": item,
    }


def _ids(
    body: dict[str, Any], codes: tuple[int, int], messages: tuple[str, str]
) -> tuple[int, int]:
    """(transaction id, receipt id) from a body, both declared as integers."""
    found = []
    for name, code, message in zip(
        ("transaction_id_by_customer", "receipt_id_by_customer"), codes, messages, strict=True
    ):
        raw = body.get(name)
        if raw is None or isinstance(raw, bool):
            raise BBError(400, code, message)
        try:
            number = v.integer(body, name, code, strict=True, minimum=1)
        except BBError:
            raise BBError(400, code, message) from None
        assert number is not None
        found.append(number)
    return found[0], found[1]


def _existing(ctx: Context, transaction: int, receipt: int) -> None:
    if ctx.store.get("transactions", transaction) is None:
        raise BBError(400, 8, "transaction not found")
    if ctx.store.get("receipts", receipt) is None:
        raise BBError(400, 9, "receipt not found")


ASSIGN_MESSAGES = ("no transaction_id_by_customer specified", "no receipt_id_by_customer specified")


def assign_receipt(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    transaction, receipt = _ids(body, (6, 7), ASSIGN_MESSAGES)
    _existing(ctx, transaction, receipt)
    assign(ctx, transaction, receipt)
    return {}


def assign_receipt_batch(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    items = body.get("transactions_to_receipts")
    if not isinstance(items, list) or not items:
        raise BBError(400, 12, "No transactions to receipts found")
    if len(items) > BATCH_MAX:
        raise BBError(400, 10, "Number of transactions to receipts exceeded")
    done, errors = [], []
    for item in items:
        try:
            if not isinstance(item, dict):
                raise BBError(400, 6, ASSIGN_MESSAGES[0])
            transaction, receipt = _ids(item, (6, 7), ASSIGN_MESSAGES)
            _existing(ctx, transaction, receipt)
            assign(ctx, transaction, receipt)
            done.append(
                {
                    "success": True,
                    "message": "",
                    "transaction_id_by_customer": str(transaction),
                    "receipt_id_by_customer": str(receipt),
                }
            )
        except BBError as exc:
            errors.append(_failure(exc, item))
    return {"transactions_to_receipts": done, "errors": errors}


def unassign_receipt(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    transaction, receipt = _ids(
        body,
        (6, 7),
        (
            "no or invalid transaction_id_by_customer specified",
            "no or invalid receipt_id_by_customer specified",
        ),
    )
    _existing(ctx, transaction, receipt)
    links = [a for a in ctx.store.all("assignments") if a["transaction"] == transaction]
    if not links:
        raise BBError(400, 23, "no receipts assigned to transaction")
    if not any(a["receipt"] == receipt for a in links):
        # undocumented case; the sandbox answers with the same code
        raise BBError(400, 23, "receipt is not assigned to transaction")
    ctx.store.delete("assignments", _link_key(transaction, receipt))
    settle(ctx, {receipt} | {a["receipt"] for a in links}, touched=transaction)
    return {}


def assigned_receipts(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    number = v.integer(body, "transaction_id_by_customer", 5, required=True, strict=True)
    if ctx.store.get("transactions", number) is None:
        raise BBError(400, 6, "no transaction found")
    confirmed = v.boolean(body, "confirmed_only", 7)
    rows = []
    for link in _links_of(ctx, transaction=number):
        receipt = ctx.store.get("receipts", link["receipt"])
        if receipt is None or (confirmed and not _confirmed(ctx, receipt["id"])):
            continue
        rows.append({"id_by_customer": str(receipt["id"]), "filename": receipt["filename"]})
    return {"rows": len(rows), "data": rows}


def assigned_transactions(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    number = v.integer(body, "receipt_id_by_customer", 5, required=True, strict=True)
    if number is None or ctx.store.get("receipts", number) is None:
        raise BBError(400, 6, "no receipt found")
    confirmed = v.boolean(body, "confirmed_only", 7)
    if confirmed and not _confirmed(ctx, number):
        return {"rows": 0, "data": []}
    rows = []
    for link in _links_of(ctx, receipt=number):
        transaction = ctx.store.get("transactions", link["transaction"])
        if transaction is not None:
            rows.append(list_item(transaction))
    return {"rows": len(rows), "data": rows}


def _confirmed(ctx: Context, receipt: int) -> bool:
    """A receipt's assignment counts as confirmed when the receipt has confirmed postings."""
    return any(
        p["receipt_id_by_customer"] == receipt and p["status"] in ("confirmed", "fixed")
        for p in ctx.store.all("postings")
    )


def _link_key(transaction: int, receipt: int) -> str:
    return f"{transaction}-{receipt}"


def _links_of(
    ctx: Context, *, transaction: int | None = None, receipt: int | None = None
) -> list[dict[str, Any]]:
    links = [
        a
        for a in ctx.store.all("assignments")
        if (transaction is None or a["transaction"] == transaction)
        and (receipt is None or a["receipt"] == receipt)
    ]
    return sorted(links, key=lambda a: a["seq"])


def assign(ctx: Context, transaction: int, receipt: int) -> None:
    """Link ``transaction`` and ``receipt`` (again: nothing changes) and settle the receipts."""
    key = _link_key(transaction, receipt)
    if ctx.store.get("assignments", key) is not None:
        return
    link = {"transaction": transaction, "receipt": receipt, "seq": ctx.store.next_id("assignments")}
    ctx.store.put("assignments", key, link)
    others = {a["receipt"] for a in _links_of(ctx, transaction=transaction)}
    settle(ctx, others | {receipt}, touched=transaction)


def settle(ctx: Context, receipts: set[int], *, touched: int) -> None:
    """Recompute the paid state of ``receipts``; stamp them and transaction ``touched``."""
    now = ctx.stamp()
    links = _links_of(ctx)
    by_transaction: dict[int, list[dict[str, Any]]] = {}
    for link in links:
        by_transaction.setdefault(link["transaction"], []).append(link)
    for number in receipts:
        receipt = ctx.store.get("receipts", number)
        if receipt is None:
            continue
        paid = Decimal(0)
        latest: dict[str, Any] | None = None
        for link in (a for a in links if a["receipt"] == number):
            transaction = ctx.store.get("transactions", link["transaction"])
            if transaction is None:
                continue
            paid += _share(ctx, transaction, number, by_transaction[link["transaction"]])
            if latest is None or transaction["booking_date"] > latest["booking_date"]:
                latest = transaction
        due = abs(Decimal(receipt["amount"] or 0))
        covered = latest is not None and due > 0 and paid >= due
        receipt.update(
            amount_paid=v.money(paid),
            payment_date=latest["booking_date"][:10] if covered and latest else None,
            account=latest["account"] if latest else None,
            modified=now,
        )
        ctx.store.put("receipts", number, receipt)
    transaction = ctx.store.get("transactions", touched)
    if transaction is not None:
        transaction["modified"] = now
        ctx.store.put("transactions", touched, transaction)


def _share(
    ctx: Context, transaction: dict[str, Any], receipt: int, links: list[dict[str, Any]]
) -> Decimal:
    """What of ``transaction`` goes to ``receipt``: in assignment order, the last takes the rest."""
    left = abs(Decimal(transaction["amount"]))
    for index, link in enumerate(links):
        other = ctx.store.get("receipts", link["receipt"])
        need = abs(Decimal(other["amount"] or 0)) if other else Decimal(0)
        give = left if index == len(links) - 1 else min(left, need)
        if link["receipt"] == receipt:
            return give
        left -= give
    return Decimal(0)
