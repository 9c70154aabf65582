"""Benchmark: runs on ``mapwright worker`` processes over PostgreSQL.

Run: ``.venv/bin/python bench/scale.py [--runs 8] [--limit 30] [--window 130]``

Two measurements, each on a fresh database on 127.0.0.1:5432 with the Exact Online and
BuchhaltungsButler sandboxes served on 127.0.0.1 (the helpers of ``tests/scale``):

1. **Throughput, 2 workers vs 1**: every sandbox call waits 50 ms (I/O-bound, as real APIs
   are). One worker (``--concurrency`` runs at a time) is started and ready, then ``--runs``
   runs of the ``orders`` flow (one per tenant) are queued and timed until all have ended;
   the same again with two workers.
   Printed: runs per second of each and the ratio (goal >= 1.7x).
2. **Quota utilisation under a backlog**: the Exact sandbox allows ``--limit`` calls a
   minute (the connection is told the same), 20 runs are queued for two workers of ten runs
   each, and the sandbox's own count per clock minute is read for ``--window`` seconds.
   Printed: calls per complete minute against the limit (goal >= 95 %, never over) and
   the 429 answers the sandbox gave (goal 0).

Machines are shared and noisy; only ratios measured in the same run mean anything.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "scale"))

from scale_cluster import build_cluster, create_database, drop_database  # noqa: E402


def throughput(workers: int, runs: int, concurrency: int) -> float:
    """Runs per second of ``workers`` worker processes on a backlog of ``runs`` runs."""
    url = create_database()
    with tempfile.TemporaryDirectory() as tmp:
        cluster = build_cluster(Path(tmp), url, records=12, latency_ms=50)
        try:
            engine = cluster.engine()
            for _ in range(workers):
                cluster.worker(concurrency=concurrency)
            cluster.workers_ready(workers)  # their start-up is not what is measured
            started = time.monotonic()
            ids = [engine.submit(f"t{n:02d}", "orders") for n in range(runs)]

            async def all_done() -> None:
                for run_id in ids:
                    await engine.executor.wait(run_id)

            asyncio.run(all_done())
            elapsed = time.monotonic() - started
            engine.store.close()
            return runs / elapsed
        finally:
            cluster.close()
            drop_database(url)


def utilisation(limit: int, window: float) -> tuple[list[int], int]:
    """Calls the sandbox served in each complete clock minute, and its 429 answers."""
    url = create_database()
    with tempfile.TemporaryDirectory() as tmp:
        cluster = build_cluster(Path(tmp), url, records=12, bb_records=60, exact_per_minute=limit)
        try:
            engine = cluster.engine()
            for n in range(20):
                engine.submit(f"t{n:02d}", "orders", page_size=5)
            for _ in range(2):
                cluster.worker(concurrency=10)
            sandbox = cluster.exact_sandbox
            deadline = time.monotonic() + window
            first_minute = int(time.time() // 60) + 1  # the first complete clock minute
            while time.monotonic() < deadline:
                time.sleep(1)
            last_minute = int(time.time() // 60) - 1
            per_minute: dict[int, int] = {}
            for (_client, _division, minute), count in sandbox.counters.minute.items():
                per_minute[minute] = per_minute.get(minute, 0) + count
            complete = [per_minute.get(m, 0) for m in range(first_minute, last_minute + 1)]
            engine.store.close()
            return complete, sandbox.counters.served_429
        finally:
            cluster.close()
            drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=12, help="runs in the backlog (part 1)")
    parser.add_argument("--concurrency", type=int, default=1, help="runs at once per worker")
    parser.add_argument("--limit", type=int, default=30, help="Exact calls a minute (part 2)")
    parser.add_argument("--window", type=float, default=130.0, help="seconds to watch (part 2)")
    parser.add_argument("--skip-quota", action="store_true", help="only part 1")
    args = parser.parse_args()

    one = throughput(1, args.runs, args.concurrency)
    two = throughput(2, args.runs, args.concurrency)
    print(f"throughput, 50 ms per call, {args.runs} runs, {args.concurrency} per worker:")
    print(f"  1 worker : {one:.3f} runs/s")
    print(f"  2 workers: {two:.3f} runs/s")
    print(f"  ratio    : {two / one:.2f}x (goal >= 1.7x)")
    if args.skip_quota:
        return
    minutes, refused = utilisation(args.limit, args.window)
    print(f"quota utilisation, Exact limit {args.limit}/min, backlog of 20 runs, 2 workers:")
    if not minutes:
        print("  no complete clock minute inside the window: raise --window")
        return
    for count in minutes:
        print(f"  minute: {count} calls = {100 * count / args.limit:.1f} % of the limit")
    worst = min(minutes)
    print(
        f"  lowest {100 * worst / args.limit:.1f} % (goal >= 95 %), highest "
        f"{100 * max(minutes) / args.limit:.1f} % (never over 100 %); 429 answers: {refused}"
    )


if __name__ == "__main__":
    main()
