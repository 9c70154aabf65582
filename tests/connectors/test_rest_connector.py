"""The declarative REST connector: description errors, TOML, paging styles, auth styles.

Paging and auth run against a tiny FastAPI API serving 23 numbered items in every style.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from mapwright.connectors.base import ConnectionConfig
from mapwright.connectors.errors import AuthError, FatalError
from mapwright.connectors.rest import (
    DescriptionError,
    RestConnector,
    load_description,
    validate_description,
)

ITEMS: list[dict[str, Any]] = [
    {"id": n, "name": f"Posten {n}", "changed": f"2024-01-{n:02d}"} for n in range(1, 24)
]


def items_api() -> FastAPI:
    app = FastAPI()
    app.state.seen = []

    def window(offset: int, limit: int) -> list[dict[str, Any]]:
        return ITEMS[offset : offset + limit]

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Response:
        app.state.seen.append((request.url.path, dict(request.query_params), dict(request.headers)))
        response: Response = await call_next(request)
        return response

    @app.get("/offset")
    async def offset(limit: int, offset: int) -> dict[str, Any]:
        return {"results": window(offset, limit)}

    @app.get("/pages")
    async def pages(page: int = 1, size: int = 10) -> list[dict[str, Any]]:
        return window((page - 1) * size, size)

    @app.get("/cursor")
    async def cursor(after: int = 0) -> dict[str, Any]:
        chunk = window(after, 10)
        more = after + len(chunk) < len(ITEMS)
        return {"items": chunk, "meta": {"next": str(after + 10) if more else None}}

    @app.get("/linked")
    async def linked(request: Request, response: Response, start: int = 0) -> dict[str, Any]:
        if start + 10 < len(ITEMS):
            response.headers["Link"] = f'</linked?start={start + 10}>; rel="next"'
        return {"data": window(start, 10)}

    @app.get("/odata")
    async def odata(request: Request, skip: int = 0) -> dict[str, Any]:
        body: dict[str, Any] = {"results": window(skip, 10)}
        if skip + 10 < len(ITEMS):
            body["__next"] = str(request.url.replace_query_params(skip=skip + 10))
        return {"d": body}

    @app.get("/nextlink")
    async def nextlink(skip: int = 0) -> dict[str, Any]:
        body: dict[str, Any] = {"value": window(skip, 10)}
        if skip + 10 < len(ITEMS):
            body["@odata.nextLink"] = f"nextlink?skip={skip + 10}"
        return body

    @app.get("/changed")
    async def changed(since: str = "") -> dict[str, Any]:
        return {"results": [i for i in ITEMS if i["changed"] >= since]}

    return app


def connector(app: FastAPI, data: dict[str, Any], **credentials: str) -> RestConnector:
    class Described(RestConnector):
        description = validate_description({"name": "items", **data})

    config = ConnectionConfig(kind="rest", base_url="http://api.test", credentials=credentials)
    return Described(config, transport=httpx.ASGITransport(app=app), governor=None)


async def read_all(rest: RestConnector) -> tuple[list[int], int]:
    ids, calls, cursor = [], 0, None
    while True:
        page = await rest.list("items", cursor=cursor)
        ids += [r["id"] for r in page.records]
        calls += 1
        cursor = page.cursor
        if not page.has_more:
            return ids, calls


STYLES = {
    "limit_offset": {
        "records": "results",
        "list": {"path": "/offset"},
        "paging": {"style": "limit_offset", "size": 10},
    },
    "page_number": {
        "list": {"path": "/pages"},
        "paging": {"style": "page_number", "size_param": "size", "size": 10},
    },
    "cursor": {
        "records": "items",
        "list": {"path": "/cursor"},
        "paging": {"style": "cursor", "cursor_path": "meta.next", "cursor_param": "after"},
    },
    "link_header": {
        "records": "data",
        "list": {"path": "/linked"},
        "paging": {"style": "link_header"},
    },
    "odata": {"records": "d.results", "list": {"path": "/odata"}, "paging": {"style": "odata"}},
    "next_link": {
        "records": "value",
        "list": {"path": "/nextlink"},
        "paging": {"style": "next_link", "next_path": "@odata.nextLink"},
    },
}


@pytest.mark.parametrize("style", sorted(STYLES))
async def test_each_paging_style_reads_every_item_once(style: str) -> None:
    rest = connector(items_api(), {"objects": {"items": STYLES[style]}})
    ids, calls = await read_all(rest)
    assert ids == list(range(1, 24))
    assert calls == 3


async def test_incremental_cursor_sends_the_newest_value_seen() -> None:
    app = items_api()
    obj = {
        "records": "results",
        "list": {"path": "/changed"},
        "incremental": {"field": "changed", "param": "since"},
    }
    rest = connector(app, {"objects": {"items": obj}})
    first = await rest.list("items")
    again = await rest.list("items", cursor=first.cursor)
    assert len(first.records) == 23
    assert app.state.seen[-1][1] == {"since": "2024-01-23"}
    assert [r["id"] for r in again.records] == [23]


ONE_OBJECT = {"objects": {"items": {"records": "results", "list": {"path": "/changed"}}}}


async def test_api_key_in_the_query() -> None:
    app = items_api()
    auth = {"type": "api_key", "name": "key", "value": "${token}", "location": "query"}
    await connector(app, {**ONE_OBJECT, "auth": auth}, token="s3cret").list("items")
    assert app.state.seen[-1][1] == {"key": "s3cret"}


async def test_basic_auth_and_extra_headers() -> None:
    app = items_api()
    data = {
        **ONE_OBJECT,
        "auth": {"type": "basic", "username": "${user}", "password": "${password}"},
        "headers": {"X-Tenant": "${tenant}"},
    }
    rest = connector(app, data, user="anna", password="pw", tenant="t1")
    await rest.list("items")
    headers = app.state.seen[-1][2]
    assert headers["authorization"] == "Basic " + "YW5uYTpwdw=="
    assert headers["x-tenant"] == "t1"


def test_missing_credential_names_it_and_where_it_is_used() -> None:
    data = {**ONE_OBJECT, "auth": {"type": "bearer", "token": "${api_key}"}}
    with pytest.raises(AuthError, match="credential 'api_key' is missing .*auth.token"):
        connector(items_api(), data)


def test_description_errors_name_the_field_path_and_the_fix() -> None:
    data = {
        "name": "broken",
        "objects": {
            "items": {
                "records": "data[",
                "get": {"path": "/items"},
                "list": {"path": "/items", "methd": "GET"},
            }
        },
        "paging": {"style": "cursor"},
    }
    with pytest.raises(DescriptionError) as caught:
        validate_description(data, "broken.yaml")
    text = str(caught.value)
    assert "broken.yaml: paging: paging style 'cursor' needs cursor_path" in text
    assert "objects.items.list.methd: Extra inputs are not permitted (unknown field" in text
    assert "objects.items.records: 'data[' is not a valid JMESPath expression" in text


def test_get_path_without_id_placeholder_is_refused() -> None:
    data = {"name": "x", "objects": {"items": {"get": {"path": "/items"}}}}
    with pytest.raises(DescriptionError, match=r"get.path must contain \{id\}"):
        validate_description(data)


def test_unknown_auth_type_lists_the_choices() -> None:
    data = {"name": "x", "auth": {"type": "magic"}, **ONE_OBJECT}
    with pytest.raises(DescriptionError, match="auth: .*'bearer'.*'oauth2_client_credentials'"):
        validate_description(data)


def test_toml_descriptions_load_like_yaml(tmp_path: Path) -> None:
    file = tmp_path / "items.toml"
    file.write_text(
        'name = "items"\n'
        '[auth]\ntype = "bearer"\ntoken = "${api_key}"\n'
        '[objects.items]\nrecords = "results"\n'
        '[objects.items.list]\npath = "/changed"\n',
        encoding="utf-8",
    )
    description = load_description(file)
    assert description.objects["items"].list is not None
    assert description.auth.type == "bearer"


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text("name: x\nobjects:\n  items: [\n", encoding="utf-8")
    with pytest.raises(DescriptionError, match="not valid YAML at line"):
        load_description(file)


def test_shipped_shop_description_is_valid() -> None:
    from mapwright.connectors.shop import DESCRIPTION_FILE

    description = load_description(DESCRIPTION_FILE)
    assert set(description.objects) == {"categories", "products", "stock", "shipments"}


async def test_description_from_the_connection_options_declares_its_objects(
    tmp_path: Path,
) -> None:
    file = tmp_path / "items.yaml"
    file.write_text(
        "name: items\nquotas: [{name: minute, limit: 100, per_seconds: 60}]\n"
        "objects:\n  items: {records: results, list: {path: /changed}}\n",
        encoding="utf-8",
    )
    config = ConnectionConfig(
        kind="rest", base_url="http://api.test", options={"description": str(file)}
    )
    rest = RestConnector(config, transport=httpx.ASGITransport(app=items_api()), governor=None)
    assert rest.objects["items"].supports("list")
    assert [q.name for q in rest.quotas] == ["minute"]
    assert RestConnector.objects == {}
    assert len((await rest.list("items")).records) == 23


def test_a_described_subclass_declares_objects_and_quotas_on_the_class() -> None:
    from mapwright.connectors.shop import ShopConnector

    assert ShopConnector.objects["products"].find_keys == ("sku", "id")
    assert [q.limit for q in ShopConnector.quotas] == [600]


def test_rest_connection_without_a_description_says_what_to_set() -> None:
    with pytest.raises(FatalError, match="options.description"):
        RestConnector(ConnectionConfig(kind="rest", base_url="http://api.test"))
