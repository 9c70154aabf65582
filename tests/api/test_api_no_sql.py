"""Every query on the tables lives in the engine (``mapwright.engine.services``, the store):
no module of ``api`` imports SQLAlchemy or a table definition."""

from __future__ import annotations

import ast
from pathlib import Path

import mapwright.api

API = Path(mapwright.api.__file__).resolve().parent
FORBIDDEN = ("sqlalchemy", "mapwright.engine.schema", "mapwright.engine.db")


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def offenders() -> list[str]:
    return [
        f"{path.relative_to(API.parent)}:{line}: {module}"
        for path in sorted(API.rglob("*.py"))
        for line, module in _imports(path)
        if any(module == f or module.startswith(f + ".") for f in FORBIDDEN)
    ]


def test_the_check_sees_sql_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import sqlalchemy as sa\nfrom mapwright.engine import schema\n")
    assert [m for _, m in _imports(sample)] == [
        "sqlalchemy",
        "mapwright.engine",
        "mapwright.engine.schema",
    ]


def test_api_runs_no_sql_of_its_own() -> None:
    assert offenders() == []
