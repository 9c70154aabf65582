"""The declarative REST description: its schema (pydantic) and loading from YAML or TOML.

A description says where the API is, how to authenticate, which objects it has and, per
object, the endpoints, paging, where records sit in a response (a JMESPath), the id field,
the incremental cursor and the bulk lookup filters. ``docs/connectors/rest.md`` documents
every field; ``connectors/shop/shop.yaml`` is a complete example.

Values of the form ``${name}`` in ``auth`` and ``headers`` are taken from the connection's
credentials when the connector is built, so a description holds no secrets.

Loading errors name the field path and the fix, e.g.
``shop.yaml: objects.products.get.path: must contain {id} (e.g. /products/{id})``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import jmespath
import jmespath.exceptions
import yaml
from mapwright.connectors.errors import FatalError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
PagingStyle = Literal[
    "none", "limit_offset", "page_number", "cursor", "link_header", "odata", "next_link"
]
ErrorClass = Literal["fatal", "retriable", "skippable"]


class DescriptionError(FatalError):
    """A REST description is invalid; ``problems`` lists ``field path: what to fix``."""

    def __init__(self, source: str, problems: list[str]):
        super().__init__(f"{source}: " + f"\n{source}: ".join(problems), code="bad_description")
        self.source = source
        self.problems = problems


def _jmespath(value: str | None) -> str | None:
    if value is not None:
        try:
            jmespath.compile(value)
        except jmespath.exceptions.JMESPathError as exc:
            raise ValueError(f"{value!r} is not a valid JMESPath expression ({exc})") from None
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Endpoint(Strict):
    """One call: ``path`` may hold ``{id}`` and ``{field}`` placeholders (filled from the id
    and the record); ``record`` is the JMESPath of the record in the answer; ``body_key``
    wraps the request body (``{"product": {...}}``)."""

    method: Method = "GET"
    path: str = Field(min_length=1)
    record: str = "@"
    body_key: str | None = None
    idempotent: bool = False
    params: dict[str, str] = Field(default_factory=dict)

    @field_validator("record")
    @classmethod
    def _record_path(cls, value: str) -> str | None:
        return _jmespath(value)


class Paging(Strict):
    """How lists page: ``style`` plus the parameter names it uses."""

    style: PagingStyle = "none"
    size: int = Field(default=100, ge=1, le=10_000)
    limit_param: str = "limit"
    offset_param: str = "offset"
    page_param: str = "page"
    size_param: str = "per_page"
    start: int = 1
    cursor_path: str | None = None
    cursor_param: str = "cursor"
    next_path: str | None = None

    @model_validator(mode="after")
    def _cursor_needs_path(self) -> Paging:
        if self.style == "cursor" and not self.cursor_path:
            raise ValueError("paging style 'cursor' needs cursor_path (e.g. meta.next_cursor)")
        if self.style == "next_link" and not self.next_path:
            raise ValueError("paging style 'next_link' needs next_path (e.g. links.next)")
        return self


class Incremental(Strict):
    """Incremental lists: ``field`` holds the change time, ``param`` asks for 'since'."""

    field: str
    param: str


class FindKey(Strict):
    """A list filter usable to look records up by a key; ``separator`` enables bulk."""

    param: str
    separator: str | None = None
    max_values: int = Field(default=50, ge=1)


class ObjectDescription(Strict):
    id: str = "id"
    records: str = "@"
    list: Endpoint | None = None
    get: Endpoint | None = None
    create: Endpoint | None = None
    update: Endpoint | None = None
    paging: Paging | None = None
    incremental: Incremental | None = None
    find: dict[str, FindKey] = Field(default_factory=dict)
    required: tuple[str, ...] = ()
    description: str = ""

    @field_validator("records")
    @classmethod
    def _records_path(cls, value: str) -> str | None:
        return _jmespath(value)

    @model_validator(mode="after")
    def _check(self) -> ObjectDescription:
        for name in ("get", "update"):
            endpoint: Endpoint | None = getattr(self, name)
            if endpoint is not None and "{id}" not in endpoint.path:
                raise ValueError(f"{name}.path must contain {{id}} (e.g. /things/{{id}})")
        if self.find and self.list is None:
            raise ValueError("find filters need a list endpoint to call")
        if self.incremental and self.list is None:
            raise ValueError("incremental needs a list endpoint")
        return self


class NoAuth(Strict):
    type: Literal["none"] = "none"


class BearerAuth(Strict):
    type: Literal["bearer"]
    token: str


class BasicAuth(Strict):
    type: Literal["basic"]
    username: str
    password: str


class ApiKeyAuth(Strict):
    type: Literal["api_key"]
    name: str
    value: str
    location: Literal["header", "query"] = "header"


class OAuth2ClientCredentials(Strict):
    type: Literal["oauth2_client_credentials"]
    token_url: str
    client_id: str
    client_secret: str
    scope: str | None = None
    client_auth: Literal["body", "basic"] = "body"


Auth = Annotated[
    NoAuth | BearerAuth | BasicAuth | ApiKeyAuth | OAuth2ClientCredentials,
    Field(discriminator="type"),
]


class QuotaDescription(Strict):
    name: str
    limit: int = Field(ge=1)
    per_seconds: float = Field(gt=0)
    scope: str = "connection"
    note: str = ""


class RateHeaderDescription(Strict):
    quota: str
    remaining: str
    reset: str | None = None
    reset_unit: Literal["epoch_ms", "epoch_s", "seconds"] = "epoch_s"


class ErrorShape(Strict):
    """Where the API puts its error code/message/field (JMESPaths into the error body), and
    status overrides (``{409: skippable}``)."""

    code: str | None = None
    message: str | None = None
    field: str | None = None
    statuses: dict[int, ErrorClass] = Field(default_factory=dict)

    @field_validator("code", "message", "field")
    @classmethod
    def _paths(cls, value: str | None) -> str | None:
        return _jmespath(value)


class Description(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str = ""
    base_url: str | None = None
    auth: Auth = NoAuth()
    headers: dict[str, str] = Field(default_factory=dict)
    paging: Paging = Paging()
    quotas: tuple[QuotaDescription, ...] = ()
    rate_headers: tuple[RateHeaderDescription, ...] = ()
    errors: ErrorShape = ErrorShape()
    objects: dict[str, ObjectDescription] = Field(min_length=1)

    @model_validator(mode="after")
    def _rate_headers_name_quotas(self) -> Description:
        names = {q.name for q in self.quotas}
        for header in self.rate_headers:
            if header.quota not in names:
                raise ValueError(
                    f"rate_headers names quota {header.quota!r}, which is not in quotas "
                    f"({', '.join(sorted(names)) or 'none declared'})"
                )
        return self


_HINTS = {
    "missing": "add it",
    "extra_forbidden": "unknown field; remove it or check its spelling",
}


def validate_description(data: Any, source: str = "description") -> Description:
    """A ``Description`` from parsed data, or ``DescriptionError`` listing every problem."""
    try:
        return Description.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "(top level)"
            message = error["msg"].removeprefix("Value error, ")
            hint = _HINTS.get(error["type"])
            problems.append(f"{where}: {message}" + (f" ({hint})" if hint else ""))
        raise DescriptionError(source, problems) from None


def load_description(path: str | Path) -> Description:
    """Load a description from a ``.yaml``/``.yml`` or ``.toml`` file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DescriptionError(str(file), [f"cannot read the file ({exc.strerror})"]) from None
    suffix = file.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        elif suffix == ".toml":
            data = tomllib.loads(text)
        else:
            raise DescriptionError(str(file), ["use a .yaml, .yml or .toml file"])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "somewhere"
        raise DescriptionError(str(file), [f"not valid YAML at {where}: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise DescriptionError(str(file), [f"not valid TOML: {exc}"]) from None
    if not isinstance(data, dict):
        raise DescriptionError(str(file), ["the top level must be a mapping (name, objects...)"])
    return validate_description(data, file.name)
