"""Command line of the connector layer: ``mapwright sandbox NAME`` and the ``connect`` group.

``mapwright sandbox shop --port 0`` binds the port itself (0 = a free one), prints one JSON
line (``describe(app, base_url)``: base URL and credentials) and then serves with uvicorn
until interrupted. Connectors add commands to ``connect_app`` through their declaration
(``connect_commands``; Exact Online adds ``connect exact-online`` for the OAuth consent).
"""

from __future__ import annotations

import importlib
import json
import logging
import socket
import sys
from typing import Annotated, Any

import typer
import uvicorn
from mapwright.connectors.faults import DroppedConnection, LostResponse
from mapwright.connectors.registry import declarations
from mapwright.connectors.sandbox import FaultOptions, SandboxOptions, load, names

connect_app = typer.Typer(
    name="connect", help="Connect an account of a system (OAuth consent).", no_args_is_help=True
)


def parse_error_rates(values: list[str]) -> dict[int, float]:
    """``["500=0.1", "503=0.05"]`` -> ``{500: 0.1, 503: 0.05}`` with errors naming the flag."""
    rates: dict[int, float] = {}
    for value in values:
        status, sep, probability = value.partition("=")
        try:
            if not sep:
                raise ValueError
            rates[int(status)] = float(probability)
        except ValueError:
            raise typer.BadParameter(
                f"{value!r} is not STATUS=PROBABILITY, e.g. --error-rate 503=0.1",
                param_hint="--error-rate",
            ) from None
    return rates


def parse_settings(values: list[str]) -> dict[str, Any]:
    """``["rate_limit=60", "api_key=abc"]`` -> ``{"rate_limit": 60, "api_key": "abc"}``.

    Values are read as JSON where they parse (numbers, true/false), else kept as text.
    """
    settings: dict[str, Any] = {}
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name:
            raise typer.BadParameter(
                f"{value!r} is not NAME=VALUE, e.g. --setting rate_limit=60",
                param_hint="--setting",
            )
        try:
            settings[name] = json.loads(raw)
        except ValueError:
            settings[name] = raw
    return settings


class _InjectedFaultFilter(logging.Filter):
    """Keep uvicorn's log free of tracebacks for faults we injected on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection | LostResponse)


def sandbox(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(names())}")],
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    seed: Annotated[int, typer.Option(help="Seed of the generated data and faults.")] = 42,
    records: Annotated[int, typer.Option(help="How many records to generate.")] = 40,
    data: Annotated[
        str | None, typer.Option(help="SQLite file for the state (default: in memory).")
    ] = None,
    latency_ms: Annotated[int, typer.Option(help="Delay every answer by N ms.")] = 0,
    error_rate: Annotated[
        list[str] | None, typer.Option(help="STATUS=P: answer STATUS with probability P.")
    ] = None,
    burst_429: Annotated[int, typer.Option(help="Answer the next N calls with 429.")] = 0,
    drop_rate: Annotated[float, typer.Option(help="Drop connections with probability P.")] = 0.0,
    timeout_after_commit: Annotated[
        float, typer.Option(help="Lose write responses after commit with probability P.")
    ] = 0.0,
    setting: Annotated[
        list[str] | None,
        typer.Option(help="NAME=VALUE: a sandbox setting (SandboxOptions.extra), repeatable."),
    ] = None,
) -> None:
    """Run a sandbox server; prints one JSON line with its base URL and credentials."""
    try:
        module = load(name)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="NAME") from None
    faults = FaultOptions(
        latency_ms=latency_ms,
        error_rates=parse_error_rates(error_rate or []),
        burst_429=burst_429,
        drop_rate=drop_rate,
        timeout_after_commit_rate=timeout_after_commit,
    )
    options = SandboxOptions(
        seed=seed,
        records=records,
        data_file=data,
        faults=faults,
        extra=parse_settings(setting or []),
    )
    try:
        app = module.create_app(options)
    except (ValueError, TypeError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--setting") from None
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot listen on {host}:{port} ({exc.strerror}); pick another --port or 0",
            param_hint="--port",
        ) from None
    bound_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    print(json.dumps(module.describe(app, f"http://{shown_host}:{bound_port}")), flush=True)
    logging.getLogger("uvicorn.error").addFilter(_InjectedFaultFilter())
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        sys.stdout.flush()


def register(app: typer.Typer) -> None:
    """Add ``sandbox`` and the ``connect`` group to the root CLI."""
    app.command("sandbox")(sandbox)
    for declared in declarations().values():
        if declared.connect_commands:
            module, _, function = declared.connect_commands.partition(":")
            getattr(importlib.import_module(module), function)(connect_app)
    app.add_typer(connect_app, name="connect")
