"""The root command line: version, shell completion, the options of ``connect``."""

from __future__ import annotations

from importlib.metadata import version

from mapwright.cli import _load_groups, app
from typer.testing import CliRunner

_load_groups()


def test_version_prints_the_installed_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"mapwright {version('mapwright')}"


def test_shell_completion_is_offered() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "--install-completion" in result.output


def test_connect_has_no_browser_without_a_negated_twin() -> None:
    result = CliRunner().invoke(app, ["connect", "exact-online", "--help"], env={"COLUMNS": "200"})
    assert "--no-browser" in result.output
    assert "--no-no-browser" not in result.output
