"""Errors of the engine, each saying what to do.

::

    EngineError                  every error this package raises
    ├── ConfigError              mapwright.toml / environment is wrong (names the key)
    ├── StoreError               the database cannot be used (bad URL, not migrated)
    ├── FlowNotFound             no flow of that name (lists the known ones)
    ├── FlowInvalid              the flow's script or settings do not compile/validate
    │   └── RecordInvalid        an edit of a parked record does not fit its source object
    ├── RunRefused               another run of the same flow and tenant is active
    ├── RunNotFound              no run / parked record with that id
    └── VaultError               the secret key is missing or wrong (engine/vault.py)
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error raised by ``mapwright.engine``."""


class ConfigError(EngineError):
    """The configuration is wrong; the message names the file, the key and the fix."""


class StoreError(EngineError):
    """The store (database) cannot be used as configured."""


class FlowNotFound(EngineError):
    """No flow of that name exists for the tenant."""


class FlowInvalid(EngineError):
    """The flow cannot run: its script or settings are invalid, or a connection is missing."""


class RecordInvalid(FlowInvalid):
    """An edited parked record does not fit the record it replaces (names the fields)."""


class RunRefused(EngineError):
    """Another run of this flow is active for this tenant; ``active_run`` names it."""

    def __init__(self, message: str, *, active_run: str):
        super().__init__(message)
        self.active_run = active_run


class RunNotFound(EngineError):
    """No run or record with that id."""
