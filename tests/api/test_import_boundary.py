"""``api`` imports only ``mapwright.engine`` (and ``mapwright.jsonio``), never the language or
the connectors: ``architecture.md``, "Who may import whom"."""

from __future__ import annotations

import ast
from pathlib import Path

import mapwright.api

API = Path(mapwright.api.__file__).resolve().parent
FORBIDDEN = ("mapwright.dsl", "mapwright.connectors")


def _modules() -> list[Path]:
    found = sorted(API.glob("*.py"))
    routes = API / "routes"
    if routes.is_dir():
        found += sorted(routes.rglob("*.py"))
    return found


def _package_of(path: Path) -> list[str]:
    relative = path.relative_to(API.parent).with_suffix("")
    parts = ["mapwright", *relative.parts]
    return parts[:-1] if parts[-1] != "__init__" else parts[:-1]


def imported(path: Path, package: list[str]) -> list[tuple[int, str]]:
    """Every module ``path`` (a module of ``package``) imports (``from x import y`` counts
    as ``x`` and ``x.y``), relative imports resolved, plus modules named to
    ``importlib.import_module``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.append((node.lineno, module))
            out += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None))
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            out.append((node.lineno, node.args[0].value))
    return out


def offenders() -> list[str]:
    return [
        f"api/{path.relative_to(API)}:{line}: {module}"
        for path in _modules()
        for line, module in imported(path, _package_of(path))
        if any(module == f or module.startswith(f + ".") for f in FORBIDDEN)
    ]


def test_the_walker_sees_every_form_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import mapwright.dsl.ast\n"
        "from mapwright import connectors\n"
        "from ..dsl import jsonio\n"
        "from . import errors\n"
        "import importlib\n"
        "importlib.import_module('mapwright.connectors.shop.sandbox')\n"
    )
    found = [m for _, m in imported(sample, ["mapwright", "api"])]
    assert "mapwright.dsl.ast" in found
    assert "mapwright.connectors" in found
    assert "mapwright.dsl" in found and "mapwright.dsl.jsonio" in found
    assert "mapwright.api.errors" in found
    assert "mapwright.connectors.shop.sandbox" in found


def test_api_imports_neither_the_language_nor_the_connectors() -> None:
    assert offenders() == []
