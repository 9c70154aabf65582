"""Reference pages for the built-in flows, generated from the mapping scripts themselves.

``python -m mapwright.engine.flowdocs [OUTPUT_DIR]`` (default ``docs/flows``) writes one page per
``builtin_mappings/*.map`` plus an index (``README.md``). A page holds the ``flow`` line, what
the flow reads and looks up, the settings (a table and a ``mapwright.toml`` block with every
default), the hand-written notes in ``NOTES`` (steps, matching, what is skipped or parked, what
the systems do not offer) and the script's own examples. Settings and examples come from the
script, and a test compares the committed pages with this output: after changing a script, run
the generator again.
"""

from __future__ import annotations

import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from mapwright import dsl
from mapwright.dsl.jsonio import dumps
from mapwright.engine.flows import BUILTIN_DIR

DEFAULT_OUTPUT = Path("docs/flows")
#: index order; flows not listed here follow alphabetically
ORDER = [
    "orders",
    "customers_to_exact",
    "customers_to_buchhaltungsbutler",
    "invoices",
    "products",
    "stock",
    "shipments",
]
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")

NOTES: dict[str, str] = {
    "orders": """\
1. Reads BuchhaltungsButler (BB) **outbound receipts** (`list_direction: outbound`): the
   invoices BB generated and the uploaded outbound ones. BB has no order object; a receipt is
   the nearest thing and carries a header only (no product lines).
2. A receipt is *paid* when `amount_paid` ≥ `amount` (and the amount is not 0).
   `payment_status` decides which receipts go; the others are **skipped** with the reason.
3. **Customer.** A receipt names its customer only as free text (`counterparty`). The flow
   reads the receipt's postings, takes the debit account of the first posting as the debtor
   number and finds that BB debtor, else a debtor whose name equals the counterparty (two such
   debtors: the receipt is **parked** as ambiguous; none: **parked**, unless a default debtor
   applies).
4. The Exact account is **matched by e-mail by default** (`match_by`: e-mail, VAT id or
   customer number = Exact account code), then created or updated: name, e-mail, address,
   country and VAT id on every order; `Status = C` (customer: Exact refuses invoices for other
   accounts) and `classification` **on create only**. A debtor without the match key is parked.
5. **Company or person.** A debtor with a contact person other than its own name is a company:
   the account gets that person as a Contact (first/last name split at the last space; not
   created again when a contact with that e-mail exists). Without one the account is the
   person itself: Exact has no person flag on accounts.
6. **Default debtor.** `default_debtor_mode = force` books every receipt on the account with
   code `default_debtor`; `fallback` only when no BB debtor is found (a debtor found without a
   match key is still parked). The account must exist in Exact; the flow never creates it.
7. **Document** (`document`): sales invoice (default), sales order or sales entry. The receipt
   is **skipped when a document with `YourRef` = the invoice number exists**; the engine also
   remembers what it created, so a timeout or a retry never makes a second one.
8. **Lines.** One line per posting (revenue account and VAT rate), not per product. Invoices
   and orders need an Exact item per line: the item from `items_by_vat` for the line's rate
   (**UMSATZ19, UMSATZ7 and UMSATZ0 by default; these items must exist in Exact**, otherwise
   the receipt is parked naming the rate). Quantity 1, net price = gross / (1 + rate). The
   VAT code comes from `vat_codes` by VAT case (domestic when the rate is one of `home_rates`,
   EU with or without VAT id, export; see `vat_code` in [functions](../functions.md)); a case
   missing from the table stops the record naming the key.
9. **Sales entries** book each line on the Exact GL account that `gl_accounts` gives for the
   BB revenue account (e.g. `"8400": "<GL account ID>"`). **Fill `gl_accounts` with GL account
   IDs before choosing `sales_entry`:** with the empty default every entry stops naming the
   missing account.
10. Payment condition: the days from `date` to `due_date`, looked up in `payment_conditions`;
   unmapped days send none (Exact then uses the account's condition).

**Not supported, and what the flow does instead**

- BB receipts have no SKUs, so the "every product exists" check is the check that the item of
  each VAT rate exists.
- Exact has no payment-method object (only the `PaymentMethod` field of a payment
  condition): map the payment terms with `payment_conditions`; the method follows from the
  Exact condition.
- Invoices are always sent in EUR (BB's receipt list carries no currency). A credit note
  (negative receipt) counts as paid when its paid amount covers it, and becomes a document
  with a negative line.
""",
    "customers_to_exact": """\
1. Reads every BB **debtor** on each run: BB offers no modified-since filter for debtors. The
   engine compares with Exact and sends only the fields that changed, so every change in BB
   reaches Exact on the next run.
2. The Exact account is **matched by e-mail by default** (`match_by`: `Email`, `VATNumber` or
   `Code`, where the code is the debtor's `customer_number`; the connector pads codes the way
   Exact stores them). A debtor without the key is **parked**.
3. Written every time: name (100 characters), e-mail (lower case), street and house number in
   the order of the country, second address line, postcode, city, country (ISO-2, the
   `home_country` when empty) and VAT id (only a valid one, normalised). **Create-only:**
   `Status = C` (customer) and `classification`.
4. **Company or person:** a debtor whose contact person differs from its name becomes a company
   account with that person as Contact (created once, matched by e-mail); otherwise the
   account is the person (Exact has no person flag).

**Not supported:** BB debtors have no phone number, so none is sent; a contact's name is not
updated after it was created.
""",
    "customers_to_buchhaltungsbutler": """\
1. Reads Exact **accounts** incrementally (the sync endpoint), so every changed account is sent.
   With `only_customers` (default) accounts without `Status = C` (suppliers, prospects) are
   **skipped**.
2. The BB debtor is **matched by e-mail by default** (`match_by`: `email`, `customer_number` =
   the trimmed Exact code, or `sales_tax_id_eu`). BB cannot search debtors, so the connector
   reads the list and compares. An account without an e-mail is **parked** when matching by
   e-mail.
3. **Debtor numbers are picked by BB** (next free number) unless `debtor_account_start` is set:
   then a new debtor gets that number plus the Exact account code (e.g. 10000 + 7 = 10007),
   on create only. The code must be numeric and the sum must stay in BB's debtor range
   (10000–69999).
4. Written every time: name, customer number, e-mail, street (Exact `AddressLine1`), second
   line, postcode, city, country (ISO-2) and VAT id.

**Not supported:** BB debtors have no phone and cannot be deleted through the API; an empty
value cannot clear a field in BB (the connector leaves it out). Exact contacts are not sent.
""",
    "invoices": """\
1. Reads Exact **sales invoices** (changed since the last run). With `only_final` only processed
   invoices (Status 50) go; invoices with amount 0 are **skipped**.
2. Finds the invoice's account in Exact (`InvoiceTo`, else `OrderedBy`; **parked** when not
   found) and creates or updates the BB debtor, **matched by e-mail** (an account without one
   is parked): name, customer number, e-mail, address, country; VAT id on create only. Debtor
   numbers as in `customers_to_buchhaltungsbutler`: picked by BB unless `debtor_account_start`.
3. Creates a BB **outbound receipt** unless one with that invoice number exists: type, name,
   invoice number, date, due date, amount in the invoice's currency (`AmountFC`), currency,
   the debtor's number and the payment reference; a negative amount is a `credit outbound`.
   An invoice without a number yet is parked by the engine.
4. The receipt is created once and **never updated**: change or cancel an invoice in Exact and
   BB keeps the first version. Leave `only_final` off only when invoices are not edited after
   they are entered.

**Why receipts:** BB's `invoices/create` would make BB number the invoice again and create a
PDF (EUR only, irreversible); `receipts/add` records the invoice Exact already numbered.
""",
    "products": """\
1. **Target is the shop:** BuchhaltungsButler has no products (nor stock or shipments) in its
   API, so the catalogue goes to the shop connector.
2. Reads Exact **items**; with `only_webshop_items` (default) only webshop items, and never
   items that are not sales items (both **skipped** with the reason).
3. **Matched by SKU** (= the Exact item code); created or updated.
4. **Variants.** Exact has no variant object: every variant is its own item. Items whose
   `parent_field` (`Class_01` by default) holds a code other than their own become variants
   of one *configurable* product with that code as its SKU. The parent is created from the
   first variant seen (its name is the variant's name without the last word; name, price and
   currency on create only). The variant's options come from `attributes` (item field →
   option name, e.g. `FreeTextField_01` → size).
5. **Price from Exact's sales prices.** Exact keeps prices in `logistics/SalesItemPrices`, not
   on the item (the items' sync read has no price; `StandardSalesPrice` is only a read-only
   mirror). The flow looks up the price rows of a whole page of items in one bulk request
   (`Item eq … or …`, 25 items per request) and takes the **active general price**: no
   customer (`Account`), currency = `currency`, no minimum `Quantity` above 1, the item's
   unit, `StartDate` on or before today and `EndDate` empty or on/after today; of several,
   the one that started last. Rounded to the cent (half up), net; with `price_includes_vat`
   gross with the rate of the item's sales VAT code (an item whose VAT code is unknown is
   **parked**). The reference does not say whether `EndDate` is the last day of the price or
   the first day without it; the flow reads it as the last day.
6. **A missing price is never sent.** An item without an active general price sends no price
   (and no currency): a product already in the shop keeps its price, its other fields are
   still updated. A new product is **parked** ("no active sales price … add a price in Exact,
   then replay"), because the shop refuses a product without price; it is never created at 0.
7. **Update product info, per field group:** each group can be written on every update
   (default) or only when the product is created, so what is edited in the shop stays:
   `names_on_create_only` (name, short description), `description_on_create_only` (long
   description; **on by default**), `price_on_create_only` (price and currency),
   `image_on_create_only`, `categories_on_create_only`. Always written: SKU, EAN (`Barcode`),
   variant options, active. Type and parent are create-only. Unchanged values are not sent
   (prices go out as text with two decimals, `"19.90"`, the form the shop answers with), so a
   second run over unchanged items writes nothing.
8. **Virtual products.** The shop has no virtual product type (it knows simple, configurable
   and variant). A non-stock item (`IsStockItem` false: services, vouchers, downloads) becomes
   a *simple* product whose stock the shop does **not manage** (`manage_stock` false: always
   available), set on every run; the `stock` flow leaves it alone.
9. The item group becomes a shop category (created when missing).

**Not supported:** the shop has no info fields for item characteristics (country of origin,
delivery time): they are not sent. Exact keeps one picture per item, so one image URL (http or
https only). Customer-specific, quantity and other-currency prices are not sent (the shop has
one price per product). A price changed alone in Exact is not documented to change the item, so
it reaches the shop when the item is read again (any change to the item, or a run from an
empty cursor). Quantities are sent by the `stock` flow.
""",
    "stock": """\
1. **Target is the shop** (BuchhaltungsButler has no stock).
2. Reads Exact **item warehouses** (one row per item and warehouse). For every changed row the
   flow reads all warehouse rows of that item and **counts all warehouses unless `warehouses`
   is set** (codes as text or numbers: `warehouses = ["1", "3"]`). Rows of non-stock items
   (`ItemIsStockItem` false) are **skipped**: the `products` flow sends those unmanaged.
3. `calculation`:
   - `available_minus_reserved` (default): **`CurrentStock − PlannedStockOut`**, stock on hand
     minus what open sales orders (and assemblies) will take out: Exact's *sales
     reservations*, the same as `InStock − PlanningOut` of the stock position. Not
     `ReservedStock`: that is back-to-back stock received on a purchase order for a sales
     order and not yet delivered, a different quantity (subtracting it oversells);
   - `current`: `CurrentStock` (includes stock already promised to sales orders);
   - `projected`: Exact's `ProjectedStock` (current + planned in − planned out).
   Summed over the counted warehouses, rounded down to whole units, never below 0.
4. Matched by SKU (the item code); the engine sends a level only when it differs from the
   shop's. `manage_stock = false` tells the shop not to count stock at all.

**Not supported:** items without any warehouse row in Exact are not sent.
""",
    "shipments": """\
1. **Target is the shop** (BuchhaltungsButler has no shipments; see step 5).
2. Reads Exact **goods deliveries**. A delivery without tracking number is **parked** until it
   has one (replay it); one without lines is parked too.
3. **Split shipments: one shipment per Exact goods delivery.** Exact records each parcel of an
   order as its own delivery with only the lines it shipped; each becomes exactly one shop
   shipment with exactly those lines, reference `<order reference>/<delivery number>`. An
   order shipped in three parcels gets three shipments, and a delivery is never sent twice.
   The order reference is the sales order's `YourRef` (the shop or BB order number), else the
   Exact order number; the order is taken from the delivery's first line.
4. **Carrier** from the delivery's shipping method: its `ShippingMethodCode` (trimmed) through
   `carriers` (e.g. `carriers = { DHL = "DHL", DPD = "DPD" }`); a code not in the table sends
   the method's description (`ShippingMethodDescription`, e.g. "PostNL Pakket"). Exact leaves a
   delivery's `ShippingMethod` empty unless it is set when the delivery is posted, so a
   delivery without one takes its **sales order's** shipping method (code and description
   from `sales/ShippingMethods`). Only when neither has a method: `default_carrier`.
5. With `comment_on_receipt`, the BB receipt whose invoice number is the order's `YourRef` gets
   a comment with carrier and tracking number: the nearest BB has. BB comments are write-only,
   so the engine's record of what it created keeps it from writing one twice.

**Not supported:** shop shipments cannot be updated, so a tracking number changed in Exact
after sending is not sent again.
""",
}


def _md(value: Any) -> str:
    """A value as inline Markdown code, safe inside a table cell."""
    return "`" + dumps(value).replace("|", "\\|") + "`"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _toml(value: Any, *, key: bool = False) -> str:
    """A setting value (or a table key) in TOML; inline tables stay on one line, as TOML wants."""
    if key or isinstance(value, str):
        bare = key and _BARE_KEY.match(str(value))
        return str(value) if bare else json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml(k, key=True)} = {_toml(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise ValueError(f"setting value {value!r} has no TOML form")


def _json_block(title: str, value: Any) -> list[str]:
    return ["", f"{title}:", "", "```json", dumps(value, indent=2), "```"]


def builtin_scripts() -> dict[str, Path]:
    """The built-in flow scripts by name, in index order."""
    paths = {p.stem: p for p in BUILTIN_DIR.glob("*.map")}
    names = [n for n in ORDER if n in paths] + sorted(set(paths) - set(ORDER))
    return {name: paths[name] for name in names}


def _compile(path: Path) -> dsl.Script:
    return dsl.compile(path.read_text("utf-8"), name=f"builtin_mappings/{path.name}")


def flow_page(name: str, path: Path) -> str:
    """The Markdown page of one flow script."""
    if name not in NOTES:
        raise ValueError(f"flow {name!r} has no notes: add NOTES[{name!r}] in {__file__}")
    script = _compile(path)
    out = [
        f"<!-- generated by `python -m mapwright.engine.flowdocs` from builtin_mappings/"
        f"{path.name}: edit the script or NOTES in engine/flowdocs.py, not this page -->",
        "",
        f"# {script.flow or name}",
        "",
        script.description or "",
        "",
        "| | |",
        "|---|---|",
        f"| script | `builtin_mappings/{path.name}` (copy it to change more than settings) |",
    ]
    if script.source:
        params = script.source_params()
        extra = f" with {_md(params)}" if params else ""
        out.append(f"| reads | `{script.source[0]}.{script.source[1]}`{extra} |")
    if script.target:
        out.append(f"| writes to | `{script.target}` |")
    if script.lookups:
        found = ", ".join(f"`{s}.{o}` by `{k}`" for s, o, k in sorted(script.lookups))
        out.append(f"| looks up | {found} |")
    out += ["", "## How it works", "", NOTES[name].rstrip(), "", "## Settings", ""]
    specs = list(script.settings.values())
    if specs:
        out += ["| setting | type | default | choices | help |", "|---|---|---|---|---|"]
        for spec in specs:
            default = "**required**" if spec.required else _md(spec.to_json()["default"])
            choices = ", ".join(f"`{c}`" for c in spec.choices)
            out.append(
                f"| `{spec.name}` | {spec.type} | {default} | {choices} | {_cell(spec.help)} |"
            )
        out += [
            "",
            "In `mapwright.toml` (keep only the settings you change; these are the defaults):",
            "",
            "```toml",
            f"[flows.{name}.settings]",
            *(f"{s.name} = {_toml(s.default)}" for s in specs if not s.required),
            "```",
        ]
    else:
        out.append("This flow has no settings.")
    out += [
        "",
        "## Examples",
        "",
        f"The script's own tests (`mapwright test builtin_mappings/{path.name}` runs them): "
        "the input record, the settings that differ from the defaults, what the lookups "
        "answer, and the expected result (`$ref` is the result of an earlier operation).",
    ]
    for test in script.tests:
        out += ["", f"### {test.name}", *_json_block("Input", test.input)]
        if test.settings:
            out += _json_block("Settings", test.settings)
        if test.lookups:
            out += _json_block("Lookups", test.lookups)
        out += _json_block("Expected", test.expect)
    return "\n".join(out) + "\n"


def index_page(scripts: dict[str, Path]) -> str:
    """The index: one line per flow and how to run and configure them."""
    out = [
        "<!-- generated by `python -m mapwright.engine.flowdocs`: do not edit -->",
        "",
        "# Built-in flows",
        "",
        "Every flow is a mapping script in `builtin_mappings/`; its settings have defaults, so",
        "each runs as shipped once the connections are set up.",
        "",
        "| flow | what it does | reads | writes to |",
        "|---|---|---|---|",
    ]
    for name, path in scripts.items():
        script = _compile(path)
        source = f"`{script.source[0]}.{script.source[1]}`" if script.source else ""
        target = f"`{script.target}`" if script.target else ""
        out.append(f"| [{name}]({name}.md) | {_cell(script.description)} | {source} | {target} |")
    out += [
        "",
        "## Running a flow",
        "",
        "```sh",
        "mapwright flow list                      # the flows, their origin and settings",
        "mapwright flow run orders --dry-run      # map and check everything, write nothing",
        "mapwright flow run orders                # run it for real",
        "mapwright parked list --flow orders      # records waiting for a fix",
        "```",
        "",
        "## Settings",
        "",
        "Settings go into `mapwright.toml` under the flow's name; the script's defaults fill the",
        "rest. `script` is optional: without it the built-in script runs with your settings.",
        "",
        "```toml",
        "[flows.orders]",
        'settings = { document = "sales_order", payment_status = "all" }',
        'connections = { exact_online = "exact_online" }   # system in the script -> connection',
        "",
        "[flows.stock.settings]                   # the same, as a table of its own",
        'warehouses = ["1", "3"]',
        "```",
        "",
        "Regenerate these pages after changing a script: `python -m mapwright.engine.flowdocs`.",
    ]
    return "\n".join(out) + "\n"


def render() -> dict[str, str]:
    """Every page by file name (``README.md`` and ``<flow>.md``)."""
    scripts = builtin_scripts()
    pages = {"README.md": index_page(scripts)}
    pages.update({f"{name}.md": flow_page(name, path) for name, path in scripts.items()})
    return pages


def main(argv: list[str] | None = None) -> int:
    """Write every page into OUTPUT_DIR (default ``docs/flows``)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print("usage: python -m mapwright.engine.flowdocs [OUTPUT_DIR]", file=sys.stderr)
        return 2
    output = Path(args[0]) if args else DEFAULT_OUTPUT
    output.mkdir(parents=True, exist_ok=True)
    for file_name, text in render().items():
        (output / file_name).write_text(text, "utf-8")
        print(output / file_name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
