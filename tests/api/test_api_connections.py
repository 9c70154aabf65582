"""Connections: created only after a real test call, credentials write-only and encrypted."""

from __future__ import annotations

from conftest import World


async def test_connections_are_tested_and_listed_without_credentials(world: World) -> None:
    await world.connect_sandboxes()
    listed = (await world.client.get("/api/v1/connections", headers=world.admin)).json()
    by_name = {c["name"]: c for c in listed}
    assert by_name["buchhaltungsbutler"]["credentials_set"] == [
        "api_client",
        "api_key",
        "api_secret",
    ]
    assert by_name["exact_online"]["status"] == "ready"
    text = str(listed)
    assert world.bb_info["credentials"]["api_secret"] not in text
    assert world.exact_info["client_secret"] not in text


async def test_wrong_credentials_are_refused_and_not_stored(world: World) -> None:
    body = {
        "name": "buchhaltungsbutler",
        "kind": "buchhaltungsbutler",
        "base_url": world.bb_info["base_url"],
        "credentials": {**world.bb_info["credentials"], "api_secret": "wrong-secret"},
    }
    response = await world.client.post("/api/v1/connections", json=body, headers=world.admin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == "body.credentials"
    listed = await world.client.get("/api/v1/connections", headers=world.admin)
    assert listed.json() == []


async def test_missing_credential_fields_are_named(world: World) -> None:
    body = {"name": "bb", "kind": "buchhaltungsbutler", "credentials": {"api_key": "x"}}
    response = await world.client.post("/api/v1/connections", json=body, headers=world.admin)
    assert response.status_code == 422
    locs = {e["loc"] for e in response.json()["errors"]}
    assert locs == {"body.credentials.api_client", "body.credentials.api_secret"}


async def test_test_endpoint_and_delete(world: World) -> None:
    await world.connect_sandboxes()
    tested = await world.client.post("/api/v1/connections/exact_online/test", headers=world.admin)
    assert tested.json()["ok"] is True
    gone = await world.client.delete("/api/v1/connections/exact_online", headers=world.admin)
    assert gone.status_code == 204
    again = await world.client.get("/api/v1/connections/exact_online", headers=world.admin)
    assert again.status_code == 404


async def test_exact_rotated_refresh_token_is_kept_across_tests(world: World) -> None:
    await world.connect_sandboxes()
    for _ in range(2):
        tested = await world.client.post(
            "/api/v1/connections/exact_online/test", headers=world.admin
        )
        assert tested.json()["ok"] is True, tested.text
    creds = world.services.connections.credentials("acme", "exact_online")
    assert creds["tokens"]["refresh_token"] != world.exact_info["refresh_token"]


async def test_exact_consent_flow_through_the_callback(world: World) -> None:
    body = {
        "name": "exact_online",
        "kind": "exact_online",
        "base_url": world.exact_info["base_url"],
        "credentials": {
            "client_id": world.exact_info["client_id"],
            "client_secret": world.exact_info["client_secret"],
        },
    }
    created = await world.client.post("/api/v1/connections", json=body, headers=world.admin)
    assert created.status_code == 201
    assert created.json()["status"] == "consent_needed"
    authorize = created.json()["authorize_url"]
    sandbox = world.services.connections.transport_for(
        "exact_online", world.services.connections.config("acme", "exact_online")
    )
    import httpx

    async with httpx.AsyncClient(transport=sandbox) as http:
        redirect = await http.get(authorize, follow_redirects=False)
    location = redirect.headers["location"]
    callback = location.split("/api/v1", 1)[1]
    done = await world.client.get("/api/v1" + callback)
    assert done.status_code == 200, done.text
    listed = await world.client.get("/api/v1/connections/exact_online", headers=world.admin)
    assert listed.json()["status"] == "ready"


async def test_a_forged_oauth_state_is_refused(world: World) -> None:
    response = await world.client.get(
        "/api/v1/oauth/exact-online/callback", params={"code": "x", "state": "abc.def"}
    )
    assert response.status_code == 400


async def test_credentials_are_encrypted_in_the_store(world: World) -> None:
    await world.connect_sandboxes()
    stored = world.services.store.connections("acme")["buchhaltungsbutler"]
    assert set(stored.credentials) == {"$encrypted"}
