"""The ``mapwright`` command line: language tools, sandboxes, connections, flows."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="mapwright",
    help="mapwright: integration flows written as short, readable mapping scripts.",
    no_args_is_help=True,
    add_completion=False,
)

#: command groups contributed by the packages: (module, attribute)
_GROUPS = [
    ("mapwright.dsl.cli", "register"),
    ("mapwright.engine.lint_cli", "register"),  # lint with the connectors' field catalogues
    ("mapwright.connectors.cli", "register"),
    ("mapwright.engine.cli", "register"),
    ("mapwright.api.cli", "register"),
]


def _load_groups() -> None:
    for module_name, attr in _GROUPS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        getattr(module, attr)(app)


def main() -> None:
    _load_groups()
    app()
