"""Sandbox handlers for master data: debtors, creditors, posting accounts, payment accounts.

Debtors and creditors are stored in the list view's shape (``additional_addressline``,
``sales_tax_id_eu``, ``""`` for empty address fields) and written with BB's write names
(``additional_address_line``, ``sales_tax_id``). Numbers: debtors 10000-69999, creditors
70000-99999; a taken number is 400/7; an omitted one becomes the next free number. Names are
not unique (BB has no documented check). Lists page with ``limit`` (default **25**) and
``offset``; the maximum is undocumented, the sandbox allows ``debtor_page_max`` (1000).
"""

from __future__ import annotations

from typing import Any

from mapwright.connectors.buchhaltungsbutler.sandbox import validate as v
from mapwright.connectors.buchhaltungsbutler.sandbox.context import Context
from mapwright.connectors.buchhaltungsbutler.sandbox.validate import BBError, invalid

RANGES = {"debtors": (10000, 69999), "creditors": (70000, 99999)}
#: write field -> (read field, error code); codes 7, 8, 13, 14, 16, 17, 20, 21 from the
#: reference notes, the others are the sandbox's choice
FIELDS = {
    "contact_person_name": ("contact_person_name", 9),
    "street": ("street", 10),
    "additional_address_line": ("additional_addressline", 11),
    "zip": ("zip", 13),
    "city": ("city", 14),
    "country": ("country", 16),
    "sales_tax_id": ("sales_tax_id_eu", 17),
    "email": ("email", 20),
    "customer_number": ("customer_number", 21),
    "iban": ("iban", 18),
    "bic": ("bic", 19),
}


def list_master(table: str) -> Any:
    def handler(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
        limit, offset = v.paging(
            body, default=25, maximum=ctx.settings.debtor_page_max, limit_code=5, offset_code=6
        )
        rows = sorted(ctx.store.all(table), key=lambda r: int(r["postingaccount_number"]))
        page = rows[offset : offset + limit]
        return {"rows": len(page), "data": page}

    return handler


def check_master(
    ctx: Context, table: str, body: dict[str, Any], current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A debtor/creditor (read shape) from a write body; ``current`` when updating."""
    record = dict(current) if current else _blank(table)
    if current is None or "name" in body:
        record["name"] = v.text(body, "name", 8, required=True)
    for write, (read, code) in FIELDS.items():
        if write == "customer_number" and table == "creditors":
            continue
        if write == "country":
            value = v.country(body, write, code)
        elif write == "email":
            value = v.email(body, write, code)
        elif write == "zip":
            value = v.pattern(body, write, code, v.ZIP)
        elif write == "sales_tax_id":
            value = v.pattern(body, write, code, v.VAT_ID)
        else:
            value = v.text(body, write, code)
        if value is not None:
            record[read] = value
    if table == "creditors":
        v.integer(body, "due_in_days", 22, strict=True)
    if current is None:
        record["postingaccount_number"] = str(_number(ctx, table, body))
    return record


def _blank(table: str) -> dict[str, Any]:
    record: dict[str, Any] = {"type": "debitor" if table == "debtors" else "creditor"}
    record.update({read: "" for read, _ in FIELDS.values()})
    record.update(uid_ch=None, import_pending=0)
    if table == "creditors":
        record["customer_number"] = None
    return record


def _number(ctx: Context, table: str, body: dict[str, Any]) -> int:
    low, high = RANGES[table]
    number = v.integer(body, "postingaccount_number", 7)
    if number is None:
        taken = {int(r["postingaccount_number"]) for r in ctx.store.all(table)}
        number = max(taken | {low}) + 1
        if number > high:
            raise invalid(7, "postingaccount_number")
        return number
    if not low < number <= high or ctx.store.get(table, number) is not None:
        raise invalid(7, "postingaccount_number")
    return number


def add_master(table: str) -> Any:
    def handler(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
        record = check_master(ctx, table, body)
        ctx.store.put(table, record["postingaccount_number"], record)
        return {"postingaccount_number": record["postingaccount_number"]}

    return handler


def add_master_batch(table: str) -> Any:
    def handler(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
        items = body.get(table)
        if not isinstance(items, list) or not items:
            raise invalid(5, table)
        done, errors = [], []
        for item in items:
            try:
                if not isinstance(item, dict):
                    raise invalid(5, table)
                record = check_master(ctx, table, item)
                ctx.store.put(table, record["postingaccount_number"], record)
                done.append(
                    {
                        "success": True,
                        "postingaccount_number": record["postingaccount_number"],
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
        return {table: done, "errors": errors}

    return handler


def update_master(table: str) -> Any:
    def handler(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
        try:  # declared as an integer here (a string in /settings/add/*)
            number = v.integer(body, "postingaccount_number", 1, required=True, strict=True)
        except BBError:
            raise BBError(400, 1, "invalid postingaccount_number specified") from None
        current = ctx.store.get(table, number)
        if current is None:
            singular = "debtor" if table == "debtors" else "creditor"
            raise BBError(400, 24, f"no {singular} found for specified postingaccount_number")
        record = check_master(ctx, table, body, current)
        ctx.store.put(table, record["postingaccount_number"], record)
        return {"data": record}

    return handler


def list_posting_accounts(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    limit, offset = v.paging(body, default=1000, maximum=1000, limit_code=5, offset_code=6)
    excluded = {
        kind
        for flag, kinds in (
            ("exclude_postingaccounts", ("postingaccount",)),
            ("exclude_accounts", ("account",)),
            ("exclude_debtors", ("debtor", "debtor collective")),
            ("exclude_creditors", ("creditor", "creditor collective")),
        )
        if v.boolean(body, flag, 8)
        for kind in kinds
    }
    rows = [dict(r) for r in ctx.store.all("postingaccounts")]
    for table, kind, parent in (("debtors", "debtor", "10000"), ("creditors", "creditor", "70000")):
        for r in ctx.store.all(table):
            rows.append(
                {
                    "postingaccount_number": r["postingaccount_number"],
                    "name": r["name"],
                    "type": kind,
                    "subtype": None,
                    "parent_postingaccount_number": parent,
                    "parent_name": ctx.store.tables["postingaccounts"][parent]["name"],
                }
            )
    rows = [r for r in rows if r["type"] not in excluded]
    field, descending = _posting_account_order(body.get("order"))
    rows.sort(
        key=lambda r: int(r[field]) if field == "postingaccount_number" else str(r[field]),
        reverse=descending,
    )
    page = rows[offset : offset + limit]
    return {"rows": len(page), "data": page}


def _posting_account_order(raw: Any) -> tuple[str, bool]:
    if raw is None:
        return "postingaccount_number", False
    parts = str(raw).split()
    if len(parts) != 2 or parts[0] not in ("postingaccount_number", "name", "type"):
        raise invalid(7, "order")
    if parts[1] not in ("ASC", "DESC"):
        raise invalid(7, "order")
    return parts[0], parts[1] == "DESC"


def list_accounts(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    rows = sorted(ctx.store.all("accounts"), key=lambda r: int(r["postingaccount_number"]))
    return {"rows": len(rows), "data": rows}


def add_account(ctx: Context, body: dict[str, Any], _: int | None) -> dict[str, Any]:
    v.text(body, "type", 5, required=True)
    name = v.text(body, "name", 6, required=True)
    number = v.integer(body, "postingaccount_number", 7, required=True, minimum=1, strict=True)
    if any(r["name"] == name for r in ctx.store.all("accounts")):
        raise BBError(400, 9, "the specified name already exists")
    if ctx.store.get("postingaccounts", number) or ctx.store.get("accounts", number):
        raise BBError(400, 16, "the postingaccount_number already exists")
    ctx.store.put("accounts", number, {"name": name, "postingaccount_number": str(number)})
    return {}
