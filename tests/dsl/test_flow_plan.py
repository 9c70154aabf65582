"""Flow statements compile to an operations plan; lookups go through the resolver."""

from __future__ import annotations

import pytest
from mapwright import dsl
from mapwright.dsl import Lookup, LookupPending, MemoryResolver, Ref

ORDERS = """
flow orders
source buchhaltungsbutler.receipts
target exact_online
setting statuses: list = ["paid"]

where payment_status in settings.statuses else "payment status {payment_status} not selected"
let d = find(buchhaltungsbutler.debtors, postingaccount_number = debtor_account)
     ?? find(buchhaltungsbutler.debtors, name = counterparty)
park "no debtor found for {counterparty}" if d == missing

upsert exact_online.accounts as debtor match Email = d.email {
  Name <- d.name
  VATNumber <- d.vat_id on create
  Phone <- d.phone if empty
}
create exact_online.sales_invoices as invoice unless exists YourRef = number {
  InvoiceTo <- debtor.ID
  YourRef <- number
  Lines <- each items as i {
    Item <- require(exact_online.items, Code = i.sku, "item {i.sku} is not in Exact").ID
    Quantity <- i.qty
  }
}
"""

DEBTORS: list[dict[str, object]] = [
    {
        "postingaccount_number": 10001,
        "name": "Müller GmbH",
        "email": "a@m.de",
        "vat_id": "DE123",
        "phone": "+49",
    }
]
ITEMS: list[dict[str, object]] = [
    {"Code": "SKU-1", "ID": "guid-1"},
    {"Code": "SKU-2", "ID": "guid-2"},
]


def resolver(**extra: list[dict[str, object]]) -> MemoryResolver:
    tables: dict[str, list[dict[str, object]]] = {
        "buchhaltungsbutler.debtors": DEBTORS,
        "exact_online.items": ITEMS,
    }
    tables.update(extra)
    return MemoryResolver(tables)


def receipt(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "payment_status": "paid",
        "debtor_account": 10001,
        "counterparty": "Müller GmbH",
        "number": "RE-1",
        "items": [{"sku": "SKU-1", "qty": 2}],
    }
    base.update(changes)
    return base


def test_plan_has_operations_in_order_with_refs_and_policies() -> None:
    outcome = dsl.compile(ORDERS, name="orders.map").run(receipt(), resolver=resolver())
    upsert, create = outcome.operations
    assert (upsert.kind, upsert.system, upsert.object) == ("upsert", "exact_online", "accounts")
    assert upsert.match == ("Email", "a@m.de")
    assert upsert.policies == {"VATNumber": "on_create", "Phone": "if_empty"}
    assert create.unless_exists == ("YourRef", "RE-1")
    assert create.fields["InvoiceTo"] == Ref("debtor", ("ID",))
    assert create.fields["Lines"] == [{"Item": "guid-1", "Quantity": 2}]
    assert create.alias == "invoice"


def test_where_skips_with_its_reason() -> None:
    outcome = dsl.compile(ORDERS, name="orders.map").run(
        receipt(payment_status="unpaid"), resolver=resolver()
    )
    assert outcome.skipped == "payment status unpaid not selected"
    assert outcome.operations == []


def test_falls_back_to_second_lookup() -> None:
    outcome = dsl.compile(ORDERS, name="orders.map").run(
        receipt(debtor_account=99), resolver=resolver()
    )
    assert outcome.operations[0].match == ("Email", "a@m.de")


def test_park_with_message_when_nothing_found() -> None:
    outcome = dsl.compile(ORDERS, name="orders.map").run(
        receipt(debtor_account=99, counterparty="Nobody"), resolver=resolver()
    )
    assert outcome.parked == "no debtor found for Nobody"


def test_require_parks_naming_the_missing_item() -> None:
    outcome = dsl.compile(ORDERS, name="orders.map").run(
        receipt(items=[{"sku": "SKU-9", "qty": 1}]), resolver=resolver()
    )
    assert outcome.parked == "item SKU-9 is not in Exact"


def test_ambiguous_find_parks() -> None:
    twice = DEBTORS + [dict(DEBTORS[0])]
    outcome = dsl.compile(ORDERS, name="orders.map").run(
        receipt(), resolver=resolver(**{"buchhaltungsbutler.debtors": twice})
    )
    assert outcome.parked is not None and "ambiguous" in outcome.parked


def test_lookups_are_declared_for_bulk_fetching() -> None:
    script = dsl.compile(ORDERS, name="orders.map")
    assert script.lookups == {
        ("buchhaltungsbutler", "debtors", "postingaccount_number"),
        ("buchhaltungsbutler", "debtors", "name"),
        ("exact_online", "items", "Code"),
    }


def test_pending_lookup_propagates_for_the_engine() -> None:
    class Pending:
        def find(self, lookup: Lookup) -> list[dict[str, object]]:
            raise LookupPending(lookup)

    with pytest.raises(LookupPending) as info:
        dsl.compile(ORDERS, name="orders.map").run(receipt(), resolver=Pending())
    assert info.value.lookup == Lookup(
        "buchhaltungsbutler", "debtors", "postingaccount_number", 10001
    )


def test_lookup_without_resolver_is_a_clear_error() -> None:
    with pytest.raises(dsl.MappingRuntimeError, match="no system is connected"):
        dsl.compile(ORDERS, name="orders.map").run(receipt())


def test_computing_with_a_step_result_is_refused() -> None:
    script = dsl.compile("create a.b as x { K <- 1 }\ncreate a.c { V <- x.ID + 1 }")
    with pytest.raises(dsl.MappingRuntimeError, match="only known when the flow runs"):
        script.run({})


def test_plan_json_form() -> None:
    outcome = dsl.compile(ORDERS, name="orders.map").run(receipt(), resolver=resolver())
    data = outcome.to_json()
    assert data["operations"][1]["fields"]["InvoiceTo"] == {"$ref": "debtor.ID"}
    assert data["operations"][0]["match"] == {"Email": "a@m.de"}


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("update a.b { X <- 1 }", "needs a match key"),
        ("create a.b match K = 1 { X <- 1 }", "use upsert"),
        ("X <- 1 on create", "have no meaning"),
        ("update a.b match K = 1 { X <- 1 on create }", "never creates"),
        ("create a.b { create a.c { X <- 1 } }", "cannot sit inside"),
        ("create a.b as x { X <- 1 }\ncreate a.c as x { X <- 1 }", "already names"),
        ("L <- each xs as x {\n where x > 1\n}", "belongs at the top"),
    ],
)
def test_flow_mistakes_are_compile_errors(script: str, message: str) -> None:
    with pytest.raises(dsl.MappingError, match=message):
        dsl.compile(script)


def test_match_key_can_come_from_a_setting() -> None:
    script = dsl.compile(
        'setting key: enum("Email", "Code") = "Email"\n'
        "upsert exact_online.accounts match [settings.key] = v { Name <- n }"
    )
    assert script.run({"v": "x"}).operations[0].match == ("Email", "x")
    assert script.run({"v": "x"}, settings={"key": "Code"}).operations[0].match == ("Code", "x")


def test_source_parameters_may_use_settings() -> None:
    script = dsl.compile(
        'setting status: enum("paid", "all") = "paid"\n'
        "source buchhaltungsbutler.receipts with "
        '{ list_direction: "outbound", payment_status: settings.status }\n'
        "A <- 1"
    )
    assert script.source_params() == {"list_direction": "outbound", "payment_status": "paid"}
    assert script.source_params({"status": "all"})["payment_status"] == "all"


def test_step_names_from_when_branches_are_known_after_the_block() -> None:
    script = dsl.compile(
        "when x { create a.b as c { K <- 1 } } else { update a.b as c match K = 2 { K <- 2 } }\n"
        "create a.d { Ref <- c.ID }"
    )
    outcome = script.run({"x": True})
    assert outcome.operations[-1].fields["Ref"] == Ref("c", ("ID",))
