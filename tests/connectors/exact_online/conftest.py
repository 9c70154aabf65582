"""Fixtures for the Exact Online tests (helpers live in ``exact_online/testing.py``).

The contract suite also runs against the real API when these variables are set (opt-in):
``MAPWRIGHT_EXACT_CLIENT_ID``, ``MAPWRIGHT_EXACT_CLIENT_SECRET``, ``MAPWRIGHT_EXACT_TOKEN_FILE``
(written by ``mapwright connect exact-online``), optional ``MAPWRIGHT_EXACT_HOST`` (nl, be, …)
and ``MAPWRIGHT_EXACT_DIVISION``. It creates test records (accounts, items, orders).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from mapwright.connectors.exact_online.testing import (
    REAL_VARS,
    Target,
    make_connector,
    make_sandbox,
    real_connector,
)


@pytest.fixture(params=["sandbox", "real"])
async def target(request: pytest.FixtureRequest) -> AsyncIterator[Target]:
    if request.param == "real":
        missing = [name for name in REAL_VARS if not os.environ.get(name)]
        if missing:
            pytest.skip(
                "real Exact Online run is opt-in: set "
                + ", ".join(missing)
                + " (see docs/connectors/exact-online.md)"
            )
        connector = real_connector()
        yield Target(connector, None, None)
    else:
        app, sandbox, clock = make_sandbox(records=40)
        connector = make_connector(app, clock)
        yield Target(connector, sandbox, clock)
    await connector.aclose()
