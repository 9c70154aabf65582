"""``mapwright worker``: run queued flow runs from the PostgreSQL store's procrastinate queue.

::

    MAPWRIGHT_SECRET_KEY=... mapwright worker --config mapwright.toml --concurrency 4

The worker reads the same ``mapwright.toml`` (store URL, connections, flows) and secret key as
``mapwright serve``; start as many as you like, on any machine that reaches the database.
Quotas and Exact tokens are shared through the store (``engine/shared_quota.py``,
``engine/token_store.py``), so N workers together stay within each connection's limits.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import typer


def worker_command(
    config_file: Path | None = typer.Option(None, "--config", "-c", help="mapwright.toml to use"),
    data: Path | None = typer.Option(None, "--data", help="data folder (holds secret.key)"),
    store: str | None = typer.Option(None, "--store", help="database URL (PostgreSQL)"),
    concurrency: int = typer.Option(4, "--concurrency", min=1, max=256, help="runs at once"),
    heartbeat: float = typer.Option(2.0, "--heartbeat", min=0.1, help="seconds between beats"),
    stalled_after: float = typer.Option(
        10.0, "--stalled-after", min=0.5, help="a worker silent this long is dead: requeue its jobs"
    ),
    log_level: str = typer.Option("info", "--log-level"),
) -> None:
    """Run flows from the queue (needs a PostgreSQL store); stop with Ctrl-C or SIGTERM."""
    from mapwright.engine.config import Settings, load_settings
    from mapwright.engine.distributed import run_worker
    from mapwright.engine.errors import EngineError
    from mapwright.engine.runs import Engine
    from mapwright.engine.scale import enable_sharing, log_json

    log_json(log_level.upper())
    try:
        config: Settings = load_settings(config_file, data_dir=data, store_url=store)
        engine = Engine.from_config(config)
        url = config.database_url()
        enable_sharing(engine)
    except EngineError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    logging.getLogger("mapwright.worker").info("worker using %s", _safe(url))
    try:
        asyncio.run(
            run_worker(
                engine,
                url,
                concurrency=concurrency,
                heartbeat=heartbeat,
                stalled_after=stalled_after,
                stalled_check=max(heartbeat, 0.5),
            )
        )
    except KeyboardInterrupt:
        pass
    finally:
        engine.store.close()


def _safe(url: str) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(url).render_as_string(hide_password=True)
