"""Local sandbox servers: the contract every sandbox package follows.

A sandbox is a real HTTP app (FastAPI) that behaves like the real service as documented in
the reference notes. A connector names its sandbox in its declaration (``Sandbox`` in
``connectors/registry.py``); the sandbox package (``connectors/<system>/sandbox/``) exposes::

    def create_app(options: SandboxOptions) -> fastapi.FastAPI
    def describe(app, base_url: str) -> dict      # the credentials and settings to use

Tests mount the app in-process with ``httpx.ASGITransport``; ``mapwright sandbox NAME`` runs
it under uvicorn and prints ``describe(...)`` as one JSON line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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


def names() -> list[str]:
    """The sandboxes the connectors declare (``exact-online``, ``buchhaltungsbutler`` ...)."""
    from mapwright.connectors.registry import sandboxes

    return sorted(sandboxes())


def load(name: str) -> Any:
    """The sandbox module for ``name`` (one of ``names()``)."""
    from mapwright.connectors.registry import sandboxes

    found = sandboxes().get(name)
    if found is None or found.sandbox is None:
        known = ", ".join(names())
        raise ValueError(f"no sandbox called {name!r}; choose one of: {known}")
    return found.sandbox.load()
