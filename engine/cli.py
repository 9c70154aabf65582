"""The engine's commands: ``mapwright flow``, ``mapwright runs``, ``mapwright parked``.

::

    mapwright flow list                                 flows of the tenant, with their origin
    mapwright flow run orders [--dry-run] [--json]      run a flow (progress + summary table)
    mapwright runs list [--flow orders]                 recent runs
    mapwright runs show RUN [--json]                    a run's counts and per-record log
    mapwright parked list [--flow orders]               records waiting for a fix
    mapwright parked edit ID --file fixed.json          replace a parked record's source
    mapwright parked replay ID... | --all [--flow F]    send them again (links to the original)
    mapwright reconcile orders [--from D --to D]        source vs target (engine/reconcile_cli.py)

All take ``--config FILE`` (default ``./mapwright.toml``), ``--data DIR`` (default
``./mapwright-data``, the folder ``mapwright serve`` uses) and ``--tenant`` (default ``demo``,
the tenant of ``mapwright serve --demo``): after ``mapwright serve --demo`` these commands
show the service's flows, runs and parked records, and use its connections. Exit code 1
when a run failed or the input was wrong; ``--json`` prints machine-readable output only.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from mapwright.dsl import jsonio
from mapwright.dsl.errors import MappingError
from mapwright.engine.config import Settings, load_settings
from mapwright.engine.errors import EngineError
from mapwright.engine.reconcile_cli import reconcile_command
from mapwright.engine.runs import Engine, RunReport
from mapwright.engine.worker_cli import worker_command
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

console = Console()
errors = Console(stderr=True)

ConfigOption = typer.Option(None, "--config", "-c", help="mapwright.toml to use")
TenantOption = typer.Option(None, "--tenant", help="tenant (default: from the config, or demo)")
DataOption = typer.Option(
    None, "--data", help="data folder (default ./mapwright-data, as 'mapwright serve')"
)
JsonOption = typer.Option(False, "--json", help="print JSON only")


@contextmanager
def _engine(
    config_file: Path | None, tenant: str | None, data: Path | None = None
) -> Iterator[tuple[Engine, str]]:
    try:
        config: Settings = load_settings(config_file, data_dir=data)
        engine = Engine.from_config(config)
    except (EngineError, MappingError) as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    try:
        yield engine, tenant or config.tenant
    except (EngineError, MappingError) as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    finally:
        engine.store.close()


def _print_json(data: Any) -> None:
    typer.echo(jsonio.dumps(data, indent=2))


def _parse_settings(values: list[str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"--set {item!r}: write NAME=VALUE (VALUE may be JSON)")
        try:
            settings[name.strip()] = jsonio.loads(raw)
        except ValueError:
            settings[name.strip()] = raw
    return settings


def register(app: typer.Typer) -> None:
    """Add the ``flow``, ``runs`` and ``parked`` command groups to the root CLI."""
    flow_app = typer.Typer(help="Flows: list and run them.", no_args_is_help=True)
    runs_app = typer.Typer(help="Runs: history and per-record logs.", no_args_is_help=True)
    parked_app = typer.Typer(help="Parked records: list, fix, replay.", no_args_is_help=True)
    app.add_typer(flow_app, name="flow")
    app.add_typer(runs_app, name="runs")
    app.add_typer(parked_app, name="parked")
    app.command("reconcile")(reconcile_command)
    app.command("worker")(worker_command)

    @flow_app.command("list")
    def flow_list(
        config: Path | None = ConfigOption,
        data: Path | None = DataOption,
        tenant: str | None = TenantOption,
        as_json: bool = JsonOption,
    ) -> None:
        """List the tenant's flows (built-in, from the config, or stored)."""
        with _engine(config, tenant, data) as (engine, tenant_id):
            flows = engine.flows(tenant_id)
            if as_json:
                _print_json([_flow_json(flow) for flow in flows.values()])
                return
            table = Table("flow", "origin", "version", "enabled", "settings")
            for flow in flows.values():
                table.add_row(
                    *_plain(
                        flow.name,
                        flow.origin,
                        str(flow.version or "-"),
                        "yes" if flow.enabled else "no",
                        json.dumps(jsonio.plain(flow.settings), ensure_ascii=False)[:60],
                    )
                )
            console.print(table)

    @flow_app.command("run")
    def flow_run(
        name: str = typer.Argument(..., help="the flow to run"),
        dry_run: bool = typer.Option(False, "--dry-run", help="plan only: write nothing"),
        as_json: bool = JsonOption,
        config: Path | None = ConfigOption,
        data: Path | None = DataOption,
        tenant: str | None = TenantOption,
        page_size: int | None = typer.Option(None, "--page-size", min=1),
        max_pages: int | None = typer.Option(None, "--max-pages", min=1),
        set_: list[str] = typer.Option([], "--set", help="override a setting: NAME=VALUE"),
    ) -> None:
        """Run a flow now; prints a summary (or, with --json, every record's outcome)."""
        settings = _parse_settings(set_)
        with _engine(config, tenant, data) as (engine, tenant_id):
            report = _with_progress(
                as_json,
                lambda on_event: engine.run_flow(
                    tenant_id,
                    name,
                    dry_run=dry_run,
                    settings=settings,
                    page_size=page_size,
                    max_pages=max_pages,
                    on_event=on_event,
                ),
            )
            _show_report(report, as_json)
            if report.status == "failed":
                raise typer.Exit(1)

    @runs_app.command("list")
    def runs_list(
        flow: str | None = typer.Option(None, "--flow"),
        limit: int = typer.Option(20, "--limit", min=1),
        config: Path | None = ConfigOption,
        data: Path | None = DataOption,
        tenant: str | None = TenantOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Recent runs, newest first."""
        with _engine(config, tenant, data) as (engine, tenant_id):
            runs = engine.store.runs(tenant_id, flow, limit)
            if as_json:
                _print_json(runs)
                return
            table = Table("run", "flow", "status", "dry run", "trigger", "created", "counts")
            for run in runs:
                table.add_row(
                    *_plain(
                        run["id"][:8],
                        run["flow"],
                        run["status"],
                        "yes" if run["dry_run"] else "",
                        run["trigger"],
                        f"{run['created_at']:%Y-%m-%d %H:%M:%S}",
                        _counts_text(run["counts"]),
                    )
                )
            console.print(table)

    @runs_app.command("show")
    def runs_show(
        run: str = typer.Argument(..., help="run id (a unique prefix is enough)"),
        config: Path | None = ConfigOption,
        data: Path | None = DataOption,
        tenant: str | None = TenantOption,
        as_json: bool = JsonOption,
    ) -> None:
        """A run's status, counts and per-record log."""
        with _engine(config, tenant, data) as (engine, tenant_id):
            report = engine.report(run)
            if report.tenant != tenant_id:
                raise EngineError(f"run {run} does not belong to tenant '{tenant_id}'")
            if as_json:
                _print_json(_report_with_payloads(engine, report))
                return
            _show_report(report, as_json, every_record=True)

    @parked_app.command("list")
    def parked_list(
        flow: str | None = typer.Option(None, "--flow"),
        config: Path | None = ConfigOption,
        data: Path | None = DataOption,
        tenant: str | None = TenantOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Records waiting for a fix: parked by the mapping or the target, or failed."""
        with _engine(config, tenant, data) as (engine, tenant_id):
            rows = engine.store.parked(tenant_id, flow)
            if as_json:
                _print_json(rows)
                return
            table = Table("id", "flow", "source id", "outcome", "reason", "run")
            for row in rows:
                table.add_row(
                    *_plain(
                        str(row["id"]),
                        row["flow"],
                        str(row["source_id"]),
                        row["outcome"],
                        (row["reason"] or "")[:90],
                        row["run_id"][:8],
                    )
                )
            console.print(table if rows else "no parked records")

    @parked_app.command("edit")
    def parked_edit(
        record_id: int = typer.Argument(..., help="the parked record's id"),
        file: Path = typer.Option(..., "--file", help="JSON file with the fixed record"),
        config: Path | None = ConfigOption,
        data: Path | None = DataOption,
        tenant: str | None = TenantOption,
    ) -> None:
        """Replace a parked record's source data (then replay it)."""
        try:
            fixed = jsonio.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise typer.BadParameter(f"--file {file}: {exc}") from None
        if not isinstance(fixed, dict):
            raise typer.BadParameter(f"--file {file}: the record must be a JSON object")
        with _engine(config, tenant, data) as (engine, tenant_id):
            row = engine.store.record(record_id)
            if row["tenant"] != tenant_id:
                raise EngineError(f"record {record_id} does not belong to tenant '{tenant_id}'")
            engine.store.edit_parked_source(record_id, fixed)
            console.print(
                f"record {record_id} updated; replay it with 'mapwright parked replay {record_id}'"
            )

    @parked_app.command("replay")
    def parked_replay(
        ids: list[int] = typer.Argument(None, help="parked record ids"),
        all_: bool = typer.Option(False, "--all", help="replay every open parked record"),
        flow: str | None = typer.Option(None, "--flow", help="with --all: only this flow"),
        forget_pending: bool = typer.Option(
            False, "--forget-pending", help="drop unsure ledger entries (after checking the target)"
        ),
        dry_run: bool = typer.Option(False, "--dry-run"),
        config: Path | None = ConfigOption,
        data: Path | None = DataOption,
        tenant: str | None = TenantOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Send parked records again with the flow's current mapping."""
        with _engine(config, tenant, data) as (engine, tenant_id):
            record_ids = list(ids or [])
            if all_:
                record_ids += [row["id"] for row in engine.store.parked(tenant_id, flow)]
            if not record_ids:
                raise EngineError("nothing to replay: give record ids or --all")
            reports = _with_progress(
                as_json,
                lambda on_event: engine.replay(
                    tenant_id,
                    record_ids,
                    forget_pending=forget_pending,
                    dry_run=dry_run,
                    on_event=on_event,
                ),
            )
            if as_json:
                _print_json([report.to_json() for report in reports])
                return
            for report in reports:
                _show_report(report, False)


def _with_progress(quiet: bool, start: Callable[[Any], Any]) -> Any:
    """Run the coroutine ``start(on_event)`` with a live progress line (unless ``quiet``)."""
    if quiet:
        return asyncio.run(start(None))
    counts: dict[str, int] = {}
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=None, counts="")

        def on_event(kind: str, data: dict[str, Any]) -> None:
            if kind == "page":
                progress.update(task, description=f"page {data['page']}")
            elif kind == "record":
                counts[data["outcome"]] = counts.get(data["outcome"], 0) + 1
                progress.update(task, counts=_counts_text(counts), advance=1)

        return asyncio.run(start(on_event))


def _report_with_payloads(engine: Engine, report: RunReport) -> dict[str, Any]:
    """The report as JSON with each record's stored source record and plan (the activity
    log, docs/engine.md), as ``GET /runs/{id}/records`` shows them."""
    data = report.to_json()
    stored = {row["id"]: row for row in engine.store.records(report.run_id)}
    for record in data["records"]:
        row = stored.get(record["record_id"], {})
        record["source"] = row.get("source")
        record["plan"] = row.get("plan")
    return data


def _show_report(report: RunReport, as_json: bool, *, every_record: bool = False) -> None:
    if as_json:
        _print_json(report.to_json())
    else:
        trigger = f", {report.trigger}" if report.trigger != "manual" else ""
        console.print(
            f"[bold]run {report.run_id}[/bold] (flow {escape(report.flow)}{escape(trigger)})"
        )
        summary = Table(show_header=True)
        summary.add_column("outcome")
        summary.add_column("records", justify="right")
        for outcome in ("sent", "planned", "skipped", "parked", "failed"):
            if report.counts.get(outcome):
                summary.add_row(outcome, str(report.counts[outcome]))
        summary.add_row("[bold]total[/bold]", str(report.counts.get("total", 0)))
        console.print(summary)
        shown = [r for r in report.records if every_record or r.outcome in ("parked", "failed")]
        if shown:
            table = Table("record", "source id", "outcome", "reason / actions")
            for record in shown[:200]:
                actions = ", ".join(
                    f"{op.get('operation')}: {op.get('action')}" for op in record.operations
                )
                table.add_row(
                    *_plain(
                        str(record.record_id),
                        record.source_id,
                        record.outcome,
                        record.reason or actions,
                    )
                )
            console.print(table)
        style = {"succeeded": "green", "partial": "yellow"}.get(report.status, "red")
        dry = " (dry run: nothing was written)" if report.dry_run else ""
        console.print(f"status: [{style}]{report.status}[/{style}]{dry}")
        if report.error:
            console.print(Text(report.error, style="red"))


def _plain(*cells: Any) -> list[Text]:
    """Table cells shown as they are: names, ids and reasons come from users and records,
    so a ``[bold]`` or ``[/x]`` in them is text, never markup."""
    return [Text("" if cell is None else str(cell)) for cell in cells]


def _counts_text(counts: dict[str, Any]) -> str:
    order = ("sent", "planned", "skipped", "parked", "failed")
    return " ".join(f"{key} {counts[key]}" for key in order if counts.get(key))


def _flow_json(flow: Any) -> dict[str, Any]:
    return {
        "name": flow.name,
        "origin": flow.origin,
        "version": flow.version,
        "enabled": flow.enabled,
        "settings": jsonio.plain(flow.settings),
        "connections": flow.connections,
    }
