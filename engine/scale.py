"""Wiring for several processes on one PostgreSQL store: shared quotas, tokens, JSON logs.

``enable_sharing(engine)`` is what ``mapwright worker`` and ``mapwright serve`` (with a
PostgreSQL store) call once: every connector the process builds then counts its calls in the
database (``engine/shared_quota.py``) and an Exact connection keeps its rotating tokens in the
store's vault behind a cross-process refresh lock (``engine/token_store.py``). With a SQLite
store nothing changes: the embedded default runs in one process.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def enable_sharing(engine: Any) -> bool:
    """Share quotas and tokens through the engine's store when it is PostgreSQL; whether it
    did."""
    url = str(engine.store.engine.url)
    if not is_postgres(url):
        return False
    from mapwright.connectors import quota
    from mapwright.engine.shared_quota import SharedQuotas
    from mapwright.engine.token_store import use_vault_tokens

    quota.set_backend(SharedQuotas(engine.store))
    use_vault_tokens(engine.connections)
    return True


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        from mapwright.engine.vault import SECRETS

        return SECRETS.mask(json.dumps(data, default=str))


def log_json(level: str = "INFO") -> None:
    """Structured logs on stderr for a worker process."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("procrastinate").setLevel(max(logging.WARNING, root.level))


def queue_runs(engine: Any, *, follow: bool = False) -> Any:
    """Hand ``engine``'s runs to the procrastinate queue instead of running them here;
    ``follow``: also run the engine's after-run hooks for the runs workers finish (a
    service: ``distributed.follow_runs``, started on the running loop)."""
    import asyncio

    from mapwright.engine.distributed import QueueExecutor, follow_runs

    executor = QueueExecutor(engine.store, str_url(engine.store), report=engine.report)
    engine.executor = executor
    if follow:
        executor.follower = asyncio.get_running_loop().create_task(follow_runs(engine))
    return executor


def str_url(store: Any) -> str:
    """The store's URL with its password (for a second driver on the same database)."""
    rendered: str = store.engine.url.render_as_string(hide_password=False)
    return rendered
