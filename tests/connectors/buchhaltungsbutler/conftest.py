"""Fixtures for the BuchhaltungsButler tests (helpers in ``buchhaltungsbutler/testing.py``).

The contract suite (``test_bb_contract.py``) also runs against the real API when
``MAPWRIGHT_BB_API_CLIENT``, ``MAPWRIGHT_BB_API_SECRET`` and ``MAPWRIGHT_BB_API_KEY`` are set
(optional ``MAPWRIGHT_BB_BASE_URL``). Use a test tenant: the suite creates debtors (BB has no
delete for them), receipts and an invoice.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from mapwright.connectors.buchhaltungsbutler.client import BuchhaltungsButler
from mapwright.connectors.buchhaltungsbutler.testing import (
    REAL_VARS,
    Pair,
    make_pair,
    real_connector,
)


@pytest.fixture(params=["sandbox", "real"])
async def bb(request: pytest.FixtureRequest) -> AsyncIterator[BuchhaltungsButler]:
    """The connector under contract: against the sandbox, and against the real API (opt-in)."""
    if request.param == "real":
        missing = [name for name in REAL_VARS if not os.environ.get(name)]
        if missing:
            pytest.skip(
                "real BuchhaltungsButler run is opt-in: set "
                + ", ".join(missing)
                + " to a test tenant's credentials (see docs/connectors/buchhaltungsbutler.md)"
            )
        connector = real_connector()
    else:
        connector = make_pair().connector
    yield connector
    await connector.aclose()


@pytest.fixture
async def pair() -> AsyncIterator[Pair]:
    """A sandbox and a connector to it on one fake clock."""
    made = make_pair()
    yield made
    await made.connector.aclose()
