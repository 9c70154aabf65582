"""The declarative REST connector (kind ``rest``): a ``Description`` turned into a connector.

``ConnectionConfig(kind="rest", base_url=..., credentials={...},
options={"description": "path/to/api.yaml"})`` loads the description (``description`` may
also be the description itself, as a mapping); a subclass can set the class attribute
``description`` instead (the shop connector does). Every call goes
through ``send_with_retry`` (retries for reads, governor from the declared quotas).

List cursors are opaque JSON text: ``{"since": ...}`` between runs (the largest value of
the incremental field seen, sent as the ``since`` parameter next time; records changed at
that very moment are read again, which the ledger makes harmless) and ``{"next": ...}``
while a list is being paged.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
import jmespath
from mapwright.connectors.base import (
    Capability,
    ConnectionConfig,
    Connector,
    ObjectSpec,
    Page,
    Quota,
    register,
)
from mapwright.connectors.errors import (
    ConnectorError,
    FatalError,
    RetriableError,
    SkippableError,
    UnsupportedObject,
)
from mapwright.connectors.http import (
    Sleep,
    body_summary,
    classify_status,
    clean_text,
    make_client,
    send_with_retry,
)
from mapwright.connectors.paging import (
    BodyNextLink,
    CursorField,
    LimitOffset,
    LinkHeader,
    NextPage,
    ODataNextLink,
    PageNumber,
    Paginator,
)
from mapwright.connectors.quota import RateGovernor, RateHeader, shared_governor
from mapwright.connectors.rest.auth import build_auth, fill
from mapwright.connectors.rest.description import (
    Description,
    Endpoint,
    ObjectDescription,
    Paging,
    load_description,
    validate_description,
)

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SHARED = object()


def paginator_for(paging: Paging, size: int | None = None) -> Paginator | None:
    """The paginator of a paging description (``None`` for ``style: none``)."""
    page_size = size or paging.size
    if paging.style == "limit_offset":
        return LimitOffset(
            page_size, limit_name=paging.limit_param, offset_name=paging.offset_param
        )
    if paging.style == "page_number":
        return PageNumber(
            page_size, page_name=paging.page_param, size_name=paging.size_param, start=paging.start
        )
    if paging.style == "cursor":
        return CursorField(paging.cursor_path or "", paging.cursor_param)
    if paging.style == "link_header":
        return LinkHeader()
    if paging.style == "odata":
        return ODataNextLink()
    if paging.style == "next_link":
        return BodyNextLink(paging.next_path or "")
    return None


def first_params(paginator: Paginator | None) -> dict[str, Any]:
    return paginator.first() if isinstance(paginator, LimitOffset | PageNumber) else {}


def object_spec(name: str, obj: ObjectDescription) -> ObjectSpec:
    """The ``ObjectSpec`` (capabilities, keys) an object description amounts to."""
    caps: set[Capability] = set()
    for capability in ("list", "get", "create", "update"):
        if getattr(obj, capability) is not None:
            caps.add(capability)
    if obj.incremental:
        caps.add("incremental")
    if obj.create:
        caps.add("batch_create")
    find_keys = tuple(obj.find) + ((obj.id,) if obj.get and obj.id not in obj.find else ())
    if find_keys:
        caps.add("find")
    return ObjectSpec(
        name=name,
        key=obj.id,
        capabilities=frozenset(caps),
        find_keys=find_keys,
        cursor_field=obj.incremental.field if obj.incremental else None,
        required=obj.required,
        description=obj.description,
    )


def catalogue(description: Description) -> dict[str, ObjectSpec]:
    """Every object of ``description`` as an ``ObjectSpec``."""
    return {name: object_spec(name, o) for name, o in description.objects.items()}


@register
class RestConnector(Connector):
    """A connector built from a declarative description (see the module docstring)."""

    kind: ClassVar[str] = "rest"
    title: ClassVar[str] = "REST API"
    objects: ClassVar[dict[str, ObjectSpec]] = {}
    description: ClassVar[Description | None] = None

    def __init__(
        self,
        config: ConnectionConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        governor: Any = _SHARED,
        sleep: Sleep = asyncio.sleep,
    ):
        super().__init__(config, transport=transport)
        self.spec = self.description or self._load(config)
        self.name = self.spec.title or self.spec.name
        base_url = config.base_url or self.spec.base_url
        if not base_url:
            raise FatalError(
                f"{self.name}: no base URL; set base_url on the connection or in the description"
            )
        headers = {
            key: fill(value, config.credentials, f"headers.{key}")
            for key, value in self.spec.headers.items()
        }
        self.client = make_client(
            base_url,
            transport,
            headers=headers,
            auth=build_auth(self.spec.auth, config.credentials, base_url),
        )
        quotas = tuple(Quota(**q.model_dump()) for q in self.spec.quotas)
        rate_headers = [RateHeader(**h.model_dump()) for h in self.spec.rate_headers]
        if governor is _SHARED:
            governor = (
                shared_governor(f"rest:{self.spec.name}", quotas, headers=rate_headers)
                if quotas
                else None
            )
        self.governor: RateGovernor | None = governor
        self.quota_key = config.name or base_url
        self.sleep = sleep
        self.specs = catalogue(self.spec)
        if self.description is None:
            # a description from the options: expose its objects where callers look for them
            setattr(self, "objects", self.specs)  # noqa: B010
            setattr(self, "quotas", quotas)  # noqa: B010

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass with a built-in ``description`` declares its objects and quotas."""
        super().__init_subclass__(**kwargs)
        if cls.description is not None:
            cls.objects = catalogue(cls.description)
            cls.quotas = tuple(Quota(**q.model_dump()) for q in cls.description.quotas)

    @staticmethod
    def _load(config: ConnectionConfig) -> Description:
        given = config.options.get("description")
        if isinstance(given, Description):
            return given
        if isinstance(given, dict):
            return validate_description(given, "options.description")
        if not given:
            raise FatalError(
                "rest connection has no description: set options.description to a .yaml or "
                ".toml file describing the API, or to the description itself "
                "(see docs/connectors/rest.md)"
            )
        return load_description(given)

    def object(self, name: str) -> ObjectSpec:
        spec = self.specs.get(name)
        if spec is None:
            known = ", ".join(sorted(self.specs))
            raise UnsupportedObject(f"{self.name} has no object '{name}'; it has: {known}")
        return spec

    # -- HTTP ------------------------------------------------------------------------------
    def classify(self, response: httpx.Response) -> ConnectorError | None:
        """Status classes from the description's ``errors``, messages from its paths."""
        status = response.status_code
        if status < 400:
            return None
        shape = self.spec.errors
        default = classify_status(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        code = _text(jmespath.search(shape.code, body)) if shape.code and body else None
        message = _text(jmespath.search(shape.message, body)) if shape.message and body else None
        field = _text(jmespath.search(shape.field, body)) if shape.field and body else None
        text = message or (default.message if default else response.reason_phrase)
        if field:
            text = f"{field}: {text}"
        endpoint = f"{response.request.method} {response.request.url.path}"
        kind = shape.statuses.get(status)
        if kind == "fatal":
            return FatalError(text, status=status, code=code, endpoint=endpoint)
        if kind == "skippable":
            return SkippableError(text, status=status, code=code, endpoint=endpoint)
        if kind == "retriable" or isinstance(default, RetriableError):
            retry_after = default.retry_after if isinstance(default, RetriableError) else None
            return RetriableError(
                text, status=status, code=code, endpoint=endpoint, retry_after=retry_after
            )
        assert default is not None
        return type(default)(text, status=status, code=code, endpoint=endpoint)

    async def call(
        self,
        endpoint: Endpoint,
        *,
        path: str | None = None,
        url: str | None = None,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> httpx.Response:
        """Send one described call through retry, classification and the governor."""
        target = url or path or endpoint.path
        query = None if url else {**endpoint.params, **(params or {})}

        def build() -> httpx.Request:
            return self.client.build_request(
                endpoint.method, target, params=query, json=_json_ready(body)
            )

        return await send_with_retry(
            self.client,
            build,
            self.classify,
            governor=self.governor,
            quota_key=self.quota_key,
            idempotent=True if endpoint.method == "GET" else endpoint.idempotent,
            sleep=self.sleep,
        )

    def _path(self, endpoint: Endpoint, id: Any, record: dict[str, Any] | None) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            value = id if name == "id" else (record or {}).get(name)
            if value is None:
                raise SkippableError(
                    f"{endpoint.method} {endpoint.path} needs '{name}' but the record has none"
                )
            return quote(str(value), safe="")

        return PLACEHOLDER.sub(replace, endpoint.path)

    def _describe(self, name: str) -> ObjectDescription:
        self.object(name)
        return self.spec.objects[name]

    # -- hook methods ----------------------------------------------------------------------
    async def list(
        self,
        object: str,
        *,
        cursor: str | None = None,
        page_size: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> Page:
        """One page; ``filters`` become query parameters (equality filters of the API)."""
        self.require(object, "list")
        obj = self._describe(object)
        assert obj.list is not None
        state = _decode_cursor(cursor)
        paginator = paginator_for(obj.paging or self.spec.paging, page_size)
        since = state.get("since")
        following = state.get("next")
        if following:
            current = NextPage(url=following.get("url"), params=following.get("params"))
        else:
            params = {**first_params(paginator), **(filters or {})}
            if obj.incremental and since:
                params[obj.incremental.param] = since
            current = NextPage(params=params)
        response = await self.call(obj.list, url=current.url, params=current.params)
        records = _records(response, obj.records, f"{object} list")
        newest = state.get("max") or since
        if obj.incremental:
            for record in records:
                value = record.get(obj.incremental.field)
                if value is not None and (newest is None or str(value) > str(newest)):
                    newest = str(value)
        upcoming = paginator.next_page(response, records, current) if paginator else None
        if upcoming is not None and (upcoming.url or upcoming.params):
            state = {"since": since, "max": newest, "next": {"url": upcoming.url}}
            if not upcoming.url:
                state["next"] = {"params": upcoming.params}
            return Page(records, json.dumps(state), has_more=True)
        done = json.dumps({"since": newest}) if obj.incremental and newest else None
        return Page(records, done, has_more=False)

    async def get(self, object: str, id: Any) -> dict[str, Any] | None:
        self.require(object, "get")
        obj = self._describe(object)
        assert obj.get is not None
        try:
            response = await self.call(obj.get, path=self._path(obj.get, id, None))
        except SkippableError as exc:
            if exc.status == 404:
                return None
            raise
        return _record(response, obj.get.record, f"{object} get")

    async def find(
        self, object: str, key: str, values: Sequence[Any]
    ) -> dict[Any, builtins.list[dict[str, Any]]]:
        """Bulk lookup through the key's list filter, ``max_values`` per call."""
        spec = self.require(object, "find")
        obj = self._describe(object)
        wanted = {str(v): v for v in values if v is not None}
        found: dict[Any, builtins.list[dict[str, Any]]] = {}
        rule = obj.find.get(key)
        if rule is None:
            if key != spec.key or obj.get is None:
                raise UnsupportedObject(
                    f"{self.name} cannot look '{object}' up by '{key}'; "
                    f"it can by: {', '.join(spec.find_keys)}"
                )
            for value in wanted.values():
                record = await self.get(object, value)
                if record is not None:
                    found[value] = [record]
            return found
        texts = builtins.list(wanted)
        chunk = rule.max_values if rule.separator else 1
        for start in range(0, len(texts), chunk):
            part = texts[start : start + chunk]
            joined = (rule.separator or "").join(part)
            cursor: str | None = None
            while True:
                page = await self.list(object, cursor=cursor, filters={rule.param: joined})
                for record in page.records:
                    match = wanted.get(str(record.get(key)))
                    if match is not None:
                        found.setdefault(match, []).append(record)
                if not page.has_more:
                    break
                cursor = page.cursor
        return found

    async def create(self, object: str, record: dict[str, Any]) -> dict[str, Any]:
        self.require(object, "create")
        obj = self._describe(object)
        assert obj.create is not None
        missing = [name for name in obj.required if record.get(name) in (None, "")]
        if missing:
            raise SkippableError(
                f"{object} needs {', '.join(missing)} on create; map them in the script",
                code="missing_fields",
            )
        body = {obj.create.body_key: record} if obj.create.body_key else record
        response = await self.call(obj.create, path=self._path(obj.create, None, record), body=body)
        return _record(response, obj.create.record, f"{object} create") or dict(record)

    async def update(self, object: str, id: Any, record: dict[str, Any]) -> dict[str, Any]:
        self.require(object, "update")
        obj = self._describe(object)
        assert obj.update is not None
        body = {obj.update.body_key: record} if obj.update.body_key else record
        response = await self.call(obj.update, path=self._path(obj.update, id, record), body=body)
        return _record(response, obj.update.record, f"{object} update") or dict(record)

    async def aclose(self) -> None:
        await self.client.aclose()


def _text(value: Any) -> str | None:
    return None if value is None else clean_text(str(value))


def _decode_cursor(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        state = json.loads(cursor)
    except ValueError:
        state = None
    if not isinstance(state, dict):
        raise FatalError(
            f"cursor {cursor[:80]!r} was not written by the REST connector; reset the flow's cursor"
        )
    return state


def _body(response: httpx.Response, what: str) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise FatalError(
            f"{what}: the answer is not JSON ({body_summary(response)})",
            status=response.status_code,
        ) from None


def _records(response: httpx.Response, path: str, what: str) -> builtins.list[dict[str, Any]]:
    found = jmespath.search(path, _body(response, what))
    if found is None:
        return []
    if not isinstance(found, builtins.list) or not all(isinstance(r, dict) for r in found):
        raise FatalError(
            f"{what}: records path {path!r} does not select a list of objects; fix 'records' "
            "in the description"
        )
    return found


def _record(response: httpx.Response, path: str, what: str) -> dict[str, Any] | None:
    body = _body(response, what)
    if body is None:
        return None
    found = jmespath.search(path, body)
    if not isinstance(found, dict):
        raise FatalError(
            f"{what}: record path {path!r} does not select an object; fix 'record' in the "
            "description"
        )
    return found


def _json_ready(value: Any) -> Any:
    """Exact decimals as JSON numbers: a whole ``Decimal`` as an int, others as the float
    that prints the same digits (money has far fewer than 15 significant digits)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    return value
