"""The Exact Online connector (kind ``exact_online``).

Configuration (``ConnectionConfig``)::

    kind="exact_online"
    base_url="nl"                      # or be/de/fr/es/uk/us, or a URL (sandbox)
    credentials={"client_id": "…", "client_secret": "…",
                 "token_file": "~/.mapwright/exact.json"}   # written by `mapwright connect`
    options={"division": 123456,       # default: CurrentDivision of current/Me
             "find_chunk": 25,         # values per bulk-lookup filter
             "error_budget": 10,       # errors per endpoint and hour before we stop
             "minutely_limit": 60, "daily_limit": 5000}

Instead of ``token_file`` a ``token_store`` (any ``auth.TokenStore``) can be passed to the
constructor (the API passes a database-backed one); ``credentials["tokens"]`` (a stored
``TokenSet``) or ``credentials["refresh_token"]`` alone give an in-memory store, whose
rotations are lost when the process ends (tests, one-off runs).

Behaviour: every call waits for the rate governor (minute/day budget per division, fed by
Exact's rate headers), checks the per-endpoint error budget, carries a valid access token
(single-flight refresh, see ``auth.py``), retries reads on 429/5xx/transport errors, refreshes
once on a 401, and raises the classes of ``connectors.errors`` (see ``errors.py``). Records are
the API's own fields without OData plumbing; ``Edm.DateTime`` values come back as ISO 8601 UTC
strings (``2024-01-31T10:00:00Z``) and may be sent as ISO strings or datetimes.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, cast

import httpx
from mapwright.connectors.base import (
    Capability,
    ConnectionConfig,
    Connector,
    Page,
    Quota,
    register,
)
from mapwright.connectors.errors import (
    AuthError,
    ConnectorError,
    FatalError,
    SkippableError,
)
from mapwright.connectors.exact_online import odata
from mapwright.connectors.exact_online.auth import (
    FileTokenStore,
    MemoryTokenStore,
    OAuthApp,
    TokenManager,
    TokenSet,
    TokenStore,
    resolve_host,
)
from mapwright.connectors.exact_online.errors import classify
from mapwright.connectors.exact_online.limits import (
    DAILY,
    MINUTELY,
    QUOTAS,
    RATE_HEADERS,
    ErrorBudget,
    endpoint_of,
    make_governor,
    shared_budget,
)
from mapwright.connectors.exact_online.objects import OBJECTS, UNSUPPORTED, ExactObject
from mapwright.connectors.exact_online.records import from_exact, to_exact
from mapwright.connectors.http import RetryPolicy, make_client, send_with_retry
from mapwright.connectors.quota import RateGovernor, shared_governor

SYNC_PAGE = 1000
#: where a first ``Modified ge`` read starts
FIRST_MODIFIED = "1990-01-01T00:00:00Z"


@register
class ExactOnlineConnector(Connector):
    """Exact Online REST (OData v2) connector; see the module docstring for configuration."""

    kind = "exact_online"
    title = "Exact Online"
    objects = cast(dict[str, Any], OBJECTS)
    quotas = QUOTAS
    unsupported = UNSUPPORTED

    def __init__(
        self,
        config: ConnectionConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        token_store: TokenStore | None = None,
        governor: RateGovernor | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        retry: RetryPolicy | None = None,
    ):
        super().__init__(config, transport=transport)
        creds = config.credentials
        options = config.options
        self.base_url = resolve_host(str(config.base_url or creds.get("host") or "nl"))
        for name in ("client_id", "client_secret"):
            if not creds.get(name):
                raise FatalError(
                    f"Exact Online connection {config.name or ''!s}: credentials.{name} is "
                    "missing; copy it from the app registration in the Exact App Center"
                )
        self.clock = clock
        self.sleep = sleep
        self.retry = retry or RetryPolicy()
        self.http = make_client(self.base_url, transport)
        self.store = token_store or _store_from(creds)
        self.auth = TokenManager(
            OAuthApp(str(creds["client_id"]), str(creds["client_secret"])),
            self.store,
            self.http,
            self.base_url,
            clock=clock,
            sleep=sleep,
            policy=self.retry,
        )
        minutely = int(options.get("minutely_limit", MINUTELY))
        daily = int(options.get("daily_limit", DAILY))
        if governor is None and clock is time.time and sleep is asyncio.sleep:
            # one count per app in this process, shared by every connection of the app (with
            # the same limits: a connection configured with other limits counts on its own)
            governor = shared_governor(
                f"exact_online:{creds['client_id']}:{minutely}/min:{daily}/day",
                (
                    Quota("minutely", minutely, 60, "app + division"),
                    Quota("daily", daily, 86400, "app + division"),
                ),
                headers=RATE_HEADERS,
            )
        self.governor = governor or make_governor(
            minutely=minutely, daily=daily, clock=clock, sleep=sleep
        )
        limit = int(options.get("error_budget", 10))
        shared = clock is time.time
        self.budget = (
            shared_budget(str(creds["client_id"]), limit)
            if shared
            else ErrorBudget(limit, clock=clock)
        )
        self.find_chunk = int(options.get("find_chunk", 25))
        self._division: int | None = (
            int(options["division"]) if options.get("division") is not None else None
        )
        self._division_lock = asyncio.Lock()

    # -- plumbing --------------------------------------------------------------------------
    def spec(self, name: str, capability: Capability | None = None) -> ExactObject:
        """The ``ExactObject`` for ``name`` (checked for ``capability`` when given)."""
        found = self.require(name, capability) if capability else self.object(name)
        return cast(ExactObject, found)

    async def me(self) -> dict[str, Any]:
        """``current/Me``: the consenting user with ``CurrentDivision``."""
        response = await self.call("GET", "/api/v1/current/Me")
        rows = odata.results(response.json())
        if not rows:
            raise AuthError("Exact current/Me returned no user; give consent again")
        return odata.clean(rows[0])

    async def division(self) -> int:
        """The division used in URLs: option ``division``, else the stored one, else
        ``CurrentDivision`` from ``current/Me`` (asked once)."""
        if self._division is not None:
            return self._division
        async with self._division_lock:
            if self._division is None:
                tokens = await self.auth.tokens()
                if tokens.division is not None:
                    self._division = tokens.division
                else:
                    self._division = int((await self.me())["CurrentDivision"])
        return self._division

    async def call(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> httpx.Response:
        """One API call with budget, governor, token, retries and error classification.

        ``url`` is a path (``/api/v1/{division}/crm/Accounts``) or an absolute ``__next``
        link on the connection's host.
        """
        path = httpx.URL(url).path if url.startswith("http") else url
        if url.startswith("http") and not url.startswith(self.base_url):
            raise FatalError(f"refusing to follow a link off the Exact host: {url}")
        endpoint = endpoint_of(path)
        parts = path.strip("/").split("/")
        key = parts[2] if len(parts) > 2 and parts[2].isdigit() else ""
        self.budget.check(key, endpoint)
        token = await self.auth.access_token()

        def classify_and_count(response: httpx.Response) -> ConnectorError | None:
            self.budget.record(key, endpoint, response.status_code)
            return classify(response, clock=self.clock)

        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            if method == "POST":
                headers["Prefer"] = "return=representation"

            def build(headers: dict[str, str] = headers) -> httpx.Request:
                return self.http.build_request(
                    method, url, params=params, json=body, headers=headers
                )

            try:
                return await send_with_retry(
                    self.http,
                    build,
                    classify_and_count,
                    governor=self.governor,
                    quota_key=key,
                    policy=self.retry,
                    sleep=self.sleep,
                )
            except AuthError as exc:
                if exc.status != 401:
                    raise
                if attempt == 2:
                    tokens = await self.auth.tokens()
                    age = self.clock() - tokens.issued_at
                    raise AuthError(
                        f"Exact rejected the access token twice (issued {age:.0f} s ago, "
                        "refreshed when allowed); consent may have been revoked — run "
                        "`mapwright connect exact-online` again",
                        status=401,
                        code="unauthorized",
                        endpoint=endpoint,
                    ) from exc
                self.budget.check(key, endpoint)
                token = await self.auth.after_unauthorized(token)
        raise AssertionError("unreachable")

    async def _path(self, endpoint: str) -> str:
        return f"/api/v1/{await self.division()}/{endpoint}"

    # -- reads -----------------------------------------------------------------------------
    async def list(
        self,
        object: str,
        *,
        cursor: str | None = None,
        page_size: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> Page:
        """One page of ``object``.

        Objects with a sync twin (``incremental == "timestamp"``) page by ``Timestamp gt N``
        (cursor ``{"ts": N}``, 1000 per page, ``page_size`` becomes ``$top``). Others page by
        ``__next`` with ``Modified ge datetime'…'`` (cursor ``{"since": …, "max": …, "next":
        url}`` mid-way, ``{"since": max Modified}`` at the end). ``filters`` (field -> value,
        joined with ``and``) read the normal endpoint instead of the sync twin.
        """
        spec = self.spec(object, "list")
        state = json.loads(cursor) if cursor else {}
        if not isinstance(state, dict):
            raise FatalError(f"Exact cursor {cursor!r} is not a JSON object; reset the cursor")
        if spec.incremental == "timestamp" and not filters and spec.sync_endpoint:
            return await self._list_sync(spec, int(state.get("ts", 1)), page_size)
        return await self._list_paged(spec, state, filters)

    async def _list_sync(self, spec: ExactObject, since: int, page_size: int | None) -> Page:
        assert spec.sync_endpoint
        params = {
            "$select": spec.sync_select(),
            "$filter": f"Timestamp gt {since}",
            "$top": str(min(page_size or SYNC_PAGE, SYNC_PAGE)),
        }
        response = await self.call("GET", await self._path(spec.sync_endpoint), params=params)
        body = response.json()
        rows = [from_exact(spec.sync_endpoint, r) for r in odata.results(body)]
        top = max((int(r.get("Timestamp") or 0) for r in rows), default=since)
        more = odata.next_link(body) is not None or len(rows) >= int(params["$top"])
        return Page(rows, json.dumps({"ts": max(top, since)}), bool(rows) and more)

    async def _list_paged(
        self, spec: ExactObject, state: dict[str, Any], filters: dict[str, Any] | None
    ) -> Page:
        since = state.get("since")
        if state.get("next"):
            response = await self.call("GET", str(state["next"]))
        else:
            try:
                clauses = [
                    f"{k} eq {odata.literal(v, spec.edm(k))}" for k, v in (filters or {}).items()
                ]
            except (KeyError, ValueError) as exc:
                raise FatalError(f"bad filter for Exact {spec.name}: {exc}") from None
            if spec.incremental == "modified":
                # always filtered: Exact refuses unfiltered reads of endpoints with a sync twin
                start = since or FIRST_MODIFIED
                clauses.append(f"Modified ge {odata.literal(start, 'DateTime')}")
            params = {"$filter": " and ".join(clauses)} if clauses else None
            response = await self.call("GET", await self._path(spec.endpoint), params=params)
        body = response.json()
        rows = [from_exact(spec.endpoint, r) for r in odata.results(body)]
        newest = state.get("max") or since
        for row in rows:
            modified = row.get("Modified")
            if isinstance(modified, str) and (newest is None or modified > newest):
                newest = modified
        link = odata.next_link(body)
        if spec.incremental != "modified":
            cursor = json.dumps({"next": link}) if link else None
            return Page(rows, cursor, link is not None)
        if link:
            return Page(rows, json.dumps({"since": since, "max": newest, "next": link}), True)
        return Page(rows, json.dumps({"since": newest}), False)

    async def _all(
        self, url: str, params: dict[str, Any] | None, endpoint: str
    ) -> builtins.list[dict[str, Any]]:
        rows: builtins.list[dict[str, Any]] = []
        response = await self.call("GET", url, params=params)
        while True:
            body = response.json()
            rows.extend(from_exact(endpoint, r) for r in odata.results(body))
            link = odata.next_link(body)
            if not link:
                return rows
            response = await self.call("GET", link)

    async def get(self, object: str, id: Any) -> dict[str, Any] | None:
        """One record by key, or ``None``; uses ``$filter`` (a miss is not a 404, which would
        cost error budget)."""
        spec = self.spec(object, "get")
        if not _valid(id, spec.edm(spec.key)):
            return None  # cannot exist in Exact; asking would cost error budget
        if spec.name == "stock_position":
            params = {"itemId": odata.literal(id, "Guid")}
            rows = await self._all(await self._path(spec.endpoint), params, spec.endpoint)
            return rows[0] if rows else None
        params = {"$filter": f"{spec.key} eq {odata.literal(id, spec.edm(spec.key))}"}
        if spec.lines:
            params["$expand"] = spec.lines
        rows = await self._all(await self._path(spec.endpoint), params, spec.endpoint)
        return rows[0] if rows else None

    async def find(
        self, object: str, key: str, values: Sequence[Any]
    ) -> dict[Any, builtins.list[dict[str, Any]]]:
        """Bulk lookup: ``key eq v1 or key eq v2 …`` in chunks of ``find_chunk`` values."""
        spec = self.spec(object, "find")
        if key not in spec.find_keys:
            raise FatalError(
                f"Exact '{object}' cannot be looked up by {key!r}; use one of: "
                f"{', '.join(spec.find_keys)}"
            )
        edm = spec.edm(key)
        padded = spec.name == "accounts" and key == "Code"
        found: dict[Any, builtins.list[dict[str, Any]]] = {v: [] for v in values}
        index: dict[Any, builtins.list[Any]] = {}
        for value in values:
            if _valid(value, edm) and not (padded and len(str(value).strip()) > 18):
                index.setdefault(_norm(value, edm, padded), []).append(value)
        distinct = [group[0] for group in index.values()]
        path = await self._path(spec.endpoint)
        for start in range(0, len(distinct), self.find_chunk):
            chunk = distinct[start : start + self.find_chunk]
            sent = [odata.pad_account_code(v) for v in chunk] if padded else chunk
            params = {"$filter": odata.any_of(key, sent, edm)}
            for row in await self._all(path, params, spec.endpoint):
                for original in index.get(_norm(row.get(key), edm, padded), []):
                    found[original].append(row)
        return found

    # -- writes ----------------------------------------------------------------------------
    async def create(self, object: str, record: dict[str, Any]) -> dict[str, Any]:
        """POST the record (documents with their lines inline); returns the created record."""
        spec = self.spec(object, "create")
        body = to_exact(spec, record, creating=True)
        response = await self.call("POST", await self._path(spec.endpoint), body=body)
        rows = odata.results(response.json()) if response.content else []
        return from_exact(spec.endpoint, rows[0]) if rows else body

    async def update(self, object: str, id: Any, record: dict[str, Any]) -> dict[str, Any]:
        """PUT the changed fields (Exact answers 204); returns the key plus what was sent."""
        spec = self.spec(object, "update")
        if not _valid(id, spec.edm(spec.key)):
            raise SkippableError(
                f"{id!r} is not a valid {spec.key} for Exact {spec.name}",
                code="bad_key",
                endpoint=spec.endpoint,
            )
        body = to_exact(spec, record, creating=False)
        body.pop(spec.key, None)
        url = f"{await self._path(spec.endpoint)}({odata.literal(id, spec.edm(spec.key))})"
        await self.call("PUT", url, body=body)
        return {spec.key: id, **body}

    async def aclose(self) -> None:
        await self.http.aclose()


def _valid(value: Any, edm: str) -> bool:
    """Whether ``value`` can be written as a literal of type ``edm`` at all."""
    try:
        odata.literal(value, edm)
    except (ValueError, TypeError):
        return False
    return value is not None


def _norm(value: Any, edm: str, padded: bool) -> Any:
    if value is None:
        return None
    if edm == "Guid":
        return str(value).lower()
    if padded or edm == "String":
        return str(value).strip().casefold()
    if edm in ("Int16", "Int32", "Int64", "Byte"):
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    return value


def _store_from(creds: dict[str, Any]) -> TokenStore:
    if creds.get("token_file"):
        return FileTokenStore(Path(str(creds["token_file"])).expanduser())
    if isinstance(creds.get("tokens"), dict):
        # a stored TokenSet (as the API's consent callback writes it); rotations stay in memory
        return MemoryTokenStore(TokenSet.from_json(creds["tokens"]))
    if creds.get("refresh_token"):
        return MemoryTokenStore(
            TokenSet(
                access_token=str(creds.get("access_token") or ""),
                refresh_token=str(creds["refresh_token"]),
                issued_at=float(creds.get("issued_at") or 0),
                expires_at=float(creds.get("expires_at") or 0),
            )
        )
    raise AuthError(
        "Exact Online connection has no tokens: set credentials.token_file (written by "
        "`mapwright connect exact-online`) or pass a token_store"
    )
