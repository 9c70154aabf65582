"""Database engines for the store: SQLite (embedded default) or PostgreSQL, same code.

SQLite connections get ``journal_mode=WAL`` (readers never block the writer),
``busy_timeout`` (a second process waits for the write lock instead of failing) and
``foreign_keys=ON``. JSON columns are written as ``dsl.jsonio.dumps`` writes them, so ``Decimal``
amounts keep every digit (``store_json``: the same text without its copy of values that are
plain already, such as a run's activity log). ``migrate`` brings a database to the newest
schema with alembic, run in code.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import simplejson
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
        "json_serializer": store_json,
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


#: the values ``jsonio.plain`` returns unchanged (exact types: a subclass may differ)
_PLAIN_LEAVES = frozenset({str, int, float, bool, type(None), Decimal})


def _is_plain(value: Any) -> bool:
    """Whether ``jsonio.plain(value)`` is an equal copy: dicts (text keys only) and lists of
    plain leaves, nothing else (no ``missing``, dates, tuples or subclasses)."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            inner = type(item)
            if inner is dict or inner is list:
                if not _is_plain(item):
                    return False
            elif inner not in _PLAIN_LEAVES:
                return False
        return True
    if kind is list:
        for item in value:
            inner = type(item)
            if inner is dict or inner is list:
                if not _is_plain(item):
                    return False
            elif inner not in _PLAIN_LEAVES:
                return False
        return True
    return kind in _PLAIN_LEAVES


def store_json(value: Any) -> str:
    """The text ``jsonio.dumps(value)`` writes, for the store's JSON columns.

    ``jsonio.dumps`` first makes a plain copy of the value; most of what the store writes
    (source records, plans, the operations' requests and answers) is plain already, and that
    copy was about half of the cost of storing a page's activity log. A plain value is
    encoded as it is (same text); anything else (``missing``, dates, tuples, other keys
    than text, too deep or circular, a lone surrogate) goes through ``jsonio.dumps``.
    """
    try:
        if _is_plain(value):
            text: str = simplejson.dumps(
                value,
                use_decimal=True,
                ensure_ascii=False,
                check_circular=False,  # _is_plain would not have returned on a cycle
                namedtuple_as_object=False,
            )
            text.encode("utf-8")  # a lone surrogate: jsonio.dumps escapes the whole text
            return text
    except (RecursionError, UnicodeEncodeError):
        pass
    return jsonio.dumps(value)


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
