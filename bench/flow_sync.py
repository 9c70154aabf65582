"""Benchmark: the orders flow (BuchhaltungsButler receipts -> Exact sales invoices) end to end.

Run: ``.venv/bin/python bench/flow_sync.py`` (asks for 1,000 receipts, 3 rounds; about two
minutes on 2 cores) or ``.venv/bin/python bench/flow_sync.py --receipts 50 --repeat 1`` for a
quick smoke run. The sandbox world it runs on is built by ``bench/sandbox_world.py``.

Everything runs in this process: the three sandboxes (real FastAPI apps) behind
``httpx.ASGITransport``, the real engine and connectors, and the store: SQLite in a temporary
folder and, side by side, PostgreSQL on 127.0.0.1:5432 (a fresh database per round, dropped
after it; ``--no-postgresql`` skips it), the variants interleaved within each round.
Each sandbox transport is wrapped in a counter, so every HTTP call is counted per system and
per method + path. The sandboxes' and connectors' configured rate limits are raised (and
printed) because the benchmark measures our overhead, not the waits the limits impose.

Two ratios, measured in the same run:

* **HTTP calls per synced order / the minimum** (goal <= 1.1x). The minimum model is printed
  with the figures: reading the source and its lookup lists once, one bulk lookup per page
  per (object, key) and chunk of values, and only the writes the data needs.
* **Flow throughput / a raw loop** (goals: SQLite >= 0.5x, PostgreSQL >= 0.4x): the raw
  loop replays the writes the flow made (taken from its own operation log, ids remapped)
  through the same Exact connector and transport into a fresh, identically seeded world,
  with no lookups, ledger or store. Rates
  are the best of ``--repeat`` rounds (fresh worlds each), in wall-clock time and per CPU
  second of this process (the machines are shared; CPU time ignores other processes).

The BB sandbox seed cannot make every size (it loops once a country's unique debtor names
run out, ~350 records with seed 11): the benchmark then uses the largest size that works and
says so. Seeding and the first compile of orders.map are not timed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import math
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caches import forget_values  # noqa: E402
from sandbox_world import (  # noqa: E402
    CONNECTION_OPTIONS,
    SANDBOX_EXTRA,
    Bench,
    bb_rows,
    exact_rows,
    feasible_records,
    make_world,
)

TENANT = "acme"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
ITEMS = {"19": "SHIRT-001-S", "7": "SHIRT-001-M", "0": "SHIRT-001-L"}


def _fold(value: Any) -> str:
    return str(value).strip().casefold()


# ---- the minimum ---------------------------------------------------------------------------


@dataclasses.dataclass
class Minimum:
    """The fewest HTTP calls the run's data needs, by part (see ``minimum``)."""

    parts: dict[str, int]
    notes: list[str]

    @property
    def total(self) -> int:
        return sum(self.parts.values())


def _pages(count: int, size: int) -> int:
    """List calls to read ``count`` rows at ``size`` per page: a short page ends the list."""
    return count // size + 1


def minimum(
    before: dict[str, list[dict[str, Any]]],
    records: list[Any],
    *,
    page_size: int,
    find_chunk: int,
    debtor_page: int,
    bb_counts: dict[str, int],
) -> Minimum:
    """The minimum model: fixed reads per run, bulk lookups per page, writes the data needs.

    ``before`` holds Exact's accounts and contacts before the run (to know which customers
    and contacts must be created); ``bb_counts`` the sizes of BB's lists the flow reads.
    """
    parts: Counter[str] = Counter()
    parts["exact: token refresh + current/Me (once per run)"] = 2
    # before the first write: one bulk lookup per setting that names Exact records and has
    # values (orders: vat_codes, items_by_vat, sales_journal; payment_conditions is empty)
    parts["exact: settings check before the first write (one per 'refers' setting)"] = 3
    parts["bb: receipts list pages"] = _pages(bb_counts["outbound"], page_size)
    # no documented page maximum: only an empty page proves the end
    parts["bb: debtors list (whole list once, + empty last page)"] = (
        math.ceil(bb_counts["debtors"] / debtor_page) + 1
    )
    parts["bb: postings list (whole list once, 1000/page)"] = _pages(bb_counts["postings"], 1000)
    # an unbooked receipt (no postings) is sent as one line from its detail view, which BB
    # answers one receipt at a time (no bulk detail): one call per such synced order
    parts["bb: receipt detail (unbooked receipts only, one each)"] = sum(
        1
        for rec in records
        if rec.outcome == "sent"
        and ((rec.plan or {}).get("output") or {}).get("lines_from") == "receipt"
    )
    emails = {_fold(a.get("Email")) for a in before["accounts"] if a.get("Email")}
    contact_emails = {_fold(c.get("Email")) for c in before["contacts"] if c.get("Email")}
    new_accounts: set[str] = set()
    new_contacts: set[str] = set()
    updated_accounts: set[str] = set()
    for start in range(0, len(records), page_size):
        keys: dict[str, set[str]] = {}
        item_lookup = False
        for rec in records[start : start + page_size]:
            if rec.outcome != "sent" or not rec.plan:
                continue
            item_lookup = True
            for op in rec.plan.get("operations", []):
                pair = op.get("match") or op.get("unless_exists") or {}
                for key, value in pair.items():
                    if isinstance(value, dict):
                        continue  # a reference to another write: nothing to look up
                    keys.setdefault(f"{op['target']}.{key}", set()).add(_fold(value))
                    if op["target"] == "exact_online.accounts" and _fold(value) not in emails:
                        new_accounts.add(_fold(value))
                    if op["target"] == "exact_online.contacts" and (
                        _fold(value) not in contact_emails
                    ):
                        new_contacts.add(_fold(value))
            for log in rec.operations:
                if log.get("target") == "exact_online.accounts" and log["action"] == "updated":
                    updated_accounts.add(str(log.get("target_id")))
        for name, values in keys.items():
            parts[f"exact: bulk lookups {name} ({find_chunk} values/call)"] += math.ceil(
                len(values) / find_chunk
            )
        parts["exact: bulk lookup of items by Code (one per page)"] += int(item_lookup)
        parts["exact: bulk lookup of VAT codes by Code (one per page)"] += int(item_lookup)
    sent = sum(1 for r in records if r.outcome == "sent")
    parts["exact: create sales invoice (one per synced order)"] = sent
    parts["exact: create account (new customers only)"] = len(new_accounts)
    parts["exact: create contact (new contact persons only)"] = len(new_contacts)
    parts["exact: update account (changed customers, once each)"] = len(updated_accounts)
    notes = [
        f"pages of {page_size} receipts (BB's documented maximum 500)",
        f"Exact bulk lookups: {find_chunk} values per $filter (the connector's find_chunk; "
        "keeps the URL short)",
        "BB debtors and postings have no bulk filter the flow can use: reading each list "
        "once per run is the minimum",
        "writes: every synced order needs its sales invoice; accounts/contacts only when not "
        "in Exact before the run; updates once per existing customer whose fields changed",
    ]
    return Minimum(dict(parts), notes)


# ---- the raw loop --------------------------------------------------------------------------


def _swap(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, dict):
        return {k: _swap(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, ids) for v in value]
    return value


def captured_writes(records: list[Any]) -> list[tuple[str, str, Any, dict[str, Any]]]:
    """The writes the flow sent, in order: (action, object, old id, request body)."""
    writes = []
    for rec in records:
        if rec.outcome != "sent":
            continue
        for log in rec.operations:
            if log["action"] in ("created", "updated"):
                obj = log["target"].split(".", 1)[1]
                writes.append((log["action"], obj, log.get("target_id"), log["request"]))
    return writes


@dataclasses.dataclass
class Timing:
    """Wall-clock and process CPU seconds of a timed part."""

    wall: float = 0.0
    cpu: float = 0.0

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


class timed:
    """``with timed() as t:`` measures wall-clock and process CPU time into ``t``."""

    def __enter__(self) -> Timing:
        self.timing = Timing()
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self.timing

    def __exit__(self, *exc: object) -> None:
        self.timing.wall = time.perf_counter() - self._wall
        self.timing.cpu = time.process_time() - self._cpu


async def raw_loop(
    bench: Bench, writes: list[tuple[str, str, Any, dict[str, Any]]]
) -> tuple[Timing, Timing, int]:
    """Send the captured writes straight through the Exact connector; returns the time of
    the customer writes, the time of the invoices, and the invoices created."""
    connector = bench.world.engine.connections.build(TENANT, "exact_online")
    ids: dict[str, str] = {}
    invoices = 0
    try:
        await connector.division()  # token + current/Me, as the flow's first call does
        with timed() as customers:
            for action, obj, old_id, body in writes:
                if obj == "sales_invoices":
                    continue
                if action == "created":
                    made = await connector.create(obj, _swap(body, ids))
                    ids[str(old_id)] = str(made["ID"])
                else:
                    await connector.update(obj, ids.get(str(old_id), old_id), _swap(body, ids))
        with timed() as documents:
            for action, obj, _old_id, body in writes:
                if obj == "sales_invoices" and action == "created":
                    await connector.create(obj, _swap(body, ids))
                    invoices += 1
        return customers, documents, invoices
    finally:
        await connector.aclose()


# ---- main ----------------------------------------------------------------------------------


def print_counts(counts: dict[str, Counter[str]], title: str) -> None:
    print(title)
    for system, counter in counts.items():
        if not counter:
            continue
        print(f"  {system}: {sum(counter.values())} calls")
        for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"    {n:>6}  {key}")


@dataclasses.dataclass
class FlowRound:
    """One timed flow run in a fresh world, and what it did."""

    records: list[Any]
    timing: Timing
    http: float
    sent: int
    calls: int
    minimum: Minimum | None
    bench_counts: dict[str, Counter[str]]


async def flow_round(
    args: argparse.Namespace, folder: Path, *, counts: bool, store_url: str | None = None
) -> FlowRound:
    """Seed a world, run the orders flow once (timed), and (when ``counts``) work out the
    minimum calls from the world's data before the run."""
    bench = make_world(folder, records=args.receipts, seed=args.seed, store_url=store_url)
    world = bench.world
    before = {
        "accounts": exact_rows(world, "crm/Accounts"),
        "contacts": exact_rows(world, "crm/Contacts"),
    }
    receipts = bb_rows(world, "receipts")
    bb_counts = {
        "outbound": sum(1 for r in receipts if r.get("type") == "invoice outbound"),
        "debtors": len(bb_rows(world, "debtors")),
        "postings": len(bb_rows(world, "postings")),
    }
    # the compiled script is cached by the flow's own name (its path): compile it with that
    # name here, as a running service has, so the timed run does not parse it
    world.engine.catalog.get(TENANT, "orders").compile()
    forget_values()  # a later round would find the e-mails and VAT ids of the first remembered
    bench.reset()
    try:
        with timed() as timing:
            report = await world.engine.run_flow(
                TENANT, "orders", settings={"items_by_vat": ITEMS}, page_size=args.page_size
            )
        records = list(report.records)  # read back from the run's log (not timed)
    finally:
        await world.close()
    outcomes = Counter(r.outcome for r in records)
    if counts:
        print(f"flow run: {len(records)} receipts, outcomes {dict(outcomes)}")
    found = None
    if counts:
        found = minimum(
            before,
            records,
            page_size=args.page_size,
            find_chunk=int(world.configs["exact_online"].options.get("find_chunk", 25)),
            debtor_page=500,
            bb_counts=bb_counts,
        )
    return FlowRound(
        records,
        timing,
        bench.http_seconds(),
        outcomes["sent"],
        bench.total("exact_online") + bench.total("buchhaltungsbutler"),
        found,
        {k: Counter(v) for k, v in bench.counts.items()},
    )


async def run(args: argparse.Namespace) -> None:
    wanted = args.receipts
    args.receipts = feasible_records(args.seed, wanted)
    if args.receipts != wanted:
        print(f"NOTE: the BB sandbox seed cannot make {wanted} records with seed {args.seed}:")
        print("  master_record() in connectors/buchhaltungsbutler/sandbox/seed.py loops forever")
        print("  once a country's unique debtor names run out; using the largest count that")
        print(f"  works (to within 10): {args.receipts}\n")
    print(f"sandboxes: records={args.receipts} (BB: that many debtors and outbound receipts, ")
    print(f"  half as many inbound), seed={args.seed}, page size {args.page_size}")
    print("rate limits lifted (the benchmark measures our overhead, not configured waits):")
    for system in ("exact_online", "buchhaltungsbutler"):
        print(f"  {system}: sandbox extra {SANDBOX_EXTRA[system]}")
        print(f"  {system}: connection options {CONNECTION_OPTIONS[system]}")
    start = time.perf_counter()
    from mapwright import dsl

    orders = Path(__file__).resolve().parent.parent / "builtin_mappings" / "orders.map"
    dsl.compile(orders.read_text(encoding="utf-8"), name="orders.map")
    print(f"first compile of orders.map in this process: {time.perf_counter() - start:.2f} s")
    print("  (one-off: builds the parser, then cached; kept out of the timed runs)\n")
    stores = ["sqlite"] + (["postgresql"] if args.postgresql and pg_reachable() else [])
    if args.postgresql and "postgresql" not in stores:
        print("PostgreSQL is not reachable on 127.0.0.1:5432: SQLite only\n")
    flows: dict[str, list[Timing]] = {name: [] for name in stores}
    raws: list[tuple[Timing, Timing]] = []
    ours: dict[str, list[float]] = {name: [] for name in stores}  # wall outside the sandboxes
    raw_own: list[float] = []
    first: FlowRound | None = None
    for round_no in range(1, args.repeat + 1):
        line = [f"round {round_no}:"]
        done: FlowRound | None = None
        for name in stores:  # interleaved: the machine's load hits every variant alike
            with tempfile.TemporaryDirectory() as folder, store_for(name, folder) as url:
                done = await flow_round(args, Path(folder), counts=first is None, store_url=url)
            first = first or done
            if done.sent != first.sent:
                raise SystemExit(
                    f"the flow on the {name} store synced {done.sent} orders, on "
                    f"{stores[0]} {first.sent}: the variants are not comparable"
                )
            flows[name].append(done.timing)
            ours[name].append(done.timing.wall - done.http)
            line.append(
                f"flow on {name} {done.timing.wall:6.2f} s ({done.http:.2f} s in sandboxes),"
            )
        assert done is not None
        with tempfile.TemporaryDirectory() as folder:
            fresh = make_world(Path(folder), records=args.receipts, seed=args.seed)
            fresh.reset()
            customers, documents, invoices = await raw_loop(fresh, captured_writes(done.records))
            raw_http = fresh.http_seconds()
            await fresh.world.close()
        raws.append((customers + documents, documents))
        raw_own.append((customers + documents).wall - raw_http)
        line.append(
            f"raw loop {(customers + documents).wall:6.2f} s ({raw_http:.2f} s in sandboxes), "
            f"invoices only {documents.wall:6.2f} s"
        )
        print(" ".join(line))
    assert first is not None
    sent, flow_calls, minimum_calls = first.sent, first.calls, first.minimum
    print_counts(first.bench_counts, "\nHTTP calls of the flow run (round 1):")
    if not sent or minimum_calls is None:
        print("no order was synced; nothing to compare")
        return
    print("\nminimum model (HTTP calls the data needs):")
    for note in minimum_calls.notes:
        print(f"  - {note}")
    for part, n in minimum_calls.parts.items():
        print(f"    {n:>6}  {part}")
    print(f"    {minimum_calls.total:>6}  total")
    actual_per, min_per = flow_calls / sent, minimum_calls.total / sent
    print("\nHTTP calls per synced order")
    print(f"  flow run            {flow_calls:>7} calls  {actual_per:6.2f} per order")
    print(f"  minimum             {minimum_calls.total:>7} calls  {min_per:6.2f} per order")
    print(f"  ratio actual/min    {actual_per / min_per:6.2f}x   (goal <= 1.1x)")

    print(f"\nthroughput: synced orders per second, best of {args.repeat} rounds; wall clock,")
    print("  and per CPU second of this process (the machine is shared: CPU time ignores the")
    print("  load of other processes; PostgreSQL's own CPU is in its server, not counted)")
    best_raw = best([r[0] for r in raws])
    best_docs = best([r[1] for r in raws])
    rows = [(f"flow run, {name} store", best(flows[name])) for name in stores]
    rows += [
        ("raw loop, the flow's writes (customers + invoices)", best_raw),
        ("raw loop, invoices only (customers made beforehand)", best_docs),
    ]
    for label, t in rows:
        print(f"  {label:<52} {sent / t.wall:8.1f}/s wall {sent / t.cpu:8.1f}/s cpu")
    goals = {"sqlite": 0.5, "postgresql": 0.4}
    print(f"\n  {'ratio flow/raw':<38} " + "  ".join(f"{name:>18}" for name in stores))
    for label, base in (("the flow's writes", best_raw), ("invoices only", best_docs)):
        cells = []
        for name in stores:
            flow = best(flows[name])
            cells.append(f"{base.wall / flow.wall:5.2f}x ({base.cpu / flow.cpu:4.2f}x cpu)")
        print(f"  {label:<38} " + "  ".join(f"{c:>18}" for c in cells))
    print("  goals (the flow's writes, wall): " + ", ".join(f"{n} >= {goals[n]}x" for n in stores))
    own = min(raw_own)
    print(
        "  outside the sandboxes (our code only, best wall): raw loop "
        + f"{own:.2f} s; "
        + ", ".join(
            f"flow on {name} {min(ours[name]):.2f} s (ratio {own / min(ours[name]):.2f}x)"
            for name in stores
        )
    )


@contextlib.contextmanager
def store_for(name: str, folder: str) -> Iterator[str | None]:
    """The store URL of one round: SQLite in ``folder`` (None), or a fresh PostgreSQL
    database of its own (dropped afterwards; never the tests' ``test`` database)."""
    if name == "sqlite":
        yield None
        return
    import psycopg

    database = f"mapwright_flowbench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def pg_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except Exception:  # noqa: BLE001 - PostgreSQL is optional for the bench
        return False
    return True


def best(timings: list[Timing]) -> Timing:
    """The shortest wall and the shortest CPU time (each on its own) of several rounds."""
    return Timing(min(t.wall for t in timings), min(t.cpu for t in timings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--receipts", type=int, default=1000, help="BB sandbox records")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best is shown")
    parser.add_argument("--page-size", type=int, default=500, help="receipts per page (max 500)")
    parser.add_argument(
        "--no-postgresql",
        dest="postgresql",
        action="store_false",
        help="SQLite only (by default PostgreSQL on 127.0.0.1:5432 runs beside it when reachable)",
    )
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
