"""``mapwright reconcile FLOW``: the flow's source and target side by side (docs/reconcile.md).

::

    mapwright reconcile orders --from 2025-01-01 --to 2025-03-31
    mapwright reconcile orders --json

Exit codes: 0 = no differences, 1 = differences found (missing, duplicated, different amounts,
wrong sign), 2 = could not reconcile (no reconciler for the flow, bad period or config, a
system refused). Parked and skipped records are listed but are not differences.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

import typer
from mapwright.connectors.errors import ConnectorError
from mapwright.dsl import jsonio
from mapwright.dsl.errors import MappingError
from mapwright.engine.config import load_config
from mapwright.engine.errors import EngineError
from mapwright.engine.reconcile import OK, DocumentLine, Reconciliation, reconcile
from mapwright.engine.runs import Engine
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console()
errors = Console(stderr=True)
MAX_ROWS = 500


def reconcile_command(
    flow: str = typer.Argument(..., help="the flow to reconcile, e.g. orders"),
    date_from: str | None = typer.Option(None, "--from", help="first day (YYYY-MM-DD)"),
    date_to: str | None = typer.Option(None, "--to", help="last day (YYYY-MM-DD)"),
    tenant: str | None = typer.Option(None, "--tenant", help="tenant (default: from the config)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON only"),
    config: Path | None = typer.Option(None, "--config", "-c", help="mapwright.toml to use"),
) -> None:
    """Compare a flow's source and target for a period: per document and in total."""
    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    try:
        settings = load_config(config)
        engine = Engine.from_config(settings)
    except (EngineError, MappingError) as exc:
        _fail(exc)
    try:
        result = asyncio.run(
            reconcile(engine, tenant or settings.tenant, flow, date_from=start, date_to=end)
        )
    except (EngineError, MappingError, ConnectorError) as exc:
        _fail(exc)
    finally:
        engine.store.close()
    if as_json:
        typer.echo(jsonio.dumps(result.to_json(), indent=2))
    else:
        show(result)
    raise typer.Exit(1 if result.differences else 0)


def _day(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{option} {text!r}: write a date as YYYY-MM-DD") from None


def _fail(exc: Exception) -> NoReturn:
    errors.print(f"[red]error:[/red] {escape(str(exc))}")
    raise typer.Exit(2)


def show(result: Reconciliation) -> None:
    """The totals of both sides, the counts and every line that is not ok (text escaped)."""
    period = " .. ".join(d.isoformat() if d else "open" for d in (result.date_from, result.date_to))
    console.print(
        f"[bold]reconcile {escape(result.flow)}[/bold] (tenant {escape(result.tenant)}, "
        f"period {period})"
    )
    console.print(f"source: {escape(result.source)}")
    console.print(f"target: {escape(result.target)}")
    totals = result.totals()
    table = Table("side")
    for title in ("documents", "gross", "net", "VAT"):
        table.add_column(title, justify="right")
    for side, sums in totals.items():
        table.add_row(
            side,
            str(sums.count),
            _amount(sums.gross),
            _partial(sums.net, sums.unknown),
            _partial(sums.vat, sums.unknown),
        )
    source, target = totals["source"], totals["target"]
    known = not (source.unknown or target.unknown)
    table.add_row(
        "[bold]source - target[/bold]",
        str(source.count - target.count),
        _amount(source.gross - target.gross),
        _amount(source.net - target.net if known else None),
        _amount(source.vat - target.vat if known else None),
    )
    console.print(table)
    counts = result.counts()
    console.print(", ".join(f"{name} {count}" for name, count in counts.items() if count))
    for reason, count in result.skipped.items():
        console.print(f"skipped on purpose: {count} x {escape(reason)}")
    lines = result.problems()
    if lines:
        rows = Table()
        rows.add_column("ref", no_wrap=True)
        rows.add_column("status")
        for title in ("source\ngross\nnet\nVAT", "target\ngross\nnet\nVAT"):
            rows.add_column(title, justify="right")
        rows.add_column("why / log", overflow="fold")
        for line in lines[:MAX_ROWS]:
            rows.add_row(
                escape(line.ref),
                line.status,
                _triple(line.source.gross, line.source.net, line.source.vat),
                "\n\n".join(
                    _triple(doc.amounts.gross, doc.amounts.net, doc.amounts.vat)
                    for doc in line.targets
                )
                or "-",
                _why(line),
            )
        console.print(rows)
        if len(lines) > MAX_ROWS:
            console.print(f"... and {len(lines) - MAX_ROWS} more lines: use --json for all")
    style = "green" if not result.differences else "red"
    count = result.differences
    console.print(f"[{style}]{count} difference{'' if count == 1 else 's'}[/{style}]")


def _why(line: DocumentLine) -> str:
    parts = [escape(line.note)] if line.note else []
    if line.status != OK and line.differences:
        parts.append(
            escape(
                "; ".join(
                    f"{d.field} {_amount(d.source)} vs {_amount(d.target)}"
                    for d in line.differences
                )
            )
        )
    if line.log is not None:
        parts.append(
            escape(f"log: run {line.log.run_id} record {line.log.record_id} ({line.log.path})")
        )
    return "\n".join(parts)


def _triple(*values: Decimal | None) -> str:
    return "\n".join(_amount(v) for v in values)


def _partial(value: Decimal, unknown: int) -> str:
    return f"{_amount(value)} ({unknown} unknown)" if unknown else _amount(value)


def _amount(value: Decimal | None) -> str:
    return "?" if value is None else f"{value:,.2f}"
