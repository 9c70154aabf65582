"""Sending one record's operations: refs, ledger, natural keys, upserts, retries, diffs.

For each ``Operation`` of a record's plan, in order:

* ``Ref`` values are replaced by the result of the earlier operation they name;
* **create**: a confirmed ledger entry or a hit on the ``unless exists`` key means "already
  there" (nothing is sent). Otherwise a ``pending`` ledger entry is stored, the create is
  sent, and the entry is confirmed with the new id. A write that failed in a way that may
  have committed (timeout, lost response) is settled through the natural key before anything
  is sent again; without a natural key the record is parked, never re-sent blindly;
* **upsert**: the target record is found through the ledger id or the ``match`` key, then
  updated with only the changed fields (policies ``on_create``/``if_empty`` applied) or
  created as above with the match key as its natural key;
* **update**: like upsert, but a record that is not found parks the record.

In a dry run nothing is written: creates and updates are reported as ``would_create`` and
``would_update`` with the request that would have been sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mapwright.connectors.base import Connector
from mapwright.connectors.errors import RetriableError, SkippableError
from mapwright.dsl import jsonio
from mapwright.dsl.plan import Operation, Ref
from mapwright.dsl.values import MISSING
from mapwright.engine.diff import changes
from mapwright.engine.ledger import Ledger, LedgerEntry
from mapwright.engine.resolver import PageResolver
from mapwright.engine.retry import RetryPolicy, maybe_committed


@dataclass
class OperationLog:
    """What happened to one operation: the per-record activity log's unit."""

    operation: str
    kind: str
    target: str
    action: str = "planned"
    target_id: Any = None
    request: Any = None
    response: Any = None
    diff: dict[str, Any] | None = None
    note: str | None = None
    attempts: int = 0

    def to_json(self) -> dict[str, Any]:
        """The log entry for the run's record log. ``request`` (the plain fields sent) and
        ``response`` (the connector's answer) are not copied: the store's JSON encoder
        (``jsonio.dumps``) writes them plain, and nothing changes either
        after it was logged (a deep copy of every answer cost ~5 % of a flow's own time)."""
        data = {
            "operation": self.operation,
            "kind": self.kind,
            "target": self.target,
            "action": self.action,
            "target_id": self.target_id,
            "request": self.request,
            "response": self.response,
            "diff": self.diff,
            "note": self.note,
            "attempts": self.attempts,
        }
        return {
            key: value if key in _AS_GIVEN else jsonio.plain(value)
            for key, value in data.items()
            if value is not None
        }


_AS_GIVEN = frozenset({"request", "response"})


WRITE_ACTIONS = frozenset({"created", "updated"})


def operation_keys(operations: list[Operation]) -> list[str]:
    """The ledger key of each operation: its alias, else ``system.object`` (with ``#2``,
    ``#3``... for later operations on the same object), so that a ``when`` branch adding or
    removing another operation does not change the key of this one."""
    seen: dict[str, int] = {}
    keys = []
    for op in operations:
        if op.alias:
            keys.append(op.alias)
            continue
        name = f"{op.system}.{op.object}"
        seen[name] = seen.get(name, 0) + 1
        keys.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return keys


class RecordStopped(Exception):
    """The engine's one control-flow signal: a record's operations cannot go on;
    ``outcome`` is ``parked`` or ``failed``, ``logs`` the operations' logs so far (filled in
    by ``OperationSender.send``)."""

    def __init__(self, outcome: str, reason: str, logs: list[OperationLog] | None = None):
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason
        self.logs = logs if logs is not None else []


class OperationSender:
    """Sends the operations of the records of one run; see the module docstring."""

    def __init__(
        self,
        *,
        connectors: Mapping[str, Connector],
        lookups: PageResolver,
        ledger: Ledger | None,
        run_id: str,
        retry: RetryPolicy,
        dry_run: bool,
        ledger_entries: Mapping[tuple[str, str], LedgerEntry] | None = None,
        ledger_sources: Iterable[str] = (),
    ):
        self.connectors = connectors
        self.lookups = lookups
        self.ledger = ledger
        self.run_id = run_id
        self.retry = retry
        self.dry_run = dry_run
        #: the ledger of the page's records, loaded in one query and kept current here
        self.ledger_entries = dict(ledger_entries or {})
        self.ledger_sources = set(ledger_sources)

    async def send(self, source_id: str, operations: list[Operation]) -> list[OperationLog]:
        """Run every operation; raises ``RecordStopped`` (with the logs so far) to park/fail."""
        results: dict[str, dict[str, Any]] = {}
        logs: list[OperationLog] = []
        for key, op in zip(operation_keys(operations), operations, strict=True):
            log = OperationLog(key, op.kind, f"{op.system}.{op.object}")
            logs.append(log)
            try:
                result = await self._one(source_id, key, op, log, results)
            except RecordStopped as stop:
                log.action = stop.outcome
                log.note = stop.reason
                raise RecordStopped(stop.outcome, stop.reason, logs) from None
            if op.alias:
                results[op.alias] = result
        return logs

    # -- one operation ----------------------------------------------------------------------
    async def _one(
        self,
        source_id: str,
        key: str,
        op: Operation,
        log: OperationLog,
        results: dict[str, dict[str, Any]],
    ) -> dict[str, Any]:
        connector = self.lookups.connector(op.system)
        spec = connector.object(op.object)
        fields = self._filled(op.fields, results, key)
        match = self._pair(op.match, results, key)
        natural = self._pair(op.unless_exists, results, key) if op.kind == "create" else match
        if natural is not None and natural[1] in (None, ""):
            how = "match" if op.kind != "create" else "check whether it exists"
            raise RecordStopped(
                "parked",
                f"cannot {how} {op.system}.{op.object}: {natural[0]} is empty; fill it in "
                "the source record or the mapping",
            )
        entry = self._entry(source_id, key)
        current: dict[str, Any] | None = None
        if entry is not None and entry.state == "confirmed" and entry.target_id is not None:
            if op.kind == "create":
                log.action, log.target_id = "exists", entry.target_id
                log.note = "already created by this flow (ledger)"
                known = await self._by_id(connector, op, entry.target_id) if op.alias else None
                return known or {spec.key: entry.target_id}
            current = await self._by_id(connector, op, entry.target_id)
        if current is None and natural is not None:
            found = await self.lookups.lookup(op.system, op.object, natural[0], natural[1])
            if len(found) > 1 and op.kind != "create":
                raise RecordStopped(
                    "parked",
                    f"ambiguous_match: {len(found)} {op.system}.{op.object} records have "
                    f"{natural[0]} = {natural[1]!r}; remove the duplicates in the target or "
                    "match on a unique key",
                )
            if found:
                current = found[0]
                if op.kind == "create":
                    log.action = "exists"
                    log.target_id = connector.record_id(op.object, current)
                    log.note = f"{op.system}.{op.object} with {natural[0]} = {natural[1]!r} exists"
                    self._confirm(source_id, key, op, log.target_id, natural)
                    return current
        if current is not None:
            return await self._update(connector, source_id, key, op, fields, current, log, natural)
        if op.kind == "update":
            where = f" with {match[0]} = {match[1]!r}" if match is not None else ""
            raise RecordStopped("parked", f"no {op.system}.{op.object}{where} to update")
        if entry is not None and entry.state == "pending" and natural is None:
            raise RecordStopped("parked", _unsure(op))
        return await self._create(connector, source_id, key, op, fields, natural, log)

    async def _create(
        self,
        connector: Connector,
        source_id: str,
        key: str,
        op: Operation,
        fields: dict[str, Any],
        natural: tuple[str, Any] | None,
        log: OperationLog,
    ) -> dict[str, Any]:
        log.request = fields
        if self.dry_run:
            log.action = "would_create"
            self.lookups.remember_write(
                op.system, op.object, fields, connector.object(op.object).key
            )
            return dict(fields)
        target = f"{op.system}.{op.object}"
        if self.ledger is not None:
            self.ledger.pending(source_id, key, target, _key_json(natural), self.run_id)
            self.ledger_entries[(source_id, key)] = LedgerEntry(
                source_id, key, target, None, "pending", _key_json(natural)
            )
        attempt = 0
        while True:
            attempt += 1
            log.attempts = attempt
            try:
                response = await connector.create(op.object, fields)
                break
            except SkippableError as exc:
                self._forget(source_id, key)
                log.response = _error_json(exc)
                raise RecordStopped("parked", f"{target} refused the record: {exc}") from exc
            except RetriableError as exc:
                log.response = _error_json(exc)
                if natural is not None and exc.status != 429:
                    # never re-send a create before checking it did not land after all
                    found = await self.lookups.fresh(op.system, op.object, *natural)
                    if found:
                        response = found[0]
                        log.note = (
                            "the create failed without an answer but had been committed "
                            f"(found by {natural[0]})"
                        )
                        break
                elif maybe_committed(exc):
                    raise RecordStopped("parked", _unsure(op)) from exc
                if attempt >= self.retry.attempts:
                    if not maybe_committed(exc):
                        self._forget(source_id, key)
                    reason = f"{target}: gave up after {attempt} attempts: {exc}"
                    raise RecordStopped("failed", reason) from exc
                await self.retry.sleep(self.retry.delay(attempt, exc))
        result = {**fields, **response}
        target_id = connector.record_id(op.object, result)
        self._confirm(source_id, key, op, target_id, natural)
        self.lookups.remember_write(op.system, op.object, result, connector.object(op.object).key)
        log.action, log.target_id, log.response = "created", target_id, response
        return result

    async def _update(
        self,
        connector: Connector,
        source_id: str,
        key: str,
        op: Operation,
        fields: dict[str, Any],
        current: dict[str, Any],
        log: OperationLog,
        natural: tuple[str, Any] | None,
    ) -> dict[str, Any]:
        target_id = connector.record_id(op.object, current)
        log.target_id = target_id
        body, diff = changes(fields, current, op.policies)
        if not body:
            log.action = "unchanged"
            self._confirm(source_id, key, op, target_id, natural)
            return current
        log.request, log.diff = body, diff
        if self.dry_run:
            log.action = "would_update"
            return {**current, **body}
        target = f"{op.system}.{op.object}"
        attempts = 0

        async def send() -> dict[str, Any]:
            nonlocal attempts
            attempts += 1
            return await connector.update(op.object, target_id, body)

        try:
            response = await self.retry.call(send)
        except SkippableError as exc:
            log.response, log.attempts = _error_json(exc), attempts
            raise RecordStopped("parked", f"{target} refused the update: {exc}") from exc
        except RetriableError as exc:
            log.response, log.attempts = _error_json(exc), attempts
            raise RecordStopped(
                "failed", f"{target}: gave up after {attempts} attempts: {exc}"
            ) from exc
        result = {**current, **body, **(response or {})}
        self._confirm(source_id, key, op, target_id, natural)
        self.lookups.remember_write(op.system, op.object, result, connector.object(op.object).key)
        log.action, log.response, log.attempts = "updated", response, attempts
        return result

    # -- helpers ----------------------------------------------------------------------------
    async def _by_id(self, connector: Connector, op: Operation, target_id: str) -> dict | None:
        spec = connector.object(op.object)
        if spec.key in spec.find_keys:
            found = await self.lookups.lookup(op.system, op.object, spec.key, target_id)
            return found[0] if found else None
        if spec.supports("get"):
            return await self.retry.call(lambda: connector.get(op.object, target_id))
        return None

    def _entry(self, source_id: str, key: str) -> LedgerEntry | None:
        if self.ledger is None:
            return None
        if source_id in self.ledger_sources:
            return self.ledger_entries.get((source_id, key))
        return self.ledger.get(source_id, key)

    def _confirm(
        self, source_id: str, key: str, op: Operation, target_id: Any, natural: Any
    ) -> None:
        if self.ledger is None or self.dry_run or target_id is None:
            return
        entry = self.ledger_entries.get((source_id, key))
        if entry is not None and entry.state == "confirmed" and entry.target_id == str(target_id):
            return
        target = f"{op.system}.{op.object}"
        self.ledger.confirm(source_id, key, target, target_id, _key_json(natural), self.run_id)
        self.ledger_entries[(source_id, key)] = LedgerEntry(
            source_id, key, target, str(target_id), "confirmed", _key_json(natural)
        )

    def _forget(self, source_id: str, key: str) -> None:
        if self.ledger is not None:
            self.ledger.forget(source_id, key)
            self.ledger_entries.pop((source_id, key), None)

    def _pair(
        self, pair: tuple[str, Any] | None, results: dict[str, dict[str, Any]], key: str
    ) -> tuple[str, Any] | None:
        if pair is None:
            return None
        return pair[0], self._filled(pair[1], results, key)

    def _filled(self, value: Any, results: dict[str, dict[str, Any]], key: str) -> Any:
        """``value`` with each ``Ref`` replaced by the referenced result's field, made plain
        (missing fields dropped, dates as ISO text) in the same pass: one copy of an
        operation's fields, not two (tests/engine/test_operation_fields.py holds it to
        ``jsonio.plain`` of the filled value)."""
        if isinstance(value, Ref):
            return jsonio.plain(self._deref(value, results, key))
        if isinstance(value, dict):
            return {
                str(k): self._filled(v, results, key) for k, v in value.items() if v is not MISSING
            }
        if isinstance(value, list | tuple):
            return [None if v is MISSING else self._filled(v, results, key) for v in value]
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if value is MISSING:
            return None
        return value

    def _deref(self, ref: Ref, results: dict[str, dict[str, Any]], key: str) -> Any:
        dotted = ".".join((ref.alias, *ref.path))
        if ref.alias not in results:
            raise RecordStopped(
                "failed",
                f"operation '{key}' uses {dotted}, but no earlier operation is named "
                f"'{ref.alias}'; put the '{ref.alias}' operation first",
            )
        value: Any = results[ref.alias]
        for part in ref.path:
            if isinstance(value, dict):
                value = value.get(part, MISSING)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                value = MISSING
        if value is MISSING:
            if self.dry_run:
                return {"$ref": dotted}
            raise RecordStopped(
                "failed",
                f"operation '{key}' uses {dotted}, but the result of '{ref.alias}' has no "
                f"'{'.'.join(ref.path)}'",
            )
        return value


def _unsure(op: Operation) -> str:
    return (
        f"maybe_created: an earlier attempt to create {op.system}.{op.object} may have "
        "succeeded (timeout or crash after the write) and the operation has no natural key "
        "to check ('unless exists' / 'match'); check the target, then replay with "
        "--forget-pending if it is not there"
    )


def _key_json(natural: tuple[str, Any] | None) -> dict[str, Any] | None:
    return None if natural is None else {natural[0]: natural[1]}


def _error_json(exc: Exception) -> dict[str, Any]:
    return {
        "error": type(exc).__name__,
        "message": str(exc),
        "status": getattr(exc, "status", None),
        "code": getattr(exc, "code", None),
    }
