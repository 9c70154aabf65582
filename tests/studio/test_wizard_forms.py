"""The wizard's connection forms in a real Chromium: every kind the service lists
(``GET /api/v1/connection-kinds``, what the connectors declare) gets a card asking exactly its
declared form fields, required ones first and optional ones marked; typing the sandbox's
credentials into those fields connects; and a connector declared only in a folder of its
own, outside the repository, appears in the wizard of a service that finds it."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mapwright.connectors import registry
from playwright.sync_api import expect
from studio_browser import Service, sign_in, start_service, stop_service


def labels_of(kind: dict[str, Any]) -> list[str]:
    """The labels a card shows in the order it shows them."""
    fields = kind["fields"]
    return (
        [f["label"] for f in fields if f["required"]]
        + [f"{f['label']} (optional)" for f in fields if not f["required"]]
        + [f"{kind['base_url']['label']} (optional)"]
    )


def check_card(page: Any, kind: dict[str, Any]) -> Any:
    """The card of ``kind`` asks its declared fields: labels, order, input type, required
    or not, the help as the input's description."""
    card = page.get_by_role("article", name=kind["title"], exact=True)
    card.get_by_label("My account's credentials").check()
    expect(card.locator(".field-label")).to_have_text(labels_of(kind))
    for field in kind["fields"]:
        label = field["label"] if field["required"] else f"{field['label']} (optional)"
        box = card.get_by_label(label, exact=True)
        expect(box).to_have_attribute("type", "password" if field["secret"] else "text")
        if field["required"]:
            expect(box).to_have_attribute("aria-required", "true")
        else:
            expect(box).not_to_have_attribute("aria-required", "true")
        expect(box).to_have_accessible_description(field["help"])
    return card


def test_the_wizard_asks_for_what_each_kind_declares(
    page: Any, service: Service, artifacts: Path
) -> None:
    key = service.tenant("forms")
    with service.api(key) as api:
        kinds = api.get("/api/v1/connection-kinds").json()
        sandboxes = {s["kind"]: s for s in api.get("/api/v1/studio/sandboxes").json()}
    assert [k["kind"] for k in kinds] == registry.kinds()
    in_form = [k for k in kinds if not k["required_options"]]
    elsewhere = [k for k in kinds if k["required_options"]]
    assert in_form and elsewhere

    sign_in(page, key, "#/wizard")
    expect(page.get_by_role("article")).to_have_count(len(in_form))
    for kind in in_form:
        check_card(page, kind)
    note = page.get_by_test_id("kinds-elsewhere")
    for kind in elsewhere:
        expect(note).to_contain_text(
            f"{kind['title']} (option {', '.join(kind['required_options'])})"
        )
    exact = page.get_by_role("article", name="Exact Online")
    expect(exact.get_by_label("Webhook secret (optional)")).to_be_visible()
    expect(exact.get_by_label("Token file", exact=False)).to_have_count(0)  # command line only
    page.screenshot(path=str(artifacts / "wizard-forms.png"), full_page=True)

    # the sandbox's credentials typed into the declared fields connect BuchhaltungsButler
    bb = page.get_by_role("article", name="BuchhaltungsButler")
    offered = sandboxes["buchhaltungsbutler"]
    bb_kind = next(k for k in kinds if k["kind"] == "buchhaltungsbutler")
    for field in bb_kind["fields"]:
        bb.get_by_label(field["label"], exact=True).fill(offered["credentials"][field["name"]])
    bb.get_by_label(f"{bb_kind['base_url']['label']} (optional)").fill(offered["base_url"])
    bb.get_by_role("button", name="Connect and test").click()
    expect(bb.locator(".badge-ready")).to_be_visible()
    with service.api(key) as api:
        made = api.get("/api/v1/connections/buchhaltungsbutler").json()
    assert made["credentials_set"] == sorted(offered["credentials"])
    assert made["base_url"] == offered["base_url"]


DESK_DECLARATION = """
from mapwright.connectors.registry import CredentialField, Declaration

DECLARATION = Declaration(
    kind="ticket_desk",
    title="Ticket desk",
    connector="mapwright.connectors.ticket_desk.connector:TicketDesk",
    credentials=(
        CredentialField("api_token", label="API token", help="Settings > API of the desk"),
        CredentialField("account", label="Account name", help="e.g. acme", secret=False),
        CredentialField(
            "signing_key", required=False, label="Signing key", help="only for callbacks"
        ),
        CredentialField("token_cache", required=False, help="command line only", form=False),
    ),
    base_url_label="Desk address",
    base_url_help="https://<account>.desk.example",
)
"""

DESK_CONNECTOR = """
from mapwright.connectors.base import Connector, ObjectSpec

class TicketDesk(Connector):
    kind = "ticket_desk"
    title = "Ticket desk"
    objects = {"tickets": ObjectSpec("tickets", "id", frozenset({"list"}))}
"""


@pytest.fixture(scope="module")
def desk_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A second ``serve --demo`` that also finds the connector packages of a folder outside
    the repository: one package, ``ticket_desk``, with a class and a declaration."""
    folder = tmp_path_factory.mktemp("desk")
    package = folder / "connectors" / "ticket_desk"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A connector made for this test."""\n')
    (package / "connector.py").write_text(textwrap.dedent(DESK_CONNECTOR))
    (package / "declaration.py").write_text(textwrap.dedent(DESK_DECLARATION))
    started = start_service(folder, connectors=folder / "connectors")
    yield started
    stop_service(started)


def test_a_connector_in_its_own_folder_appears_in_the_wizard(
    browser: Any, desk_service: Service, artifacts: Path
) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, base_url=desk_service.url
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        with desk_service.api(desk_service.key) as api:
            kinds = api.get("/api/v1/connection-kinds").json()
        desk = next(k for k in kinds if k["kind"] == "ticket_desk")
        sign_in(page, desk_service.key, "#/wizard")
        card = check_card(page, desk)
        expect(card.locator(".field-label")).to_have_text(
            ["API token", "Account name", "Signing key (optional)", "Desk address (optional)"]
        )
        expect(card.get_by_label("Token cache", exact=False)).to_have_count(0)
        # connecting without the required fields names each of them at its input
        card.get_by_label("Signing key (optional)").fill("k1")
        card.get_by_role("button", name="Connect and test").click()
        expect(card.get_by_role("alert").first).to_be_visible()
        for label in ("API token", "Account name"):
            box = card.get_by_label(label, exact=True)
            expect(box).to_have_attribute("aria-invalid", "true")
            expect(box).to_have_accessible_description(re.compile(r"\brequired$"))
        expect(card.get_by_label("Signing key (optional)")).not_to_have_attribute(
            "aria-invalid", "true"
        )
        expect(card).to_contain_text("credentials for ticket_desk are incomplete")
        page.screenshot(path=str(artifacts / "wizard-own-folder-connector.png"), full_page=True)
    finally:
        context.close()
    assert errors == [], f"the page raised: {errors}"
