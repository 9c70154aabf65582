"""Records between mapwright and Exact: checks before sending, wire formats both ways.

Outgoing records are checked against the reference before any call (unknown field names are a
``FatalError``; missing required fields and too-long values a ``SkippableError``), because every
refusal by Exact costs error budget. Dates and decimals are converted to the wire format and
``Account.Code`` is padded to 18 characters. Incoming records lose ``__metadata``/``__deferred``
and get ISO 8601 UTC strings for ``Edm.DateTime`` values.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from mapwright.connectors.errors import FatalError, SkippableError
from mapwright.connectors.exact_online import odata
from mapwright.connectors.exact_online.fields import FIELDS
from mapwright.connectors.exact_online.objects import ExactObject

LINE_ENDPOINTS = {
    "SalesOrderLines": "salesorder/SalesOrderLines",
    "SalesInvoiceLines": "salesinvoice/SalesInvoiceLines",
    "SalesEntryLines": "salesentry/SalesEntryLines",
    "GoodsDeliveryLines": "salesorder/GoodsDeliveryLines",
}


def from_exact(spec_endpoint: str, record: dict[str, Any]) -> dict[str, Any]:
    """A record as Exact sent it, without OData plumbing, dates as ISO 8601 UTC strings."""
    fields = FIELDS.get(spec_endpoint, {})
    out = odata.clean(record)
    for name, value in out.items():
        field = fields.get(name)
        if field is not None and field.edm == "DateTime" and isinstance(value, str):
            moment = odata.parse_date(value)
            out[name] = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if moment else None
        elif isinstance(value, list) and name in LINE_ENDPOINTS:
            out[name] = [from_exact(LINE_ENDPOINTS[name], v) for v in value]
    return out


def to_exact(spec: ExactObject, record: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Check a record against the reference before sending (every refusal by Exact
    costs error budget) and convert dates and decimals to the wire format."""
    body = _wire(spec.endpoint, record, spec.lines)
    if creating:
        missing = [f for f in spec.required if _blank(body.get(f))]
        missing += [
            " or ".join(group) for group in spec.one_of if all(_blank(body.get(f)) for f in group)
        ]
        for n, line in enumerate(body.get(spec.lines) or [] if spec.lines else []):
            missing += [f"{spec.lines}[{n}].{f}" for f in spec.line_required if _blank(line.get(f))]
        if missing:
            raise SkippableError(
                f"Exact requires {', '.join(missing)} to create {spec.name}; map a value for each",
                code="missing_required",
                endpoint=spec.endpoint,
            )
    for name, limit in spec.max_lengths.items():
        value = body.get(name)
        if isinstance(value, str) and len(value.strip() if name == "Code" else value) > limit:
            raise SkippableError(
                f"{spec.name}.{name} is {len(value)} characters; Exact allows {limit}",
                code="too_long",
                endpoint=spec.endpoint,
            )
    if spec.name == "accounts" and not _blank(body.get("Code")):
        body["Code"] = odata.pad_account_code(body["Code"])
    return body


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _wire(endpoint: str, record: dict[str, Any], lines: str | None) -> dict[str, Any]:
    fields = FIELDS[endpoint]
    unknown = [name for name in record if name not in fields]
    if unknown:
        raise FatalError(
            f"Exact endpoint {endpoint} has no field(s) {', '.join(sorted(unknown))}; check the "
            "mapping against docs/connectors/exact-online.md (field names are case-sensitive)",
            code="unknown_field",
            endpoint=endpoint,
        )
    body: dict[str, Any] = {}
    for name, value in record.items():
        if lines and name == lines:
            if not isinstance(value, list):
                raise SkippableError(f"{endpoint}.{name} must be a list of lines")
            body[name] = [_wire(LINE_ENDPOINTS[name], dict(v), None) for v in value]
        elif isinstance(value, datetime | date):
            body[name] = odata.format_date(value)
        elif isinstance(value, Decimal):
            body[name] = float(value)
        else:
            body[name] = value
    return body
