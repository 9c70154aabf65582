"""A local BuchhaltungsButler: ``create_app(options)`` and ``describe(app, base_url)``.

Run it with ``mapwright sandbox buchhaltungsbutler`` or mount it in tests with
``httpx.ASGITransport(app=create_app(SandboxOptions()))``. Behaviour switches go into
``SandboxOptions.extra`` (``BBSettings``: credentials, rate limits, the over-limit status,
page maxima, ``clock``); see ``docs/connectors/buchhaltungsbutler.md`` for what is modelled
and which behaviour is our assumption.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from mapwright.connectors.buchhaltungsbutler.sandbox.app import build_app, fault_answer
from mapwright.connectors.buchhaltungsbutler.sandbox.context import BBSettings, Context
from mapwright.connectors.buchhaltungsbutler.sandbox.seed import (
    CHART,
    PAYMENT_ACCOUNTS,
    seed_records,
)
from mapwright.connectors.buchhaltungsbutler.sandbox.store import Store
from mapwright.connectors.sandbox import SandboxOptions

__all__ = ["BBSettings", "create_app", "describe", "fill"]


def create_app(options: SandboxOptions | None = None) -> FastAPI:
    """The sandbox app for ``options`` (seeded, faults installed when configured)."""
    options = options or SandboxOptions()
    settings = BBSettings.from_extra(dict(options.extra))
    store = Store(options.data_file)
    if store.empty:
        with store.batch():
            fill(store, options.seed, options.records)
    ctx = Context(store, settings)

    def install(app: FastAPI) -> None:
        from mapwright.connectors.faults import install_faults

        install_faults(app, options.faults, seed=options.seed, error_answer=fault_answer)

    return build_app(ctx, install)


def fill(store: Store, seed: int, records: int) -> None:
    """Put the seed data for ``seed`` into an empty ``store``."""
    data = seed_records(seed, records)
    for number, (name, kind, subtype) in CHART.items():
        parent = None
        store.put(
            "postingaccounts",
            number,
            {
                "postingaccount_number": number,
                "name": name,
                "type": kind,
                "subtype": subtype,
                "parent_postingaccount_number": parent,
                "parent_name": None,
            },
        )
    for number, name in PAYMENT_ACCOUNTS:
        store.put("accounts", number, {"name": name, "postingaccount_number": number})
    for table in ("debtors", "creditors"):
        for record in getattr(data, table):
            store.put(table, record["postingaccount_number"], record)
    for receipt in data.receipts:
        store.put("receipts", receipt["id"], receipt)
    for posting in data.postings:
        store.put("postings", posting["id"], posting)
    for transaction in data.transactions:
        store.put("transactions", transaction["id"], transaction)
    for link in data.assignments:
        store.put("assignments", f"{link['transaction']}-{link['receipt']}", link)
    store.set_counter("receipts", len(data.receipts))
    store.set_counter("postings", len(data.postings))
    store.set_counter("transactions", len(data.transactions))
    store.set_counter("assignments", len(data.assignments))


def describe(app: FastAPI, base_url: str) -> dict[str, Any]:
    """How to connect to this sandbox served at ``base_url`` (credentials and base URL)."""
    settings: BBSettings = app.state.bb.settings
    api_base = base_url.rstrip("/") + "/api/v1"
    credentials = {
        "api_client": settings.api_client,
        "api_secret": settings.api_secret,
        "api_key": settings.api_key,
    }
    return {
        "kind": "buchhaltungsbutler",
        "base_url": api_base,
        **credentials,
        "credentials": credentials,
        "admin": base_url.rstrip("/") + "/_admin/faults",
    }
