"""Sandbox extras: webhook callbacks, lost answers after a commit, SQLite persistence."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Request
from mapwright.connectors.errors import AuthError, RetriableError
from mapwright.connectors.exact_online.sandbox import create_app, describe
from mapwright.connectors.exact_online.testing import BASE, make_connector, make_sandbox
from mapwright.connectors.exact_online.webhooks import verify_callback
from mapwright.connectors.faults import fault_state
from mapwright.connectors.sandbox import SandboxOptions


def receiver() -> tuple[FastAPI, list[bytes]]:
    received: list[bytes] = []
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> dict[str, bool]:
        received.append(await request.body())
        return {"ok": True}

    return app, received


async def test_subscribed_topic_gets_a_signed_callback() -> None:
    hooks, received = receiver()
    app, sandbox, clock = make_sandbox(webhook_transport=httpx.ASGITransport(app=hooks))
    connector = make_connector(app, clock)
    await connector.create(
        "webhook_subscriptions", {"Topic": "Accounts", "CallbackURL": "http://hooks.test/hook"}
    )
    account = await connector.create("accounts", {"Name": "Hörmann & Söhne"})
    await connector.create("items", {"Code": "NOHOOK-1", "Description": "no subscription"})
    assert len(received) == 1
    event = verify_callback(received[0], describe(app, BASE)["webhook_secret"])
    assert event["Topic"] == "Accounts" and event["Action"] == "Create"
    assert event["Key"] == account["ID"] and event["Division"] == sandbox.division
    with pytest.raises(AuthError, match="signature"):
        verify_callback(received[0], "wrong-secret")
    tampered = received[0].replace(b'"Create"', b'"Delete"')
    with pytest.raises(AuthError):
        verify_callback(tampered, describe(app, BASE)["webhook_secret"])
    # a HashCode with a non-ASCII letter is a wrong signature (compare_digest of str raises)
    odd = received[0][: -len('"}')] + '\u00e9"}'.encode()
    with pytest.raises(AuthError, match="signature"):
        verify_callback(odd, describe(app, BASE)["webhook_secret"])
    await connector.aclose()


async def test_unknown_topic_is_refused() -> None:
    app, sandbox, clock = make_sandbox()
    connector = make_connector(app, clock)
    from mapwright.connectors.errors import SkippableError

    with pytest.raises(SkippableError, match="topic"):
        await connector.create(
            "webhook_subscriptions", {"Topic": "Nonsense", "CallbackURL": "http://x.test/"}
        )
    await connector.aclose()


async def test_lost_answer_after_commit_is_maybe_committed_and_findable() -> None:
    app, sandbox, clock = make_sandbox()
    connector = make_connector(app, clock)
    customer = next(a for a in sandbox.store.table("crm/Accounts").values() if a["Status"] == "C")
    item = next(iter(sandbox.store.table("logistics/Items")))
    await connector.division()
    fault_state(app).options.timeout_after_commit_rate = 1.0
    with pytest.raises(RetriableError) as lost:
        await connector.create(
            "sales_orders",
            {
                "OrderedBy": customer["ID"],
                "YourRef": "WEB-LOST-1",
                "SalesOrderLines": [{"Item": item, "Quantity": 1}],
            },
        )
    assert lost.value.maybe_committed
    fault_state(app).options.timeout_after_commit_rate = 0.0
    found = await connector.find("sales_orders", "YourRef", ["WEB-LOST-1"])
    assert len(found["WEB-LOST-1"]) == 1, "the write landed once; the engine finds it"
    await connector.aclose()


async def test_state_survives_a_restart_with_a_data_file(tmp_path) -> None:
    data = str(tmp_path / "exact.sqlite")
    first = create_app(SandboxOptions(seed=5, records=6, data_file=data))
    info = describe(first, BASE)
    form = {
        "grant_type": "refresh_token",
        "refresh_token": info["refresh_token"],
        "client_id": info["client_id"],
        "client_secret": info["client_secret"],
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url=BASE) as h:
        token = (await h.post("/api/oauth2/token", data=form)).json()["access_token"]
        made = await h.post(
            f"/api/v1/{info['division']}/crm/Accounts",
            json={"Name": "Persistenz GmbH"},
            headers={"Authorization": f"Bearer {token}", "Prefer": "return=representation"},
        )
        assert made.status_code == 201
    key = made.json()["d"]["ID"]
    second = create_app(SandboxOptions(seed=5, records=6, data_file=data))
    assert second.state.sandbox.store.table("crm/Accounts")[key]["Name"] == "Persistenz GmbH"
    assert len(second.state.sandbox.store.table("crm/Accounts")) == len(
        first.state.sandbox.store.table("crm/Accounts")
    )


def test_seed_is_deterministic() -> None:
    one = create_app(SandboxOptions(seed=11, records=8)).state.sandbox.store.tables
    two = create_app(SandboxOptions(seed=11, records=8)).state.sandbox.store.tables
    other = create_app(SandboxOptions(seed=12, records=8)).state.sandbox.store.tables
    assert one["crm/Accounts"].keys() == two["crm/Accounts"].keys()
    assert [r["Name"] for r in one["crm/Accounts"].values()] == [
        r["Name"] for r in two["crm/Accounts"].values()
    ]
    assert one["crm/Accounts"].keys() != other["crm/Accounts"].keys()
    names = " ".join(r["Name"] for r in one["crm/Accounts"].values())
    assert any(ch in names for ch in "äöüßÄÖÜ")
    countries = {r["Country"] for r in one["crm/Accounts"].values()}
    assert countries == {"DE", "NL", "BE", "AT"}
    variants = [r for r in one["logistics/Items"].values() if r.get("Class_01")]
    assert variants and all(r["Code"].startswith(r["Class_01"]) for r in variants)


async def test_deletions_are_listed_incrementally() -> None:
    app, sandbox, clock = make_sandbox()
    connector = make_connector(app, clock)
    start = await connector.list("deleted_records")
    assert start.records == []
    account = await connector.create("accounts", {"Name": "Kurzlebig KG"})
    url = f"/api/v1/{await connector.division()}/crm/Accounts(guid'{account['ID']}')"
    gone = await connector.call("DELETE", url)
    assert gone.status_code == 204
    page = await connector.list("deleted_records", cursor=start.cursor)
    assert [(r["EntityKey"], r["EntityType"]) for r in page.records] == [(account["ID"], 2)]
    assert await connector.get("accounts", account["ID"]) is None
    await connector.aclose()


async def test_reads_ride_out_429_bursts_and_503s() -> None:
    app, sandbox, clock = make_sandbox()
    connector = make_connector(app, clock)
    await connector.division()
    faults = fault_state(app).options
    faults.burst_429 = 3
    vat = next(iter(sandbox.store.table("vat/VATCodes")))
    assert await connector.get("vat_codes", vat) is not None
    assert fault_state(app).options.burst_429 == 0
    faults.error_rates = {503: 1.0}
    with pytest.raises(RetriableError) as failing:
        await connector.get("vat_codes", vat)
    assert failing.value.status == 503
    faults.error_rates = {}
    assert await connector.get("vat_codes", vat) is not None
    await connector.aclose()


async def test_a_503_on_a_write_goes_to_the_engine_as_retriable() -> None:
    app, sandbox, clock = make_sandbox()
    connector = make_connector(app, clock)
    await connector.division()
    fault_state(app).options.error_rates = {503: 1.0}
    before = len(sandbox.store.table("crm/Accounts"))
    with pytest.raises(RetriableError):
        await connector.create("accounts", {"Name": "Nur einmal"})
    assert len(sandbox.store.table("crm/Accounts")) == before
    await connector.aclose()
