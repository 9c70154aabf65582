"""Shaping records for BuchhaltungsButler: write bodies, required fields, cursors, batches.

Records are plain dicts in BB's own field names. A few BB quirks are smoothed here, each one
documented in ``docs/connectors/buchhaltungsbutler.md``:

- debtors/creditors are *read* with ``additional_addressline`` / ``sales_tax_id_eu`` but
  *written* with ``additional_address_line`` / ``sales_tax_id``; either spelling is accepted on
  write, so a record read from BB can be written back;
- empty strings are invalid for most optional fields, so ``None`` and ``""`` are left out;
- invoice lines may be given as ``items: [{name, amount, unit, vat, single_price,
  description}]`` and are flattened into BB's parallel ``item_*`` arrays (strings);
- dates, datetimes and decimals become the strings/numbers BB expects.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mapwright.connectors.base import ObjectSpec
from mapwright.connectors.buchhaltungsbutler.objects import DEBTOR_FIELDS_WRITE
from mapwright.connectors.errors import ConnectorError, FatalError, SkippableError

FREE_POSTING_REQUIRED = (
    "date",
    "postingtext",
    "amount",
    "postingaccount_debit",
    "postingaccount_credit",
    "vat",
)
UPLOAD_REQUIRED = ("file", "type")
INVOICE_ITEM_FIELDS = ("name", "amount", "unit", "vat", "single_price", "description")
#: fields BB wants as strings although they hold numbers
STRING_NUMBERS = frozenset({"item_amount", "item_vat", "item_single_price", "due_days"})
#: fields BB declares as integers / JSON numbers: digit strings from a mapping are converted
INTEGER_FIELDS = {
    "receipts": frozenset({"account", "creditor_debtor", "link_to_receipt_id_by_customer"}),
    "comments": frozenset({"receipt_id_by_customer", "transaction_id_by_customer"}),
    "postings": frozenset(
        {
            "receipt_id_by_customer",
            "creditor",
            "debtor",
            "postingaccount_debit",
            "postingaccount_credit",
        }
    ),
    "creditors": frozenset({"due_in_days"}),
}
NUMBER_FIELDS = {"receipts": frozenset({"amount", "vat_rate"})}


def check_required(spec: ObjectSpec, record: dict[str, Any], *, endpoint: str) -> None:
    """Refuse a record that lacks what BB requires, before spending a call on it."""
    required: Sequence[str] = spec.required
    if spec.name == "postings" and record.get("receipt_id_by_customer") in (None, ""):
        required = FREE_POSTING_REQUIRED
    if spec.name == "receipts" and record.get("file"):
        required = UPLOAD_REQUIRED
    if spec.name == "invoices" and record.get("items"):
        required = tuple(f for f in required if not f.startswith("item_"))
    missing = [name for name in required if _blank(record.get(name), allow_empty=name)]
    if missing:
        raise SkippableError(
            f"BuchhaltungsButler {spec.name}: required field(s) {', '.join(missing)} missing "
            f"or empty; map them in the flow",
            endpoint=endpoint,
        )
    if spec.name == "comments":
        ids = [k for k in ("receipt_id_by_customer", "transaction_id_by_customer") if record.get(k)]
        if len(ids) != 1:
            raise SkippableError(
                "BuchhaltungsButler comments need exactly one of receipt_id_by_customer or "
                "transaction_id_by_customer",
                endpoint=endpoint,
            )
    for name, limit in spec.max_lengths.items():
        value = record.get(name)
        if isinstance(value, str) and len(value) > limit:
            raise SkippableError(
                f"BuchhaltungsButler {spec.name}: {name} is {len(value)} characters, "
                f"BB allows {limit}; shorten it in the flow",
                endpoint=endpoint,
            )


def _blank(value: Any, *, allow_empty: str) -> bool:
    # BB allows invoice_number "" on receipts (reference notes §1.1)
    if allow_empty == "invoice_number":
        return value is None
    return value is None or value == "" or value == []


def write_body(object: str, record: dict[str, Any]) -> dict[str, Any]:
    """The JSON body fields for writing ``record`` (without ``api_key``)."""
    body: dict[str, Any] = {}
    for name, value in record.items():
        if object in ("debtors", "creditors"):
            name = DEBTOR_FIELDS_WRITE.get(name, name)
            if name in ("type", "import_pending", "uid_ch"):
                continue  # read-only fields of the list view
        if object == "invoices" and name == "items":
            continue
        if value is None or (value == "" and name != "invoice_number"):
            continue
        value = _plain(value, as_string=name in STRING_NUMBERS)
        if isinstance(value, str) and name in INTEGER_FIELDS.get(object, ()):
            value = int(value) if value.strip().isdigit() else value
        elif isinstance(value, str) and name in NUMBER_FIELDS.get(object, ()):
            value = _number_or_text(value)
        body[name] = value
    if object == "invoices" and record.get("items"):
        body.update(flatten_items(record["items"]))
    return body


def _number_or_text(text: str) -> Any:
    try:
        return float(Decimal(text.strip()))
    except ArithmeticError:
        return text  # BB will refuse it with its own message


def flatten_items(items: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """``[{name, amount, ...}, ...]`` -> BB's parallel ``item_name``/``item_amount``... arrays."""
    arrays: dict[str, list[str]] = {f"item_{field}": [] for field in INVOICE_ITEM_FIELDS}
    for index, item in enumerate(items):
        unknown = set(item) - set(INVOICE_ITEM_FIELDS)
        if unknown:
            raise SkippableError(
                f"invoice item {index}: unknown field(s) {', '.join(sorted(unknown))}; "
                f"use {', '.join(INVOICE_ITEM_FIELDS)}"
            )
        for field in INVOICE_ITEM_FIELDS:
            value = item.get(field)
            arrays[f"item_{field}"].append("" if value is None else str(_plain(value, True)))
    if not any(arrays["item_description"]):
        del arrays["item_description"]
    return arrays


def _plain(value: Any, as_string: bool = False) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f") if as_string else float(value)
    if isinstance(value, float) and as_string:
        return format(Decimal(repr(value)), "f")
    if isinstance(value, int) and not isinstance(value, bool) and as_string:
        return str(value)
    if isinstance(value, list):
        return [_plain(v, as_string) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def read_shape(record: dict[str, Any]) -> dict[str, Any]:
    """A debtor/creditor written with write names, as the list view would spell it."""
    back = {write: read for read, write in DEBTOR_FIELDS_WRITE.items()}
    return {back.get(name, name): value for name, value in record.items()}


@dataclass
class ReceiptCursor:
    """Where an incremental receipts scan stands; stored as a JSON string.

    ``since`` is the ``date_since_last_modified`` of this scan (None: everything), ``scan`` the
    time the scan started (the next scan's ``since``), ``offset`` the rows already read.
    """

    since: str | None = None
    scan: str | None = None
    offset: int = 0

    def dumps(self) -> str:
        return json.dumps(
            {"offset": self.offset, "scan": self.scan, "since": self.since}, sort_keys=True
        )

    @classmethod
    def loads(cls, text: str | None) -> ReceiptCursor:
        if not text:
            return cls()
        try:
            data = json.loads(text)
            return cls(data.get("since"), data.get("scan"), int(data.get("offset", 0)))
        except (ValueError, TypeError, AttributeError):
            raise FatalError(
                f"receipts cursor {text!r} is not one this connector wrote; clear the flow's "
                "cursor to read everything again"
            ) from None


#: the cursor a completed full scan returns: the next run starts at offset 0 again
RESTART = "0"


def offset_cursor(text: str | None, object: str) -> int:
    """The offset stored in a plain paging cursor (non-incremental objects)."""
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    raise FatalError(
        f"{object} cursor {text!r} is not an offset; clear the flow's cursor to start again"
    )


def correlate(
    sent: Sequence[dict[str, Any]],
    items: Sequence[Any],
    errors: Sequence[Any],
    *,
    make_error: Any,
    unknown: ConnectorError,
) -> list[tuple[dict[str, Any] | None, ConnectorError | None]]:
    """Pair a batch answer with the records sent: one ``(answer, error)`` per record.

    BB does not document the order of results: failures are matched by their
    ``request_data`` (equal to the item sent), successes are assumed to follow the input order
    of the remaining records. Records left without an answer get ``unknown``.
    """
    outcome: list[tuple[dict[str, Any] | None, ConnectorError | None] | None] = [None] * len(sent)
    keys = [_canonical(item) for item in sent]
    for failure in errors:
        data = failure.get("request_data") if isinstance(failure, dict) else None
        key = _canonical(data) if data is not None else None
        index = next(
            (i for i, k in enumerate(keys) if outcome[i] is None and key is not None and k == key),
            None,
        )
        if index is None:
            index = next((i for i, o in enumerate(outcome) if o is None), None)
        if index is not None:
            outcome[index] = (None, make_error(failure))
    successes = iter(
        item for item in items if not isinstance(item, dict) or item.get("success", True)
    )
    for index, slot in enumerate(outcome):
        if slot is None:
            answer = next(successes, None)
            outcome[index] = (answer, None) if isinstance(answer, dict) else (None, unknown)
    return [slot for slot in outcome if slot is not None]


def _canonical(value: Any) -> str:
    return json.dumps(_loose(value), sort_keys=True, default=str)


def _loose(value: Any) -> Any:
    """Compare request data loosely: BB may echo numbers as strings."""
    if isinstance(value, dict):
        return {k: _loose(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_loose(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, str):
        try:
            return format(Decimal(value).normalize(), "f")
        except ArithmeticError:
            return value
    return value
