"""``mapwright lint``: the language's lint plus the target systems' field catalogues.

The language alone cannot know that ``Nmae`` is no field of an Exact account; this command
adds the warnings of ``engine/fieldcheck.py`` to the language's errors, so the command line
reports what the editor and ``POST /api/v1/scripts/lint`` report::

    $ mapwright lint accounts.map
    accounts.map:3:3: warning: no field Nmae on crm/Accounts; did you mean Name?

Exit code 1 when any problem (error or warning) is found, else 0. It replaces the
language-only ``lint`` of ``dsl/cli.py`` in the product's command line.
"""

from __future__ import annotations

from pathlib import Path

import typer
from mapwright.dsl import lint
from mapwright.dsl.cli import _out, _read, _scripts
from mapwright.engine import fieldcheck


def lint_command(files: list[Path] = typer.Argument(..., help="Scripts to check.")) -> None:
    """Check scripts; print FILE:LINE:COL: SEVERITY: message for every problem (field
    names are checked against the connectors' field catalogues)."""
    failed = False
    for path in _scripts(files):
        text = _read(path)
        found = lint(text, name=str(path)) + fieldcheck.check(text, name=str(path))
        for d in sorted(found, key=lambda d: (d.line, d.column)):
            failed = True
            _out(f"{path}:{d.line}:{d.column}: {d.severity}: {d.message}")
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    """Replace the language-only ``lint`` command with this one."""
    app.registered_commands = [c for c in app.registered_commands if c.name != "lint"]
    app.command("lint")(lint_command)
