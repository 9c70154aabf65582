"""The BuchhaltungsButler connector: every call a POST with HTTP Basic and ``api_key``.

Authentication (reference notes §3): the *API client* and *API secret* go into HTTP Basic, the
customer's ``api_key`` into every JSON body. Answers are ``{"success": true, ...}`` envelopes;
failures carry an ``error_code`` whose meaning depends on the endpoint (see ``errors.py``).
Every call passes the ``Pacer`` first (100 requests per minute per api_key, upload 10/min,
``/receipts/addBatch`` one per 5 s); throttling answers (403/15, 429) pause the key and retry,
reads also retry on 5xx and transport errors. Writes are never repeated after an answer was
lost: BB has no idempotency key, so ``WriteOutcomeUnknown`` goes to the caller.

Connection config::

    ConnectionConfig(kind="buchhaltungsbutler",
                     base_url="https://webapp.buchhaltungsbutler.de/api/v1",
                     credentials={"api_client": ..., "api_secret": ..., "api_key": ...},
                     options={"debtor_page_size": 500, "max_attempts": 5, ...})
"""

from __future__ import annotations

import asyncio
import builtins
import dataclasses
import datetime as dt
import time
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from mapwright.connectors.base import (
    ConnectionConfig,
    Connector,
    ObjectSpec,
    Page,
    WriteResult,
    register,
)
from mapwright.connectors.buchhaltungsbutler import objects as bb
from mapwright.connectors.buchhaltungsbutler.errors import (
    RecordNotFound,
    WriteOutcomeUnknown,
    classify,
)
from mapwright.connectors.buchhaltungsbutler.pacing import Clock, Pacer, Sleep, shared_pacer
from mapwright.connectors.buchhaltungsbutler.records import (
    RESTART,
    ReceiptCursor,
    check_required,
    correlate,
    offset_cursor,
    read_shape,
    write_body,
)
from mapwright.connectors.buchhaltungsbutler.session import Session
from mapwright.connectors.errors import (
    ConnectorError,
    FatalError,
    RetriableError,
    SkippableError,
)

DEFAULT_BASE_URL = "https://webapp.buchhaltungsbutler.de/api/v1"
BERLIN = ZoneInfo("Europe/Berlin")
DEFAULT_OPTIONS: dict[str, Any] = {
    "debtor_page_size": 500,  # debtors/creditors: no documented maximum (default 25)
    "batch_size": 50,  # items per batch request (documented max 50 for receipts)
    "max_attempts": 5,
    "backoff_seconds": 2.0,
    "throttle_seconds": 5.0,  # first wait after 403/15 or 429 (doubles: 5+10+20+40 > 60)
    "modified_overlap_seconds": 300,  # re-read this much before the last scan's start
    "postings_date_from": "2000-01-01",
    "receipt_scan_above": 5,  # find receipts by more invoice numbers: one scan, not 2 calls each
    "timeout_seconds": 60.0,
    # BB allows 100 requests a minute per customer account (reference notes §3); set another
    # number only when BuchhaltungsButler granted your account another limit
    "requests_per_minute": 100,
}


@register
class BuchhaltungsButler(Connector):
    """The BuchhaltungsButler API v1 (``docs/connectors/buchhaltungsbutler.md``)."""

    kind = "buchhaltungsbutler"
    title = "BuchhaltungsButler"
    objects = bb.OBJECTS
    quotas = bb.QUOTAS
    unsupported = bb.UNSUPPORTED

    def __init__(
        self,
        config: ConnectionConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        wall_clock: Clock | None = None,
        pacer: Pacer | None = None,
    ):
        super().__init__(config, transport=transport)
        where = (
            f"connection {config.name!r}" if config.name else "the BuchhaltungsButler connection"
        )
        creds = config.credentials
        missing = [k for k in ("api_client", "api_secret", "api_key") if not creds.get(k)]
        if missing:
            raise FatalError(
                f"{where}: credentials {', '.join(missing)} missing; take them from BB "
                "Settings > Schnittstellen und API-Zugang"
            )
        unknown = set(config.options) - set(DEFAULT_OPTIONS)
        if unknown:
            raise FatalError(
                f"{where}: unknown option(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(DEFAULT_OPTIONS))}"
            )
        self.options = {**DEFAULT_OPTIONS, **config.options}
        self.base_url = (config.base_url or DEFAULT_BASE_URL).rstrip("/")
        self.api_key = str(creds["api_key"])
        self.sleep: Sleep = sleep or asyncio.sleep
        self.wall_clock: Clock = wall_clock or time.time

        per_minute = self.options["requests_per_minute"]
        if isinstance(per_minute, bool) or not isinstance(per_minute, int) or per_minute < 1:
            raise FatalError(
                f"{where}: option requests_per_minute must be a whole number of at least 1 "
                f"(BB's documented limit is 100), not {per_minute!r}"
            )
        quotas = tuple(
            dataclasses.replace(q, limit=per_minute) if q.name == "requests" else q
            for q in bb.QUOTAS
        )

        def make() -> Pacer:
            return Pacer(quotas, clock=clock or time.monotonic, sleep=self.sleep)

        # one count per customer account in the process; an injected clock gets its own
        if pacer is None:
            scope = f"{self.base_url} {per_minute}/min"
            pacer = make() if clock or sleep else shared_pacer(scope, make)
        self.pacer = pacer
        self.session = Session(
            self.base_url,
            api_client=str(creds["api_client"]),
            api_secret=str(creds["api_secret"]),
            api_key=self.api_key,
            pacer=self.pacer,
            transport=transport,
            max_attempts=int(self.options["max_attempts"]),
            backoff_seconds=float(self.options["backoff_seconds"]),
            throttle_seconds=float(self.options["throttle_seconds"]),
            timeout_seconds=float(self.options["timeout_seconds"]),
        )
        self._scans: dict[str, builtins.list[dict[str, Any]]] = {}

    async def call(self, endpoint: str, body: dict[str, Any], *, write: bool) -> dict[str, Any]:
        """POST ``body`` (plus api_key) to ``endpoint``: the success envelope or an error."""
        return await self.session.call(endpoint, body, write=write)

    # -- reading -------------------------------------------------------------------------
    async def list(
        self,
        object: str,
        *,
        cursor: str | None = None,
        page_size: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> Page:
        """One page of ``object``; receipts are incremental (``date_since_last_modified``).

        The other paged objects (debtors, creditors, postings, posting accounts) have no
        modified-since filter: their cursor is the offset to resume an unfinished scan at, and
        the last page of a scan answers ``RESTART`` ("0"): the next run reads from the start.
        """
        spec = self.require(object, "list")
        ends = bb.ENDPOINTS[object]
        assert ends.list is not None
        filters = dict(filters or {})
        if not ends.paged:
            self._check_filters(object, filters, frozenset())
            answer = await self.call(ends.list, {}, write=False)
            return Page(_rows(answer), None, False)
        limit = self._page_size(spec, ends, page_size)
        if object == "receipts":
            return await self._list_receipts(limit, cursor, filters)
        allowed = {"postings": bb.POSTING_FILTERS, "posting_accounts": bb.POSTING_ACCOUNT_FILTERS}
        self._check_filters(object, filters, allowed.get(object, frozenset()))
        if object == "postings":
            filters.setdefault("date_from", self.options["postings_date_from"])
            filters.setdefault("date_to", self._now().date().isoformat())
        offset = offset_cursor(cursor, object)
        answer = await self.call(
            ends.list, {**filters, "limit": limit, "offset": offset}, write=False
        )
        rows = _rows(answer)
        # documented maximum: a short page is the last; otherwise only an empty page is
        more = len(rows) == limit if ends.page_max else len(rows) > 0
        if more:
            return Page(rows, str(offset + len(rows)), True)
        # the scan is complete: BB has no modified-since filter for these objects, so the
        # next run must read them all again (the cursor is a resume point, never an end mark)
        return Page(rows, RESTART, False)

    async def _list_receipts(self, limit: int, cursor: str | None, filters: dict[str, Any]) -> Page:
        self._check_filters("receipts", filters, bb.RECEIPT_FILTERS)
        if filters.get("list_direction") not in ("inbound", "outbound"):
            raise FatalError(
                "BuchhaltungsButler receipts need filters={'list_direction': 'outbound'} (or "
                "'inbound'); add it to the flow's source settings"
            )
        state = ReceiptCursor.loads(cursor)
        if state.scan is None:
            state.scan = self._stamp(self._now())
        body = {**filters, "limit": limit, "offset": state.offset}
        if state.since:
            body["date_since_last_modified"] = state.since
        rows = _rows(await self.call("/receipts/get", body, write=False))
        if len(rows) == limit:
            state.offset += len(rows)
            return Page(rows, state.dumps(), True)
        overlap = dt.timedelta(seconds=float(self.options["modified_overlap_seconds"]))
        since = dt.datetime.strptime(state.scan, "%Y-%m-%d %H:%M:%S") - overlap
        return Page(rows, ReceiptCursor(since=self._stamp(since)).dumps(), False)

    async def get(self, object: str, id: Any) -> dict[str, Any] | None:
        """One receipt with its detail fields (currency, vat, payment_reference...)."""
        self.require(object, "get")
        number = _positive_int(id, "id_by_customer")
        try:
            answer = await self.call(f"/receipts/get/{number}", {}, write=False)
        except RecordNotFound:
            return None
        data = answer.get("data")
        return data if isinstance(data, dict) else None

    async def find(
        self, object: str, key: str, values: Sequence[Any]
    ) -> dict[Any, builtins.list[dict[str, Any]]]:
        """Records whose ``key`` is in ``values``; see ``objects.py`` for how each object finds."""
        spec = self.require(object, "find")
        if key not in spec.find_keys:
            raise FatalError(
                f"BuchhaltungsButler {object} cannot be found by {key!r}; "
                f"use one of: {', '.join(spec.find_keys)}"
            )
        found: dict[Any, builtins.list[dict[str, Any]]] = {value: [] for value in values}
        distinct = [value for value in dict.fromkeys(values) if value is not None]
        if object == "receipts" and (
            key != "invoicenumber" or len(distinct) <= int(self.options["receipt_scan_above"])
        ):
            for value in distinct:
                found[value] = await self._find_receipt(key, value)
            return found
        wanted: dict[Any, builtins.list[Any]] = {}
        for value in values:
            if value is not None:
                wanted.setdefault(_match_key(key, value), []).append(value)
        for record in await self.scan(object):
            for value in dict.fromkeys(wanted.get(_match_key(key, record.get(key)), [])):
                found[value].append(record)
        return found

    async def _find_receipt(self, key: str, value: Any) -> builtins.list[dict[str, Any]]:
        if key == "id_by_customer":
            record = await self.get("receipts", value)
            return [record] if record else []
        hits: builtins.list[dict[str, Any]] = []
        if value is None or str(value).strip() == "":
            return hits  # BB refuses an empty invoicenumber filter
        for direction in ("outbound", "inbound"):
            filters = {"list_direction": direction, "invoicenumber": str(value)}
            cursor: str | None = None
            while True:
                page = await self._list_receipts(500, cursor, filters)
                hits += [r for r in page.records if r.get("invoicenumber") == str(value)]
                if not page.has_more:
                    break
                cursor = page.cursor
        return hits

    async def scan(self, object: str) -> builtins.list[dict[str, Any]]:
        """Every record of ``object``, read once per connector instance (cached); receipts
        of both directions."""
        if object not in self._scans:
            records: builtins.list[dict[str, Any]] = []
            for filters in _scan_filters(object):
                cursor: str | None = None
                while True:
                    page = await self.list(object, cursor=cursor, filters=filters)
                    records += page.records
                    if not page.has_more:
                        break
                    cursor = page.cursor
            self._scans[object] = records
        return self._scans[object]

    def forget(self, object: str | None = None) -> None:
        """Drop the cached scans (of one object or all) so the next ``find`` reads again."""
        if object is None:
            self._scans.clear()
        else:
            self._scans.pop(object, None)

    # -- writing -------------------------------------------------------------------------
    async def create(self, object: str, record: dict[str, Any]) -> dict[str, Any]:
        """Create one record; the answer's id fields are merged into what was sent."""
        spec = self.require(object, "create")
        endpoint = self._create_endpoint(object, record)
        check_required(spec, record, endpoint=endpoint)
        answer = await self.call(endpoint, write_body(object, record), write=True)
        return self._created(object, record, answer)

    async def upload_receipt(self, record: dict[str, Any]) -> dict[str, Any]:
        """Upload a file (base64 ``file``, ``type``) as a receipt: 10 per minute at most."""
        if not record.get("file") or not record.get("type"):
            raise SkippableError(
                "BuchhaltungsButler uploads need 'file' (base64) and 'type'", endpoint=bb.UPLOAD
            )
        return await self.create("receipts", record)

    async def update(self, object: str, id: Any, record: dict[str, Any]) -> dict[str, Any]:
        """Update a debtor/creditor by ``postingaccount_number``; BB answers the new state."""
        self.require(object, "update")
        endpoint = bb.ENDPOINTS[object].update
        assert endpoint is not None
        body = write_body(object, {k: v for k, v in record.items() if k != "postingaccount_number"})
        body["postingaccount_number"] = _positive_int(id, "postingaccount_number")
        answer = await self.call(endpoint, body, write=True)
        data = answer.get("data")
        result = data if isinstance(data, dict) else {**read_shape(body)}
        self._remember(object, result, replace=True)
        return result

    async def create_batch(
        self, object: str, records: Sequence[dict[str, Any]]
    ) -> builtins.list[WriteResult]:
        """Create many in BB batch requests; each record gets its own ``WriteResult``.

        A record BB refused gets its error (classified by the batch endpoint and its
        ``error_code``); a batch whose answer was lost marks its records with the retriable
        error (``WriteOutcomeUnknown`` when the write may have happened). Fatal errors raise.
        """
        spec = self.require(object, "batch_create")
        ends = bb.ENDPOINTS[object]
        assert ends.batch is not None and ends.batch_items is not None
        size = min(int(self.options["batch_size"]), ends.batch_max or 10_000)
        results: builtins.list[WriteResult] = []
        pending: builtins.list[tuple[int, dict[str, Any]]] = []
        for index, record in enumerate(records):
            try:
                check_required(spec, record, endpoint=ends.batch)
                pending.append((index, write_body(object, record)))
            except SkippableError as exc:
                results.append(WriteResult(index, error=exc))
        for start in range(0, len(pending), size):
            chunk = pending[start : start + size]
            results += await self._send_batch(object, ends, chunk, records)
        return sorted(results, key=lambda result: result.index)

    async def _send_batch(
        self,
        object: str,
        ends: bb.Endpoints,
        chunk: builtins.list[tuple[int, dict[str, Any]]],
        records: Sequence[dict[str, Any]],
    ) -> builtins.list[WriteResult]:
        assert ends.batch is not None and ends.batch_items is not None
        endpoint, items = ends.batch, ends.batch_items
        bodies = [body for _, body in chunk]
        try:
            answer = await self.call(endpoint, {items: bodies}, write=True)
        except RetriableError as exc:
            return [WriteResult(index, error=exc) for index, _ in chunk]

        def refused(failure: Any) -> ConnectorError:
            return classify(endpoint, 400, failure, write=True, content_type="application/json")

        unknown = WriteOutcomeUnknown(
            "BuchhaltungsButler's batch answer has no result for this record; look it up "
            "before sending it again",
            endpoint=endpoint,
        )
        paired = correlate(
            bodies,
            _list_of(answer.get(items)),
            _list_of(answer.get("errors")),
            make_error=refused,
            unknown=unknown,
        )
        results = []
        for (index, _), (reply, error) in zip(chunk, paired, strict=True):
            if error is not None:
                results.append(WriteResult(index, error=error))
            else:
                results.append(
                    WriteResult(index, self._created(object, records[index], reply or {}))
                )
        return results

    # -- helpers -------------------------------------------------------------------------
    def _create_endpoint(self, object: str, record: dict[str, Any]) -> str:
        if object == "receipts" and record.get("file"):
            return bb.UPLOAD
        if object == "postings" and record.get("receipt_id_by_customer") in (None, ""):
            return bb.FREE_POSTING
        endpoint = bb.ENDPOINTS[object].create
        assert endpoint is not None
        return endpoint

    def _created(
        self, object: str, record: dict[str, Any], answer: dict[str, Any]
    ) -> dict[str, Any]:
        result = {k: v for k, v in record.items() if k != "file"}
        if object in ("debtors", "creditors"):
            result = read_shape(result)
        for name in (
            "id_by_customer",
            "postingaccount_number",
            "invoicenumber",
            "file_name",
            "filename",
        ):
            if answer.get(name) is not None:
                result[name] = str(answer[name])
        if object in ("debtors", "creditors") and result.get("postingaccount_number"):
            self._remember(object, result, replace=False)
        if object in ("postings", "receipts", "invoices"):
            # BB answers no posting ids, and an invoice is a new receipt: read again when asked
            self.forget("receipts" if object == "invoices" else object)
        return result

    def _remember(self, object: str, record: dict[str, Any], *, replace: bool) -> None:
        """Keep the cached scan in step with our own writes."""
        cached = self._scans.get(object)
        if cached is None:
            return
        number = str(record.get("postingaccount_number"))
        if replace:
            cached[:] = [r for r in cached if str(r.get("postingaccount_number")) != number]
        cached.append(record)

    def _page_size(self, spec: ObjectSpec, ends: bb.Endpoints, asked: int | None) -> int:
        if asked is None:
            if spec.name in ("debtors", "creditors"):
                return int(self.options["debtor_page_size"])
            return ends.page_max or ends.page_default or 500
        if asked < 1 or (ends.page_max is not None and asked > ends.page_max):
            top = ends.page_max or "any"
            raise FatalError(
                f"page_size {asked} for BuchhaltungsButler {spec.name} is out of range "
                f"(1..{top}); BB answers 400 above its maximum"
            )
        return asked

    def _check_filters(self, object: str, filters: dict[str, Any], allowed: frozenset[str]) -> None:
        unknown = set(filters) - allowed
        if unknown:
            known = ", ".join(sorted(allowed)) or "none"
            raise FatalError(
                f"BuchhaltungsButler {object} cannot be filtered by "
                f"{', '.join(sorted(unknown))}; its filters: {known}"
            )

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.wall_clock(), BERLIN).replace(tzinfo=None)

    @staticmethod
    def _stamp(moment: dt.datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S")

    async def aclose(self) -> None:
        await self.session.aclose()


def _scan_filters(object: str) -> builtins.list[dict[str, Any] | None]:
    if object == "receipts":
        return [{"list_direction": "outbound"}, {"list_direction": "inbound"}]
    return [None]


def _rows(answer: dict[str, Any]) -> builtins.list[dict[str, Any]]:
    return [row for row in _list_of(answer.get("data")) if isinstance(row, dict)]


def _list_of(value: Any) -> builtins.list[Any]:
    return value if isinstance(value, builtins.list) else []


def _positive_int(value: Any, name: str) -> int:
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise SkippableError(f"BuchhaltungsButler {name} must be a positive number, got {value!r}")
    return int(text)


def _match_key(key: str, value: Any) -> Any:
    if value is None:
        return None
    text = str(value).strip()
    return text.casefold() if key in ("email", "name") else text
