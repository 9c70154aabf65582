"""Exact Online webhooks in: verify, de-duplicate, start an incremental run of each flow that
reads the topic.

A callback (``POST /api/v1/webhooks/exact-online/{tenant}/{connection}``, see
``api/routes/webhooks.py``) is checked as Exact documents it: ``HashCode`` is the upper-case
hex HMAC-SHA256 of the raw ``Content`` text keyed with the app's webhook secret
(``connectors/exact_online/webhooks.py``, reached through the connector's declaration,
``Declaration.webhooks``, found by the URL's slug). The secret is the connection's
credential ``webhook_secret``. Every callback that is not genuine gets one answer
(``REJECTED``, 401), whether the tenant or connection is unknown, has no secret or the
``HashCode`` is wrong: the caller is unauthenticated and must not learn which names exist
(the log says which).

A callback whose body was seen before (the same bytes, so the same ``HashCode``) is
answered but does nothing: ``engine/claims.py`` lets one process claim it.

The event carries no data, only ``Topic``/``Action``/``Key``. Every enabled flow of the tenant
whose source is an object of this connection with that webhook topic gets an incremental run
(trigger ``webhook``); the run reads from the flow's cursor as any run does, so many events
for one flow need one run. A flow that is running already is left alone: the change is picked
up by the next run, and the flow's schedule (the reconciliation poll) stays the safety net
for anything a webhook did not bring (Exact documents no delivery guarantee).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from mapwright.connectors import registry
from mapwright.connectors.errors import ConnectorError
from mapwright.engine.claims import claim
from mapwright.engine.errors import EngineError, FlowInvalid, RunRefused

log = logging.getLogger("mapwright.webhooks")


#: The one answer to every callback that is not genuine: an unknown tenant or connection, a
#: connection that is not an Exact Online one or has no ``webhook_secret``, a body that is no
#: callback, a wrong ``HashCode``. The URL is public and its caller unauthenticated, so the
#: answer must not tell which tenant or connection names exist; the reason goes to the
#: service log (event ``webhook.rejected``) for the operator.
REJECTED = (
    "not a genuine Exact Online callback for this URL: check the callback URL and the "
    "webhook secret (the service log says which)"
)


class WebhookRejected(EngineError):
    """Not a genuine callback for this URL. The message is always ``REJECTED`` and
    ``status`` 401, whatever the reason; ``reason`` says what was wrong (for the log only)."""

    def __init__(self, reason: str):
        super().__init__(REJECTED)
        self.reason = reason
        self.status = 401


@dataclass
class WebhookResult:
    """What one callback did: the event, whether it was a repeat, the runs it started."""

    event: dict[str, Any]
    duplicate: bool = False
    runs: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.event.get("Topic"),
            "action": self.event.get("Action"),
            "key": self.event.get("Key"),
            "duplicate": self.duplicate,
            "runs": self.runs,
            "skipped": self.skipped,
        }


def topic_of(kind: str, obj: str) -> str | None:
    """The webhook topic of object ``obj`` of connector ``kind`` (its declaration's
    ``webhooks``); None when the connector sends no webhooks or none for that object."""
    declared = registry.declarations().get(kind)
    hooks = declared.webhooks if declared is not None else None
    return hooks.topic_of(obj) if hooks is not None else None


def verify(
    engine: Any, tenant: str, connection: str, body: bytes, *, system: str
) -> dict[str, Any]:
    """The event of a genuine callback of ``system`` (the slug of a connector's webhooks,
    ``exact-online``) for ``connection`` of ``tenant``; ``WebhookRejected`` (the same for
    every reason, see ``REJECTED``) otherwise."""
    return _verified(engine, tenant, connection, body, system)[1]


def _verified(
    engine: Any, tenant: str, connection: str, body: bytes, system: str
) -> tuple[str, dict[str, Any]]:
    """The connector kind and the event of a genuine callback; logs a rejection."""
    try:
        return _check(engine, tenant, connection, body, system)
    except WebhookRejected as exc:
        log.warning(
            "webhook rejected: %s", exc.reason,
            extra={"event": "webhook.rejected", "tenant": tenant, "connection": connection,
                   "reason": exc.reason},
        )  # fmt: skip
        raise


def _check(
    engine: Any, tenant: str, connection: str, body: bytes, system: str
) -> tuple[str, dict[str, Any]]:
    declared = registry.webhook_provider(system)
    if declared is None or declared.webhooks is None:
        raise WebhookRejected(f"no connector takes webhooks at '{system}'")
    hooks = declared.webhooks
    try:
        config = engine.connections.config(tenant, connection)
    except FlowInvalid:
        raise WebhookRejected(f"tenant '{tenant}' has no connection '{connection}'") from None
    if config.kind != declared.kind:
        raise WebhookRejected(
            f"connection '{connection}' is not a {declared.title} connection (kind '{config.kind}')"
        )
    secret = config.credentials.get(hooks.secret)
    if not secret:
        raise WebhookRejected(
            f"connection '{connection}' has no {hooks.secret}: add {hooks.secret_help} to the "
            "connection's credentials"
        )
    try:
        return declared.kind, hooks.verify(body, str(secret))
    except (ConnectorError, ValueError) as exc:
        raise WebhookRejected(f"connection '{connection}': {exc}") from None


def receive(
    engine: Any, tenant: str, connection: str, body: bytes, *, system: str
) -> WebhookResult:
    """Verify, de-duplicate and act on one callback body of ``system`` (see the module
    docstring)."""
    kind, event = _verified(engine, tenant, connection, body, system)
    result = WebhookResult(event)
    digest = hashlib.sha256(body).hexdigest()
    if not claim(engine.store, "webhook", f"{tenant}/{connection}/{digest}"):
        result.duplicate = True
        log.info("webhook repeated", extra={"event": "webhook.duplicate", "tenant": tenant})
        return result
    topic = event.get("Topic")
    for name, flow in sorted(engine.flows(tenant).items()):
        if not getattr(flow, "enabled", True):
            continue
        try:
            source = flow.compile().source
        except Exception:  # noqa: BLE001 - a broken flow is reported by its own runs
            continue
        if source is None or flow.connection_for(source[0]) != connection:
            continue
        if topic_of(kind, source[1]) != topic:
            continue
        try:
            result.runs[name] = engine.submit(tenant, name, trigger="webhook")
        except RunRefused:
            result.skipped[name] = "running already: its next run picks the change up"
        except EngineError as exc:
            result.skipped[name] = str(exc)
    log.info(
        "webhook received",
        extra={"event": "webhook.received", "tenant": tenant, "connection": connection,
               "topic": topic, "action": event.get("Action"), "runs": result.runs,
               "skipped": result.skipped},
    )  # fmt: skip
    return result
