"""The live OpenAPI document fuzzed in-process with schemathesis: stateless (every operation)
and stateful (links between operations). Deterministic: derandomized, bounded examples."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from mapwright.api.app import create_app
from mapwright.api.routes_tenant import create_tenant
from mapwright.api.settings import ApiSettings
from mapwright.api.vault import Vault

DATA = Path(tempfile.mkdtemp(prefix="mapwright-openapi-"))
APP = create_app(ApiSettings(data_dir=DATA, secret_key=Vault.new_key()))
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
