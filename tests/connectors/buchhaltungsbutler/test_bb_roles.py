"""Which roles BB supports: registration, unsupported roles with alternatives, the docs table."""

from __future__ import annotations

from pathlib import Path

import pytest
from mapwright.connectors.base import CONNECTORS, ConnectionConfig
from mapwright.connectors.buchhaltungsbutler import BuchhaltungsButler
from mapwright.connectors.buchhaltungsbutler.objects import ENDPOINTS, OBJECTS, UNSUPPORTED
from mapwright.connectors.errors import FatalError, UnsupportedObject

DOCS = Path(__file__).resolve().parents[3] / "docs" / "connectors" / "buchhaltungsbutler.md"


def connector() -> BuchhaltungsButler:
    return BuchhaltungsButler(
        ConnectionConfig(
            kind="buchhaltungsbutler",
            credentials={"api_client": "c", "api_secret": "s", "api_key": "k"},
        )
    )


def test_the_connector_is_registered_under_its_kind():
    assert CONNECTORS["buchhaltungsbutler"] is BuchhaltungsButler


@pytest.mark.parametrize(
    ("role", "alternative"),
    [
        ("orders", "receipts"),
        ("products", "invoices"),
        ("stock", "stock"),
        ("shipments", "comments"),
    ],
)
def test_roles_bb_lacks_raise_a_clear_error_with_the_alternative(role, alternative):
    with pytest.raises(UnsupportedObject) as caught:
        connector().object(role)
    assert "BuchhaltungsButler has no" in str(caught.value)
    assert alternative in (caught.value.alternative or "")


def test_an_unknown_object_lists_what_exists():
    with pytest.raises(UnsupportedObject, match="debtors"):
        connector().object("customers")


def test_every_object_has_its_endpoints():
    assert set(OBJECTS) == set(ENDPOINTS)
    for name, spec in OBJECTS.items():
        if spec.supports("list"):
            assert ENDPOINTS[name].list, name
        if spec.supports("create"):
            assert ENDPOINTS[name].create, name


def test_missing_credentials_and_unknown_options_are_named():
    with pytest.raises(FatalError, match="api_key"):
        BuchhaltungsButler(
            ConnectionConfig(
                kind="buchhaltungsbutler", credentials={"api_client": "c", "api_secret": "s"}
            )
        )
    with pytest.raises(FatalError, match="page_sise"):
        BuchhaltungsButler(
            ConnectionConfig(
                kind="buchhaltungsbutler",
                options={"page_sise": 3},
                credentials={"api_client": "c", "api_secret": "s", "api_key": "k"},
            )
        )


def test_the_docs_table_names_every_object_and_unsupported_role():
    text = DOCS.read_text(encoding="utf-8")
    for name in [*OBJECTS, *UNSUPPORTED]:
        assert f"`{name}`" in text, name
