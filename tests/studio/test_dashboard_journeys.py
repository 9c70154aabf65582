"""Dashboard journeys in a real Chromium against ``serve --demo``: the onboarding wizard
connects a new tenant to the sandboxes (Exact through its OAuth consent), creates a flow,
dry runs it and goes live, and the run's records appear in the log; a parked record is
fixed and replayed; a template exported by one tenant is imported by another."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from studio_browser import Service, sign_in

LONG = 120_000  # ms: a run of 25 records against the sandboxes


@pytest.fixture(scope="module")
def newcomer(service: Service) -> str:
    """The key of a tenant with no connections and no flows yet."""
    return service.tenant("newcomer")


def test_the_wizard_connects_sets_up_dry_runs_and_goes_live(
    page: Any, service: Service, newcomer: str, artifacts: Path
) -> None:
    sign_in(page, newcomer, "#/wizard")
    exact = page.get_by_role("article", name="Exact Online")
    bb = page.get_by_role("article", name="BuchhaltungsButler")
    expect(exact.get_by_label("Sandbox on this server")).to_be_checked()
    # BuchhaltungsButler: API keys, tested with a real call before they are saved
    bb.get_by_role("button", name="Connect and test").click()
    expect(bb.locator(".badge-ready")).to_be_visible()
    # Exact Online: the app's id and secret, then the OAuth consent in another tab
    exact.get_by_role("button", name="Connect and test").click()
    consent = exact.get_by_role("link", name="Give consent in Exact Online")
    expect(consent).to_be_visible()
    page.screenshot(path=str(artifacts / "wizard-connections.png"))
    with page.context.expect_page() as opened:
        consent.click()
    callback = opened.value
    callback.wait_for_load_state()
    assert "/api/v1/oauth/exact-online/callback" in callback.url
    callback.close()
    expect(exact.locator(".badge-ready")).to_be_visible()
    page.get_by_role("button", name="Next: pick flows").click()

    page.get_by_label("customers_to_exact").check()
    page.get_by_role("button", name="Next: settings").click()
    form = page.locator("fieldset[data-flow=customers_to_exact]")
    expect(form.get_by_label("match_by")).to_have_value("Email")
    form.get_by_label("home_country").fill("DE")
    page.get_by_role("button", name="Save settings and create the flows").click()

    page.get_by_role("button", name="Start the dry run").click()
    dry = page.get_by_test_id("dry-run-result")
    expect(dry).to_contain_text("23 sent · 0 skipped · 2 parked · 0 failed", timeout=LONG)
    page.screenshot(path=str(artifacts / "wizard-dry-run.png"))
    page.get_by_role("button", name="Next: go live").click()

    page.get_by_label("Run every").select_option(label="hour")
    page.get_by_role("button", name="Go live", exact=True).click()
    live = page.get_by_test_id("live-run-result")
    expect(live).to_contain_text("23 sent · 0 skipped · 2 parked · 0 failed", timeout=LONG)
    live.get_by_role("link", name="open the log").click()
    records = page.get_by_test_id("log-record")
    expect(records).to_have_count(25)
    expect(records.filter(has=page.locator(".badge-sent"))).to_have_count(23)
    first_sent = records.filter(has=page.locator(".badge-sent")).first
    first_sent.locator("summary").click()
    expect(first_sent).to_contain_text("Sent and answered")
    expect(first_sent).to_contain_text("account · created")
    page.screenshot(path=str(artifacts / "run-log.png"), full_page=True)

    # the flow is live: enabled with the hourly schedule, and the dashboard shows the run
    with service.api(newcomer) as api:
        flow = api.get("/api/v1/flows/customers_to_exact").json()
        assert flow["enabled"] is True
        assert flow["schedule"]["interval_seconds"] == 3600
        assert flow["settings"]["home_country"] == "DE"
    page.get_by_role("link", name="Flows", exact=True).click()
    row = page.locator("tr[data-flow=customers_to_exact]")
    expect(row).to_contain_text("every 60 min")
    expect(row).to_contain_text("23 sent")
    page.screenshot(path=str(artifacts / "dashboard.png"))


def test_a_fixed_parked_record_is_replayed_and_sent(
    page: Any, service: Service, newcomer: str, artifacts: Path
) -> None:
    with service.api(newcomer) as api:
        parked = api.get("/api/v1/parked", params={"flow": "customers_to_exact"}).json()
    open_ids = [r["id"] for r in parked if r["parked_state"] == "open"]
    assert len(open_ids) == 2, "the wizard's live run parks the two debtors without e-mail"
    target = next(r for r in parked if r["id"] == open_ids[0])
    assert "no e-mail address" in target["reason"]

    sign_in(page, newcomer, "#/parked")
    items = page.get_by_test_id("parked-record")
    expect(items).to_have_count(2)
    item = items.filter(has_text=f"record {target['id']} ")
    item.get_by_role("button", name="Edit").click()
    fixed = {**target["source"], "email": "fixed.debtor@example.com"}
    item.get_by_label(f"Source record {target['id']} (JSON)").fill(json.dumps(fixed, indent=2))
    item.get_by_role("button", name="Save record").click()
    expect(page.get_by_role("status")).to_contain_text(f"Record {target['id']} saved")
    page.screenshot(path=str(artifacts / "parked-edit.png"))
    items.filter(has_text=f"record {target['id']} ").get_by_role("button", name="Replay").click()

    # the replay's run log: one record, sent, pointing at the parked one
    record = page.get_by_test_id("log-record")
    expect(record).to_have_count(1, timeout=LONG)
    expect(record.locator(".badge-sent")).to_be_visible()
    expect(record).to_contain_text(f"replay of record {target['id']}")
    page.screenshot(path=str(artifacts / "parked-replayed.png"))
    with service.api(newcomer) as api:
        still = [r["id"] for r in api.get("/api/v1/parked").json() if r["parked_state"] == "open"]
        run = api.get("/api/v1/runs", params={"flow": "customers_to_exact", "limit": 1}).json()[0]
        log = api.get(f"/api/v1/runs/{run['id']}/records").json()
    assert still == [open_ids[1]]
    assert [r["outcome"] for r in log["records"]] == ["sent"]
    ops = log["records"][0]["operations"]
    assert ops[0]["action"] == "created"
    assert ops[0]["request"]["Email"] == "fixed.debtor@example.com"


def test_a_template_exported_by_one_tenant_is_imported_by_another(
    page: Any, service: Service, artifacts: Path
) -> None:
    sign_in(page, service.key, "#/templates")
    page.get_by_label("Flow", exact=True).select_option("customers_to_exact")
    page.get_by_label("Version").fill("2.1.0")
    page.get_by_label("Description").fill("Debtors to Exact, our way")
    page.get_by_role("button", name="Export", exact=True).click()
    exported = page.get_by_label("Exported template")
    expect(exported).to_have_value(re.compile(r'"version": "2\.1\.0"'))
    text = exported.input_value()
    manifest = json.loads(text)["manifest"]
    assert manifest["name"] == "customers_to_exact" and "credentials" not in text
    page.screenshot(path=str(artifacts / "template-export.png"))
    page.get_by_role("button", name="Sign out").click()

    other = service.tenant("other")
    sign_in(page, other, "#/templates")
    page.get_by_label("…or paste the template JSON").fill(text)
    page.get_by_role("button", name="Import", exact=True).click()
    result = page.get_by_test_id("import-result")
    expect(result).to_contain_text("customers_to_exact 2.1.0")
    expect(result).to_contain_text("created; its tests: 2 passed, 0 failed")
    result.get_by_label("Flow name").fill("debtors")
    result.get_by_role("button", name="Install as flow").click()
    expect(page.get_by_role("navigation", name="Flows")).to_contain_text("debtors")
    page.screenshot(path=str(artifacts / "template-import.png"))
    with service.api(service.key) as demo, service.api(other) as api:
        mine = demo.get("/api/v1/templates/customers_to_exact/versions/2.1.0").json()
        theirs = api.get("/api/v1/templates/customers_to_exact/versions/2.1.0").json()
        flow = api.get("/api/v1/flows/debtors").json()
    assert theirs["gallery"] is False
    assert theirs["content_hash"] == mine["content_hash"]
    assert flow["origin"] == {
        "template": "customers_to_exact",
        "version": "2.1.0",
        "hash": mine["content_hash"],
    }


def test_a_share_link_brings_a_template_to_another_tenant(
    page: Any, service: Service, artifacts: Path
) -> None:
    with service.api(service.key) as api:
        made = api.post("/api/v1/flows/stock/export", json={"version": "1.4.0"})
        assert made.status_code == 201, made.text
    sign_in(page, service.key, "#/templates")
    card = page.locator("article[data-template=stock]", has_text="yours")
    card.get_by_role("button", name="Share link").click()
    link = card.get_by_label("Share link (valid 30 days)").input_value()
    assert "/api/v1/shared/" in link
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, service.tenant("third"), "#/templates")
    page.get_by_label("…or a share link").fill(link)
    page.get_by_role("button", name="Import from link").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("stock 1.4.0")
    expect(page.locator("article[data-template=stock]", has_text="yours")).to_be_visible()
