"""Exact Online webhook callbacks through the service: a genuine one is taken, and whatever is
not genuine gets one and the same 401, so that the unauthenticated URL tells a caller
nothing about which tenant and connection names exist (``api/routes/webhooks.py``)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from mapwright.connectors.exact_online.webhooks import callback_body

EVENT = {
    "Topic": "Accounts",
    "Action": "Update",
    "Division": 1,
    "Key": "5c1d8e48-8f35-4a68-9c06-8a5b3f1b2a10",
    "ExactOnlineEndpoint": "https://start.exactonline.nl/api/v1/1/crm/Accounts(guid'x')",
}


def url(tenant: str, connection: str) -> str:
    return f"/api/v1/webhooks/exact-online/{tenant}/{connection}"


async def connect(world: Any) -> str:
    """Connections of tenant ``acme``: ``exact_online`` with the app's webhook secret,
    ``exact_unsigned`` without one, ``buchhaltungsbutler``; returns the secret."""
    secret = str(world.exact_info["webhook_secret"])
    exact = {k: world.exact_info[k] for k in ("client_id", "client_secret", "refresh_token")}
    bodies = [
        ("exact_online", "exact_online", {**exact, "webhook_secret": secret}),
        ("exact_unsigned", "exact_online", exact),
        ("buchhaltungsbutler", "buchhaltungsbutler", dict(world.bb_info["credentials"])),
    ]
    for name, kind, credentials in bodies:
        info = world.exact_info if kind == "exact_online" else world.bb_info
        body = {
            "name": name,
            "kind": kind,
            "base_url": info["base_url"],
            "credentials": credentials,
            "test": False,
        }
        answer = await world.client.post("/api/v1/connections", json=body, headers=world.admin)
        assert answer.status_code == 201, answer.text
    return secret


def shape(answer: httpx.Response) -> tuple[int, str, Any]:
    return answer.status_code, answer.headers.get("content-type", ""), answer.json()


async def test_a_genuine_callback_is_taken_once(world: Any) -> None:
    secret = await connect(world)
    body = callback_body(EVENT, secret)
    first = await world.client.post(url("acme", "exact_online"), content=body)
    assert first.status_code == 200, first.text
    assert first.json()["topic"] == "Accounts" and first.json()["duplicate"] is False
    again = await world.client.post(url("acme", "exact_online"), content=body)
    assert again.status_code == 200 and again.json()["duplicate"] is True, again.text


async def test_unknown_names_answer_exactly_like_a_bad_signature(
    world: Any, caplog: pytest.LogCaptureFixture
) -> None:
    secret = await connect(world)
    world.tenant("globex")  # a tenant that exists but has no connections
    forged = callback_body(EVENT, "not-the-secret")
    bad_signature = await world.client.post(url("acme", "exact_online"), content=forged)
    assert bad_signature.status_code == 401, bad_signature.text
    assert bad_signature.headers["content-type"] == "application/problem+json"
    expected = shape(bad_signature)
    genuine = callback_body(EVENT, secret)
    probes = {
        "unknown tenant": url("nobody", "exact_online"),
        "tenant without that connection": url("globex", "exact_online"),
        "unknown connection": url("acme", "no_such_connection"),
        "not an Exact connection": url("acme", "buchhaltungsbutler"),
        "no webhook_secret": url("acme", "exact_unsigned"),
    }
    for what, probe in probes.items():
        for body in (genuine, forged, b"{}"):
            answer = await world.client.post(probe, content=body)
            assert shape(answer) == expected, (what, body, answer.text)
    # the operator still learns which it was
    with caplog.at_level(logging.WARNING, logger="mapwright.webhooks"):
        await world.client.post(url("acme", "exact_unsigned"), content=genuine)
    assert "has no webhook_secret" in caplog.text


async def test_a_body_that_is_no_callback_answers_like_a_bad_signature(world: Any) -> None:
    secret = await connect(world)
    forged = callback_body(EVENT, "not-the-secret")
    expected = shape(await world.client.post(url("acme", "exact_online"), content=forged))
    genuine = callback_body(EVENT, secret)
    bodies = [
        b"{}",
        b"\xff\xfe not UTF-8",
        genuine[: -len('"}')] + '\u00e9"}'.encode(),  # a HashCode with a non-ASCII letter
        genuine.replace(b'{"Content":{', b'{"Content":[{', 1),  # the signature no longer fits
    ]
    for body in bodies:
        answer = await world.client.post(url("acme", "exact_online"), content=body)
        assert shape(answer) == expected, (body, answer.text)
