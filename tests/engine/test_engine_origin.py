"""The ledger's origin mark: which target records a flow created (not only matched), on
SQLite and PostgreSQL; the runner's echo check reads it."""

from __future__ import annotations

from mapwright.engine.ledger import Ledger, created_by_flows
from mapwright.engine.store import Store

TARGET = "exact_online.sales_invoices"


def test_a_create_marks_its_target_as_created_by_the_flow(store: Store) -> None:
    orders = Ledger(store, "acme", "orders")
    orders.pending("17", "invoice", TARGET, {"YourRef": "RE-17"}, "run-1")
    orders.confirm("17", "invoice", TARGET, "guid-a", {"YourRef": "RE-17"}, "run-1")
    # matched, never created: an invoice that was in Exact before
    orders.confirm("18", "invoice", TARGET, "guid-b", {"YourRef": "RE-18"}, "run-1")
    # a create still waiting for its answer is not settled yet
    orders.pending("19", "invoice", TARGET, {"YourRef": "RE-19"}, "run-1")

    found = created_by_flows(store, "acme", TARGET, ["guid-a", "guid-b", "guid-c"])
    assert found == {"guid-a": ("orders", "17")}
    assert created_by_flows(store, "other", TARGET, ["guid-a"]) == {}
    assert created_by_flows(store, "acme", "exact_online.sales_orders", ["guid-a"]) == {}
    assert created_by_flows(store, "acme", TARGET, []) == {}


def test_a_later_match_keeps_the_origin_of_an_earlier_create(store: Store) -> None:
    orders = Ledger(store, "acme", "orders")
    orders.pending("17", "invoice", TARGET, None, "run-1")
    orders.confirm("17", "invoice", TARGET, "guid-a", None, "run-1")
    orders.confirm("17", "invoice", TARGET, "guid-a", None, "run-2")  # "exists" next run
    assert created_by_flows(store, "acme", TARGET, ["guid-a"]) == {"guid-a": ("orders", "17")}


def test_a_forgotten_create_is_no_origin(store: Store) -> None:
    orders = Ledger(store, "acme", "orders")
    orders.pending("17", "invoice", TARGET, None, "run-1")
    orders.forget("17", "invoice")
    orders.confirm("17", "invoice", TARGET, "guid-a", None, "run-2")  # found, not made
    assert created_by_flows(store, "acme", TARGET, ["guid-a"]) == {}
