"""``GET /api/v1/connection-kinds``: the connection forms are what the connectors declare,
and a connector declared only in its own folder is offered like the shipped ones."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mapwright.connectors as package
import pytest
from conftest import World
from mapwright.connectors import registry


def declared_forms() -> list[dict[str, Any]]:
    """The answer the declarations call for, read from the registry (not a copy of it)."""
    forms = []
    for kind in registry.kinds():
        declared = registry.declaration(kind)
        forms.append(
            {
                "kind": kind,
                "title": declared.title,
                "fields": [
                    {
                        "name": c.name,
                        "label": c.label,
                        "required": c.required,
                        "secret": c.secret,
                        "help": c.help,
                    }
                    for c in declared.credentials
                    if c.form
                ],
                "consent": declared.oauth is not None,
                "sandbox": declared.sandbox.name if declared.sandbox is not None else None,
                "base_url": {"label": declared.base_url_label, "help": declared.base_url_help},
                "required_options": list(declared.required_options),
            }
        )
    return forms


async def test_the_kinds_are_what_the_connectors_declare(world: World) -> None:
    response = await world.client.get("/api/v1/connection-kinds", headers=world.key("viewer"))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer == declared_forms()
    assert [k["kind"] for k in answer] == registry.kinds()
    by_kind = {k["kind"]: k for k in answer}
    exact = by_kind["exact_online"]
    fields = {f["name"]: f for f in exact["fields"]}
    # the token file is a path on the command line's machine: declared, but not in a form
    assert "token_file" in [c.name for c in registry.declaration("exact_online").credentials]
    assert "token_file" not in fields
    assert list(fields) == ["client_id", "client_secret", "refresh_token", "webhook_secret"]
    assert fields["webhook_secret"]["required"] is False
    assert fields["webhook_secret"]["secret"] is True
    assert "Exact App Center" in fields["webhook_secret"]["help"]
    assert fields["client_id"]["secret"] is False and fields["client_secret"]["secret"] is True
    assert [k for k in by_kind if by_kind[k]["consent"]] == ["exact_online"]
    assert by_kind["files"]["required_options"] == ["folder"]
    assert by_kind["rest"]["required_options"] == ["description"]
    assert by_kind["buchhaltungsbutler"]["sandbox"] == "buchhaltungsbutler"


async def test_the_kinds_need_a_key(world: World) -> None:
    response = await world.client.get("/api/v1/connection-kinds")
    assert response.status_code == 401


async def test_an_optional_field_is_not_required_to_connect(world: World) -> None:
    """The sandbox's app id and secret connect Exact (to a consent) without the optional
    webhook secret and refresh token the form also offers."""
    body = {
        "name": "exact_online",
        "kind": "exact_online",
        "base_url": world.exact_info["base_url"],
        "credentials": {
            "client_id": world.exact_info["client_id"],
            "client_secret": world.exact_info["client_secret"],
        },
    }
    response = await world.client.post("/api/v1/connections", json=body, headers=world.admin)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "consent_needed"


@pytest.fixture
def own_folder_connector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A connector package made in a temporary folder (``ticket_desk``), found by the
    registry through ``mapwright.connectors.__path__`` and nowhere else."""
    folder = tmp_path / "ticket_desk"
    folder.mkdir()
    (folder / "__init__.py").write_text('"""A connector made for this test."""\n')
    (folder / "connector.py").write_text(
        textwrap.dedent(
            """
            from mapwright.connectors.base import Connector, ObjectSpec

            class TicketDesk(Connector):
                kind = "ticket_desk"
                title = "Ticket desk"
                objects = {"tickets": ObjectSpec("tickets", "id", frozenset({"list"}))}
            """
        )
    )
    (folder / "declaration.py").write_text(
        textwrap.dedent(
            """
            from mapwright.connectors.registry import CredentialField, Declaration

            DECLARATION = Declaration(
                kind="ticket_desk",
                title="Ticket desk",
                connector="mapwright.connectors.ticket_desk.connector:TicketDesk",
                credentials=(
                    CredentialField("api_token", label="API token", help="Settings > API"),
                    CredentialField(
                        "account", label="Account name", help="e.g. acme", secret=False
                    ),
                    CredentialField(
                        "signing_key", required=False, label="Signing key", help="callbacks"
                    ),
                    CredentialField(
                        "token_cache", required=False, help="command line only", form=False
                    ),
                ),
            )
            """
        )
    )
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    monkeypatch.setattr(registry, "_FOUND", None)
    yield "ticket_desk"
    for name in [m for m in sys.modules if m.startswith("mapwright.connectors.ticket_desk")]:
        del sys.modules[name]


async def test_a_connector_in_its_own_folder_is_offered(
    world: World, own_folder_connector: str
) -> None:
    response = await world.client.get("/api/v1/connection-kinds", headers=world.key("viewer"))
    answer = response.json()
    assert answer == declared_forms()
    desk = next(k for k in answer if k["kind"] == own_folder_connector)
    assert desk["title"] == "Ticket desk"
    assert [(f["name"], f["label"], f["required"], f["secret"]) for f in desk["fields"]] == [
        ("api_token", "API token", True, True),
        ("account", "Account name", True, False),
        ("signing_key", "Signing key", False, True),
    ]
    # and a connection of it is checked against its declaration
    body = {"name": "desk", "kind": "ticket_desk", "credentials": {"signing_key": "k"}}
    refused = await world.client.post("/api/v1/connections", json=body, headers=world.admin)
    assert refused.status_code == 422
    assert {e["loc"] for e in refused.json()["errors"]} == {
        "body.credentials.api_token",
        "body.credentials.account",
    }
