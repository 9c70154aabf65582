"""Alerts per flow: webhook and e-mail channels, one alert per failure streak, a recovery
notice, and auto-pause after N failed runs in a row.

A run counts as failed when its status is ``failed`` or any record failed (parked records
are business cases waiting for a fix, not failures). The first failed run of a streak sends
``failure`` with what failed: each failed record's source id, the rule (for mapping errors)
and the target's message. Later failures of the same streak stay quiet; when the streak
reaches the flow's ``pause_after`` the flow is disabled and ``paused`` is sent. The first
good run after a streak sends ``recovered``. Every attempt is stored in ``alert_events``.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import httpx
from mapwright import jsonio
from mapwright.engine.store import Run

if TYPE_CHECKING:
    from mapwright.api.services import Services

log = logging.getLogger("mapwright.api.alerts")
SMTP_MISSING = (
    "no SMTP server is configured: set MAPWRIGHT_SMTP_HOST (and _PORT, _FROM, _USER, "
    "_PASSWORD, _STARTTLS as needed) and restart, or use a webhook channel"
)


class SmtpMissing(Exception):
    """An e-mail channel exists but the service has no SMTP server."""


MAX_LISTED = 20


def failed_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What failed, record by record: source id, rule, the target's message."""
    out = []
    for row in records:
        if row["outcome"] != "failed":
            continue
        reason = row.get("reason") or ""
        rule = None
        for line in reason.splitlines():
            if line.strip().startswith("rule:"):
                rule = line.split("rule:", 1)[1].strip()
        message = reason.splitlines()[0] if reason else ""
        target_message = None
        for op in row.get("operations") or []:
            if op.get("action") in ("failed", "rejected") or op.get("note"):
                target_message = op.get("note") or jsonio.dumps(op.get("response"))
        out.append(
            {
                "record_id": row["id"],
                "source_id": row["source_id"],
                "rule": rule,
                "message": message,
                "target_message": target_message or (message if rule is None else None),
            }
        )
    return out[:MAX_LISTED]


class Alerts:
    def __init__(self, services: Services):
        self.services = services

    def channels(self, tenant: str, flow: str) -> list[dict[str, Any]]:
        return self.services.data.alerts.channels(tenant, flow)

    async def after_run(self, run: Run, options: dict[str, Any]) -> None:
        if run["dry_run"] or run["status"] == "cancelled":
            return
        tenant, flow = run["tenant"], run["flow"]
        records = self.services.store.records(run["id"])
        failures = failed_records(records)
        failed = run["status"] == "failed" or bool(failures)
        if failed:
            streak = int(options["failures"]) + 1
            updates: dict[str, Any] = {"failures": streak, "alerting": True}
            if not options["alerting"]:
                await self.send(
                    tenant,
                    flow,
                    run["id"],
                    "failure",
                    {
                        "flow": flow,
                        "run_id": run["id"],
                        "status": run["status"],
                        "error": run.get("error"),
                        "counts": run.get("counts") or {},
                        "failed_records": failures,
                    },
                )
            limit = int(options["pause_after"] or 0)
            if limit and streak >= limit and not options["paused_reason"]:
                reason = f"paused after {streak} failed runs in a row (last: {run['id']})"
                self.pause(tenant, flow, reason)
                updates["paused_reason"] = reason
                await self.send(tenant, flow, run["id"], "paused", {"flow": flow, "reason": reason})
            self.services.set_options(tenant, flow, **updates)
        elif options["alerting"] or options["failures"]:
            was_alerting = options["alerting"]
            self.services.set_options(tenant, flow, failures=0, alerting=False)
            if was_alerting:
                await self.send(
                    tenant,
                    flow,
                    run["id"],
                    "recovered",
                    {"flow": flow, "run_id": run["id"], "status": run["status"]},
                )

    def pause(self, tenant: str, flow: str, reason: str) -> None:
        self.services.data.flows.set_enabled(tenant, flow, False)
        self.services.audit_for(
            tenant, "system:alerts", "flow.pause", f"flows/{flow}", {"reason": reason}
        )

    async def send(
        self, tenant: str, flow: str, run_id: str | None, kind: str, detail: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Send to every channel; per channel: its id, kind, whether it was delivered and
        the reason (``delivered`` or what went wrong, without the webhook's query)."""
        results = []
        for channel in self.channels(tenant, flow):
            config = self.services.vault.decrypt(channel["config"])
            reason = "delivered"
            try:
                if channel["kind"] == "webhook":
                    await self._webhook(config, kind, detail)
                else:
                    await asyncio.to_thread(self._email, config, kind, detail)
                delivered = True
            except Exception as exc:  # noqa: BLE001 - a broken channel must not stop others
                log.warning("alert channel %s failed: %s", channel["id"], type(exc).__name__)
                delivered = False
                reason = self._reason(channel["kind"], config, exc)
            results.append(
                {
                    "channel_id": channel["id"],
                    "kind": channel["kind"],
                    "delivered": delivered,
                    "reason": reason,
                }
            )
            self.services.data.alerts.add_event(
                tenant,
                flow,
                kind,
                run_id=run_id,
                channel_id=channel["id"],
                delivered=delivered,
                detail=detail,
                at=self.services.clock(),
            )
        return results

    def _reason(self, kind: str, config: dict[str, Any], exc: Exception) -> str:
        settings = self.services.settings
        if isinstance(exc, SmtpMissing):
            return SMTP_MISSING
        if isinstance(exc, httpx.HTTPStatusError):
            return f"the webhook answered HTTP {exc.response.status_code}"
        text = f"{type(exc).__name__}: {exc}"
        if kind == "webhook":
            url = str(config.get("url", ""))
            text = text.replace(url, url.split("?", 1)[0]) if url else text
            return f"the webhook was not reached ({text})"
        return f"the SMTP server {settings.smtp_host}:{settings.smtp_port} failed ({text})"

    async def _webhook(self, config: dict[str, Any], kind: str, detail: dict[str, Any]) -> None:
        timeout = self.services.settings.alert_timeout
        transport = self.services.connections.network()
        async with httpx.AsyncClient(timeout=timeout, transport=transport) as client:
            response = await client.post(
                config["url"],
                content=jsonio.dumps({"event": kind, **detail}),
                headers={"Content-Type": "application/json", "User-Agent": "mapwright-alerts"},
            )
            response.raise_for_status()

    def _email(self, config: dict[str, Any], kind: str, detail: dict[str, Any]) -> None:
        settings = self.services.settings
        if not settings.smtp_host:
            raise SmtpMissing()
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = ", ".join(config["to"])
        message["Subject"] = subject(kind, detail)
        message.set_content(body_text(kind, detail))
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.alert_timeout
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user and settings.smtp_password:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)


async def parked_threshold(alerts: Alerts, run: Run) -> None:
    """Alerts on parked records: when the flow's open parked records reach its
    ``parked_alert_at`` option, send ``parked`` (once); when they fall below it again (fixed,
    replayed), re-arm. Dry runs park nothing and are ignored."""
    services = alerts.services
    tenant, flow = run["tenant"], run["flow"]
    options = services.options(tenant, flow)
    limit = int(options.get("parked_alert_at") or 0)
    if not limit or run["dry_run"]:
        return
    count = services.data.parked.count_open(tenant, flow)
    if count >= limit and not options.get("parked_alerting"):
        await alerts.send(
            tenant,
            flow,
            run["id"],
            "parked",
            {"flow": flow, "run_id": run["id"], "open_parked": count, "threshold": limit},
        )
        services.set_options(tenant, flow, parked_alerting=True)
    elif count < limit and options.get("parked_alerting"):
        services.set_options(tenant, flow, parked_alerting=False)


def subject(kind: str, detail: dict[str, Any]) -> str:
    flow = detail.get("flow")
    if kind == "failure":
        return f"[mapwright] flow {flow} failed (run {detail.get('run_id')})"
    if kind == "recovered":
        return f"[mapwright] flow {flow} recovered"
    if kind == "paused":
        return f"[mapwright] flow {flow} paused"
    if kind == "parked":
        return f"[mapwright] flow {flow}: {detail.get('open_parked')} parked records wait"
    return f"[mapwright] flow {flow}: {kind}"


def body_text(kind: str, detail: dict[str, Any]) -> str:
    lines = [subject(kind, detail), ""]
    if detail.get("error"):
        lines.append(f"Run error: {detail['error']}")
    for item in detail.get("failed_records") or []:
        lines.append(
            f"- record {item['source_id']} (log id {item['record_id']}): {item['message']}"
        )
        if item.get("rule"):
            lines.append(f"  rule: {item['rule']}")
        if item.get("target_message"):
            lines.append(f"  target said: {item['target_message']}")
    if detail.get("reason"):
        lines.append(str(detail["reason"]))
    lines.append("")
    lines.append(jsonio.dumps(detail, indent=2))
    return "\n".join(lines)
