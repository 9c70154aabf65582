"""The BuchhaltungsButler sandbox app: BB's transport rules around the endpoint handlers.

Every request to ``/api/v1/...`` passes, in this order (reference notes, "Simulator spec"):

1. route: unknown path -> HTML 404; a known path with another verb than POST -> 400/2;
   a documented path the sandbox does not model -> 501 (simulator-only answer);
2. HTTP Basic ``api_client:api_secret`` -> else 401/3;
3. body: JSON object or form fields (PHP ``a[0]=x`` / ``a[0][k]=x`` arrays) -> else 400/23;
4. ``api_key`` in the body -> else 401/4; inactive tenant (setting) -> 403/11;
5. rate limits per api_key (``RateLimiter``), then the handler.

Answers: ``{"success": true, "message": "", ...}`` or ``{"success": false, "error_code": N,
"message": "..."}``, ``application/json; charset=utf-8``, a ``bbutler`` session cookie.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from mapwright.connectors.buchhaltungsbutler.sandbox import bookkeeping as books
from mapwright.connectors.buchhaltungsbutler.sandbox import masterdata as master
from mapwright.connectors.buchhaltungsbutler.sandbox import receipts
from mapwright.connectors.buchhaltungsbutler.sandbox import transactions as payments
from mapwright.connectors.buchhaltungsbutler.sandbox import validate as v
from mapwright.connectors.buchhaltungsbutler.sandbox.context import BBSettings, Context
from mapwright.connectors.buchhaltungsbutler.sandbox.validate import BBError

Handler = Callable[[Context, dict[str, Any], int | None], dict[str, Any]]
BASE = "/api/v1"

ROUTES: dict[str, Handler] = {
    "/receipts/get": receipts.get_receipts,
    "/receipts/get/<id>": receipts.get_receipt,
    "/receipts/add": receipts.add_receipt,
    "/receipts/addBatch": receipts.add_receipt_batch,
    "/receipts/upload": receipts.upload_receipt,
    "/receipts/delete/<id>": receipts.set_deleted(True),
    "/receipts/restore/<id>": receipts.set_deleted(False),
    "/receipts/assigned-transactions/get": payments.assigned_transactions,
    "/transactions/get": payments.get_transactions,
    "/transactions/get/<id>": payments.get_transaction,
    "/transactions/add": payments.add_transaction,
    "/transactions/addBatch": payments.add_transaction_batch,
    "/transactions/assign/receipt": payments.assign_receipt,
    "/transactions/assign-batch/receipt": payments.assign_receipt_batch,
    "/transactions/unassign/receipt": payments.unassign_receipt,
    "/transactions/assigned-receipts/get": payments.assigned_receipts,
    "/invoices/create": receipts.create_invoice(draft=False),
    "/invoices/create/draft": receipts.create_invoice(draft=True),
    "/postings/get": books.get_postings,
    "/postings/add/receipt": books.add_receipt_postings,
    "/postings/add/free": books.add_free_posting,
    "/comments/add": books.add_comment,
    "/settings/get/debtors": master.list_master("debtors"),
    "/settings/get/creditors": master.list_master("creditors"),
    "/settings/get/postingaccounts": master.list_posting_accounts,
    "/settings/add/debtor": master.add_master("debtors"),
    "/settings/add/creditor": master.add_master("creditors"),
    "/settings/add-batch/debtors": master.add_master_batch("debtors"),
    "/settings/add-batch/creditors": master.add_master_batch("creditors"),
    "/settings/update/debtor": master.update_master("debtors"),
    "/settings/update/creditor": master.update_master("creditors"),
    "/accounts/get": master.list_accounts,
    "/accounts/add": master.add_account,
}

#: the other documented BB paths (54 in all): known, but not modelled by the sandbox
NOT_MODELLED = frozenset(
    {
        "/invoices/create/e-invoice",
        "/postings/add/transaction",
        "/postings/add-batch/receipts",
        "/postings/add-batch/transactions",
        "/postings/add-batch/free",
        "/postings/unconfirm/receipt",
        "/postings/unconfirm/transaction",
        "/postings/unconfirm/free",
        "/postings/assign/receipt-to-free-posting",
        "/postings/cancel",
        "/settings/add/postingaccount",
        "/settings/update/postingaccount",
        "/cost-locations/get",
        "/cost-locations/add",
        "/cost-locations/update",
        "/cost-locations/delete",
        "/reports/create/bwa",
        "/reports/create/sums",
        "/reports/get/bwa",
        "/reports/get/sums",
        "/reports/get/sums/ledger",
    }
)

#: the write endpoints that document 403/15 "adding temporarily restricted"
THROTTLED_WRITES = frozenset(
    {
        "/receipts/addBatch",
        "/receipts/upload",
        "/transactions/add",
        "/transactions/addBatch",
        "/transactions/assign-batch/receipt",
        "/postings/add-batch/receipts",
        "/postings/add-batch/transactions",
        "/postings/add-batch/free",
        "/settings/add-batch/debtors",
        "/settings/add-batch/creditors",
    }
)
_ID_PATH = re.compile(r"^(/receipts/(?:get|delete|restore)|/transactions/get)/(\d+)$")
NOT_FOUND_PAGE = (
    "<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
    "<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>"
)


class RateLimiter:
    """Sliding windows per api_key: all requests, uploads, and the addBatch pacing."""

    def __init__(self, settings: BBSettings):
        self.settings = settings
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def limits(self, route: str) -> list[tuple[str, int, float]]:
        s = self.settings
        found = [("requests", s.rate_limit, s.rate_window_seconds)]
        if route == "/receipts/upload":
            found.append(("upload", s.upload_limit, 60.0))
        if route.endswith("/addBatch"):
            found.append((route, 1, s.batch_interval_seconds))
        return found

    def admit(self, key: str, route: str) -> str | None:
        """``None`` when the call may run (and is counted), else the limit it breaks."""
        with self._lock:
            now = self.settings.clock()
            limits = self.limits(route)
            for name, limit, window in limits:
                calls = self._calls.setdefault((key, name), deque())
                while calls and calls[0] <= now - window:
                    calls.popleft()
                if len(calls) >= limit:
                    return name
            for name, _, _ in limits:
                self._calls[(key, name)].append(now)
            return None


def parse_form(raw: bytes) -> dict[str, Any]:
    """``a=1&b[0]=x&c[0][k]=y`` -> ``{"a": "1", "b": ["x"], "c": [{"k": "y"}]}`` (PHP style)."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(raw.decode(), keep_blank_values=True, strict_parsing=True):
        parts = re.findall(r"^[^\[]+|\[[^\]]*\]", key)
        path = parts[:1] + [part[1:-1] for part in parts[1:]]
        node = root
        for index, part in enumerate(path):
            part = part or str(len(node))  # "a[]" appends
            if index == len(path) - 1:
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise ValueError(f"form field {key!r} clashes with another field")
                node = child
    return {name: _as_lists(value) for name, value in root.items()}


def _as_lists(node: Any) -> Any:
    """Dicts keyed 0, 1, 2... become lists."""
    if not isinstance(node, dict):
        return node
    items = {key: _as_lists(value) for key, value in node.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items


def _envelope(status: int, payload: dict[str, Any]) -> Response:
    response = JSONResponse(
        payload, status_code=status, media_type="application/json; charset=utf-8"
    )
    response.set_cookie("bbutler", "sandbox-session", httponly=True)
    return response


#: injected faults (``connectors/faults.py``) answer in BB's envelope: status -> (code, message)
FAULT_CODES = {
    500: (0, "error while processing the request"),
    504: (30, "a timeout occurred while processing the request"),
    403: (15, "adding temporarily restricted"),
    429: (15, "too many requests: at most 100 requests per minute per customer"),
}


def fault_answer(status: int) -> tuple[dict[str, Any], list[tuple[bytes, bytes]]]:
    """An injected error as BB would send it: its envelope, JSON with charset, no
    ``Retry-After`` (BB sends no rate-limit headers). Other statuses carry code 0."""
    code, message = FAULT_CODES.get(status, (0, "error while processing the request"))
    body = {"success": False, "error_code": code, "message": message}
    return body, [(b"content-type", b"application/json; charset=utf-8")]


def _error(exc: BBError) -> Response:
    return _envelope(exc.status, {"success": False, "error_code": exc.code, "message": exc.message})


class Sandbox:
    """The request pipeline bound to one tenant's context."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.limiter = RateLimiter(ctx.settings)

    async def handle(self, request: Request, path: str) -> Response:
        route, number = self.route(path)
        if route is None:
            return HTMLResponse(NOT_FOUND_PAGE, status_code=404)
        try:
            if request.method != "POST":
                raise BBError(400, 2, "Api method calls require POST requests")
            if route in NOT_MODELLED:
                return _envelope(
                    501,
                    {
                        "success": False,
                        "error_code": 0,
                        "message": f"{route} is not modelled by the mapwright sandbox",
                    },
                )
            self.authenticate(request)
            body, form = await self.body(request)
            self.authorise(body)
            broken = self.limiter.admit(str(body["api_key"]), route)
            if broken is not None:
                raise self.over_limit(route, broken)
            with v.form_body(form):
                result = ROUTES[route](self.ctx, body, number)
        except BBError as exc:
            return _error(exc)
        return _envelope(200, {"success": True, "message": "", **result})

    @staticmethod
    def route(path: str) -> tuple[str | None, int | None]:
        if not path.startswith(BASE + "/"):
            return None, None
        tail = path[len(BASE) :].rstrip("/")
        match = _ID_PATH.match(tail)
        if match:
            return f"{match.group(1)}/<id>", int(match.group(2))
        if tail in ROUTES or tail in NOT_MODELLED:
            return tail, None
        return None, None

    def authenticate(self, request: Request) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            user, _, secret = base64.b64decode(token, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            user, secret = "", ""
        s = self.ctx.settings
        if scheme.lower() != "basic" or (user, secret) != (s.api_client, s.api_secret):
            raise BBError(401, 3, "API credentials unknown or invalid")

    @staticmethod
    async def body(request: Request) -> tuple[dict[str, Any], bool]:
        """The body's fields, and whether they came form-encoded (all values text)."""
        raw = await request.body()
        kind = request.headers.get("content-type", "")
        form = "x-www-form-urlencoded" in kind
        try:
            if "json" in kind:
                data = json.loads(raw)
            elif form:
                data = parse_form(raw)
            else:
                data = None
        except (ValueError, UnicodeDecodeError, IndexError):
            data = None
        if not isinstance(data, dict) or not data:
            raise BBError(400, 23, "no post and files content received or declined")
        return data, form

    def authorise(self, body: dict[str, Any]) -> None:
        if body.get("api_key") != self.ctx.settings.api_key:
            raise BBError(401, 4, "customer not found or insufficient privileges")
        if not self.ctx.settings.tenant_active:
            raise BBError(403, 11, "customer has no active status")

    def over_limit(self, route: str, broken: str) -> BBError:
        if route in THROTTLED_WRITES:
            return BBError(403, 15, "adding temporarily restricted")
        return BBError(
            self.ctx.settings.over_limit_status,
            15,
            "too many requests: at most 100 requests per minute per customer",
        )


def build_app(ctx: Context, install: Callable[[FastAPI], None] | None = None) -> FastAPI:
    """A FastAPI app serving ``ctx``; ``install`` adds layers (faults) before the routes."""
    app = FastAPI(
        title="BuchhaltungsButler sandbox", docs_url=None, redoc_url=None, openapi_url=None
    )
    sandbox = Sandbox(ctx)
    app.state.bb = ctx
    app.state.sandbox = sandbox
    if install is not None:
        install(app)

    async def endpoint(request: Request, path: str) -> Response:
        return await sandbox.handle(request, "/" + path)

    app.add_api_route(
        "/{path:path}",
        endpoint,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    return app
