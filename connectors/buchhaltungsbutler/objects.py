"""The BuchhaltungsButler objects the connector exposes, as data.

Each ``Endpoints`` row says which POST paths serve an object, how its list pages (BB pages with
``limit``/``offset`` in the JSON body; ``rows`` is the length of *this* page, never a total),
the documented page-size maximum, and which batch endpoint (with its item cap and pacing) exists.

Page sizes (reference notes §1, quirk 4): receipts max 500, postings and posting accounts 1000;
debtor and creditor lists default to **25** rows and have no documented maximum, so the connector
asks for ``debtor_page_size`` (500 unless configured) and keeps paging until a page comes back
*empty* — a silent server-side cap can then never end a scan early. Where the maximum is
documented the scan ends on the first short page. A ``limit`` above a documented maximum is a
400 in BB (not clamped), so the connector never sends one.

Find: BB's master-data lists have no filter parameters. ``find`` on debtors/creditors therefore
lists every page once per connector instance (one call per page), filters client-side and keeps
the pages cached for the run (``forget`` drops the cache). Receipts are found by
``invoicenumber`` with the server filter (one call per value and direction) or, for more than
``receipt_scan_above`` numbers, with one cached scan; by id with one detail call per id (BB
has no bulk get).
"""

from __future__ import annotations

from dataclasses import dataclass

from mapwright.connectors.base import ObjectSpec, Quota


@dataclass(frozen=True)
class Endpoints:
    """The POST paths and paging facts of one object."""

    list: str | None = None
    get: str | None = None  # a prefix; the numeric id is appended as a path segment
    create: str | None = None
    update: str | None = None
    batch: str | None = None
    batch_items: str | None = None  # the body field holding the batch array
    batch_max: int | None = None  # documented cap on items per batch request
    batch_interval: float = 0.0  # documented pacing: seconds between batch requests
    page_default: int | None = None
    page_max: int | None = None  # documented maximum ``limit``; None = undocumented
    paged: bool = True
    id_field: str | None = None  # the field a create answer carries the new id in


DEBTOR_FIELDS_WRITE = {
    # read name -> write name (reference notes §1.5: the API spells these differently)
    "additional_addressline": "additional_address_line",
    "sales_tax_id_eu": "sales_tax_id",
}

RECEIPT_TYPES = ("invoice inbound", "invoice outbound", "credit inbound", "credit outbound")

OBJECTS: dict[str, ObjectSpec] = {
    "receipts": ObjectSpec(
        name="receipts",
        key="id_by_customer",
        capabilities=frozenset({"list", "incremental", "get", "find", "create", "batch_create"}),
        find_keys=("invoicenumber", "id_by_customer"),
        cursor_field="date_since_last_modified",
        required=("type", "counterparty", "invoice_number", "date", "amount", "currency"),
        max_lengths={"invoice_number": 60},
        description=(
            "Belege: inbound (supplier) and outbound (customer) invoices and credit notes; "
            "filters list_direction (required), payment_status, date_from, date_to, "
            "counterparty, invoicenumber, include_offers; incremental by "
            "date_since_last_modified. A record with a base64 'file' is uploaded "
            "(/receipts/upload) instead of added. Header data only: no line items."
        ),
    ),
    "debtors": ObjectSpec(
        name="debtors",
        key="postingaccount_number",
        capabilities=frozenset({"list", "find", "create", "update", "batch_create"}),
        find_keys=("postingaccount_number", "email", "name", "customer_number", "sales_tax_id_eu"),
        required=("name",),
        description="Debitoren (customers): a full scan each run, no modified-since filter.",
    ),
    "creditors": ObjectSpec(
        name="creditors",
        key="postingaccount_number",
        capabilities=frozenset({"list", "find", "create", "update", "batch_create"}),
        find_keys=("postingaccount_number", "email", "name", "sales_tax_id_eu"),
        required=("name",),
        description="Kreditoren (suppliers): like debtors, numbers 70000-99999.",
    ),
    "postings": ObjectSpec(
        name="postings",
        key="id_by_customer",
        capabilities=frozenset({"list", "find", "create"}),
        find_keys=("receipt_id_by_customer",),
        required=("receipt_id_by_customer", "postingaccounts", "postingtexts", "vats", "amounts"),
        description=(
            "Buchungssätze: list needs date_from and date_to (filters, default "
            "postings_date_from option .. today); create posts a receipt "
            "(/postings/add/receipt) or, without receipt_id_by_customer, a free posting."
        ),
    ),
    "invoices": ObjectSpec(
        name="invoices",
        key="id_by_customer",
        capabilities=frozenset({"create"}),
        required=(
            "type",
            "show_prices_type",
            "company_name",
            "date",
            "item_name",
            "item_amount",
            "item_unit",
            "item_vat",
            "item_single_price",
        ),
        description=(
            "Invoices BB generates (create only); each becomes an outbound receipt with the "
            "returned id_by_customer. Lines as parallel item_* arrays or an 'items' list."
        ),
    ),
    "comments": ObjectSpec(
        name="comments",
        key="receipt_id_by_customer",
        capabilities=frozenset({"create"}),
        required=("comment_text",),
        description="Free-text comment on a receipt or a transaction (write-only).",
    ),
    "payment_accounts": ObjectSpec(
        name="payment_accounts",
        key="postingaccount_number",
        capabilities=frozenset({"list"}),
        description="Basiskonten (bank, cash, card) from /accounts/get; one unpaged list.",
    ),
    "posting_accounts": ObjectSpec(
        name="posting_accounts",
        key="postingaccount_number",
        capabilities=frozenset({"list", "find"}),
        find_keys=("postingaccount_number", "name"),
        description="The chart of accounts (SKR03/SKR04) incl. accounts, debtors, creditors.",
    ),
}

ENDPOINTS: dict[str, Endpoints] = {
    "receipts": Endpoints(
        list="/receipts/get",
        get="/receipts/get",
        create="/receipts/add",
        batch="/receipts/addBatch",
        batch_items="receipts",
        batch_max=50,
        batch_interval=5.0,
        page_default=500,
        page_max=500,
        id_field="id_by_customer",
    ),
    "debtors": Endpoints(
        list="/settings/get/debtors",
        create="/settings/add/debtor",
        update="/settings/update/debtor",
        batch="/settings/add-batch/debtors",
        batch_items="debtors",
        page_default=25,
        id_field="postingaccount_number",
    ),
    "creditors": Endpoints(
        list="/settings/get/creditors",
        create="/settings/add/creditor",
        update="/settings/update/creditor",
        batch="/settings/add-batch/creditors",
        batch_items="creditors",
        page_default=25,
        id_field="postingaccount_number",
    ),
    "postings": Endpoints(
        list="/postings/get",
        create="/postings/add/receipt",
        page_default=1000,
        page_max=1000,
    ),
    "invoices": Endpoints(create="/invoices/create", id_field="id_by_customer"),
    "comments": Endpoints(create="/comments/add"),
    "payment_accounts": Endpoints(list="/accounts/get", paged=False),
    "posting_accounts": Endpoints(list="/settings/get/postingaccounts", page_default=1000),
}

#: the filters each list accepts (anything else is refused with an error naming these)
RECEIPT_FILTERS = frozenset(
    {
        "list_direction",
        "payment_status",
        "counterparty",
        "date_from",
        "date_to",
        "order",
        "include_offers",
        "deleted",
        "invoicenumber",
        "due_date",
    }
)
POSTING_FILTERS = frozenset(
    {
        "date_from",
        "date_to",
        "date_last_action_from",
        "date_last_action_to",
        "account",
        "postingaccount",
        "posting_status",
        "cost_location",
        "order",
    }
)
POSTING_ACCOUNT_FILTERS = frozenset(
    {
        "order",
        "exclude_postingaccounts",
        "exclude_accounts",
        "exclude_creditors",
        "exclude_debtors",
    }
)

#: extra endpoints the connector calls outside the table above
UPLOAD = "/receipts/upload"
FREE_POSTING = "/postings/add/free"

#: roles BB has no API object for, with what to use instead (reference notes §1.7, §2)
UNSUPPORTED: dict[str, str] = {
    "orders": (
        "BuchhaltungsButler has no orders; use 'receipts' with filters "
        "list_direction='outbound' (and payment_status='paid' for paid ones): "
        "header data only, no line items (postings give the account/VAT split)."
    ),
    "products": (
        "BuchhaltungsButler has no product catalogue; keep products in the source system "
        "and send them as free-text invoice lines (item_name, item_single_price, item_vat) "
        "when creating 'invoices'."
    ),
    "stock": (
        "BuchhaltungsButler has no inventory; stock cannot be synced to it. Target a shop "
        "or the ERP that manages stock instead."
    ),
    "shipments": (
        "BuchhaltungsButler has no shipments or tracking fields; the nearest is a free-text "
        "'comments' entry on the outbound receipt (write-only)."
    ),
}

QUOTAS: tuple[Quota, ...] = (
    Quota("requests", 100, 60.0, "customer", "all endpoints, per api_key (BB docs)"),
    Quota("receipts-upload", 10, 60.0, "customer", "SPEC", endpoints=("/receipts/upload",)),
    Quota("receipts-batch", 1, 5.0, "customer", "SPEC", endpoints=("/receipts/addBatch",)),
    Quota("transactions-batch", 1, 5.0, "customer", "SPEC", endpoints=("/transactions/addBatch",)),
)
