"""Exact webhooks end to end: the sandbox posts signed callbacks as Exact does, the receiver
verifies and de-duplicates them and a worker runs the flow that reads the topic."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from types import SimpleNamespace

import httpx
from fastapi import FastAPI
from mapwright.api import errors
from mapwright.api.routes.webhooks import router
from mapwright.connectors.exact_online.webhooks import callback_body
from scale_cluster import Cluster, Served, bb_rows, wait_for

FLOW = "customers_to_buchhaltungsbutler"


def test_an_exact_webhook_runs_the_flow_of_its_topic_once(
    make_cluster: Callable[..., Cluster],
) -> None:
    cluster = make_cluster(records=12)
    engine = cluster.engine()
    engine.store.save_flow("acme", FLOW, (engine.catalog.get("acme", FLOW).script))
    app = FastAPI()
    errors.install(app)  # the service's problem+json answers
    app.include_router(router)
    app.state.services = SimpleNamespace(engine=engine)
    hook = Served(app)
    callback = f"{hook.url}/api/v1/webhooks/exact-online/acme/exact_online"
    cluster.worker(concurrency=2)
    try:
        first = engine.submit("acme", FLOW)  # the initial sync
        asyncio.run(engine.executor.wait(first))

        async def subscribe_and_change() -> None:
            exact = engine.connections.build("acme", "exact_online")
            try:
                await exact.create(
                    "webhook_subscriptions", {"CallbackURL": callback, "Topic": "Accounts"}
                )
                await exact.create(
                    "accounts",
                    {"Name": "Webhook Kunde GmbH", "Email": "hook@example.org", "Status": "C"},
                )
            finally:
                await exact.aclose()

        asyncio.run(subscribe_and_change())
        [sent] = [e for e in cluster.exact_sandbox.webhook_log if e.get("Action") == "Create"]
        assert sent["status"] == 200, sent
        runs = wait_for(
            lambda: [r for r in engine.store.runs("acme", FLOW) if r["trigger"] == "webhook"], 30
        )
        asyncio.run(engine.executor.wait(runs[0]["id"]))
        names = [d.get("name") for d in bb_rows(cluster, "debtors")]
        assert names.count("Webhook Kunde GmbH") == 1

        # Exact sending the same callback again: answered, nothing started
        content = {k: v for k, v in sent.items() if k not in ("url", "status")}
        again = callback_body(content, cluster.exact_sandbox.webhook_secret)
        answer = httpx.post(callback, content=again, timeout=30)
        assert answer.status_code == 200 and answer.json()["duplicate"] is True, answer.text
        forged = again.replace(b"Webhook", b"Webhook").replace(b'"Create"', b'"Delete"')
        refused = httpx.post(callback, content=forged, timeout=30)
        assert refused.status_code == 401, refused.text
        webhook_runs = [r for r in engine.store.runs("acme", FLOW) if r["trigger"] == "webhook"]
        assert len(webhook_runs) == 1, json.dumps(webhook_runs, default=str)
    finally:
        hook.stop()
        engine.store.close()
