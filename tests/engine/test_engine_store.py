"""The store on SQLite and PostgreSQL: migrations, ledger, run lock, cursors."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from mapwright.engine import schema
from mapwright.engine.errors import RunRefused
from mapwright.engine.ledger import Ledger
from mapwright.engine.locks import RunLock
from mapwright.engine.store import Store


def test_migrations_create_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, schema.metadata) == []


def test_migrating_twice_is_harmless(store_url: str) -> None:
    first = Store.open(store_url)
    first.close()
    again = Store.open(store_url)
    assert "runs" in sa.inspect(again.engine).get_table_names()
    again.close()


def test_sqlite_store_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    with store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (c.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) > 0
    store.close()


def test_ledger_moves_from_pending_to_confirmed_and_can_be_forgotten(store: Store) -> None:
    ledger = Ledger(store, "acme", "orders")
    ledger.pending("o-1", "invoice", "erp.invoices", {"ref": "N1"}, "run-1")
    entry = ledger.get("o-1", "invoice")
    assert entry is not None and entry.state == "pending" and entry.target_id is None
    ledger.confirm("o-1", "invoice", "erp.invoices", 42, {"ref": "N1"}, "run-1")
    entries = ledger.entries(["o-1", "o-2"])
    assert entries[("o-1", "invoice")].state == "confirmed"
    assert entries[("o-1", "invoice")].target_id == "42"
    assert entries[("o-1", "invoice")].natural_key == {"ref": "N1"}
    assert Ledger(store, "other-tenant", "orders").get("o-1", "invoice") is None
    assert ledger.forget("o-1") == 1
    assert ledger.get("o-1", "invoice") is None


def test_a_held_run_lock_refuses_a_second_run(store: Store) -> None:
    lock = RunLock(store)
    lock.acquire("acme", "orders", "run-1")
    with pytest.raises(RunRefused) as refused:
        lock.acquire("acme", "orders", "run-2")
    assert refused.value.active_run == "run-1"
    assert "already running" in str(refused.value)
    lock.acquire("acme", "customers", "run-3")
    lock.acquire("other", "orders", "run-4")
    lock.release("acme", "orders", "run-1")
    lock.acquire("acme", "orders", "run-2")


def test_a_lock_whose_lease_ran_out_is_taken_over(store: Store) -> None:
    RunLock(store, lease=dt.timedelta(seconds=-1)).acquire("acme", "orders", "run-1")
    stale = RunLock(store).acquire("acme", "orders", "run-2")
    assert stale is not None and stale.run_id == "run-1"
    assert RunLock(store).holder("acme", "orders").run_id == "run-2"  # type: ignore[union-attr]


def test_a_lock_of_a_dead_process_on_this_host_is_taken_over(store: Store) -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(child.stdout)
    lock = RunLock(store)
    lock.pid = dead_pid
    lock.acquire("acme", "orders", "run-1")
    stale = RunLock(store).acquire("acme", "orders", "run-2")
    assert stale is not None and stale.pid == dead_pid


def test_refresh_fails_once_the_lock_was_taken_over(store: Store) -> None:
    RunLock(store, lease=dt.timedelta(seconds=-1)).acquire("acme", "orders", "run-1")
    RunLock(store).acquire("acme", "orders", "run-2")
    assert RunLock(store).refresh("acme", "orders", "run-1") is False
    assert RunLock(store).refresh("acme", "orders", "run-2") is True


def test_cursor_is_stored_per_tenant_and_flow(store: Store) -> None:
    assert store.cursor("acme", "orders") is None
    store.commit_cursor("acme", "orders", "17", "run-1")
    store.commit_cursor("acme", "orders", "23", "run-2")
    store.commit_cursor("other", "orders", "5", "run-3")
    assert store.cursor("acme", "orders") == "23"
    assert store.cursor("other", "orders") == "5"


def test_racing_starts_give_the_lock_to_exactly_one(store_url: str, store: Store) -> None:
    import threading

    stores = [Store.open(store_url, run_migrations=False) for _ in range(6)]
    barrier = threading.Barrier(len(stores))
    won: list[str] = []
    refused: list[str] = []

    def contend(index: int) -> None:
        barrier.wait()
        try:
            RunLock(stores[index]).acquire("acme", "orders", f"run-{index}")
            won.append(f"run-{index}")
        except RunRefused:
            refused.append(f"run-{index}")

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for other in stores:
        other.close()
    assert len(won) == 1 and len(refused) == len(stores) - 1
    assert RunLock(store).holder("acme", "orders").run_id == won[0]  # type: ignore[union-attr]


def test_a_run_reads_back_as_a_typed_record_with_its_status_enum(tmp_path: Path) -> None:
    from mapwright.engine.status import RunStatus
    from mapwright.engine.store import Store

    store = Store.open(f"sqlite:///{tmp_path / 'typed.db'}")
    store.ensure_tenant("acme")
    run_id = store.create_run("acme", "orders", trigger="manual", dry_run=False, params={})
    run = store.run(run_id)
    assert run["status"] is RunStatus.QUEUED
    assert run["created_at"].tzinfo is not None
    assert [r["id"] for r in store.runs("acme")] == [run_id]
