"""Alembic environment: runs migrations on the connection handed over by ``engine.db.migrate``.

``render_as_batch`` lets SQLite alter tables (it copies and swaps them); PostgreSQL ignores it.
"""

from __future__ import annotations

from alembic import context
from mapwright.engine.db import create_engine
from mapwright.engine.schema import metadata

config = context.config


def run_migrations() -> None:
    """Use the caller's connection when there is one, else connect to ``sqlalchemy.url``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as own:
        _run(own)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
