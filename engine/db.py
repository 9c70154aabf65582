"""Database engines for the store: SQLite (embedded default) or PostgreSQL, same code.

SQLite connections get ``journal_mode=WAL`` (readers never block the writer),
``busy_timeout`` (a second process waits for the write lock instead of failing) and
``foreign_keys=ON``. JSON columns are written with ``dsl.jsonio.dumps``, so ``Decimal`` amounts
keep every digit (values that are plain already, such as a run's activity log, are encoded
without a copy). ``migrate`` brings a database to the newest schema with alembic, run in code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from mapwright.dsl import jsonio
from mapwright.engine.errors import StoreError

DEFAULT_URL = "sqlite:///mapwright.db"
BUSY_TIMEOUT_MS = 30_000
MIGRATIONS = Path(__file__).parent / "migrations"


def create_engine(
    url: str = DEFAULT_URL, *, sqlite_synchronous: str = "NORMAL", **kwargs: Any
) -> sa.Engine:
    """An engine for ``url`` (``sqlite:///file.db`` or ``postgresql+psycopg://...``).

    ``sqlite_synchronous``: ``NORMAL`` (default) makes a commit survive a crash or kill of
    the process, and costs no disk flush per commit in WAL mode; ``FULL`` also survives a
    power loss or OS crash, at one flush per commit (much slower on most disks).
    """
    if sqlite_synchronous.upper() not in ("NORMAL", "FULL", "EXTRA"):
        raise StoreError(
            f"sqlite_synchronous {sqlite_synchronous!r} is not allowed; use NORMAL or FULL"
        )
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(
            f"store url {url!r} is not a database URL; use e.g. 'sqlite:///mapwright.db' "
            "or 'postgresql+psycopg://user@host/dbname'"
        ) from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    options: dict[str, Any] = {
        "json_serializer": jsonio.dumps,
        "json_deserializer": jsonio.loads,
    }
    if parsed.get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000}
    else:
        options["pool_pre_ping"] = True
    options.update(kwargs)
    try:
        engine = sa.create_engine(parsed, **options)
    except ImportError as exc:
        fix = (
            "install the 'postgres' extra: pip install 'mapwright[postgres]'"
            if parsed.get_backend_name() == "postgresql"
            else "install that driver"
        )
        raise StoreError(
            f"the store {parsed.render_as_string(hide_password=True)!r} needs the database "
            f"driver '{exc.name or parsed.drivername}', which is not installed; {fix}"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        sync = sqlite_synchronous.upper()
        sa.event.listen(engine, "connect", lambda conn, rec: _sqlite_pragmas(conn, sync))
    return engine


def _sqlite_pragmas(dbapi_connection: Any, synchronous: str) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def alembic_config(engine: sa.Engine) -> Config:
    """An alembic ``Config`` built in code (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (safe to call on every start)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
