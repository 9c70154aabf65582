"""Unknown field names of a target system are warnings in lint: the API, the CLI and the
library alike (the connector's own field catalogue decides)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from mapwright.api.app import create_app
from mapwright.api.services import create_tenant
from mapwright.api.settings import ApiSettings
from mapwright.api.vault import Vault
from mapwright.engine.fieldcheck import catalogue, check

ACCOUNTS = """flow accounts
source buchhaltungsbutler.debtors
target exact_online
upsert exact_online.accounts as account match Email = email {
  Nmae <- name
  City <- city
}
"""

ORDER = """create exact_online.sales_orders unless exists YourRef = number {
  OrderedBy <- customer
  SalesOrderLines <- each lines as l {
    Item <- require(exact_online.items, Code = l.sku, "no item").ID
    Quantiy <- l.qty
  }
}
"""


def messages(source: str) -> list[tuple[int, int, str]]:
    return [(d.line, d.column, d.message) for d in check(source)]


def test_an_unknown_target_field_is_a_warning_with_a_suggestion() -> None:
    found = check(ACCOUNTS)
    assert [(d.line, d.column, d.end_column, d.severity) for d in found] == [(5, 3, 7, "warning")]
    assert found[0].message == "no field Nmae on crm/Accounts; did you mean Name?"


def test_line_fields_are_checked_against_the_line_endpoint() -> None:
    assert messages(ORDER) == [
        (5, 5, "no field Quantiy on salesorder/SalesOrderLines; did you mean Quantity?")
    ]


def test_keys_of_matches_and_lookups_are_checked() -> None:
    source = (
        'let i = require(exact_online.items, Cdoe = sku, "no item")\n'
        "update exact_online.accounts match Emial = mail {\n  Name <- name\n}\n"
    )
    assert messages(source) == [
        (1, 37, "no field Cdoe on logistics/Items; did you mean Code?"),
        (2, 36, "no field Emial on crm/Accounts; did you mean Email?"),
    ]


def test_an_unknown_object_names_the_closest_one() -> None:
    found = messages("create exact_online.acounts {\n  Name <- name\n}\n")
    assert found == [
        (
            1,
            1,
            "Exact Online has no object exact_online.acounts in its field catalogue; "
            "did you mean accounts?",
        )
    ]


def test_systems_without_a_catalogue_and_known_fields_are_not_reported() -> None:
    source = "create buchhaltungsbutler.debtors {\n  Whatever <- name\n}\n"
    assert check(source) == []
    assert check(ACCOUNTS.replace("Nmae", "Name")) == []


def test_a_system_name_can_be_mapped_to_its_connector_kind() -> None:
    source = "create erp.accounts {\n  Nmae <- name\n}\n"
    assert check(source) == []
    assert [d.line for d in check(source, systems={"erp": "exact_online"})] == [2]


def test_the_catalogue_lists_the_reference_fields() -> None:
    exact = catalogue("exact_online")
    assert exact is not None
    accounts = exact.objects["accounts"]
    assert accounts.where == "crm/Accounts"
    assert accounts.fields["Name"].type == "String"
    orders = exact.objects["sales_orders"]
    assert orders.lines == "SalesOrderLines"
    assert orders.line_fields is not None and "Quantity" in orders.line_fields.fields
    assert catalogue("buchhaltungsbutler") is None


def test_the_cli_lint_reports_the_warning_and_fails(tmp_path: Path) -> None:
    script = tmp_path / "accounts.map"
    script.write_text(ACCOUNTS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mapwright", "lint", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{script}:5:3: warning: no field Nmae on crm/Accounts; did you mean Name?"
    ]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = ApiSettings(data_dir=tmp_path / "data", secret_key=Vault.new_key())
    app = create_app(settings)
    key = create_tenant(app.state.services, "acme")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://mapwright.test",
        headers={"Authorization": f"Bearer {key}"},
    ) as http:
        yield http
    app.state.services.close()


async def test_the_api_lint_reports_the_warning_at_its_position(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/scripts/lint", json={"script": ACCOUNTS})
    assert response.status_code == 200
    assert response.json() == {
        "ok": False,
        "diagnostics": [
            {
                "line": 5,
                "column": 3,
                "end_line": 5,
                "end_column": 7,
                "severity": "warning",
                "message": "no field Nmae on crm/Accounts; did you mean Name?",
            }
        ],
    }
