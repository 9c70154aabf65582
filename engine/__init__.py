"""The flow engine: runs mapping scripts between connected systems, safely.

Public surface (imported lazily, so ``mapwright.engine.db`` stays light)::

    from mapwright.engine import Engine, Store, Connections, FlowCatalog, Flow, load_config
    store = Store.open("sqlite:///mapwright.db")          # migrates on open
    engine = Engine(store, connections=Connections({...}))
    report = await engine.run_flow("tenant", "orders", dry_run=True)

See ``runs.py`` (Engine), ``runner.py`` (the page loop), ``operations.py`` (ledger, natural
keys, upserts), ``store.py``/``schema.py`` (tables), ``locks.py`` (one run per flow).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Engine": "mapwright.engine.runs",
    "RunReport": "mapwright.engine.runs",
    "Store": "mapwright.engine.store",
    "Connections": "mapwright.engine.connections",
    "Flow": "mapwright.engine.flows",
    "FlowCatalog": "mapwright.engine.flows",
    "EngineConfig": "mapwright.engine.config",
    "load_config": "mapwright.engine.config",
    "RetryPolicy": "mapwright.engine.retry",
    "InProcessExecutor": "mapwright.engine.executor",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'mapwright.engine' has no attribute {name!r}")
