"""Claims: "exactly one process does this" for work that many processes see at once.

``claim(store, kind, key)`` inserts ``(kind, key)`` into ``mw_claims``; the primary key lets
one insert succeed, in SQLite and PostgreSQL alike, across any number of processes and
machines. The winner does the work, everyone else skips it. Used for schedules (every
service replica runs the scheduler loop; the key names the flow and the due time, so a due
run fires once) and for webhook de-duplication (the key is the event's content hash).
Claims older than ``keep`` are pruned now and then. The table is part of the alembic history
(revision 0005): ``Store.open`` migrates the store to head before anyone claims.
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from mapwright.engine.schema import claims
from mapwright.engine.store import Store, utcnow

KEEP = dt.timedelta(days=7)


def claim(store: Store, kind: str, key: str, *, keep: dt.timedelta = KEEP) -> bool:
    """True for the one caller that claims ``(kind, key)`` first, False for all others."""
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
