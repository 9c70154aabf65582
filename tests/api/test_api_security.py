"""Security: tenants cannot see each other, secrets never reach the database dump or the
logs, keys rotate, bad keys are refused."""

from __future__ import annotations

import io
import json
import logging
import sqlite3

from conftest import World
from flows_fixtures import RECEIPTS
from mapwright.api.logs import configure
from mapwright.api.rotation import rotate
from mapwright.api.services import Services
from mapwright.api.settings import ApiSettings
from mapwright.api.vault import Vault


async def flow_with_a_run(world: World) -> str:
    await world.connect_sandboxes()
    await world.client.post(
        "/api/v1/flows", json={"name": "receipts", "script": RECEIPTS}, headers=world.admin
    )
    run = await world.client.post(
        "/api/v1/flows/receipts/runs",
        json={"dry_run": True, "wait_seconds": 30},
        headers=world.admin,
    )
    return str(run.json()["id"])


async def test_another_tenant_gets_404_for_everything(world: World) -> None:
    run_id = await flow_with_a_run(world)
    await world.client.post(
        "/api/v1/flows/receipts/export", json={"version": "1.0.0"}, headers=world.admin
    )
    records = (await world.client.get(f"/api/v1/runs/{run_id}/records", headers=world.admin)).json()
    record_id = records["records"][0]["id"]
    other = world.tenant("globex")
    for method, path in [
        ("GET", "/api/v1/flows/receipts"),
        ("PATCH", "/api/v1/flows/receipts"),
        ("DELETE", "/api/v1/flows/receipts"),
        ("POST", "/api/v1/flows/receipts/runs"),
        ("GET", f"/api/v1/runs/{run_id}"),
        ("GET", f"/api/v1/runs/{run_id}/records"),
        ("POST", f"/api/v1/runs/{run_id}/cancel"),
        ("GET", "/api/v1/templates/receipts/versions/1.0.0"),
        ("GET", "/api/v1/connections/exact_online"),
        ("PUT", f"/api/v1/parked/{record_id}"),
    ]:
        body: dict[str, object] | None = (
            {"source": {}} if method == "PUT" else ({} if method in ("PATCH", "POST") else None)
        )
        response = await world.client.request(method, path, json=body, headers=other)
        assert response.status_code == 404, (method, path, response.status_code)
    assert (await world.client.get("/api/v1/runs", headers=other)).json() == []
    assert (await world.client.get("/api/v1/flows", headers=other)).json() == []
    replay = await world.client.post(
        "/api/v1/parked/replay", json={"ids": [record_id]}, headers=other
    )
    assert replay.status_code == 404


async def test_missing_unknown_and_revoked_keys_are_401(world: World) -> None:
    assert (await world.client.get("/api/v1/flows")).status_code == 401
    bad = {"Authorization": "Bearer mw_nothing_here"}
    assert (await world.client.get("/api/v1/flows", headers=bad)).status_code == 401
    created = await world.client.post(
        "/api/v1/keys", json={"name": "ci", "scope": "runner"}, headers=world.admin
    )
    key = {"X-API-Key": created.json()["key"]}
    assert (await world.client.get("/api/v1/flows", headers=key)).status_code == 200
    await world.client.delete(f"/api/v1/keys/{created.json()['id']}", headers=world.admin)
    assert (await world.client.get("/api/v1/flows", headers=key)).status_code == 401


async def test_keys_are_stored_hashed_and_listed_without_the_key(world: World) -> None:
    created = (
        await world.client.post(
            "/api/v1/keys", json={"name": "ci", "scope": "viewer"}, headers=world.admin
        )
    ).json()
    listed = (await world.client.get("/api/v1/keys", headers=world.admin)).text
    assert created["key"] not in listed
    assert created["key"][:11] in listed


def dump(world: World) -> str:
    path = world.services.settings.data_dir / "mapwright.db"
    with sqlite3.connect(path) as db:
        return "\n".join(db.iterdump())


async def test_a_database_dump_contains_no_plaintext_secret(world: World) -> None:
    await flow_with_a_run(world)
    await world.client.post(
        "/api/v1/flows/receipts/alerts",
        json={"kind": "webhook", "url": "http://127.0.0.1:9/hook?token=hook-secret-123"},
        headers=world.admin,
    )
    tokens = world.services.connections.credentials("acme", "exact_online")["tokens"]
    secrets = [
        world.exact_info["client_secret"],
        world.exact_info["refresh_token"],
        tokens["refresh_token"],
        tokens["access_token"],
        world.bb_info["credentials"]["api_secret"],
        world.bb_info["credentials"]["api_key"],
        world.admin["Authorization"].split()[1],
        "hook-secret-123",
    ]
    text = dump(world)
    assert "receipts" in text  # the dump is real
    for secret in secrets:
        assert secret not in text


async def test_logs_contain_no_token(world: World) -> None:
    stream = io.StringIO()
    handler = configure("DEBUG", stream)
    try:
        await flow_with_a_run(world)
        await world.client.get("/api/v1/flows", headers=world.admin)
        logging.getLogger("mapwright.api").info(
            "debug dump %s", world.services.connections.credentials("acme", "buchhaltungsbutler")
        )
        logging.getLogger("mapwright.api").warning("auth header was Bearer abc.def-ghi")
    finally:
        logging.getLogger("mapwright").removeHandler(handler)
    text = stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert any(line.get("path") == "/api/v1/flows" for line in lines)
    for secret in (
        world.admin["Authorization"].split()[1],
        world.bb_info["credentials"]["api_secret"],
        world.bb_info["credentials"]["api_key"],
        world.exact_info["client_secret"],
        "abc.def-ghi",
    ):
        assert secret not in text


async def test_key_rotation_re_encrypts_every_credential(world: World) -> None:
    await world.connect_sandboxes()
    old = world.services.settings.secret_key
    new = Vault.new_key()
    rotated = Services(
        ApiSettings(data_dir=world.services.settings.data_dir, secret_key=f"{new},{old}")
    )
    try:
        assert rotate(rotated) == {"connections": 2, "channels": 0}
    finally:
        rotated.close()
    only_new = Services(ApiSettings(data_dir=world.services.settings.data_dir, secret_key=new))
    try:
        creds = only_new.connections.credentials("acme", "buchhaltungsbutler")
        assert creds == world.bb_info["credentials"]
    finally:
        only_new.close()


async def test_a_wrong_key_cannot_decrypt(world: World) -> None:
    await world.connect_sandboxes()
    other = Services(
        ApiSettings(data_dir=world.services.settings.data_dir, secret_key=Vault.new_key())
    )
    try:
        import pytest
        from mapwright.api.vault import VaultError

        with pytest.raises(VaultError):
            other.connections.credentials("acme", "buchhaltungsbutler")
    finally:
        other.close()


async def test_client_mistakes_are_4xx_problems_never_500(world: World) -> None:
    cases = [
        ("POST", "/api/v1/scripts/lint", b"{not json"),
        ("POST", "/api/v1/scripts/lint", b'{"script": 5}'),
        ("POST", "/api/v1/scripts/lint", b'{"script": "x", "surprise": 1}'),
        ("POST", "/api/v1/flows", b'{"name": "Bad Name!", "script": "A <- 1"}'),
        ("GET", "/api/v1/runs?limit=0", None),
        ("POST", "/api/v1/flows/x/runs", b'{"page_size": "ten"}'),
    ]
    for method, path, body in cases:
        response = await world.client.request(
            method, path, content=body, headers={**world.admin, "Content-Type": "application/json"}
        )
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"]


async def test_a_too_large_body_is_413(world: World) -> None:
    limit = world.services.settings.max_body_bytes
    body = {"script": "A <- 1\n", "records": [{"x": "y" * 1000}] * (limit // 1000 + 1)}
    response = await world.client.post("/api/v1/scripts/run", json=body, headers=world.admin)
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_log_lines_carry_no_terminal_colour_codes() -> None:
    import io
    import json
    import logging

    from mapwright.api.logs import formatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter())
    logger = logging.getLogger("uvicorn.error.colourtest")
    logger.handlers, logger.propagate = [handler], False
    # uvicorn passes a coloured copy of each message as an extra field
    logger.warning("Started server process [%d]", 7, extra={"color_message": "\x1b[36m%d\x1b[0m"})
    line = json.loads(stream.getvalue())
    assert line["message"] == "Started server process [7]"
    assert "color_message" not in line
    assert "\x1b" not in stream.getvalue()
