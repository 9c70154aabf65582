"""``mapwright connect exact-online``: the first consent through a local redirect.

0. without ``--client-id``/``--client-secret`` it prints what to open first (the Exact App
   Center, where the app and its redirect URI are registered) and stops;
1. prints (and opens) the authorize URL of the chosen country host;
2. a one-shot HTTP server on ``127.0.0.1:<port>`` receives the redirect with ``code`` and
   ``state`` (the state is checked);
3. the code is exchanged at ``/api/oauth2/token`` within its 3-minute life;
4. the token pair is written atomically to the token file (mode 0600) together with the host
   and the division from ``current/Me``;
5. it prints what to do next: the ``[connections.exact_online]`` table for ``mapwright.toml``
   and the dry run that proves the connection.

The redirect URI registered for the app in the Exact App Center must equal the one used here
(default ``http://127.0.0.1:8765/callback``; change with ``--port`` or ``--redirect-uri``).
"""

from __future__ import annotations

import asyncio
import http.server
import secrets
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import typer
from mapwright.connectors.errors import AuthError
from mapwright.connectors.exact_online import odata
from mapwright.connectors.exact_online.auth import (
    HOSTS,
    FileTokenStore,
    OAuthApp,
    TokenSet,
    authorize_url,
    exchange_code,
    resolve_host,
    with_division,
)

DEFAULT_PORT = 8765
DEFAULT_TOKEN_FILE = "~/.mapwright/exact-online.json"
APP_CENTER = "https://apps.exactonline.com"


def first_steps(redirect: str) -> str:
    """What to open before the first consent: the app registration."""
    return (
        "Exact Online needs an app of your own before mapwright can connect:\n"
        f"  1. open the Exact App Center ({APP_CENTER}), sign in and register an app\n"
        f"  2. give it the redirect URI {redirect}\n"
        "  3. run again with its keys:\n"
        "     mapwright connect exact-online --client-id <ID> --client-secret <SECRET>\n"
        "     (or set MAPWRIGHT_EXACT_CLIENT_ID and MAPWRIGHT_EXACT_CLIENT_SECRET)"
    )


def next_steps(base_url: str, client_id: str, token_file: Path, division: int | None) -> str:
    """What to do after the consent: the connection for ``mapwright.toml`` and a dry run."""
    return (
        f"Connected to division {division}. Next, add the connection to mapwright.toml:\n\n"
        "[connections.exact_online]\n"
        'kind = "exact_online"\n'
        f'base_url = "{base_url}"\n'
        f'credentials = {{ client_id = "{client_id}", client_secret = "<SECRET>", '
        f'token_file = "{token_file}" }}\n\n'
        "and try it without writing anything: mapwright flow run <flow> --dry-run"
    )


class _Callback(http.server.BaseHTTPRequestHandler):
    result: dict[str, str]

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        if "code" not in query and "error" not in query:
            self.send_response(404)
            self.end_headers()
            return
        self.server.result = query  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        text = (
            "Consent received - you can close this window."
            if "code" in query
            else ("Consent failed: " + query.get("error", ""))
        )
        self.wfile.write(f"<html><body><p>{text}</p></body></html>".encode())

    def log_message(self, format: str, *args: Any) -> None:
        return


def wait_for_redirect(
    port: int, timeout: float, ready: threading.Event | None = None
) -> dict[str, str]:
    """Serve ``127.0.0.1:port`` until one redirect with ``code`` (or ``error``) arrives."""
    server = http.server.HTTPServer(("127.0.0.1", port), _Callback)
    server.timeout = 0.5
    server.result = None  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    if ready is not None:
        ready.set()
    try:
        while server.result is None:  # type: ignore[attr-defined]
            if time.monotonic() > deadline:
                raise AuthError(f"no redirect reached 127.0.0.1:{port} within {timeout:.0f} s")
            server.handle_request()
        return dict(server.result)  # type: ignore[attr-defined]
    finally:
        server.server_close()


async def finish(
    base_url: str,
    app: OAuthApp,
    code: str,
    token_file: Path,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> TokenSet:
    """Exchange ``code``, read the division from current/Me, store the pair atomically."""
    async with httpx.AsyncClient(transport=transport, timeout=30) as http:
        tokens = await exchange_code(http, base_url, app, code)
        store = FileTokenStore(token_file)
        await store.save(tokens)
        response = await http.get(
            f"{base_url}/api/v1/current/Me",
            headers={
                "Authorization": f"Bearer {tokens.access_token}",
                "Accept": "application/json",
            },
        )
        if response.status_code != 200:
            raise AuthError(f"current/Me answered HTTP {response.status_code} after consent")
        me = odata.results(response.json())[0]
        tokens = with_division(tokens, int(me["CurrentDivision"]))
        await store.save(tokens)
        return tokens


def consent(
    host: str,
    client_id: str,
    client_secret: str,
    token_file: Path,
    *,
    port: int = DEFAULT_PORT,
    redirect_uri: str | None = None,
    open_url: Callable[[str], Any] = webbrowser.open,
    timeout: float = 300.0,
    say: Callable[[str], Any] = print,
) -> TokenSet:
    """Run the whole first-consent flow; returns the stored tokens (with the division)."""
    base_url = resolve_host(host)
    redirect = redirect_uri or f"http://127.0.0.1:{port}/callback"
    state = secrets.token_urlsafe(16)
    url = authorize_url(base_url, client_id, redirect, state)
    ready = threading.Event()
    outcome: dict[str, Any] = {}

    def serve() -> None:
        try:
            outcome["query"] = wait_for_redirect(port, timeout, ready)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc
            ready.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait()
    say(f"Open this URL to give consent (host {base_url}):\n{url}")
    say(f"Waiting for the redirect to {redirect} ...")
    open_url(url)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    query = outcome["query"]
    if query.get("state") != state:
        raise AuthError("the redirect carried a different state; start the consent again")
    if "code" not in query:
        raise AuthError(f"Exact refused consent: {query.get('error', 'no code')}")
    app = OAuthApp(client_id, client_secret, redirect)
    tokens = asyncio.run(finish(base_url, app, query["code"], token_file))
    say(f"Stored tokens in {token_file}; division {tokens.division}")
    say(next_steps(base_url, client_id, token_file, tokens.division))
    return tokens


def register(connect_app: typer.Typer) -> None:
    """Add the ``exact-online`` command to ``mapwright connect``."""

    @connect_app.command("exact-online")
    def exact_online(
        client_id: str = typer.Option(
            "", envvar="MAPWRIGHT_EXACT_CLIENT_ID", help="Client ID of the app (Exact App Center)"
        ),
        client_secret: str = typer.Option(
            "", envvar="MAPWRIGHT_EXACT_CLIENT_SECRET", help="Client secret of the app"
        ),
        host: str = typer.Option("nl", help=f"Country host ({'|'.join(HOSTS)}) or a base URL"),
        token_file: str = typer.Option(
            DEFAULT_TOKEN_FILE,
            envvar="MAPWRIGHT_EXACT_TOKEN_FILE",
            help="Where to store the tokens (JSON, mode 0600)",
        ),
        port: int = typer.Option(DEFAULT_PORT, help="Port of the local redirect server"),
        redirect_uri: str = typer.Option(
            "", help="Redirect URI registered for the app (default http://127.0.0.1:PORT/callback)"
        ),
        no_browser: bool = typer.Option(False, "--no-browser", help="Only print the URL"),
        timeout: float = typer.Option(300.0, help="Seconds to wait for the redirect"),
    ) -> None:
        """Give mapwright access to an Exact Online division (first OAuth consent)."""
        if not client_id or not client_secret:
            typer.echo(first_steps(redirect_uri or f"http://127.0.0.1:{port}/callback"))
            raise typer.Exit(1)
        try:
            consent(
                host,
                client_id,
                client_secret,
                Path(token_file).expanduser(),
                port=port,
                redirect_uri=redirect_uri or None,
                open_url=(lambda url: None) if no_browser else webbrowser.open,
                timeout=timeout,
                say=typer.echo,
            )
        except (AuthError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
