"""Claims: "exactly one process does this" for work that many processes see at once.

``claim(store, kind, key)`` inserts ``(kind, key)`` into ``mw_claims``; the primary key lets
one insert succeed, in SQLite and PostgreSQL alike, across any number of processes and
machines. The winner does the work, everyone else skips it. Used for schedules (every
service replica runs the scheduler loop; the key names the flow and the due time, so a due
run fires once) and for webhook de-duplication (the key is the event's content hash).
Claims older than ``keep`` are pruned now and then.
"""

from __future__ import annotations

import datetime as dt
import random
import threading

import sqlalchemy as sa
from mapwright.engine.store import Store, utcnow

metadata = sa.MetaData()
claims = sa.Table(
    "mw_claims",
    metadata,
    sa.Column("kind", sa.String(40), primary_key=True),
    sa.Column("key", sa.String(400), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)
KEEP = dt.timedelta(days=7)
_READY: set[int] = set()
_READY_LOCK = threading.Lock()


def _ensure(store: Store) -> None:
    with _READY_LOCK:
        if id(store.engine) not in _READY:
            create_tables(store, metadata)
            _READY.add(id(store.engine))


def create_tables(store: Store, tables: sa.MetaData) -> None:
    """``tables.create_all`` that several processes may run at once: on PostgreSQL under an
    advisory lock (two concurrent ``CREATE TABLE`` of one name collide in the catalogue)."""
    with store.begin() as c:
        if c.dialect.name == "postgresql":
            c.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended('mw-ddl', 7))"))
        tables.create_all(c, checkfirst=True)


def claim(store: Store, kind: str, key: str, *, keep: dt.timedelta = KEEP) -> bool:
    """True for the one caller that claims ``(kind, key)`` first, False for all others."""
    _ensure(store)
    now = utcnow()
    try:
        with store.begin() as c:
            c.execute(claims.insert().values(kind=kind, key=key[:400], at=now))
    except sa.exc.IntegrityError:
        return False
    if random.random() < 0.01:
        with store.begin() as c:
            c.execute(claims.delete().where((claims.c.kind == kind) & (claims.c.at < now - keep)))
    return True
