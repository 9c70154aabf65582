"""Connection services for the faces (the service, the command line): what the connectors
declare (``connectors/registry.py``), asked by kind, never by a connector's name.

* ``kinds``, ``declaration``, ``missing_credentials``, ``state``: connection checks;
* ``kind_forms``: what a connection form asks for each kind (the studio's wizard);
* ``authorize_url``, ``oauth_for``, ``finish_consent``: the OAuth consent of a connector that
  declares one (the service's redirect is ``/api/v1/oauth/<slug>/callback``);
* ``sandbox_apps``, ``describe_sandbox``: the sandboxes the connectors ship (the demo);
* ``quotas``: a kind's documented limits (metrics);
* ``delete_connection``: the store's side of removing one;
* the connector errors and types the faces handle (``ConnectorError`` ...), re-exported so a
  face needs no import of ``mapwright.connectors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from mapwright.connectors import registry
from mapwright.connectors.base import ConnectionConfig, Connector, Quota
from mapwright.connectors.errors import AuthError, ConnectorError, FatalError
from mapwright.connectors.registry import CredentialField, Declaration, UnknownKind
from mapwright.connectors.sandbox import SandboxOptions
from mapwright.engine import schema
from mapwright.engine.store import Store

__all__ = [
    "AuthError",
    "ConnectionConfig",
    "Connector",
    "ConnectorError",
    "CredentialField",
    "Declaration",
    "FatalError",
    "KindForm",
    "Quota",
    "SandboxApp",
    "UnknownKind",
    "authorize_url",
    "declaration",
    "delete_connection",
    "describe_sandbox",
    "finish_consent",
    "kind_forms",
    "kinds",
    "missing_credentials",
    "oauth_for",
    "quotas",
    "sandbox_apps",
    "state",
]

State = Literal["ready", "consent_needed"]


def kinds() -> list[str]:
    """Every connector kind of this installation, sorted."""
    return registry.kinds()


def declaration(kind: str) -> Declaration:
    """What connector ``kind`` declares; ``UnknownKind`` (a ``ConnectorError``) otherwise."""
    return registry.declaration(kind)


@dataclass(frozen=True)
class KindForm:
    """What a connection form asks for one kind, as its connector declares it."""

    kind: str
    title: str
    #: the credentials the form asks, in the declared order (command-line-only ones left out)
    fields: tuple[CredentialField, ...]
    #: the connector wants a user's OAuth consent after the credentials are saved
    consent: bool
    #: the name of the sandbox it ships (``mapwright sandbox <name>``), if any
    sandbox: str | None
    base_url_label: str
    base_url_help: str
    #: options a connection needs besides the credentials (no form asks them)
    required_options: tuple[str, ...]


def kind_forms() -> list[KindForm]:
    """Every kind with its connection form, sorted by kind (``kinds()``)."""
    found = []
    for kind in registry.kinds():
        declared = registry.declaration(kind)
        found.append(
            KindForm(
                kind=kind,
                title=declared.title,
                fields=declared.form_credentials(),
                consent=declared.oauth is not None,
                sandbox=declared.sandbox.name if declared.sandbox is not None else None,
                base_url_label=declared.base_url_label,
                base_url_help=declared.base_url_help,
                required_options=declared.required_options,
            )
        )
    return found


def missing_credentials(kind: str, credentials: Mapping[str, Any]) -> list[str]:
    """The credentials ``kind`` requires that are absent or empty."""
    return registry.declaration(kind).missing_credentials(credentials)


def state(kind: str, credentials: Mapping[str, Any]) -> State:
    """``consent_needed`` while a connector with an OAuth protocol has no tokens yet."""
    oauth = registry.declaration(kind).oauth
    if oauth is not None and oauth.needs_consent(credentials):
        return "consent_needed"
    return "ready"


def oauth_for(slug: str) -> Declaration | None:
    """The connector whose consent answers at ``/oauth/<slug>/callback``."""
    return registry.oauth_provider(slug)


def authorize_url(
    kind: str,
    base_url: str | None,
    credentials: Mapping[str, Any],
    redirect_uri: str,
    state: str,
) -> tuple[str, str]:
    """``(slug, url)``: the consent page of ``kind`` and the slug of its callback."""
    oauth = registry.declaration(kind).oauth
    if oauth is None:
        raise FatalError(f"connections of kind '{kind}' need no consent")
    try:
        return oauth.slug, oauth.authorize_url(base_url, credentials, redirect_uri, state)
    except ValueError as exc:  # e.g. an unknown country host
        raise FatalError(str(exc), code="bad_base_url") from None


async def finish_consent(
    kind: str,
    base_url: str | None,
    credentials: Mapping[str, Any],
    redirect_uri: str,
    code: str,
    transport: httpx.AsyncBaseTransport | None,
) -> dict[str, Any]:
    """Trade the redirect's ``code`` for tokens; returns the credentials to store."""
    oauth = registry.declaration(kind).oauth
    if oauth is None:
        raise FatalError(f"connections of kind '{kind}' need no consent")
    async with httpx.AsyncClient(transport=transport, timeout=30) as http:
        try:
            return await oauth.exchange(http, base_url, credentials, redirect_uri, code)
        except ValueError as exc:  # e.g. an unknown country host
            raise FatalError(str(exc), code="bad_base_url") from None


def quotas(kind: str) -> tuple[Quota, ...]:
    """The documented limits of ``kind`` (empty for an unknown kind)."""
    try:
        return registry.declaration(kind).connector_class().quotas
    except UnknownKind:
        return ()


@dataclass
class SandboxApp:
    """A connector's sandbox, created in this process; ``name`` is its URL name."""

    name: str
    kind: str
    app: Any

    def connection(self, base_url: str, *, with_tokens: bool = True) -> tuple[str, dict[str, Any]]:
        """``(base_url, credentials)`` of a connection to it served at ``base_url``; without
        ``with_tokens`` only the required credentials (a consent gets the tokens)."""
        found = describe_sandbox(self.name, self.app, base_url, with_tokens=with_tokens)
        assert found is not None
        return found


def sandbox_apps(seed: int = 42, records: int = 25) -> list[SandboxApp]:
    """One app per sandbox the connectors declare, seeded with ``seed``."""
    apps = []
    for name, declared in sorted(registry.sandboxes().items()):
        assert declared.sandbox is not None
        app = declared.sandbox.load().create_app(SandboxOptions(seed=seed, records=records))
        apps.append(SandboxApp(name, declared.kind, app))
    return apps


def describe_sandbox(
    name: str, app: Any, base_url: str, *, with_tokens: bool = True
) -> tuple[str, dict[str, Any]] | None:
    """``(base_url, credentials)`` of sandbox ``name`` served at ``base_url``, or ``None``
    when no connector declares a sandbox of that name."""
    declared = registry.sandboxes().get(name)
    if declared is None or declared.sandbox is None:
        return None
    info = declared.sandbox.load().describe(app, base_url)
    url, credentials = declared.sandbox.connect(info)
    if not with_tokens:
        required = declared.required_credentials()
        credentials = {k: v for k, v in credentials.items() if k in required}
    return url, credentials


def sandbox_kind(name: str) -> str | None:
    """The connector kind of sandbox ``name``."""
    declared = registry.sandboxes().get(name)
    return declared.kind if declared is not None else None


def delete_connection(store: Store, tenant: str, name: str) -> bool:
    """Remove the tenant's connection ``name``; False when there was none."""
    table = schema.connections
    with store.engine.begin() as c:
        deleted = c.execute(
            table.delete().where((table.c.tenant == tenant) & (table.c.name == name))
        ).rowcount
    return bool(deleted)
