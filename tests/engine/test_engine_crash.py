"""A run killed mid-page (SIGKILL, no cleanup) and rerun loses and duplicates nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from engine_doubles import TableSystem
from mapwright.engine.store import Store
from test_engine_runner import ORDERS, order

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    sys.path.insert(0, {tests!r})
    from engine_doubles import TableSystem
    from mapwright.engine.connections import Connections
    from mapwright.engine.flows import Flow, FlowCatalog
    from mapwright.engine.runs import Engine
    from mapwright.engine.store import Store

    store = Store.open({url!r})
    shop, erp = TableSystem({shop!r}), TableSystem({erp!r})
    erp.create_faults["invoices"] = [None, "kill"]
    catalog = FlowCatalog(store=store, flows={{"orders": Flow("orders", {script!r})}},
                          builtin_dir=None)
    engine = Engine(store, catalog=catalog,
                    connections=Connections(instances={{"shop": shop, "erp": erp}}))
    asyncio.run(engine.run_flow("acme", "orders", page_size=3))
    print("the run was not killed")
    """
)


def test_killing_a_run_mid_page_and_rerunning_loses_and_duplicates_nothing(
    store_url: str, store: Store, shop: TableSystem, erp: TableSystem, tmp_path: Path
) -> None:
    import asyncio

    from mapwright.engine.connections import Connections
    from mapwright.engine.flows import Flow, FlowCatalog
    from mapwright.engine.runs import Engine

    erp.seed("items", [{"sku": "A"}])
    shop.seed("orders", [order(n) for n in range(1, 6)])
    child = tmp_path / "child.py"
    child.write_text(
        CHILD.format(
            tests=str(Path(__file__).parent),
            url=store_url,
            shop=shop.path,
            erp=erp.path,
            script=ORDERS,
        )
    )
    killed = subprocess.run([sys.executable, str(child)], capture_output=True, text=True)
    assert killed.returncode == -9, killed.stdout + killed.stderr
    assert [i["ref"] for i in erp.rows("invoices")] == ["N1", "N2"]
    [dead_run] = store.runs("acme", "orders")
    assert dead_run["status"] == "running"
    assert store.cursor("acme", "orders") is None

    catalog = FlowCatalog(store=store, flows={"orders": Flow("orders", ORDERS)}, builtin_dir=None)
    engine = Engine(
        store, catalog=catalog, connections=Connections(instances={"shop": shop, "erp": erp})
    )
    rerun = asyncio.run(engine.run_flow("acme", "orders", page_size=3))

    assert rerun.status == "succeeded"
    refs = sorted(i["ref"] for i in erp.rows("invoices"))
    assert refs == ["N1", "N2", "N3", "N4", "N5"]
    assert len(erp.rows("customers")) == 5
    outcomes = {r.source_id: r.outcome for r in rerun.records}
    assert outcomes == {"1": "skipped", "2": "skipped", "3": "sent", "4": "sent", "5": "sent"}
    assert store.run(dead_run["id"])["status"] == "failed"
    assert "abandoned" in (store.run(dead_run["id"])["error"] or "")
    assert store.cursor("acme", "orders") == "5"
