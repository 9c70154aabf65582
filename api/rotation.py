"""Key rotation: re-encrypt every stored secret with the newest key.

Put the new key first in ``MAPWRIGHT_SECRET_KEY`` (``new,old``), run
``mapwright api rotate-key``, then remove the old key. Values still in plaintext (from a
store written before encryption) are encrypted on the way.
"""

from __future__ import annotations

import sqlalchemy as sa
from mapwright.api import schema as t
from mapwright.api.services import Services
from mapwright.engine import schema as e


def rotate(services: Services) -> dict[str, int]:
    counts = {"connections": 0, "channels": 0}
    with services.db.begin() as c:
        for row in c.execute(sa.select(e.connections.c.id, e.connections.c.credentials)).all():
            c.execute(
                e.connections.update()
                .where(e.connections.c.id == row.id)
                .values(credentials=services.vault.rotate(row.credentials))
            )
            counts["connections"] += 1
        for row in c.execute(sa.select(t.alert_channels.c.id, t.alert_channels.c.config)).all():
            c.execute(
                t.alert_channels.update()
                .where(t.alert_channels.c.id == row.id)
                .values(config=services.vault.rotate(row.config))
            )
            counts["channels"] += 1
    services.audit_for("-", "system:cli", "keys.rotate", "credentials", counts)
    return counts
