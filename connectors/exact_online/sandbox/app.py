"""The Exact Online sandbox: a FastAPI app that answers like ``start.exactonline.*``.

Routes: ``GET /api/oauth2/auth`` (auto-approves, redirects with a code), ``POST
/api/oauth2/token`` (form-encoded, both grants), ``GET /api/v1/current/Me``, and
``/api/v1/{division}/{service}/{Entity}[(guid'…')]`` for GET/POST/PUT/DELETE. Admin (never
rate-limited): ``GET /_admin/state``, ``POST /_admin/clock`` (``{"advance": seconds}``), and
``/_admin/faults`` when the fault layer is installed. See ``docs/connectors/exact-online.md``
for the modelled behaviour and the assumptions, each switchable through
``SandboxOptions.extra``.
"""

from __future__ import annotations

import json
import random
import time
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from mapwright.connectors.exact_online.fields import FIELDS
from mapwright.connectors.exact_online.limits import endpoint_of
from mapwright.connectors.exact_online.sandbox.callbacks import send_callbacks
from mapwright.connectors.exact_online.sandbox.errors import ApiError
from mapwright.connectors.exact_online.sandbox.query import read, stock_position
from mapwright.connectors.exact_online.sandbox.rules import Rules
from mapwright.connectors.exact_online.sandbox.seed import seed_division
from mapwright.connectors.exact_online.sandbox.state import (
    AccessToken,
    AuthState,
    Clock,
    Grant,
    Store,
    new_guid,
)
from mapwright.connectors.exact_online.sandbox.views import LINES, VIEWS, render
from mapwright.connectors.sandbox import SandboxOptions

DEFAULTS: dict[str, Any] = {
    "access_token_seconds": 600,
    "min_refresh_interval": 570,
    "old_refresh_grace": 600,
    "refresh_token_days": 30,
    "code_seconds": 180,
    "token_calls_per_day": 200,
    "minutely_limit": 60,
    "daily_limit": 5000,
    "error_limit": 10,
    "error_block_status": 429,
    "error_block_seconds": 3600,
    "language": "en",
    "frozen_at": None,
    "mandatory_filtering": True,
}


def odata_body(message: str) -> dict[str, Any]:
    """Exact's error envelope (reference §5)."""
    return {"error": {"code": "", "message": {"lang": "", "value": message}}}


def odata_error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(odata_body(message), status_code=status, headers=headers)


@dataclass
class Counters:
    requests: int = 0
    served_429: int = 0
    blocked: int = 0
    refreshes: int = 0
    minute: dict[tuple[str, int, int], int] = field(default_factory=dict)
    day: dict[tuple[str, int, int], int] = field(default_factory=dict)
    errors: dict[tuple[str, ...], deque[float]] = field(default_factory=dict)
    blocked_until: dict[tuple[str, ...], float] = field(default_factory=dict)


class Sandbox:
    """All state of one sandbox app (``app.state.sandbox``)."""

    def __init__(self, options: SandboxOptions):
        self.options = options
        self.settings = {**DEFAULTS, **options.extra}
        clock = self.settings.get("clock")
        self.clock: Clock = clock if isinstance(clock, Clock) else Clock(self.settings["frozen_at"])
        rng = random.Random(options.seed)
        self.rng = rng
        self.division = int(
            self.settings.get("division") or 100000 + (options.seed * 7919) % 800000
        )
        self.client_id = str(self.settings.get("client_id") or new_guid(rng))
        self.client_secret = str(
            self.settings.get("client_secret") or f"sandbox-{rng.getrandbits(64):016x}"
        )
        self.user_id = new_guid(rng)
        self.store = Store(options.data_file)
        self.rules = Rules(
            self.store,
            random.Random(options.seed + 1),
            self.clock,
            self.division,
            language=self.settings["language"],
            user_id=self.user_id,
        )
        if not self.store.load():
            with self.store.batch():
                seed_division(
                    self.store, self.rules, random.Random(options.seed + 2), options.records
                )
        self.auth = AuthState(random.Random(options.seed + 3))
        now = self.clock.now()
        start = self.auth.new_secret("rt-")
        self.grant = Grant(self.client_id, self.user_id, start, now, now - 10_000)
        self.auth.grants[start] = self.grant
        self.counters = Counters()
        self.webhook_secret = str(
            self.settings.get("webhook_secret") or f"whsec-{rng.getrandbits(96):024x}"
        )
        self.webhook_log: list[dict[str, Any]] = []

    # -- OAuth -------------------------------------------------------------------------------
    def token(self, form: dict[str, str]) -> JSONResponse:
        now = self.clock.now()
        grant_type = form.get("grant_type", "")
        presented = form.get("refresh_token") or form.get("code") or ""
        log = {"grant_type": grant_type, "token": presented, "at": now}
        self.auth.token_calls.append(log)

        def fail(error: str, description: str, reason: str | None = None) -> JSONResponse:
            log["status"] = 400
            log["error"] = error
            headers = {"Reason": reason} if reason else None
            return JSONResponse(
                {"error": error, "error_description": description}, status_code=400, headers=headers
            )

        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return fail("invalid_client", "Unknown client or wrong client secret")
        day_key = (self.client_id, self.user_id, int(now // 86400))
        calls = self.auth.token_calls_per_day.get(day_key, 0)
        if calls >= int(self.settings["token_calls_per_day"]):
            return fail("access_denied", "Rate limit exceeded: token endpoint calls per day")
        self.auth.token_calls_per_day[day_key] = calls + 1
        if grant_type == "authorization_code":
            code = self.auth.codes.pop(presented, None)
            if code is None or now - code["at"] > float(self.settings["code_seconds"]):
                return fail("invalid_grant", "Authorization code is invalid or expired")
            if code["redirect_uri"] != form.get("redirect_uri"):
                return fail("invalid_grant", "redirect_uri does not match the authorization")
            grant = Grant(self.client_id, self.user_id, "", now, now - 10_000)
        elif grant_type == "refresh_token":
            found = self.auth.grants.get(presented)
            if found is None:
                return fail(
                    "invalid_grant", "Token is not allowed, because of invalid or empty chainId"
                )
            grant = found
            grace = now - grant.refresh_issued_at <= float(self.settings["old_refresh_grace"])
            if presented == grant.current:
                age_days = (now - grant.refresh_issued_at) / 86400
                if age_days > float(self.settings["refresh_token_days"]):
                    return fail("invalid_grant", "Refresh token expired")
            elif not (presented == grant.previous and not grant.current_used and grace):
                return fail("invalid_grant", "Old refresh token used")
            if now - grant.last_access_issued < float(self.settings["min_refresh_interval"]):
                return fail(
                    "access_denied",
                    "Rate limit exceeded: access_token not expired",
                    "TooEarlyToRefreshTokens: Rate limit exceeded: access_token not expired",
                )
            self.counters.refreshes += 1
        else:
            return fail("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
        access, refresh = self.auth.issue(grant, now, float(self.settings["access_token_seconds"]))
        log["status"] = 200
        return JSONResponse(
            {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": str(int(self.settings["access_token_seconds"])),
                "refresh_token": refresh,
            }
        )

    # -- guards ------------------------------------------------------------------------------
    def rate_headers(self, minute: int, day: int, *, minutely_only: bool = False) -> dict[str, str]:
        now = self.clock.now()
        m_limit, d_limit = int(self.settings["minutely_limit"]), int(self.settings["daily_limit"])
        headers = {
            "X-RateLimit-Minutely-Limit": str(m_limit),
            "X-RateLimit-Minutely-Remaining": str(max(m_limit - minute, 0)),
            "X-RateLimit-Minutely-Reset": str(int((now // 60 + 1) * 60 * 1000)),
        }
        if not minutely_only:
            headers.update(
                {
                    "X-RateLimit-Limit": str(d_limit),
                    "X-RateLimit-Remaining": str(max(d_limit - day, 0)),
                    "X-RateLimit-Reset": str(int((now // 86400 + 1) * 86400 * 1000)),
                }
            )
        return headers

    def injected_answer(
        self, status: int
    ) -> tuple[dict[str, Any] | None, list[tuple[bytes, bytes]]]:
        """An injected fault as Exact answers it (see ``connectors/faults.py``).

        429: an empty body (reference §5: "body often empty") and only the Minutely rate
        headers, with nothing left this minute (reference §3: sent when the minute budget is
        gone). Other statuses: the OData error envelope with the status's reason phrase, and
        the usual rate headers; a 500 carries an empty message (an unexpected failure, not one
        of Exact's business-rule 500s, which always name the rule) and 401 an empty body, as
        Exact sends it. No ``Retry-After``: Exact documents none."""
        now = self.clock.now()
        minute = self.counters.minute.get((self.client_id, self.division, int(now // 60)), 0)
        day = self.counters.day.get((self.client_id, self.division, int(now // 86400)), 0)
        if status == 429:
            limit = int(self.settings["minutely_limit"])
            headers = self.rate_headers(max(minute, limit), day, minutely_only=True)
            body = None
        else:
            headers = self.rate_headers(minute, day)
            text = "" if status == 500 else HTTPStatus(status).phrase
            body = None if status == 401 else odata_body(text)
        return body, [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    def record_error(self, key: tuple[str, ...], status: int) -> None:
        if status not in (400, 401, 403, 404):
            return
        now = self.clock.now()
        seen = self.counters.errors.setdefault(key, deque())
        seen.append(now)
        while seen and seen[0] <= now - 3600:
            seen.popleft()
        if len(seen) > int(self.settings["error_limit"]):
            self.counters.blocked_until[key] = now + float(self.settings["error_block_seconds"])

    async def api(self, request: Request, division: int | None, path: str) -> Response:
        self.counters.requests += 1
        now = self.clock.now()
        endpoint = endpoint_of(path)
        header = request.headers.get("authorization", "")
        raw = header[7:] if header.lower().startswith("bearer ") else ""
        token: AccessToken | None = self.auth.use(raw, now)
        if token is None:
            known = self.auth.tokens.get(raw)
            if known is not None:
                self.record_error((self.client_id, self.user_id, str(division), endpoint), 401)
            return Response(status_code=401)
        div = division if division is not None else self.division
        key = (self.client_id, self.user_id, str(div), endpoint)
        if self.counters.blocked_until.get(key, 0) > now:
            self.counters.blocked += 1
            return odata_error(
                int(self.settings["error_block_status"]),
                f"Too many errors on {endpoint}: the API key is blocked for "
                "this division for one hour",
            )
        m_key = (self.client_id, div, int(now // 60))
        d_key = (self.client_id, div, int(now // 86400))
        minute, day = self.counters.minute.get(m_key, 0), self.counters.day.get(d_key, 0)
        if minute >= int(self.settings["minutely_limit"]):
            self.counters.served_429 += 1
            return Response(
                status_code=429, headers=self.rate_headers(minute, day, minutely_only=True)
            )
        if day >= int(self.settings["daily_limit"]):
            self.counters.served_429 += 1
            return Response(status_code=429, headers=self.rate_headers(minute, day))
        self.counters.minute[m_key] = minute + 1
        self.counters.day[d_key] = day + 1
        if division is not None and division != self.division:
            response: Response = odata_error(403, "Forbidden - WrongDivision")
        else:
            try:
                response = await self.handle(request, div, path)
            except ApiError as exc:
                response = odata_error(exc.status, exc.message)
        self.record_error(key, response.status_code)
        response.headers.update(self.rate_headers(minute + 1, day + 1))
        return response

    # -- handlers ----------------------------------------------------------------------------
    async def handle(self, request: Request, division: int, path: str) -> Response:
        base = f"{str(request.base_url).rstrip('/')}/api/v1/{division}"
        entity, key = path, None
        if path.endswith(")") and "(" in path:
            entity, _, rest = path.partition("(")
            key = rest[:-1]
            if key.startswith("guid'") and key.endswith("'"):
                key = key[5:-1].lower()
        view = VIEWS.get(entity.lower())
        if path == "current/Me":
            root = str(request.base_url).rstrip("/")
            return JSONResponse({"d": {"results": [me_record(self, root)]}})
        if path.lower() == "system/divisions":
            return JSONResponse({"d": {"results": [self.division_row(base)]}})
        if view is None:
            raise ApiError(404, f"Resource not found for the segment '{entity}'.")
        method = request.method
        if method == "GET":
            if view.endpoint == "read/logistics/StockPosition":
                return stock_position(self.store, request)
            return read(
                self.store,
                request,
                view,
                key,
                base,
                self.lines_of,
                mandatory_filter=bool(self.settings["mandatory_filtering"]),
            )
        if method == "POST" and key is None and "P" in view.writable:
            try:
                body = json.loads(await request.body() or b"null")
            except json.JSONDecodeError:
                raise ApiError(
                    400,
                    "Error processing request stream. The request should be "
                    "a valid top-level resource object.",
                ) from None
            row = self.rules.create(view.table, body)
            await self.notify(view.table, "Create", str(row[view.key]), base)
            record = render(view, row, base=base, select=None, expand=set(), lines_of=self.lines_of)
            if "return=representation" not in request.headers.get("prefer", ""):
                sent = set(body) | {view.key}
                record = {
                    k: (v if k in sent or k == "__metadata" else None) for k, v in record.items()
                }
            return JSONResponse({"d": record}, status_code=201)
        if method == "PUT" and key is not None and "U" in view.writable:
            try:
                body = json.loads(await request.body() or b"null")
            except json.JSONDecodeError:
                raise ApiError(400, "Error processing request stream.") from None
            self.rules.update(view.table, key, body)
            await self.notify(view.table, "Update", key, base)
            return Response(status_code=204)
        if method == "DELETE" and key is not None and "D" in view.writable:
            self.rules.delete(view.table, key)
            await self.notify(view.table, "Delete", key, base)
            return Response(status_code=204)
        raise ApiError(405, f"The HTTP method {method} is not allowed on {view.endpoint}.")

    async def notify(self, table: str, action: str, key: str, base: str) -> None:
        """POST a signed callback to every subscription of the table's topic."""
        entries = await send_callbacks(
            self.store,
            table,
            {
                "ClientId": self.client_id,
                "Division": self.division,
                "Action": action,
                "Key": key,
                "ExactOnlineEndpoint": f"{base}/{table}(guid'{key}')",
                "EventCreatedOn": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.clock.now())),
            },
            secret=self.webhook_secret,
            transport=self.settings.get("webhook_transport"),
        )
        self.webhook_log.extend(entries)

    def lines_of(self, table: str, key: str) -> list[dict[str, Any]]:
        link = next(spec[2] for spec in LINES.values() if spec[1] == table)
        rows = [r for r in self.store.table(table).values() if r.get(link) == key]
        return sorted(rows, key=lambda r: r.get("LineNumber") or 0)

    def division_row(self, base: str) -> dict[str, Any]:
        return {
            "__metadata": {
                "uri": f"{base}/system/Divisions({self.division})",
                "type": "Exact.Web.Api.Models.SystemDivision",
            },
            "Code": self.division,
            "Description": "mapwright sandbox",
            "Current": True,
            "Country": "DE",
            "Currency": "EUR",
            "DivisionMoveDate": None,
        }


def create_app(options: SandboxOptions | None = None) -> FastAPI:
    """A ready Exact Online sandbox app (seeded, or loaded from ``options.data_file``)."""
    options = options or SandboxOptions()
    sandbox = Sandbox(options)
    app = FastAPI(title="Exact Online sandbox (mapwright)")
    app.state.sandbox = sandbox

    @app.get("/api/oauth2/auth")
    async def authorize(request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != sandbox.client_id:
            return JSONResponse({"error": "invalid_client"}, status_code=400)
        if q.get("response_type") != "code" or not q.get("redirect_uri"):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = sandbox.auth.new_secret("code-")
        sandbox.auth.codes[code] = {"redirect_uri": q["redirect_uri"], "at": sandbox.clock.now()}
        target = q["redirect_uri"] + ("&" if "?" in q["redirect_uri"] else "?")
        return RedirectResponse(
            target + urlencode({"code": code, "state": q.get("state", "")}), status_code=302
        )

    @app.post("/api/oauth2/token")
    async def token(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
        return sandbox.token({k: v[0] for k, v in form.items()})

    @app.get("/api/v1/current/Me")
    async def me(request: Request) -> Response:
        return await sandbox.api(request, None, "current/Me")

    @app.api_route("/api/v1/{division}/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def api(request: Request, division: str, path: str) -> Response:
        if not division.isdigit():
            return odata_error(404, f"Resource not found for the segment '{division}'.")
        return await sandbox.api(request, int(division), path)

    @app.get("/_admin/state")
    async def state() -> dict[str, Any]:
        return {
            "requests": sandbox.counters.requests,
            "served_429": sandbox.counters.served_429,
            "refreshes": sandbox.counters.refreshes,
            "blocked": sandbox.counters.blocked,
            "now": sandbox.clock.now(),
        }

    @app.post("/_admin/clock")
    async def clock(request: Request) -> dict[str, float]:
        body = await request.json()
        sandbox.clock.advance(float(body.get("advance", 0)))
        return {"now": sandbox.clock.now()}

    try:
        from mapwright.connectors.faults import install_faults
    except ImportError:  # the fault layer is optional
        return app
    install_faults(app, options.faults, seed=options.seed, error_answer=sandbox.injected_answer)
    return app


def describe(app: FastAPI, base_url: str) -> dict[str, Any]:
    """What a client needs: base URL, app credentials, a ready refresh token, the division."""
    sandbox: Sandbox = app.state.sandbox
    return {
        "system": "exact-online",
        "base_url": base_url.rstrip("/"),
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        "refresh_token": sandbox.grant.current,
        "division": sandbox.division,
        "webhook_secret": sandbox.webhook_secret,
        "token_url": f"{base_url.rstrip('/')}/api/oauth2/token",
        "access_token": "POST token_url form-encoded grant_type=refresh_token, refresh_token, "
        "client_id, client_secret; the answer holds access_token (600 s) and the next "
        "refresh_token (the old one dies once the new one is used)",
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sandbox.clock.now())),
    }


def me_record(sandbox: Sandbox, base: str) -> dict[str, Any]:
    """The ``current/Me`` record of the sandbox user."""
    fields = FIELDS["current/Me"]
    record: dict[str, Any] = {name: None for name in fields}
    record.update(
        {
            "__metadata": {
                "uri": f"{base}/api/v1/current/Me(guid'{sandbox.user_id}')",
                "type": "Exact.Web.Api.Models.Me",
            },
            "UserID": sandbox.user_id,
            "CurrentDivision": sandbox.division,
            "FullName": "Sandbox Gebruiker",
            "FirstName": "Sandbox",
            "LastName": "Gebruiker",
            "Email": "sandbox@example.com",
            "UserName": "sandbox@example.com",
            "LanguageCode": "nl-NL",
            "Language": "NL",
            "DivisionCustomerName": "mapwright sandbox",
        }
    )
    return record
