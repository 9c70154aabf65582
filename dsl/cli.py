"""``mapwright lint | fmt | test | map``: the language's command-line tools."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from mapwright.dsl import MappingError, PositionedError, compile, lint
from mapwright.dsl.formatter import format_source
from mapwright.dsl.jsonio import dumps, loads
from mapwright.dsl.settings import SettingsError
from mapwright.dsl.testing import run_tests, sidecar_tests
from rich.console import Console

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError as exc:
        err.print(f"[red]{path}: cannot read: {exc.strerror}[/red]")
        raise typer.Exit(2) from None


def _scripts(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*.map")))
        else:
            found.append(path)
    return found


def lint_command(files: list[Path] = typer.Argument(..., help="Scripts to check.")) -> None:
    """Check scripts; print FILE:LINE:COL: error: message for every problem."""
    failed = False
    for path in _scripts(files):
        for d in lint(_read(path), name=str(path)):
            failed = True
            print(f"{path}:{d.line}:{d.column}: {d.severity}: {d.message}")
    raise typer.Exit(1 if failed else 0)


def fmt_command(
    files: list[Path] = typer.Argument(..., help="Scripts to format in place."),
    check: bool = typer.Option(False, "--check", help="Only report files that would change."),
) -> None:
    """Rewrite scripts in the canonical layout (or, with --check, list those that differ)."""
    changed = False
    for path in _scripts(files):
        text = _read(path)
        try:
            pretty = format_source(text, name=str(path))
        except PositionedError as exc:
            err.print(f"{path}:{exc.line}:{exc.column}: error: {exc.message}")
            raise typer.Exit(2) from None
        if pretty != text:
            changed = True
            if check:
                print(f"would reformat {path}")
            else:
                path.write_text(pretty, "utf-8")
                print(f"reformatted {path}")
    raise typer.Exit(1 if (check and changed) else 0)


def test_command(paths: list[Path] = typer.Argument(..., help="Scripts or folders.")) -> None:
    """Run the examples embedded in scripts (and their .tests.json sidecars)."""
    passed = failed = 0
    for path in _scripts(paths):
        try:
            script = compile(_read(path), name=str(path))
            results = run_tests(script, sidecar_tests(path))
        except (PositionedError, MappingError) as exc:
            err.print(f"[red]{path}: {exc}[/red]")
            failed += 1
            continue
        for result in results:
            where = f"{path}:{result.line}" if result.line else str(path)
            if result.passed:
                passed += 1
                print(f"PASS {where} {result.name}")
            else:
                failed += 1
                print(f"FAIL {where} {result.name}")
                if result.error:
                    print("  " + result.error.replace("\n", "\n  "))
                if result.diff:
                    print(result.diff)
    print(f"{passed} passed, {failed} failed")
    raise typer.Exit(1 if failed else 0)


def map_command(
    script_path: Path = typer.Argument(..., metavar="SCRIPT", help="The mapping script."),
    input_path: Path = typer.Option(
        ...,
        "--input",
        help="Records: a .json (object or list) or .jsonl file; - reads standard input.",
    ),
    settings_path: Path | None = typer.Option(None, "--settings", help="Settings as JSON."),
) -> None:
    """Map records: print one JSON result per input record; errors go to stderr."""
    try:
        script = compile(_read(script_path), name=str(script_path))
    except PositionedError as exc:
        for e in getattr(exc, "errors", [exc]):
            err.print(f"{script_path}:{e.line}:{e.column}: error: {e.message}")
        raise typer.Exit(2) from None
    settings: dict[str, Any] | None = None
    if settings_path is not None:
        try:
            settings = loads(_read(settings_path))
            script.resolve_settings(settings)
        except SettingsError as exc:
            for name, message in exc.errors:
                err.print(f"{settings_path}: setting '{name}': {message}")
            raise typer.Exit(2) from None
        except ValueError as exc:
            err.print(f"{settings_path}: not valid JSON: {exc}")
            raise typer.Exit(2) from None
    failures = 0
    for number, record in _records(input_path):
        try:
            outcome = script.run(record, settings=settings)
        except MappingError as exc:
            failures += 1
            err.print(f"record {number}: {exc}")
            continue
        print(dumps(outcome.to_json()))
    raise typer.Exit(1 if failures else 0)


def _records(path: Path) -> list[tuple[int, Any]]:
    text = sys.stdin.read() if str(path) == "-" else _read(path)
    try:
        if path.suffix == ".jsonl" or (str(path) == "-" and "\n{" in text.strip()):
            rows = []
            for number, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    rows.append((number, loads(line)))
            return rows
        data = loads(text)
    except ValueError as exc:
        err.print(f"{path}: not valid JSON: {exc}")
        raise typer.Exit(2) from None
    if isinstance(data, list):
        return list(enumerate(data, 1))
    return [(1, data)]


def register(app: typer.Typer) -> None:
    app.command("lint")(lint_command)
    app.command("fmt")(fmt_command)
    app.command("test")(test_command)
    app.command("map")(map_command)
