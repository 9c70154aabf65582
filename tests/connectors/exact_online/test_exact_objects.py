"""The object table names only fields the reference documents."""

from __future__ import annotations

import pytest
from mapwright.connectors.exact_online.client import ExactOnlineConnector
from mapwright.connectors.exact_online.fields import FIELDS
from mapwright.connectors.exact_online.objects import OBJECTS
from mapwright.connectors.exact_online.records import LINE_ENDPOINTS


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_every_named_field_is_in_the_reference(name: str) -> None:
    spec = OBJECTS[name]
    fields = FIELDS[spec.endpoint]
    named = {spec.key, *spec.find_keys, *spec.required, *spec.max_lengths}
    named |= {f for group in spec.one_of for f in group}
    assert named <= set(fields), named - set(fields)
    if spec.lines:
        assert set(spec.line_required) <= set(FIELDS[LINE_ENDPOINTS[spec.lines]])
    if spec.incremental == "timestamp":
        assert spec.sync_endpoint is not None
        sync = FIELDS[spec.sync_endpoint]
        assert "Timestamp" in sync and spec.key in sync
        assert set(spec.sync_select().split(",")) <= set(sync)
    if spec.incremental == "modified":
        assert "Modified" in fields


def test_the_connector_is_registered_with_its_quotas() -> None:
    from mapwright.connectors.base import CONNECTORS

    assert CONNECTORS["exact_online"] is ExactOnlineConnector
    quotas = {q.name: q for q in ExactOnlineConnector.quotas}
    assert (quotas["minutely"].limit, quotas["minutely"].per_seconds) == (60, 60)
    assert (quotas["daily"].limit, quotas["errors"].limit) == (5000, 10)
