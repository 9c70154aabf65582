"""Editor journeys in a real Chromium: a mistake is shown at its line, a source field from the
sample records is completed, the preview shows the mapped output with its rules."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from studio_browser import Service, sign_in


def open_scratch(page: Any, service: Service) -> Any:
    sign_in(page, service.key, "#/editor")
    editor = page.locator(".cm-content")
    expect(editor).to_be_visible()
    return editor


def replace_script(page: Any, editor: Any, text: str) -> None:
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def test_a_mistake_is_marked_at_its_line_with_the_message(
    page: Any, service: Service, artifacts: Path
) -> None:
    editor = open_scratch(page, service)
    replace_script(page, editor, "Name <- trim(customer.name)\nEmail <- lower(customer.email)\n")
    page.keyboard.type("City <- nofn(city)")
    page.keyboard.press("Escape")
    third_line = page.locator(".cm-line").nth(2)
    mark = third_line.locator(".cm-lintRange-error")
    expect(mark).to_have_text("nofn(city)")
    page.get_by_role("tab", name="problems (1)").click()
    problem = page.get_by_role("list", name="Problems").get_by_role("listitem")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("3:9")
    expect(problem).to_contain_text("there is no function 'nofn'")
    mark.hover()
    expect(page.locator(".cm-tooltip-lint")).to_contain_text("there is no function 'nofn'")
    page.screenshot(path=str(artifacts / "editor-diagnostic.png"))
    # the problems list moves the cursor to the mistake
    problem.get_by_role("button").click()
    expect(page.locator(".cm-activeLine")).to_have_text("City <- nofn(city)")


def test_an_unknown_exact_field_is_a_warning_with_the_right_name(
    page: Any, service: Service, artifacts: Path
) -> None:
    editor = open_scratch(page, service)
    replace_script(
        page,
        editor,
        "upsert exact_online.accounts match Email = email {\n  Nmae <- name\n}\n",
    )
    mark = page.locator(".cm-line").nth(1).locator(".cm-lintRange-warning")
    expect(mark).to_have_text("Nmae")
    page.get_by_role("tab", name="problems (1)").click()
    expect(page.get_by_role("list", name="Problems")).to_contain_text(
        "no field Nmae on crm/Accounts; did you mean Name?"
    )


def test_a_source_field_of_the_samples_is_completed(
    page: Any, service: Service, artifacts: Path
) -> None:
    editor = open_scratch(page, service)
    samples = [{"order": {"buyer_email": "ana@example.com", "total": "12.50"}, "city": "Graz"}]
    page.get_by_label("Sample records").fill(json.dumps(samples))
    replace_script(page, editor, "City <- city\n")
    page.keyboard.type("Mail <- buy")
    option = page.locator(".cm-tooltip-autocomplete li", has_text="order.buyer_email")
    expect(option).to_be_visible()
    page.screenshot(path=str(artifacts / "editor-completion.png"))
    option.click()
    expect(page.locator(".cm-line").nth(1)).to_have_text("Mail <- order.buyer_email")
    # and the live preview maps the completed rule
    values = page.get_by_test_id("preview-value")
    expect(values).to_have_text(['"Graz"', '"ana@example.com"'])


def test_the_preview_shows_each_output_field_with_its_rule(
    page: Any, service: Service, artifacts: Path
) -> None:
    open_scratch(page, service)
    records = [
        {"customer": {"name": " Jana Novak ", "email": "Jana@Example.COM"}, "city": "Brno"},
        {"customer": {"name": "Piet", "email": None}, "city": "Gent"},
    ]
    page.get_by_label("Sample records").fill(json.dumps(records))
    page.get_by_role("button", name="Preview", exact=True).click()
    cards = page.get_by_test_id("preview-record")
    expect(cards).to_have_count(2)
    first = cards.nth(0)
    rows = first.locator("table.trace tbody tr")
    expect(rows).to_have_count(3)
    expect(first.get_by_test_id("preview-value")).to_have_text(
        ['"Brno"', '"jana@example.com"', '"Jana Novak"']
    )
    expect(first.locator("tr", has_text="Email")).to_contain_text("line 3")
    expect(cards.nth(1).get_by_test_id("preview-value")).to_have_text(['"Gent"', "null", '"Piet"'])
    page.screenshot(path=str(artifacts / "editor-preview.png"))
    # clicking a field jumps to the rule that wrote it
    first.get_by_role("button", name="Email", exact=True).click()
    expect(page.locator(".cm-activeLine")).to_have_text("Email <- lower(customer.email)")


def test_a_revoked_key_brings_back_the_sign_in_with_the_reason(
    page: Any, service: Service, artifacts: Path
) -> None:
    with service.api(service.key) as api:
        made = api.post("/api/v1/keys", json={"name": "studio-visit", "scope": "viewer"}).json()
    sign_in(page, made["key"], "#/dashboard")
    expect(page.locator("tr[data-flow=orders]")).to_be_visible()
    with service.api(service.key) as api:
        assert api.delete(f"/api/v1/keys/{made['id']}").status_code == 204
    # go to the runs page by its address, not by clicking its link: a dashboard request still
    # under way may meet the refusal first and replace the page (and the link) with the sign-in
    page.evaluate("location.hash = '#/runs'")
    expect(page.get_by_role("alert")).to_contain_text("refused the API key")
    expect(page.get_by_label("API key")).to_be_visible()


def test_a_wrong_key_is_refused_at_sign_in(page: Any, service: Service) -> None:
    page.goto("/")
    page.get_by_label("API key").fill("mw_not_a_key")
    page.get_by_role("button", name="Open the studio").click()
    expect(page.get_by_role("alert")).to_contain_text("This API key is not valid")


def test_the_dark_theme_is_one_click_away(page: Any, service: Service, artifacts: Path) -> None:
    sign_in(page, service.key, "#/editor/customers_to_exact")
    expect(page.locator(".cm-content")).to_contain_text("upsert exact_online.accounts")
    theme = page.locator("html").get_attribute("data-theme")
    other = "light" if theme == "dark" else "dark"
    page.get_by_role("button", name=f"Switch to {other} theme").click()
    expect(page.locator("html")).to_have_attribute("data-theme", other)
    page.screenshot(path=str(artifacts / f"editor-flow-{other}.png"))


def test_samples_are_fetched_from_the_flows_source_and_previewed(
    page: Any, service: Service, artifacts: Path
) -> None:
    sign_in(page, service.key, "#/editor/customers_to_exact")
    expect(page.locator(".cm-content")).to_contain_text("upsert exact_online.accounts")
    page.get_by_role("button", name="Fetch from the source").click()
    expect(page.locator(".note")).to_contain_text(
        "Fetched 5 records from buchhaltungsbutler.debtors"
    )
    samples = json.loads(page.get_by_label("Sample records").input_value())
    assert len(samples) == 5 and all("postingaccount_number" in r for r in samples)
    cards = page.get_by_test_id("preview-record")
    expect(cards).to_have_count(5)
    first = cards.nth(0)
    expect(first.locator("tr", has_text="Name")).to_contain_text(json.dumps(samples[0]["name"]))
    page.screenshot(path=str(artifacts / "editor-flow-samples.png"))


def test_the_settings_form_shows_the_servers_message_at_the_field(
    page: Any, service: Service, artifacts: Path
) -> None:
    sign_in(page, service.key, "#/editor/orders")
    page.get_by_role("tab", name="settings").click()
    rates = page.get_by_label("home_rates", exact=True)
    expect(rates).to_have_value(re.compile(r"19"))
    rates.fill('{"nineteen": 19}')
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".field-bad")).to_contain_text("home_rates")
    expect(rates).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(artifacts / "editor-settings-error.png"))
    rates.fill("[19, 7, 0]")
    page.get_by_label("home_country", exact=True).fill("AT")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".note")).to_contain_text("Settings saved as version 2")
    with service.api(service.key) as api:
        flow = api.get("/api/v1/flows/orders").json()
    assert flow["settings"]["home_country"] == "AT"
    assert flow["settings"]["home_rates"] == [19, 7, 0]


def test_format_comment_toggle_and_folding(page: Any, service: Service, artifacts: Path) -> None:
    editor = open_scratch(page, service)
    replace_script(page, editor, "Name   <-   first\nCity <-    city\n")
    page.get_by_role("button", name="Format", exact=True).click()
    expect(page.locator(".note")).to_contain_text("Formatted.")
    expect(page.locator(".cm-line")).to_have_text(["Name <- first", "City <- city", ""])
    page.locator(".cm-line").nth(0).click()
    page.keyboard.press("ControlOrMeta+/")
    expect(page.locator(".cm-line").nth(0)).to_have_text("# Name <- first")

    page.goto("/#/editor/customers_to_exact")
    expect(page.locator(".cm-content")).to_contain_text("Classification <-")
    page.locator(".cm-foldGutter .cm-gutterElement", has_text="▾").nth(1).click()
    expect(page.locator(".cm-foldPlaceholder")).to_have_count(1)
    expect(page.locator(".cm-content")).not_to_contain_text("Classification <-")


def test_a_narrow_window_stacks_the_panels(browser: Any, service: Service, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 700, "height": 900}, base_url=service.url)
    page = context.new_page()
    try:
        sign_in(page, service.key, "#/editor/customers_to_exact")
        script = page.get_by_role("region", name="Script editor")
        panel = page.get_by_role("complementary", name="Preview, problems, tests and versions")
        expect(script).to_be_visible()
        script_box, panel_box = script.bounding_box(), panel.bounding_box()
        assert panel_box["y"] >= script_box["y"] + script_box["height"] - 1
        assert script_box["width"] <= 700
        page.screenshot(path=str(artifacts / "editor-narrow.png"), full_page=True)
    finally:
        context.close()


def test_target_fields_and_functions_are_completed_with_their_docs(
    page: Any, service: Service, artifacts: Path
) -> None:
    editor = open_scratch(page, service)
    replace_script(page, editor, "create exact_online.sales_orders {\n")
    page.keyboard.type("  OrderedB")
    first = page.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(first).to_have_text("OrderedByGuid · required")
    first.click()
    page.keyboard.type(" <- split_str")
    expect(page.get_by_role("option").first).to_contain_text("split_street")
    expect(page.locator(".cm-completionInfo")).to_contain_text("split_street(")
    page.screenshot(path=str(artifacts / "editor-completion-function.png"))
    page.get_by_role("option").first.click()
    expect(page.locator(".cm-line").nth(1)).to_have_text("  OrderedBy <- split_street()")
    page.keyboard.type("street")
    expect(page.locator(".cm-line").nth(1)).to_have_text("  OrderedBy <- split_street(street)")


def test_the_scripts_tests_run_with_pass_and_fail(page: Any, service: Service) -> None:
    sign_in(page, service.key, "#/editor/customers_to_exact")
    expect(page.locator(".cm-content")).to_contain_text("upsert exact_online.accounts")
    page.get_by_role("button", name="Run tests").click()
    expect(page.locator(".tests li.pass")).to_have_count(2)
    expect(page.get_by_role("tabpanel").or_(page.locator(".panel-body"))).to_contain_text(
        "2 passed, 0 failed"
    )


def test_a_saved_version_shows_its_diff_and_an_old_one_is_restored(
    page: Any, service: Service, artifacts: Path
) -> None:
    sign_in(page, service.key, "#/editor/invoices")
    editor = page.locator(".cm-content")
    expect(editor).to_contain_text("flow invoices")
    with service.api(service.key) as api:
        before = api.get("/api/v1/flows/invoices").json()
    page.locator(".cm-line").nth(0).click()
    page.keyboard.press("Home")
    page.keyboard.insert_text("# checked by the studio test\n")
    page.get_by_placeholder("note for this version").fill("a note")
    page.get_by_role("button", name="Save version").click()
    expect(page.locator(".note")).to_contain_text(f"Saved as version {before['version'] + 1}")
    page.get_by_role("tab", name="versions").click()
    page.get_by_role("button", name=f"diff with v{before['version']}").click()
    expect(page.locator(".diff")).to_contain_text("+# checked by the studio test")
    page.screenshot(path=str(artifacts / "editor-versions.png"))
    page.get_by_role("button", name="restore").first.click()
    expect(editor).not_to_contain_text("checked by the studio test")
    with service.api(service.key) as api:
        after = api.get("/api/v1/flows/invoices").json()
    assert after["script"] == before["script"]
    assert after["version"] == before["version"] + 2


def test_a_runtime_error_is_shown_at_its_rule(page: Any, service: Service) -> None:
    editor = open_scratch(page, service)
    page.get_by_label("Sample records").fill('[{"name": "Ana", "amount": "abc"}]')
    replace_script(page, editor, "Name <- name\nTotal <- number(amount) * 2\n")
    card = page.get_by_test_id("preview-record")
    expect(card.locator(".badge-error")).to_be_visible()
    expect(card.get_by_role("alert")).to_contain_text("number: 'abc' is not a number")
    card.get_by_role("button", name="line 2").click()
    expect(page.locator(".cm-activeLine")).to_have_text("Total <- number(amount) * 2")
