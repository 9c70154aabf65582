"""Benchmark: how fast the editor answers: lint and preview, first and right after an edit.

Run: ``.venv/bin/python bench/editor.py [--rounds 40] [--records 100] [--skip-lint|--skip-service]``

Lint (in process, ``mapwright.dsl.lint``) for every ``builtin_mappings/*.map``:

* ``first``: a script this process has not seen (the statement cache is emptied first);
* ``edit``: one line of the script changed in place (a rule's value), after the script was
  linted once, as an editor does on each keystroke;
* ``enter``: a line inserted near the top, so every statement below moves down a line.

Then the service, started in process (``create_app`` behind httpx's ASGI transport, as in
``tests/api/conftest.py``; scripts run in its worker processes): ``POST /scripts/lint`` of
``orders.map`` (each worker process keeps its own statement cache) and
``POST /scripts/preview`` of ``--records`` records through a realistic
mapping, first (a script the workers have not compiled) and right after a one-line edit.

Figures are p50/p95 in milliseconds of wall time and the ratios between them; the machines
are shared and noisy, so compare figures of one run only. No thresholds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from mapwright import dsl
from mapwright.dsl.parser import STATEMENTS

MAPPINGS = Path(__file__).resolve().parents[1] / "builtin_mappings"

PREVIEW_SCRIPT = """\
# an invoice mapping of realistic shape: dates, money, text, lines, comparisons
setting vat_rate: number = 0.19
def net(l) = round_money(l.qty * l.price)
let lines_net = sum(each lines as l => net(l))
where status != "draft" else "drafts are not sent"
InvoiceNumber <- "INV-{number}"
InvoiceDate <- date(created)
DueDate <- date(due) ?? date(created)
Customer <- upper(trim(customer.name))
Email <- lower(customer.email)
Currency <- currency ?? "EUR"
Description <- if lines_net > 1000 then "large order" else "order"
AmountNet <- lines_net
AmountVat <- round_money(lines_net * settings.vat_rate)
Lines <- each lines as l where l.qty > 0 {
  Item <- l.sku
  Description <- text(l.name)
  Quantity <- l.qty
  UnitPrice <- round_money(l.price)
  Net <- net(l)
}
"""


def records(n: int, seed: int = 3) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        ms = 1_700_000_000_000 + rnd.randint(0, 10**10)
        out.append(
            {
                "number": 1000 + i,
                "status": "open",
                "created": f"/Date({ms})/",
                "due": f"/Date({ms + 14 * 86_400_000})/",
                "customer": {"name": f"  Customer {i} ", "email": f"Buyer{i}@Example.COM"},
                "lines": [
                    {
                        "sku": f"SKU-{rnd.randint(1, 500)}",
                        "name": f"item {j}",
                        "qty": rnd.randint(0, 5),
                        "price": round(rnd.uniform(1, 200), 2),
                    }
                    for j in range(rnd.randint(1, 5))
                ],
            }
        )
    return out


def edit_in_place(source: str, n: int) -> str:
    """``source`` with one rule's value changed (``<- x`` becomes ``<- (x) ?? n``)."""
    lines = source.split("\n")
    rules = [i for i, line in enumerate(lines) if "<-" in line and not line.rstrip().endswith("{")]
    at = rules[n % len(rules)]
    head, _, value = lines[at].partition("<-")
    lines[at] = f"{head}<- ({value.strip()}) ?? {n}"
    return "\n".join(lines)


def insert_line(source: str, n: int) -> str:
    """``source`` with a comment line inserted after its first line."""
    first, _, rest = source.partition("\n")
    return f"{first}\n# note {n}\n{rest}"


def quantiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed_lint(source: str, name: str) -> float:
    start = time.perf_counter()
    dsl.lint(source, name=name)
    return (time.perf_counter() - start) * 1000


def lint_figures(source: str, name: str, rounds: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"first": [], "edit": [], "enter": []}
    for n in range(rounds):
        STATEMENTS.clear()
        figures["first"].append(timed_lint(source, name))
        edited = edit_in_place(source, n)
        figures["edit"].append(timed_lint(edited, name))
        dsl.lint(source, name=name)
        moved = insert_line(source, n)
        figures["enter"].append(timed_lint(moved, name))
    return figures


def show(label: str, times: list[float], base: list[float] | None = None) -> str:
    p50, p95 = quantiles(times)
    text = f"{label} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms"
    if base is not None:
        b50, _ = quantiles(base)
        text += f"  ({p50 / b50:.2f}x of first)"
    return text


def bench_lint(rounds: int) -> None:
    print(f"lint in process, {rounds} rounds each (ms)")
    for path in sorted(MAPPINGS.glob("*.map")):
        source = path.read_text("utf-8")
        figures = lint_figures(source, path.name, rounds)
        lines = source.count("\n") + 1
        print(f"  {path.name} ({lines} lines)")
        print("    " + show("first", figures["first"]))
        print("    " + show("edit ", figures["edit"], figures["first"]))
        print("    " + show("enter", figures["enter"], figures["first"]))


async def bench_service(rounds: int, count: int) -> None:
    from mapwright.api.app import create_app
    from mapwright.api.services import create_tenant
    from mapwright.api.settings import ApiSettings
    from mapwright.api.vault import Vault

    with tempfile.TemporaryDirectory() as folder:
        settings = ApiSettings(data_dir=Path(folder) / "data", secret_key=Vault.new_key())
        app = create_app(settings)
        services = app.state.services
        headers = {"Authorization": f"Bearer {create_tenant(services, 'bench')}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def post(path: str, body: dict[str, Any]) -> float:
                start = time.perf_counter()
                answer = await client.post(f"/api/v1/scripts/{path}", json=body, headers=headers)
                took = (time.perf_counter() - start) * 1000
                if answer.status_code != 200:
                    raise SystemExit(f"{path}: {answer.status_code} {answer.text[:500]}")
                return took

            sample = records(count)
            orders = (MAPPINGS / "orders.map").read_text("utf-8")
            for _ in range(3):  # start the workers
                await post("lint", {"script": PREVIEW_SCRIPT})
            figures: dict[str, list[float]] = {k: [] for k in ("lf", "le", "pf", "pe", "pw")}
            for n in range(rounds):
                # a new name: no worker has parsed a statement of it (the name is in the key)
                name = f"orders{n}.map"
                figures["lf"].append(await post("lint", {"script": orders, "name": name}))
                edited = edit_in_place(orders, n)
                figures["le"].append(await post("lint", {"script": edited, "name": name}))
                script = f"{PREVIEW_SCRIPT}# round {n}\n"
                body = {"script": script, "records": sample}
                figures["pf"].append(await post("preview", body))
                figures["pw"].append(await post("preview", body))
                body = {"script": edit_in_place(script, n), "records": sample}
                figures["pe"].append(await post("preview", body))
        services.close()
    print(f"\nservice, in process over ASGI, {rounds} rounds (ms)")
    print("  " + show("lint orders.map, first    ", figures["lf"]))
    print("  " + show("lint orders.map, edit     ", figures["le"], figures["lf"]))
    print("  " + show(f"preview {count} records, first", figures["pf"]))
    print("  " + show(f"preview {count} records, again", figures["pw"], figures["pf"]))
    print("  " + show(f"preview {count} records, edit ", figures["pe"], figures["pf"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--skip-lint", action="store_true", help="only the service figures")
    parser.add_argument("--skip-service", action="store_true", help="only the lint figures")
    args = parser.parse_args()
    if not args.skip_lint:
        bench_lint(args.rounds)
    if not args.skip_service:
        asyncio.run(bench_service(args.rounds, args.records))


if __name__ == "__main__":
    main()
