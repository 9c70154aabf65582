"""Fixtures of the scale-out tests (helpers in scale_cluster.py): a database per test on the
machine's PostgreSQL, sandboxes over real HTTP, worker and service processes."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from scale_cluster import make_cluster, pg_url  # noqa: E402

__all__ = ["make_cluster", "pg_url"]
