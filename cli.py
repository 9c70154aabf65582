"""The ``mapwright`` command line: language tools, sandboxes, connections, flows."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="mapwright",
    help="mapwright: integration flows written as short, readable mapping scripts.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"mapwright {version('mapwright')}")
        except PackageNotFoundError:
            typer.echo("mapwright (not installed as a package)")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """mapwright: integration flows written as short, readable mapping scripts."""


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
