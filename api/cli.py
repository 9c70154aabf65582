"""``mapwright serve`` and ``mapwright api ...``: run the REST service, manage it.

::

    mapwright serve --demo                 data folder, sandboxes, demo tenant, flows, a dry run
    mapwright serve [--host 127.0.0.1] [--port 8000] [--data DIR] [--store URL]
    mapwright api new-key                  a fresh MAPWRIGHT_SECRET_KEY
    mapwright api tenant NAME              create a tenant, print its admin API key
    mapwright api rotate-key               re-encrypt every credential with the newest key

Without ``--demo`` the service serves the connections and flows of the store. ``--store``
takes a PostgreSQL URL (``postgresql+psycopg://user@host/db``); without it the store is
SQLite in the data folder. The secret key comes from ``MAPWRIGHT_SECRET_KEY``; when it is
not set, a key file in the data folder is created and used (keep that file safe).
"""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path
from typing import Any

import typer
from mapwright.api.settings import ApiSettings
from mapwright.engine.errors import EngineError
from mapwright.engine.store import Store


def _settings(data: Path | None, store: str | None, host: str, port: int) -> ApiSettings:
    """``mapwright.toml`` + environment, like the engine's commands; options win."""
    from mapwright.engine.config import load_settings

    settings = load_settings(
        model=ApiSettings, public_url=f"http://{host}:{port}", data_dir=data, store_url=store
    )
    settings.secret_key = settings.key(create=True)
    return settings


def serve(
    demo: bool = typer.Option(False, "--demo", help="sandboxes, demo tenant, built-in flows"),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    data: Path | None = typer.Option(None, "--data", help="data folder (default ./mapwright-data)"),
    store: str | None = typer.Option(None, "--store", help="database URL (PostgreSQL)"),
    log_level: str = typer.Option("info", "--log-level"),
    workers: int | None = typer.Option(
        None, "--workers", min=0, max=0, help="0: only enqueue runs for `mapwright worker`"
    ),
) -> None:
    """Run the REST service (API under /api/v1, docs at /docs)."""
    import uvicorn
    from mapwright.api import demo as demo_mod
    from mapwright.api.app import create_app
    from mapwright.api.logs import configure

    configure(log_level.upper())
    _check_port(host, port)
    try:
        settings = _settings(data, store, host, port)
        if settings.uses_data_dir():
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        # the store opens (driver, URL, migrations) before anything is made
        Store.open(settings.database_url()).close()
    except EngineError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    sandboxes = (
        demo_mod.build_sandboxes(settings.public_url, Path(settings.data_dir)) if demo else None
    )

    said: list[str] = []  # printed once the server takes the port (_Server.startup)
    say = said.append

    async def started(services: object) -> None:
        if sandboxes is None:
            return
        await demo_mod.seed(services, sandboxes)  # type: ignore[arg-type]
        url = settings.public_url
        say(f"\nmapwright is running at {url}  (API docs: {url}/docs)")
        if sandboxes.key is not None:
            say(f"demo tenant '{demo_mod.TENANT}', admin API key (shown once):\n  {sandboxes.key}")
        else:
            say(
                f"demo tenant '{demo_mod.TENANT}': its admin API key from the first start still "
                f"works (keys are shown once); a new one: mapwright api tenant {demo_mod.TENANT}"
            )
        cursors, ledger = sandboxes.reset
        if cursors or ledger:
            say(
                f"sandboxes re-seeded: forgot {cursors} cursor(s) and {ledger} ledger entries "
                "of the earlier start (runs and parked records stay)"
            )
        for prefix in sandboxes.apps:
            say(f"sandbox: {settings.public_url}{prefix}")
        if sandboxes.report:
            report = sandboxes.report
            say(
                f"dry run of '{report['flow']}': {report['status']}, counts {report['counts']}"
                f"  (log: GET /api/v1/runs/{report['run_id']}/records)"
            )
        auth = f'-H "Authorization: Bearer {sandboxes.key or "<your demo admin key>"}"'
        say(f"try:  curl {auth} {url}/api/v1/flows\n")

    app = create_app(
        settings,
        transports=sandboxes.transports if sandboxes else None,
        scheduler=True,
        on_start=[_scale_out(workers), started],
    )
    if sandboxes is not None:
        demo_mod.mount(app, sandboxes)
    else:
        say(f"mapwright is running at {settings.public_url} (docs: {settings.public_url}/docs)")

    class _Server(uvicorn.Server):
        """Prints what ``started`` said once the port is taken: uvicorn runs the app's
        start-up (where the demo is seeded) before it binds, and a request sent right after
        the "try:" line must be answered, not refused."""

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                for line in said:
                    typer.echo(line)

    server = _Server(
        uvicorn.Config(app, host=host, port=port, log_config=None, log_level=log_level)
    )
    with contextlib.suppress(KeyboardInterrupt):  # as uvicorn.run: Ctrl-C ends quietly
        server.run()
    if not server.started:  # uvicorn.run's answer when the start-up failed
        raise typer.Exit(3)


def _scale_out(workers: int | None) -> Any:
    """With a PostgreSQL store: quotas and Exact tokens shared with other processes; with
    ``--workers 0`` runs are only queued for ``mapwright worker`` (engine/distributed.py)."""

    async def hook(services: Any) -> None:
        from mapwright.engine.scale import enable_sharing, queue_runs

        services.metrics.watch_store(services.store)
        shared = enable_sharing(services.engine)
        if workers == 0:
            if not shared:
                raise EngineError("--workers 0 needs a PostgreSQL store (--store URL)")
            executor = queue_runs(services.engine, follow=True)
            services.executor = services.engine.executor = executor

    return hook


def _check_port(host: str, port: int) -> None:
    """Refuse a busy port before anything is created (keys, demo data)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            typer.echo(
                f"error: cannot listen on {host}:{port} ({exc.strerror}); another program "
                "(perhaps another 'mapwright serve') uses it: stop it or pass --port",
                err=True,
            )
            raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``api`` group to the root CLI."""
    app.command("serve")(serve)
    group = typer.Typer(help="The REST service: keys, tenants, key rotation.", no_args_is_help=True)

    @group.command("new-key")
    def new_key() -> None:
        """Print a fresh secret key for MAPWRIGHT_SECRET_KEY."""
        from mapwright.engine.vault import Vault

        typer.echo(Vault.new_key())

    @group.command("tenant")
    def tenant(
        name: str,
        data: Path | None = typer.Option(None, "--data"),
        store: str | None = typer.Option(None, "--store"),
    ) -> None:
        """Create a tenant and print its first admin API key."""
        from mapwright.api.services import Services, create_tenant

        services = Services(_settings(data, store, "127.0.0.1", 8000))
        try:
            typer.echo(create_tenant(services, name))
        finally:
            services.close()

    @group.command("rotate-key")
    def rotate_key(
        data: Path | None = typer.Option(None, "--data"),
        store: str | None = typer.Option(None, "--store"),
    ) -> None:
        """Re-encrypt all credentials with the first key of MAPWRIGHT_SECRET_KEY."""
        from mapwright.api.rotation import rotate
        from mapwright.api.services import Services

        services = Services(_settings(data, store, "127.0.0.1", 8000))
        try:
            counts = rotate(services)
        finally:
            services.close()
        typer.echo(
            f"re-encrypted {counts['connections']} connections, {counts['channels']} alert channels"
        )

    app.add_typer(group, name="api")
