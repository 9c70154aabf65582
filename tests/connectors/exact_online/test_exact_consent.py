"""First consent through the local redirect, against the sandbox served on 127.0.0.1."""

from __future__ import annotations

import json

import httpx
import pytest
import typer
from mapwright.connectors.errors import AuthError
from mapwright.connectors.exact_online.auth import FileTokenStore
from mapwright.connectors.exact_online.consent import consent, register
from mapwright.connectors.exact_online.sandbox import create_app, describe
from mapwright.connectors.exact_online.testing import free_port, serve
from mapwright.connectors.sandbox import SandboxOptions
from typer.testing import CliRunner


def browser(url: str) -> None:
    """The user's browser: opens the consent page, which redirects back to us."""
    answer = httpx.get(url, follow_redirects=True, timeout=10)
    assert answer.status_code == 200 and "Consent received" in answer.text


def test_consent_stores_tokens_and_division(tmp_path) -> None:
    app = create_app(SandboxOptions(seed=3, records=5))
    info = describe(app, "http://unused")
    token_file = tmp_path / "exact.json"
    lines: list[str] = []
    with serve(app) as base_url:
        tokens = consent(
            base_url,
            info["client_id"],
            info["client_secret"],
            token_file,
            port=free_port(),
            open_url=browser,
            timeout=20,
            say=lines.append,
        )
    assert tokens.division == info["division"]
    stored = json.loads(token_file.read_text())
    assert stored["refresh_token"] == tokens.refresh_token
    assert stored["division"] == info["division"] and stored["base_url"] == base_url
    assert "/api/oauth2/auth?client_id=" in lines[0]
    assert str(info["division"]) in lines[-1]


def test_cli_without_a_redirect_stops_with_a_clear_message(tmp_path) -> None:
    app = create_app(SandboxOptions(seed=3, records=5))
    info = describe(app, "http://unused")
    connect = typer.Typer()
    register(connect)
    with serve(app) as base_url:
        port = free_port()
        result = CliRunner().invoke(
            connect,
            [
                "--client-id",
                info["client_id"],
                "--client-secret",
                "wrong",
                "--host",
                base_url,
                "--token-file",
                str(tmp_path / "t.json"),
                "--port",
                str(port),
                "--no-browser",
                "--timeout",
                "0.5",
            ],
        )
    assert result.exit_code == 1
    assert "no redirect reached" in result.output


async def test_token_file_is_readable_by_the_store(tmp_path) -> None:
    app = create_app(SandboxOptions(seed=3, records=5))
    info = describe(app, "http://unused")
    token_file = tmp_path / "exact.json"
    with serve(app) as base_url:
        import asyncio

        tokens = await asyncio.to_thread(
            consent,
            base_url,
            info["client_id"],
            info["client_secret"],
            token_file,
            port=free_port(),
            open_url=browser,
            timeout=20,
            say=lambda _: None,
        )
    loaded = await FileTokenStore(token_file).load()
    assert loaded == tokens


def test_wrong_client_secret_is_an_auth_error(tmp_path) -> None:
    app = create_app(SandboxOptions(seed=3, records=5))
    info = describe(app, "http://unused")
    with serve(app) as base_url, pytest.raises(AuthError, match="invalid_client"):
        consent(
            base_url,
            info["client_id"],
            "wrong",
            tmp_path / "t.json",
            port=free_port(),
            open_url=browser,
            timeout=20,
            say=lambda _: None,
        )
    assert not (tmp_path / "t.json").exists()


def test_without_keys_the_command_says_what_to_open_first(monkeypatch) -> None:
    monkeypatch.delenv("MAPWRIGHT_EXACT_CLIENT_ID", raising=False)
    monkeypatch.delenv("MAPWRIGHT_EXACT_CLIENT_SECRET", raising=False)
    connect = typer.Typer()
    register(connect)
    result = CliRunner().invoke(connect, ["--port", "9123", "--no-browser"])
    assert result.exit_code == 1
    assert "open the Exact App Center (https://apps.exactonline.com)" in result.output
    assert "redirect URI http://127.0.0.1:9123/callback" in result.output
    assert "--client-id <ID> --client-secret <SECRET>" in result.output


def test_after_consent_the_printed_connection_works_as_mapwright_toml(
    tmp_path, monkeypatch
) -> None:
    """What the command prints next is a working connection: pasted into mapwright.toml (with
    the secret filled in), the engine builds the connector and Exact answers current/Me."""
    import asyncio

    from mapwright.engine.config import load_config
    from mapwright.engine.connections import Connections

    app = create_app(SandboxOptions(seed=3, records=5))
    info = describe(app, "http://unused")
    token_file = tmp_path / "exact.json"
    lines: list[str] = []
    with serve(app) as base_url:
        consent(
            base_url,
            info["client_id"],
            info["client_secret"],
            token_file,
            port=free_port(),
            open_url=browser,
            timeout=20,
            say=lines.append,
        )
        printed = lines[-1]
        assert printed.startswith(f"Connected to division {info['division']}.")
        assert "mapwright flow run <flow> --dry-run" in printed
        table = printed[printed.index("[connections.exact_online]") :].split("\n\n")[0]
        config = tmp_path / "mapwright.toml"
        config.write_text(table.replace("<SECRET>", info["client_secret"]) + "\n")
        monkeypatch.delenv("MAPWRIGHT_TOKEN_DIR", raising=False)
        settings = load_config(config)
        connections = Connections(settings.connection_configs())

        async def me() -> dict:
            connector = connections.build("demo", "exact_online")
            try:
                return await connector.me()  # type: ignore[attr-defined]
            finally:
                await connector.aclose()

        answer = asyncio.run(me())
    assert answer["CurrentDivision"] == info["division"]
