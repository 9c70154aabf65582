"""The engine's data services: every query on the service's tables lives here.

The service (``mapwright.api``) and the CLI use these instead of SQL of their own:

* ``ApiKeys`` - API keys (hashes only; the api makes and checks the keys themselves);
* ``AuditLog`` - who changed what, when;
* ``FlowAdmin`` - flow versions, options (schedule, payload storage, alerting), enable,
  delete;
* ``AlertStore`` - alert channels and the alerts sent;
* ``PrivacyStore`` - retention and redaction settings, payload drops, erasure;
* ``ParkedRecords`` - open parked records counted (alert thresholds);
* ``RunStarts`` - idempotent run starts (``Idempotency-Key``);
* ``TemplateStore`` - flow templates by id;
* ``Secrets`` - re-encrypting every stored secret with the newest key.

``DataServices(store)`` builds them all on one store.
"""

from __future__ import annotations

from mapwright.engine.services.alerts import AlertStore
from mapwright.engine.services.audit import AuditLog
from mapwright.engine.services.flows import DEFAULT_OPTIONS, FlowAdmin
from mapwright.engine.services.keys import ApiKeys
from mapwright.engine.services.parked import ParkedRecords
from mapwright.engine.services.privacy import PrivacyStore
from mapwright.engine.services.secrets import Secrets
from mapwright.engine.services.starts import RunStarts, StartedRun
from mapwright.engine.services.templates import TemplateStore
from mapwright.engine.store import Store


class DataServices:
    """The data services of one store; see the module docstring."""

    def __init__(self, store: Store):
        self.store = store
        self.keys = ApiKeys(store)
        self.audit = AuditLog(store)
        self.flows = FlowAdmin(store)
        self.alerts = AlertStore(store)
        self.starts = RunStarts(store)
        self.parked = ParkedRecords(store)
        self.privacy = PrivacyStore(store)
        self.secrets = Secrets(store)
        self.templates = TemplateStore(store)


__all__ = [
    "DEFAULT_OPTIONS",
    "AlertStore",
    "ApiKeys",
    "AuditLog",
    "DataServices",
    "FlowAdmin",
    "ParkedRecords",
    "PrivacyStore",
    "RunStarts",
    "Secrets",
    "StartedRun",
    "TemplateStore",
]
