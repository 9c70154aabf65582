"""Connections: created only after a real test call, credentials write-only and encrypted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
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


async def test_an_unknown_kind_is_refused_naming_every_kind(world: World) -> None:
    body = {"name": "exact", "kind": "exact-online", "credentials": {"client_id": "x"}}
    response = await world.client.post("/api/v1/connections", json=body, headers=world.admin)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["loc"] == "body.kind"
    assert "the kinds are: buchhaltungsbutler, exact_online, files, rest, shop" in error["msg"]
    schema = (await world.client.get("/openapi.json")).json()["components"]["schemas"]
    assert schema["ConnectionIn"]["properties"]["kind"]["enum"] == [
        "buchhaltungsbutler",
        "exact_online",
        "files",
        "rest",
        "shop",
    ]


async def test_a_consent_callback_of_a_system_without_oauth_is_not_found(world: World) -> None:
    response = await world.client.get(
        "/api/v1/oauth/shop/callback", params={"code": "x", "state": "abc.def"}
    )
    assert response.status_code == 404


async def test_a_state_signed_for_another_consent_is_refused(world: World) -> None:
    from mapwright.api.signing import Signer

    state = Signer(world.services.settings.secret_key or "").sign(
        "oauth:other", {"t": "acme", "c": "exact_online"}, 900
    )
    response = await world.client.get(
        "/api/v1/oauth/exact-online/callback", params={"code": "x", "state": state}
    )
    assert response.status_code == 400


async def test_credentials_are_encrypted_in_the_store(world: World) -> None:
    await world.connect_sandboxes()
    stored = world.services.store.connections("acme")["buchhaltungsbutler"]
    assert set(stored.credentials) == {"$encrypted"}


def files_connection(folder: str, *, test: bool = False, name: str = "files") -> dict[str, Any]:
    return {"name": name, "kind": "files", "options": {"folder": folder}, "test": test}


async def test_file_connections_are_off_unless_the_operator_sets_a_root(world: World) -> None:
    response = await world.client.post(
        "/api/v1/connections", json=files_connection("/etc"), headers=world.admin
    )
    assert response.status_code == 422
    assert "MAPWRIGHT_FILES_ROOT" in response.json()["detail"]
    assert response.json()["errors"][0]["loc"] == "body.options.folder"
    assert (await world.client.get("/api/v1/connections", headers=world.admin)).json() == []


@pytest.mark.parametrize("folder", ["/etc", "../globex", "in/../../globex", "up"])
async def test_a_file_folder_outside_the_tenant_root_is_refused(
    make_world: Any, settings: Any, tmp_path: Path, folder: str
) -> None:
    root = tmp_path / "files"
    (root / "globex").mkdir(parents=True)
    (root / "acme").mkdir()
    (root / "acme" / "up").symlink_to(root / "globex")
    world = await make_world(settings=settings.model_copy(update={"files_root": root}))
    response = await world.client.post(
        "/api/v1/connections", json=files_connection(folder), headers=world.admin
    )
    assert response.status_code == 422, response.text
    assert "outside the tenant's file folder" in response.json()["detail"] or (
        "relative path" in response.json()["detail"]
    )
    assert response.json()["errors"][0]["loc"] == "body.options.folder"


async def test_a_file_linking_out_of_the_root_is_never_read(
    make_world: Any, settings: Any, tmp_path: Path
) -> None:
    root = tmp_path / "files"
    inbox = root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    secret = tmp_path / "secret.jsonl"
    secret.write_text('{"id": 1, "password": "hunter2"}\n', encoding="utf-8")
    (inbox / "orders.jsonl").symlink_to(secret)
    (root / "acme" / "ok").mkdir()
    (root / "acme" / "ok" / "orders.jsonl").write_text('{"id": 7}\n', encoding="utf-8")
    world = await make_world(settings=settings.model_copy(update={"files_root": root}))
    good = await world.client.post(
        "/api/v1/connections", json=files_connection("ok", test=True), headers=world.admin
    )
    assert good.status_code == 201, good.text
    refused = await world.client.post(
        "/api/v1/connections", json=files_connection("inbox", test=True), headers=world.admin
    )
    assert refused.status_code == 422
    assert "orders.jsonl' lies outside the tenant's file folder" in refused.json()["detail"]
    assert "hunter2" not in refused.text and str(tmp_path) not in refused.text
    # a link placed after the connection was saved is refused when a run reads the folder
    (root / "acme" / "ok" / "orders.jsonl").unlink()
    (root / "acme" / "ok" / "orders.jsonl").symlink_to(secret)
    flow = {
        "name": "copy",
        "script": "flow copy\nsource files.orders\ntarget files\n"
        "create files.copies as row unless exists id = id {\n  id <- id\n}\n",
    }
    created = await world.client.post("/api/v1/flows", json=flow, headers=world.admin)
    assert created.status_code == 201, created.text
    run = await world.client.post(
        "/api/v1/flows/copy/runs", json={"dry_run": True, "wait_seconds": 30}, headers=world.admin
    )
    report = run.json()
    assert report["status"] == "failed", report
    assert "outside the tenant's file folder" in (report["error"] or "")
    log = await world.client.get(f"/api/v1/runs/{report['id']}/records", headers=world.admin)
    assert "hunter2" not in log.text


async def test_the_hosted_sandboxes_are_offered_and_connect(tmp_path: Path) -> None:
    """``serve --demo``'s sandboxes (from the connectors' declarations) are listed for the
    wizard without tokens, and what the listing says makes a working connection."""
    import httpx
    from mapwright.api import demo
    from mapwright.api.app import create_app
    from mapwright.api.services import create_tenant
    from mapwright.api.settings import ApiSettings
    from mapwright.api.vault import Vault

    settings = ApiSettings(
        data_dir=tmp_path / "data",
        secret_key=Vault.new_key(),
        public_url="http://mapwright.test",
    )
    sandboxes = demo.build_sandboxes(settings.public_url, tmp_path)
    assert sorted(sandboxes.connections) == ["buchhaltungsbutler", "exact_online", "shop"]
    assert sandboxes.connections["exact_online"]["credentials"]["refresh_token"]
    app = create_app(settings, transports=sandboxes.transports)
    demo.mount(app, sandboxes)
    key = create_tenant(app.state.services, "acme")
    headers = {"Authorization": f"Bearer {key}"}
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://mapwright.test"
        ) as http:
            offered = (await http.get("/api/v1/studio/sandboxes", headers=headers)).json()
            by_kind = {s["kind"]: s for s in offered}
            assert sorted(by_kind) == ["buchhaltungsbutler", "exact_online", "shop"]
            assert sorted(by_kind["exact_online"]["credentials"]) == [
                "client_id",
                "client_secret",
            ]
            assert by_kind["shop"]["base_url"] == "http://mapwright.test/sandbox/shop"
            for kind in ("buchhaltungsbutler", "shop"):
                body = {
                    "name": kind,
                    "kind": kind,
                    "base_url": by_kind[kind]["base_url"],
                    "credentials": by_kind[kind]["credentials"],
                }
                made = await http.post("/api/v1/connections", json=body, headers=headers)
                assert made.status_code == 201, made.text
                assert made.json()["status"] == "ready"
    finally:
        app.state.services.close()
