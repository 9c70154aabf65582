"""Key rotation: re-encrypt every stored secret (connection credentials, alert channel
configs) in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.store import Store


class Secrets:
    def __init__(self, store: Store):
        self.store = store

    def rewrite(self, change: Callable[[Any], Any]) -> dict[str, int]:
        """Replace every stored secret by ``change(secret)``; the numbers rewritten."""
        counts = {"connections": 0, "channels": 0}
        with self.store.begin() as c:
            for row in c.execute(sa.select(t.connections.c.id, t.connections.c.credentials)).all():
                c.execute(
                    t.connections.update()
                    .where(t.connections.c.id == row.id)
                    .values(credentials=change(row.credentials))
                )
                counts["connections"] += 1
            for row in c.execute(sa.select(t.alert_channels.c.id, t.alert_channels.c.config)).all():
                c.execute(
                    t.alert_channels.update()
                    .where(t.alert_channels.c.id == row.id)
                    .values(config=change(row.config))
                )
                counts["channels"] += 1
        return counts
