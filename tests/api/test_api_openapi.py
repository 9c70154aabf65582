"""The live OpenAPI document fuzzed in-process with schemathesis: stateless (every operation)
and stateful (links between operations). Deterministic: derandomized, bounded examples.

Why this module once passed and then did not exit: script jobs ran in threads
(``asyncio.to_thread``) and a thread cannot be stopped. A generated script that ran long kept
its thread busy after the request had answered 422, and the interpreter joins those threads
at exit. Script jobs now run in worker processes that are killed at the time limit (kept
short here) and at the end of the module, so nothing outlives the tests."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from mapwright.api.app import create_app
from mapwright.api.services import create_tenant
from mapwright.api.settings import ApiSettings
from mapwright.api.vault import Vault

DATA = Path(tempfile.mkdtemp(prefix="mapwright-openapi-"))
APP = create_app(ApiSettings(data_dir=DATA, secret_key=Vault.new_key(), script_timeout=2))
AUTH = {"Authorization": f"Bearer {create_tenant(APP.state.services, 'fuzz')}"}
APP.state.services.store.save_flow(
    "fuzz", "orders", "flow orders\nsetting n: number = 1\nName <- name\n", enabled=False
)
#: 413 (body above the size limit) is a rejection too. A schema-valid body may still be a
#: mistake the schema cannot express (a script that does not compile, settings that do not
#: fit the script): those answers are documented 422s, so "positive data accepted" is off.
CONFIG = schemathesis.Config.from_str(
    """
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]

[checks.positive_data_acceptance]
enabled = false
"""
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)
FUZZ = settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module", autouse=True)
def stop_script_workers() -> Iterator[None]:
    yield
    APP.state.services.scripts.close()


@schema.parametrize()
@FUZZ
def test_every_operation_keeps_its_contract(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=AUTH)


class Workflow(schema.as_state_machine()):  # type: ignore[misc]
    """Sequences of calls along the document's links, every call with the tenant's key."""

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
        return {"headers": AUTH}


TestStatefulWorkflow = Workflow.TestCase
TestStatefulWorkflow.settings = settings(
    max_examples=10,
    stateful_step_count=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_the_documented_limits_are_the_enforced_ones() -> None:
    from starlette.testclient import TestClient

    document = APP.openapi()["components"]["schemas"]
    assert document["RecordsIn"]["properties"]["records"]["maxItems"] == 200
    assert document["ConnectionIn"]["properties"]["kind"]["enum"] == [
        "buchhaltungsbutler",
        "exact_online",
        "files",
        "rest",
        "shop",
    ]
    with TestClient(APP) as client:
        at_limit = {"script": "A <- 1\n", "records": [{}] * 200}
        answer = client.post("/api/v1/scripts/preview", json=at_limit, headers=AUTH)
        assert answer.status_code == 200, answer.text
        over = client.post(
            "/api/v1/scripts/preview", json={**at_limit, "records": [{}] * 201}, headers=AUTH
        )
        assert over.status_code == 422
        typo = client.post(
            "/api/v1/connections", json={"name": "x", "kind": "exact_onlin"}, headers=AUTH
        )
        assert typo.status_code == 422
        assert typo.json()["errors"][0]["loc"] == "body.kind"


def test_an_integer_written_with_a_fraction_is_an_integer() -> None:
    from starlette.testclient import TestClient

    with TestClient(APP) as client:
        whole = client.put("/api/v1/privacy", json={"payload_ttl_days": 14.0}, headers=AUTH)
        assert whole.status_code == 200, whole.text
        assert whole.json()["payload_ttl_days"] == 14
        for wrong in (14.5, "14"):
            refused = client.put("/api/v1/privacy", json={"payload_ttl_days": wrong}, headers=AUTH)
            assert refused.status_code == 422, wrong
        replay = client.post("/api/v1/parked/replay", json={"ids": [1e3]}, headers=AUTH)
        assert replay.status_code == 404, replay.text  # a valid id that does not exist
