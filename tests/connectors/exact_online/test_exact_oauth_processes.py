"""The refresh race across processes: 4 processes x 5 callers on one token file."""

from __future__ import annotations

import asyncio
import multiprocessing
import time

from mapwright.connectors.exact_online.auth import FileTokenStore, TokenSet
from mapwright.connectors.exact_online.sandbox import create_app, describe
from mapwright.connectors.exact_online.testing import race_worker, serve
from mapwright.connectors.sandbox import FaultOptions, SandboxOptions


def test_four_processes_share_one_refresh(tmp_path) -> None:
    app = create_app(SandboxOptions(seed=9, records=4, faults=FaultOptions(latency_ms=20)))
    sandbox = app.state.sandbox
    token_file = str(tmp_path / "exact.json")
    with serve(app) as base_url:
        info = describe(app, base_url)
        now = time.time()
        expired = TokenSet("at-expired", info["refresh_token"], now - 700, now - 100, base_url)
        asyncio.run(FileTokenStore(token_file).save(expired))
        args = (base_url, info["client_id"], info["client_secret"], token_file, 5)
        with multiprocessing.get_context("spawn").Pool(4) as pool:
            done = pool.starmap(race_worker, [args] * 4)
    assert done == [5, 5, 5, 5]
    refreshes = [c for c in sandbox.auth.token_calls if c["grant_type"] == "refresh_token"]
    assert len(refreshes) == 1 and refreshes[0]["status"] == 200
    stored = asyncio.run(FileTokenStore(token_file).load())
    assert stored is not None and stored.refresh_token == sandbox.grant.current
