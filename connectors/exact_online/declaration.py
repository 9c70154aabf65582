"""Exact Online declares itself: credentials, sandbox, OAuth consent and its tokens, webhooks,
field catalogue.

See ``connectors/registry.py`` for what a declaration is and who reads it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any

from mapwright.connectors.registry import CredentialField, Declaration, Sandbox

if TYPE_CHECKING:
    import httpx
    from mapwright.connectors.exact_online.auth import TokenSet


class ExactOAuth:
    """Exact's authorization-code grant; the tokens are kept in the credentials as
    ``tokens`` (a ``TokenSet`` as JSON), or start from a bare ``refresh_token``."""

    slug = "exact-online"

    def needs_consent(self, credentials: Mapping[str, Any]) -> bool:
        return not (credentials.get("tokens") or credentials.get("refresh_token"))

    def authorize_url(
        self, base_url: str | None, credentials: Mapping[str, Any], redirect_uri: str, state: str
    ) -> str:
        from mapwright.connectors.exact_online.auth import authorize_url, resolve_host

        host = resolve_host(str(base_url or "nl"))
        return authorize_url(host, str(credentials["client_id"]), redirect_uri, state)

    async def exchange(
        self,
        http: httpx.AsyncClient,
        base_url: str | None,
        credentials: Mapping[str, Any],
        redirect_uri: str,
        code: str,
    ) -> dict[str, Any]:
        from mapwright.connectors.exact_online.auth import OAuthApp, exchange_code, resolve_host

        host = resolve_host(str(base_url or "nl"))
        app = OAuthApp(
            str(credentials["client_id"]), str(credentials["client_secret"]), redirect_uri
        )
        tokens = await exchange_code(http, host, app, code)
        return {**credentials, "tokens": tokens.to_json()}

    def token_store(
        self,
        read: Callable[[], dict[str, Any]],
        write: Callable[[dict[str, Any]], None],
        lock: Callable[[], Any],
    ) -> CredentialsTokenStore:
        return CredentialsTokenStore(read, write, lock)

    def token_file_seed(self, credentials: Mapping[str, Any], base_url: str | None) -> Any:
        if credentials.get("token_file") or not credentials.get("refresh_token"):
            return None
        return {
            "access_token": "",
            "refresh_token": credentials["refresh_token"],
            "issued_at": 0.0,
            "expires_at": 0.0,
            "base_url": base_url or "",
        }

    def tokens_from_json(self, data: Mapping[str, Any]) -> TokenSet:
        from mapwright.connectors.exact_online.auth import TokenSet

        return TokenSet.from_json(dict(data))


#: where the operator finds the webhook secret (the credential's help and the log's hint)
WEBHOOK_SECRET_HELP = "the app's webhook secret (Exact App Center, the app's webhooks)"


class ExactWebhooks:
    """Exact's webhook callbacks: signed with the app's webhook secret (``webhooks.py``),
    one topic per object (``ObjectSpec.webhook_topic`` in ``objects.py``)."""

    slug = "exact-online"
    secret = "webhook_secret"
    secret_help = WEBHOOK_SECRET_HELP

    def verify(self, body: bytes, secret: str) -> dict[str, Any]:
        from mapwright.connectors.exact_online.webhooks import verify_callback

        return verify_callback(body, secret)

    def topic_of(self, obj: str) -> str | None:
        from mapwright.connectors.exact_online.objects import OBJECTS

        spec = OBJECTS.get(obj)
        return spec.webhook_topic if spec is not None else None


class CredentialsTokenStore:
    """Exact Online tokens inside a connection's (encrypted) credentials.

    Exact invalidates a refresh token as soon as its successor is used, so the new one is
    written back at once, under the host's lock for this connection."""

    def __init__(
        self,
        read: Callable[[], dict[str, Any]],
        write: Callable[[dict[str, Any]], None],
        lock: Callable[[], Any],
    ):
        self.read = read
        self.write = write
        self.lock = lock

    async def load(self) -> TokenSet | None:
        from mapwright.connectors.exact_online.auth import TokenSet

        creds = self.read()
        if creds.get("tokens"):
            return TokenSet.from_json(creds["tokens"])
        if creds.get("refresh_token"):
            return TokenSet(
                access_token=str(creds.get("access_token") or ""),
                refresh_token=str(creds["refresh_token"]),
                issued_at=float(creds.get("issued_at") or 0),
                expires_at=float(creds.get("expires_at") or 0),
            )
        return None

    async def save(self, tokens: TokenSet) -> None:
        creds = self.read()
        creds.pop("refresh_token", None)
        creds.pop("access_token", None)
        creds["tokens"] = tokens.to_json()
        self.write(creds)

    @contextlib.asynccontextmanager
    async def refresh_lock(self) -> AsyncIterator[None]:
        async with self.lock():
            yield


def _sandbox_connection(info: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    keys = ("client_id", "client_secret", "refresh_token")
    return str(info["base_url"]), {k: info[k] for k in keys}


DECLARATION = Declaration(
    kind="exact_online",
    title="Exact Online",
    connector="mapwright.connectors.exact_online.client:ExactOnlineConnector",
    credentials=(
        CredentialField(
            "client_id",
            label="App client id",
            help="Client ID of the app (Exact App Center)",
            secret=False,
        ),
        CredentialField(
            "client_secret", label="App client secret", help="Client secret of the app"
        ),
        CredentialField(
            "refresh_token",
            required=False,
            label="Refresh token",
            help="a refresh token from an earlier consent (without one, the consent gives it)",
        ),
        CredentialField(
            "webhook_secret",
            required=False,
            label="Webhook secret",
            help=f"only for webhooks: {WEBHOOK_SECRET_HELP}",
        ),
        CredentialField(
            "token_file",
            required=False,
            label="Token file",
            help="command line: the token file `mapwright connect exact-online` wrote",
            secret=False,
            form=False,  # a path on the command line's machine, not the service's
        ),
    ),
    sandbox=Sandbox(
        "exact-online", "mapwright.connectors.exact_online.sandbox", _sandbox_connection
    ),
    oauth=ExactOAuth(),
    webhooks=ExactWebhooks(),
    fields="mapwright.connectors.exact_online.catalogue:catalogue",
    connect_commands="mapwright.connectors.exact_online.consent:register",
    token_store=True,
    base_url_label="Exact country or base URL",
    base_url_help="nl, be, de, fr, es, uk or us (default nl), or a base URL such as "
    "https://start.exactonline.nl",
)
