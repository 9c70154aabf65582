"""Templates: export, import into another tenant with the same hash, conflicts, gallery,
share links, no credentials."""

from __future__ import annotations

import json

from conftest import World
from flows_fixtures import RECEIPTS
from mapwright.dsl import jsonio

WITH_TEST = (
    RECEIPTS
    + """
test "receipt becomes an invoice" {
  input: { counterparty: "Acme", invoicenumber: "R-1", amount: "10" },
  lookups: { "exact_online.items": [ { Code: "SHIRT-001-L", ID: "i-1" } ] },
  expect: {
    operations: [
      { kind: "upsert", target: "exact_online.accounts", fields: { Name: "Acme", Status: "C" },
        as: "debtor", match: { Name: "Acme" }, policies: { Status: "on_create" } },
      { kind: "create", target: "exact_online.sales_invoices",
        fields: { OrderedBy: { "$ref": "debtor.ID" }, YourRef: "R-1", Description: "Beleg R-1",
                  SalesInvoiceLines: [ { Item: "i-1", Quantity: 1, NetPrice: 10 } ] },
        as: "invoice", unless_exists: { YourRef: "R-1" } }
    ]
  }
}
"""
)


async def make_flow(world: World, headers: dict[str, str], script: str = WITH_TEST) -> None:
    response = await world.client.post(
        "/api/v1/flows",
        json={"name": "receipts", "script": script, "settings": {"item_code": "X-1"}},
        headers=headers,
    )
    assert response.status_code == 201, response.text


async def export(world: World, headers: dict[str, str], version: str = "1.0.0") -> dict:
    response = await world.client.post(
        "/api/v1/flows/receipts/export", json={"version": version}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_export_has_the_manifest_fields_and_no_credentials(world: World) -> None:
    await world.connect_sandboxes()
    await make_flow(world, world.admin)
    exported = await export(world, world.admin)
    manifest = exported["manifest"]
    assert set(manifest) == {
        "format",
        "name",
        "version",
        "description",
        "script",
        "settings_schema",
        "settings",
        "requires",
        "tests",
    }
    assert manifest["requires"] == ["buchhaltungsbutler", "exact_online"]
    assert manifest["settings_schema"]["item_code"]["default"] == "SHIRT-001-L"
    assert manifest["settings"] == {"item_code": "X-1"}
    assert manifest["tests"][0]["name"] == "receipt becomes an invoice"
    text = str(exported)
    for secret in (world.exact_info["client_secret"], world.bb_info["credentials"]["api_key"]):
        assert secret not in text


async def test_export_import_into_another_tenant_keeps_the_hash(world: World) -> None:
    await make_flow(world, world.admin)
    exported = await export(world, world.admin)
    other = world.tenant("globex")
    imported = await world.client.post(
        "/api/v1/templates", json={"manifest": exported["manifest"]}, headers=other
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["content_hash"] == exported["content_hash"]
    assert imported.json()["tests"][0]["passed"] is True
    created = await world.client.post(
        "/api/v1/flows",
        json={"name": "receipts", "template": {"name": "receipts"}},
        headers=other,
    )
    assert created.status_code == 201
    assert created.json()["settings"] == {"item_code": "X-1"}
    again = await export(world, other)
    assert again["content_hash"] == exported["content_hash"]


async def test_importing_twice_is_unchanged_and_other_content_conflicts(world: World) -> None:
    await make_flow(world, world.admin)
    manifest = (await export(world, world.admin))["manifest"]
    other = world.tenant("globex")
    first = await world.client.post("/api/v1/templates", json={"manifest": manifest}, headers=other)
    second = await world.client.post(
        "/api/v1/templates", json={"manifest": manifest}, headers=other
    )
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["state"] == "unchanged"
    changed = {**manifest, "description": "something else"}
    conflict = await world.client.post(
        "/api/v1/templates", json={"manifest": changed}, headers=other
    )
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["loc"] == "body.manifest.version"


async def test_invalid_manifests_get_field_errors(world: World) -> None:
    bad = {"format": "x", "name": "Bad Name", "version": "one", "script": "A <- (", "extra": 1}
    response = await world.client.post(
        "/api/v1/templates", json={"manifest": bad}, headers=world.admin
    )
    assert response.status_code == 422
    locs = {e["loc"] for e in response.json()["errors"]}
    assert {
        "body.manifest.format",
        "body.manifest.name",
        "body.manifest.version",
        "body.manifest.extra",
    } <= locs
    broken = {"format": "mapwright.template/1", "name": "x", "version": "1.0.0", "script": "A <- ("}
    response = await world.client.post(
        "/api/v1/templates", json={"manifest": broken}, headers=world.admin
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"].startswith("body.manifest.script:1:")


async def test_versions_publish_to_gallery_and_share_link(world: World) -> None:
    await make_flow(world, world.admin)
    await export(world, world.admin, "1.0.0")
    await world.client.patch("/api/v1/flows/receipts", json={"settings": {}}, headers=world.admin)
    await export(world, world.admin, "1.1.0")
    versions = (
        await world.client.get("/api/v1/templates/receipts/versions", headers=world.admin)
    ).json()
    assert [v["version"] for v in versions] == ["1.0.0", "1.1.0"]
    other = world.tenant("globex")
    assert (
        await world.client.get("/api/v1/templates/receipts/versions", headers=other)
    ).status_code == 404
    published = await world.client.post(
        "/api/v1/templates/receipts/versions/1.1.0/publish", headers=world.admin
    )
    assert published.json()["gallery"] is True
    listed = (await world.client.get("/api/v1/templates", headers=other)).json()
    assert [(t["name"], t["gallery"]) for t in listed] == [("receipts", True)]
    share = await world.client.post(
        "/api/v1/templates/receipts/versions/1.0.0/share", headers=world.admin
    )
    token = share.json()["token"]
    public = await world.client.get(f"/api/v1/shared/{token}")
    assert public.json()["manifest"]["version"] == "1.0.0"
    third = world.tenant("initech")
    imported = await world.client.post(
        "/api/v1/templates", json={"share_token": token}, headers=third
    )
    assert imported.status_code == 201
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (await world.client.get(f"/api/v1/shared/{tampered}")).status_code == 404


async def test_built_in_flows_are_seeded_into_the_gallery(world: World) -> None:
    from mapwright.api.templates import seed_gallery

    added = seed_gallery(world.services, "0.1.0")
    builtins = world.services.catalog.builtin()
    assert added == len(builtins) > 0
    listed = (await world.client.get("/api/v1/templates", headers=world.admin)).json()
    assert {t["name"] for t in listed if t["gallery"]} == set(builtins)
    assert seed_gallery(world.services, "0.1.0") == 0


async def test_a_template_holding_a_credential_is_refused(world: World) -> None:
    await world.connect_sandboxes()
    secret = world.bb_info["credentials"]["api_secret"]
    script = f'setting token: text = "{secret}"\nA <- settings.token\n'
    response = await world.client.post(
        "/api/v1/flows", json={"name": "receipts", "script": script}, headers=world.admin
    )
    assert response.status_code == 201
    refused = await world.client.post(
        "/api/v1/flows/receipts/export", json={"version": "1.0.0"}, headers=world.admin
    )
    assert refused.status_code == 422
    assert secret not in refused.text


async def test_a_decimal_setting_keeps_the_hash_through_export_import_export(
    world: World,
) -> None:
    script = RECEIPTS.replace(
        "setting item_code", 'setting fee: money = 2.50 help "fee"\nsetting item_code', 1
    )
    created = await world.client.post(
        "/api/v1/flows",
        content='{"name": "receipts", "script": '
        + json.dumps(script)
        + ', "settings": {"fee": 100.00}}',
        headers={**world.admin, "content-type": "application/json"},
    )
    assert created.status_code == 201, created.text
    exported = await world.client.post(
        "/api/v1/flows/receipts/export", json={"version": "1.0.0"}, headers=world.admin
    )
    assert exported.status_code == 201, exported.text
    assert '"fee":100.00' in exported.text.replace(" ", "")
    # the manifest sent back as written (100.00) and as a float-parsing client sends it (100.0)
    exact = jsonio.dumps({"manifest": jsonio.loads(exported.text)["manifest"]})
    assert '"fee": 100.00' in exact
    other = world.tenant("globex")
    for headers, kwargs in (
        (world.admin, {"content": exact}),
        (other, {"content": exact}),
        (world.tenant("initech"), {"json": {"manifest": exported.json()["manifest"]}}),
    ):
        imported = await world.client.post(
            "/api/v1/templates", headers={**headers, "content-type": "application/json"}, **kwargs
        )
        assert imported.status_code in (200, 201), imported.text
        assert imported.json()["content_hash"] == exported.json()["content_hash"]
    again = await world.client.post(
        "/api/v1/flows/receipts/export", json={"version": "1.0.0"}, headers=world.admin
    )
    assert again.status_code == 201, again.text
    assert again.json()["content_hash"] == exported.json()["content_hash"]
