"""Claims: one caller wins a (kind, key), on SQLite as on PostgreSQL, from many threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mapwright.engine.claims import claim
from mapwright.engine.store import Store


def _race(store: Store, key: str, contenders: int = 8) -> list[bool]:
    with ThreadPoolExecutor(contenders) as pool:
        return list(pool.map(lambda _: claim(store, "schedule", key), range(contenders)))


def test_one_of_many_claims_wins_on_sqlite(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        assert sorted(_race(store, "acme/orders@2026-01-01T00:00:00+00:00")) == [False] * 7 + [True]
        assert claim(store, "schedule", "acme/orders@2026-01-01T01:00:00+00:00")
        assert claim(store, "webhook", "acme/orders@2026-01-01T00:00:00+00:00")
    finally:
        store.close()


def test_one_of_many_claims_wins_on_postgresql(pg_url: str) -> None:
    store = Store.open(pg_url)
    try:
        assert sorted(_race(store, "north/orders@2026-01-01T00:00:00+00:00")) == [False] * 7 + [
            True
        ]
    finally:
        store.close()
