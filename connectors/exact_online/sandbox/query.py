"""Sandbox reads: OData query options on a collection, single records, stock positions.

``$select`` (unknown names are a 400; mandatory on sync/bulk), ``$filter`` (see
``filters.py``; sync endpoints accept only ``Timestamp gt N``), ``$orderby``, ``$expand`` of
line collections, ``$top`` (caps the whole result, OData style), ``$skiptoken`` paging with an
absolute ``__next`` link (60 rows per page, 1000 on sync/bulk), ``$skip`` on normal endpoints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from mapwright.connectors.exact_online.sandbox.errors import ApiError
from mapwright.connectors.exact_online.sandbox.filters import (
    FilterError,
    evaluate,
    narrow,
    parse,
    timestamp_only,
)
from mapwright.connectors.exact_online.sandbox.index import Column, column, fold_key
from mapwright.connectors.exact_online.sandbox.state import Store
from mapwright.connectors.exact_online.sandbox.views import VIEWS, View, render

#: tables that have a sync endpoint: their normal endpoints must be filtered (since 2021)
SYNC_TWINS = frozenset(v.table for v in VIEWS.values() if v.sync)
SELECT_MESSAGE = "Please add a $select or a $top=1 statement to the query string."


def stock_position(store: Store, request: Request) -> Response:
    raw = request.query_params.get("itemId", "")
    item = raw[5:-1].lower() if raw.startswith("guid'") else raw.lower()
    rows = [r for r in store.table("inventory/ItemWarehouses").values() if r.get("Item") == item]
    if not rows:
        return JSONResponse({"d": []})
    current = sum(float(r.get("CurrentStock") or 0) for r in rows)
    out = sum(float(r.get("PlannedStockOut") or 0) for r in rows)
    inn = sum(float(r.get("PlannedStockIn") or 0) for r in rows)
    reserved = sum(float(r.get("ReservedStock") or 0) for r in rows)
    return JSONResponse(
        {
            "d": [
                {
                    "InStock": current,
                    "ItemId": item,
                    "PlanningIn": inn,
                    "PlanningOut": out,
                    "FreeStock": current - out,
                    "ProjectedStock": current + inn - out,
                    "ReservedStock": reserved,
                }
            ]
        }
    )


def read(
    store: Store,
    request: Request,
    view: View,
    key: str | None,
    base: str,
    lines_of: Callable[[str, str], list[dict[str, Any]]],
    *,
    mandatory_filter: bool = True,
) -> Response:
    q = request.query_params
    fields = view.fields
    select = [s.strip() for s in q.get("$select", "").split(",") if s.strip()]
    if select == ["*"]:
        select = []
    for name in select:
        if name not in fields:
            raise ApiError(400, f"Invalid $select: property '{name}' does not exist")
    top = q.get("$top")
    if (view.sync or view.bulk) and not select:
        raise ApiError(400, SELECT_MESSAGE)
    if (view.sync or view.bulk) and "$skip" in q:
        raise ApiError(400, "$skip is not supported on this endpoint; use __next")
    expand = {e.strip() for e in q.get("$expand", "").split(",") if e.strip()}
    if view.combine is not None:
        rows = view.combine(store.table)
    else:
        rows = list(store.table(view.table).values())
    if key is not None:
        match = [r for r in rows if str(view.value(r, view.key)).lower() == key]
        if not match:
            raise ApiError(404, "Not found")
        record = render(
            view,
            match[0],
            base=base,
            select=select or None,
            expand=expand,
            lines_of=lines_of,
        )
        return JSONResponse({"d": record})
    text = q.get("$filter")
    if not text and mandatory_filter and view.table in SYNC_TWINS and not view.sync:
        raise ApiError(
            400,
            f"{view.endpoint} has a sync endpoint: filter the request or use "
            "the sync endpoint for full downloads",
        )
    if text:
        try:
            tree = parse(text, fields)
        except FilterError as exc:
            raise ApiError(400, str(exc)) from None
        if view.sync and timestamp_only(tree) is None:
            raise ApiError(400, "Only 'Timestamp gt <value>' can be filtered on sync endpoints")
        outside = _named(tree) - view.filterable if view.filterable else set()
        if outside:
            allowed = ", ".join(sorted(view.filterable))
            raise ApiError(
                400,
                f"{view.endpoint} cannot be filtered on {', '.join(sorted(outside))}; "
                f"filter on {allowed}",
            )
        try:
            rows = matching(store, view, tree, rows)
        except FilterError as exc:
            raise ApiError(400, str(exc)) from None
    order = q.get("$orderby", "")
    if view.sync:
        rows.sort(key=lambda r: r["_ts"])
    elif order:
        name, _, direction = order.strip().partition(" ")
        if name not in fields:
            raise ApiError(400, f"Invalid $orderby: property '{name}' does not exist")
        rows.sort(
            key=lambda r: (
                view.value(r, name) is None,
                view.value(r, name) or 0,
                str(view.value(r, view.key)),
            ),
            reverse=direction.lower() == "desc",
        )
    else:
        rows.sort(key=lambda r: str(view.value(r, view.key)))
    token = q.get("$skiptoken")
    if token:
        if view.sync:
            rows = [r for r in rows if r["_ts"] > _number(token.rstrip("L"), "$skiptoken")]
        else:
            wanted = token[5:-1].lower() if token.startswith("guid'") else token
            keys = [str(view.value(r, view.key)) for r in rows]
            rows = (
                rows[keys.index(wanted) + 1 :]
                if wanted in keys
                else [r for r in rows if str(view.value(r, view.key)) > wanted]
            )
    elif "$skip" in q:
        rows = rows[_number(q["$skip"], "$skip") :]
    limit = _number(top, "$top") if top else None
    size = min(limit, view.page_size) if limit is not None else view.page_size
    page = rows[:size]
    results = [
        render(view, r, base=base, select=select or None, expand=expand, lines_of=lines_of)
        for r in page
    ]
    body: dict[str, Any] = {"results": results}
    if len(rows) > size and (limit is None or limit > size):
        last = page[-1]
        params = {k: v for k, v in q.items() if k not in ("$skiptoken", "$skip")}
        params["$skiptoken"] = (
            str(last["_ts"]) if view.sync else f"guid'{view.value(last, view.key)}'"
        )
        if limit is not None:
            params["$top"] = str(limit - size)
        query = urlencode(params, safe="$'(),:", quote_via=quote)
        body["__next"] = f"{base}/{view.endpoint}?{query}"
    return JSONResponse({"d": body})


def _named(node: tuple[Any, ...]) -> set[str]:
    """The field names a filter tree reads."""
    if node[0] == "field":
        return {node[1]}
    return set().union(*(_named(n) for n in node[1:] if isinstance(n, tuple)))


def matching(
    store: Store, view: View, tree: tuple[Any, ...], rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rows on which the filter is true, in table order: the filter is evaluated on
    the rows an index leaves (``filters.narrow``), or on all when it leaves no narrowing."""
    columns: dict[str, Column] = {}

    def lookup(name: str, literal: Any) -> set[int] | None:
        if not _plain(view, name):
            return None
        if name not in columns:
            columns[name] = column(store.indexes, view.table, (name,), fold_key, rows)
        return columns[name].candidates([fold_key(literal)])

    if view.combine is None:
        positions = narrow(tree, lookup)
        if positions is not None:
            rows = [rows[p] for p in sorted(positions)]
    return [r for r in rows if evaluate(tree, _getter(view, r))]


def _plain(view: View, name: str) -> bool:
    """Whether ``view.value(row, name)`` is ``row.get(name)`` (what an index keys)."""
    return (
        view.combine is None
        and view.derive is None
        and name not in view.alias
        and not (view.sync and name == "Timestamp")
    )


def _getter(view: View, row: dict[str, Any]) -> Callable[[str], Any]:
    return lambda name: view.value(row, name)


def _number(text: str, option: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, f"Invalid value for {option}: {text!r}") from None
    if value < 0:
        raise ApiError(400, f"Invalid value for {option}: {text!r}")
    return value
