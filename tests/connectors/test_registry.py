"""The connector registry: connectors declare themselves, engine and service ask it."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import SimpleNamespace

import httpx
import mapwright.connectors as package
import pytest
from mapwright.connectors import registry
from mapwright.connectors.base import ConnectionConfig
from mapwright.connectors.errors import AuthError, ConnectorError
from mapwright.connectors.sandbox import SandboxOptions
from mapwright.engine import connection_service, fieldcheck, webhooks
from mapwright.engine.config import load_config
from mapwright.engine.connections import Connections
from mapwright.engine.errors import ConfigError, FlowInvalid

FIVE = ["buchhaltungsbutler", "exact_online", "files", "rest", "shop"]


def test_every_connector_package_declares_itself() -> None:
    declared = registry.declarations()
    assert sorted(declared) == FIVE
    for kind, declaration in declared.items():
        cls = declaration.connector_class()
        assert cls.kind == kind
        assert cls.title == declaration.title


def test_credentials_schema_of_each_kind() -> None:
    assert registry.declaration("buchhaltungsbutler").required_credentials() == (
        "api_client",
        "api_secret",
        "api_key",
    )
    assert registry.declaration("exact_online").required_credentials() == (
        "client_id",
        "client_secret",
    )
    assert registry.declaration("shop").missing_credentials({"api_key": ""}) == ["api_key"]
    assert registry.declaration("files").required_credentials() == ()


@pytest.mark.parametrize("kind", sorted(registry.declarations()))
def test_each_credential_says_how_a_form_asks_it(kind: str) -> None:
    """Every credential has a label and a help; optional ones are never missing; a field
    kept out of the form (command line only) is optional, so the form can be completed."""
    declared = registry.declaration(kind)
    for field in declared.credentials:
        assert field.label and field.help, f"{kind}.{field.name}: label and help"
        if not field.form:
            assert not field.required, f"{kind}.{field.name}: required but not in the form"
    assert declared.missing_credentials({}) == list(declared.required_credentials())
    optional = {f.name: "x" for f in declared.credentials if not f.required}
    assert declared.missing_credentials(optional) == list(declared.required_credentials())
    assert {f.name for f in declared.form_credentials()} == {
        f.name for f in declared.credentials if f.form
    }


def test_the_credential_forms_of_the_shipped_connectors() -> None:
    exact = {f.name: f for f in registry.declaration("exact_online").credentials}
    assert [n for n, f in exact.items() if f.form] == [
        "client_id",
        "client_secret",
        "refresh_token",
        "webhook_secret",
    ]
    assert not exact["token_file"].form  # a path on the command line's machine
    assert not exact["client_id"].secret and exact["client_secret"].secret
    bb = {f.name: f for f in registry.declaration("buchhaltungsbutler").credentials}
    assert [n for n, f in bb.items() if f.secret] == ["api_secret", "api_key"]
    assert registry.declaration("shop").credentials[0].secret
    # a field declared without a label shows its name
    assert registry.CredentialField("api_token").label == "Api token"


@pytest.mark.parametrize(
    "kind", sorted(k for k, d in registry.declarations().items() if d.webhooks is not None)
)
def test_the_webhook_secret_is_a_declared_optional_credential(kind: str) -> None:
    declared = registry.declaration(kind)
    assert declared.webhooks is not None
    field = {f.name: f for f in declared.credentials}.get(declared.webhooks.secret)
    assert field is not None, f"{kind}: the webhook secret is no declared credential"
    assert not field.required and field.form and field.secret
    assert declared.webhooks.secret_help in field.help


def test_exact_base_url_help_names_every_country() -> None:
    from mapwright.connectors.exact_online.auth import HOSTS

    text = registry.declaration("exact_online").base_url_help
    assert all(country in text for country in HOSTS)


def test_an_unknown_kind_names_every_kind() -> None:
    with pytest.raises(registry.UnknownKind) as caught:
        registry.declaration("exact_onlin")
    assert "the kinds are: buchhaltungsbutler, exact_online, files, rest, shop" in str(caught.value)
    with pytest.raises(FlowInvalid, match="exact_online, files, rest, shop"):
        Connections({"x": ConnectionConfig(kind="exact_onlin")}).build("t", "x")


def test_a_wrong_kind_is_refused_when_the_config_is_loaded(tmp_path: Path) -> None:
    config = tmp_path / "mapwright.toml"
    config.write_text('[connections.exact_online]\nkind = "exact-online"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    message = str(caught.value)
    assert "[connections.exact_online] kind: unknown connection kind 'exact-online'" in message
    assert "buchhaltungsbutler, exact_online, files, rest, shop" in message


@pytest.mark.parametrize("name", sorted(registry.sandboxes()))
async def test_each_declared_sandbox_gives_a_working_connection(name: str) -> None:
    """The sandbox factory and ``connect`` yield credentials that satisfy the kind's schema,
    and the engine's connector reads a record from the sandbox with them."""
    declared = registry.sandboxes()[name]
    assert declared.sandbox is not None
    module = declared.sandbox.load()
    app = module.create_app(SandboxOptions(seed=5, records=3))
    url = "http://sandbox.test"
    base_url, credentials = declared.sandbox.connect(module.describe(app, url))
    assert declared.missing_credentials(credentials) == []
    config = ConnectionConfig(declared.kind, base_url, credentials, name=declared.kind)
    connections = Connections(
        {declared.kind: config}, transports={declared.kind: httpx.ASGITransport(app=app)}
    )
    connector = connections.build("t", declared.kind)
    read = []
    try:
        for object_name, spec in connector.objects.items():
            if not spec.supports("list"):
                continue
            try:
                page = await connector.list(object_name, page_size=1)
            except AuthError:
                raise
            except ConnectorError:  # this object needs filters: the next one
                continue
            read.append((object_name, len(page.records)))
    finally:
        await connector.aclose()
    assert read and read[0][1] == 1


def test_the_public_sandbox_listing_holds_no_tokens() -> None:
    apps = {s.name: s for s in connection_service.sandbox_apps(seed=5, records=3)}
    assert sorted(apps) == ["buchhaltungsbutler", "exact-online", "shop"]
    url, full = apps["exact-online"].connection("http://h/sandbox/exact-online")
    _, public = apps["exact-online"].connection("http://h/sandbox/exact-online", with_tokens=False)
    assert full["refresh_token"] and "refresh_token" not in public
    assert sorted(public) == ["client_id", "client_secret"]


async def test_the_exact_oauth_protocol_against_its_sandbox() -> None:
    declared = registry.declaration("exact_online")
    oauth = declared.oauth
    assert oauth is not None and oauth.slug == "exact-online"
    app = declared.sandbox.load().create_app(SandboxOptions(seed=5, records=3))  # type: ignore[union-attr]
    info = declared.sandbox.load().describe(app, "http://exact.test")  # type: ignore[union-attr]
    creds = {"client_id": info["client_id"], "client_secret": info["client_secret"]}
    assert connection_service.state("exact_online", creds) == "consent_needed"
    redirect = "http://service.test/api/v1/oauth/exact-online/callback"
    slug, url = connection_service.authorize_url(
        "exact_online", "http://exact.test", creds, redirect, "s1"
    )
    assert slug == "exact-online" and url.startswith("http://exact.test/api/oauth2/auth?")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport) as http:
        answer = await http.get(url, follow_redirects=False)
    code = httpx.URL(answer.headers["location"]).params["code"]
    stored = await connection_service.finish_consent(
        "exact_online", "http://exact.test", creds, redirect, code, transport
    )
    assert stored["tokens"]["refresh_token"]
    assert connection_service.state("exact_online", stored) == "ready"


def test_exact_webhooks_and_tokens_are_asked_of_the_declaration() -> None:
    from mapwright.connectors.exact_online.webhooks import callback_body

    declared = registry.webhook_provider("exact-online")
    assert declared is not None and declared.kind == "exact_online"
    hooks, oauth = declared.webhooks, declared.oauth
    assert hooks is not None and oauth is not None and hooks.secret == "webhook_secret"
    event = {"Topic": "Accounts", "Action": "Create", "Key": "k1"}
    assert hooks.verify(callback_body(event, "s3cret"), "s3cret") == event
    with pytest.raises(AuthError, match="signature"):
        hooks.verify(callback_body(event, "s3cret"), "another")
    assert webhooks.topic_of("exact_online", "accounts") == "Accounts"
    assert webhooks.topic_of("exact_online", "sales_orders") == "SalesOrders"
    assert webhooks.topic_of("exact_online", "warehouses") is None  # sends no events
    assert webhooks.topic_of("exact_online", "no_such_object") is None
    assert webhooks.topic_of("shop", "orders") is None
    assert registry.webhook_provider("shop") is None
    seed = oauth.token_file_seed({"refresh_token": "r1"}, "https://start.exactonline.de")
    tokens = oauth.tokens_from_json(seed)
    assert (tokens.access_token, tokens.refresh_token, tokens.expires_at) == ("", "r1", 0.0)
    assert tokens.base_url == "https://start.exactonline.de"
    assert oauth.tokens_from_json(tokens.to_json()) == tokens


def test_the_field_catalogue_is_asked_of_the_declaration() -> None:
    assert fieldcheck.kinds() == ["exact_online"]
    found = fieldcheck.catalogue("exact_online")
    assert found is not None and found.objects["accounts"].where == "crm/Accounts"
    assert fieldcheck.catalogue("shop") is None
    assert fieldcheck.catalogue("no_such_kind") is None


def test_a_new_connector_needs_only_its_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package with a connector class and a declaration is found by the registry, accepted
    by the config, checked by the connection service and built by the engine, which also
    verifies its webhooks and knows their topics."""
    folder = tmp_path / "ledger_book"
    folder.mkdir()
    (folder / "__init__.py").write_text('"""A connector made for this test."""\n')
    (folder / "connector.py").write_text(
        textwrap.dedent(
            """
            from mapwright.connectors.base import Connector, ObjectSpec

            class LedgerBook(Connector):
                kind = "ledger_book"
                title = "Ledger book"
                objects = {"entries": ObjectSpec("entries", "id", frozenset({"list"}))}
            """
        )
    )
    (folder / "declaration.py").write_text(
        textwrap.dedent(
            """
            import json

            from mapwright.connectors.errors import AuthError
            from mapwright.connectors.registry import CredentialField, Declaration

            class Hooks:
                slug = "ledger-book"
                secret = "hook_secret"
                secret_help = "the book's hook secret"

                def verify(self, body, secret):
                    event = json.loads(body)
                    if event.pop("Signed") != secret:
                        raise AuthError("not signed with the hook secret")
                    return event

                def topic_of(self, obj):
                    return "Entries" if obj == "entries" else None

            DECLARATION = Declaration(
                kind="ledger_book",
                title="Ledger book",
                connector="mapwright.connectors.ledger_book.connector:LedgerBook",
                credentials=(CredentialField("token"),),
                webhooks=Hooks(),
            )
            """
        )
    )
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    monkeypatch.setattr(registry, "_FOUND", None)
    assert "ledger_book" in connection_service.kinds()
    assert connection_service.missing_credentials("ledger_book", {}) == ["token"]
    config = tmp_path / "mapwright.toml"
    config.write_text(
        '[connections.books]\nkind = "ledger_book"\n'
        'credentials = { token = "t", hook_secret = "h1" }\n'
    )
    settings = load_config(config)
    connections = Connections(settings.connection_configs())
    connector = connections.build("t", "books")
    assert connector.title == "Ledger book"
    host = SimpleNamespace(connections=connections)
    body = b'{"Topic": "Entries", "Key": "7", "Signed": "h1"}'
    event = webhooks.verify(host, "t", "books", body, system="ledger-book")
    assert event == {"Topic": "Entries", "Key": "7"}
    with pytest.raises(webhooks.WebhookRejected, match="not a genuine"):
        webhooks.verify(host, "t", "books", body.replace(b"h1", b"h2"), system="ledger-book")
    assert webhooks.topic_of("ledger_book", "entries") == "Entries"
