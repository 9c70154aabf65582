"""Local sandbox servers: the contract every sandbox package follows.

A sandbox is a real HTTP app (FastAPI) that behaves like the real service as documented in
the reference notes. Each sandbox package (``connectors/<system>/sandbox/``) exposes::

    def create_app(options: SandboxOptions) -> fastapi.FastAPI
    def describe(app, base_url: str) -> dict      # the credentials and settings to use

Tests mount the app in-process with ``httpx.ASGITransport``; ``mapwright sandbox NAME`` runs
it under uvicorn and prints ``describe(...)`` as one JSON line.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

SANDBOXES: dict[str, str] = {
    "exact-online": "mapwright.connectors.exact_online.sandbox",
    "buchhaltungsbutler": "mapwright.connectors.buchhaltungsbutler.sandbox",
    "shop": "mapwright.connectors.shop.sandbox",
}


@dataclass
class FaultOptions:
    """Faults to inject: see ``connectors/faults.py`` for their meaning."""

    latency_ms: int = 0
    error_rates: dict[int, float] = field(default_factory=dict)
    burst_429: int = 0
    drop_rate: float = 0.0
    timeout_after_commit_rate: float = 0.0


@dataclass
class SandboxOptions:
    seed: int = 42
    records: int = 40
    data_file: str | None = None
    faults: FaultOptions = field(default_factory=FaultOptions)
    extra: dict[str, Any] = field(default_factory=dict)


def load(name: str) -> Any:
    """The sandbox module for ``name`` (``exact-online``, ``buchhaltungsbutler``, ``shop``)."""
    try:
        module_name = SANDBOXES[name]
    except KeyError:
        known = ", ".join(sorted(SANDBOXES))
        raise ValueError(f"no sandbox called {name!r}; choose one of: {known}") from None
    return importlib.import_module(module_name)
