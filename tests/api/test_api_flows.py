"""Flows: create, settings checked field by field, versions with diffs, enable, schedule."""

from __future__ import annotations

from conftest import World
from flows_fixtures import RECEIPTS


async def create(world: World, **extra: object) -> dict:
    body = {"name": "receipts", "script": RECEIPTS, **extra}
    response = await world.client.post("/api/v1/flows", json=body, headers=world.admin)
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_shows_the_settings_schema(world: World) -> None:
    flow = await create(world)
    assert flow["version"] == 1 and flow["enabled"] is False
    assert flow["settings_schema"]["item_code"]["default"] == "SHIRT-001-L"
    assert flow["source"] == ["buchhaltungsbutler", "receipts"]


async def test_bad_settings_get_field_level_errors(world: World) -> None:
    response = await world.client.post(
        "/api/v1/flows",
        json={"name": "receipts", "script": RECEIPTS, "settings": {"item_code": 5, "nope": 1}},
        headers=world.admin,
    )
    assert response.status_code == 422
    locs = {e["loc"] for e in response.json()["errors"]}
    assert locs == {"body.settings.item_code", "body.settings.nope"}


async def test_a_script_that_does_not_compile_is_refused_with_its_position(world: World) -> None:
    response = await world.client.post(
        "/api/v1/flows", json={"name": "x", "script": "Name <- (a"}, headers=world.admin
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"].startswith("body.script:1:")


async def test_exactly_one_origin_is_required(world: World) -> None:
    response = await world.client.post(
        "/api/v1/flows",
        json={"name": "x", "script": "A <- 1", "builtin": "orders"},
        headers=world.admin,
    )
    assert response.status_code == 422


async def test_edits_make_versions_with_diffs_and_audit_entries(world: World) -> None:
    await create(world)
    edited = await world.client.patch(
        "/api/v1/flows/receipts",
        json={"settings": {"item_code": "OTHER"}, "script": RECEIPTS.replace("Beleg", "Receipt")},
        headers=world.admin,
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    versions = (
        await world.client.get("/api/v1/flows/receipts/versions", headers=world.admin)
    ).json()
    assert [v["version"] for v in versions] == [1, 2]
    diff = (
        await world.client.get("/api/v1/flows/receipts/versions/1/diff/2", headers=world.admin)
    ).json()
    assert '-  Description <- "Beleg " & invoicenumber' in diff["script"]
    assert diff["settings"] == {"item_code": {"before": None, "after": "OTHER"}}
    audit = (
        await world.client.get(
            "/api/v1/audit", params={"target": "flows/receipts"}, headers=world.admin
        )
    ).json()
    assert [a["action"] for a in audit] == ["flow.edit", "flow.create"]
    assert audit[0]["actor"].startswith("key:bootstrap-admin")
    assert audit[0]["diff"]["settings"]["item_code"]["after"] == "OTHER"


async def test_restore_brings_an_old_version_back(world: World) -> None:
    await create(world)
    await world.client.patch(
        "/api/v1/flows/receipts", json={"settings": {"item_code": "X"}}, headers=world.admin
    )
    restored = await world.client.post(
        "/api/v1/flows/receipts/versions/1/restore", headers=world.admin
    )
    assert restored.json()["version"] == 3 and restored.json()["settings"] == {}


async def test_enable_disable_and_schedule(world: World) -> None:
    await create(world)
    enabled = await world.client.post("/api/v1/flows/receipts/enable", headers=world.admin)
    assert enabled.json()["enabled"] is True
    scheduled = await world.client.put(
        "/api/v1/flows/receipts/schedule", json={"cron": "*/15 * * * *"}, headers=world.admin
    )
    assert scheduled.json()["schedule"] == {"cron": "*/15 * * * *"}
    assert scheduled.json()["next_run_at"] is not None
    bad = await world.client.put(
        "/api/v1/flows/receipts/schedule", json={"cron": "every monday"}, headers=world.admin
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == "body.cron"
    short = await world.client.put(
        "/api/v1/flows/receipts/schedule", json={"interval_seconds": 5}, headers=world.admin
    )
    assert short.status_code == 422 and short.json()["errors"][0]["loc"] == "body.interval_seconds"
    disabled = await world.client.post("/api/v1/flows/receipts/disable", headers=world.admin)
    assert disabled.json()["enabled"] is False


async def test_delete_removes_the_flow(world: World) -> None:
    await create(world)
    assert (
        await world.client.delete("/api/v1/flows/receipts", headers=world.admin)
    ).status_code == 204
    assert (
        await world.client.get("/api/v1/flows/receipts", headers=world.admin)
    ).status_code == 404


async def test_a_viewer_cannot_edit(world: World) -> None:
    await create(world)
    response = await world.client.patch(
        "/api/v1/flows/receipts", json={"settings": {}}, headers=world.key("viewer")
    )
    assert response.status_code == 403


async def test_flow_settings_keep_every_digit(world: World) -> None:
    raw = (
        '{"name": "rates", "script": "flow rates\\nsetting rate: number = 1\\n'
        'A <- settings.rate\\n", "settings": {"rate": 1.23456789012345678901e5}}'
    )
    created = await world.client.post(
        "/api/v1/flows", content=raw, headers={**world.admin, "Content-Type": "application/json"}
    )
    assert created.status_code == 201, created.text
    shown = await world.client.get("/api/v1/flows/rates", headers=world.admin)
    assert '"rate": 123456.789012345678901' in shown.text


async def test_patch_is_a_merge_patch_that_keeps_the_settings_not_named(world: World) -> None:
    script = RECEIPTS.replace(
        "setting item_code", 'setting note: text = "none"\nsetting item_code', 1
    )
    await create(world, script=script, settings={"item_code": "A", "note": "keep me"})
    patched = await world.client.patch(
        "/api/v1/flows/receipts", json={"settings": {"item_code": "B"}}, headers=world.admin
    )
    assert patched.status_code == 200, patched.text
    flow = (await world.client.get("/api/v1/flows/receipts", headers=world.admin)).json()
    assert flow["settings"] == {"item_code": "B", "note": "keep me"}
    removed = await world.client.patch(
        "/api/v1/flows/receipts", json={"settings": {"note": None}}, headers=world.admin
    )
    assert removed.status_code == 200, removed.text
    flow = (await world.client.get("/api/v1/flows/receipts", headers=world.admin)).json()
    assert flow["settings"] == {"item_code": "B"}
