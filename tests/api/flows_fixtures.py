"""Scripts used by several API tests (BuchhaltungsButler receipts → Exact Online)."""

RECEIPTS = """flow receipts
source buchhaltungsbutler.receipts with { list_direction: "outbound" }
target exact_online
setting item_code: text = "SHIRT-001-L" help "Exact item used for every line"
let item = require(exact_online.items, Code = settings.item_code,
                   "item {settings.item_code} is not in Exact")
upsert exact_online.accounts as debtor match Name = counterparty {
  Name <- counterparty
  Status <- "C" on create
}
create exact_online.sales_invoices as invoice unless exists YourRef = invoicenumber {
  OrderedBy <- debtor.ID
  YourRef <- invoicenumber
  Description <- "Beleg " & invoicenumber
  SalesInvoiceLines <- [{ Item: item.ID, Quantity: 1, NetPrice: number(amount) }]
}
"""

BROKEN_TARGET = RECEIPTS.replace("Description <-", "NoSuchField <-")
