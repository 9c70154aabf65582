"""Who may import whom (``architecture.md``): ``api`` imports only ``mapwright.engine`` (and
``mapwright.jsonio``), never the language or the connectors; ``engine`` reaches a connector
only through the registry and its declaration, never into a connector's own package (so that a
new connector needs only its own folder)."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import mapwright.api
import mapwright.connectors
import mapwright.engine

API = Path(mapwright.api.__file__).resolve().parent
ENGINE = Path(mapwright.engine.__file__).resolve().parent
ROOT = API.parent
FORBIDDEN = ("mapwright.dsl", "mapwright.connectors")
#: engine modules that still reach into a connector's package, and why. The rule: the engine
#: asks ``connectors/registry.py`` for a connector's declaration (its class, OAuth protocol and
#: tokens, webhooks, catalogue) and imports only the shared modules of ``connectors/``.
ENGINE_ALLOWED = {
    ("engine/shared_quota.py", "mapwright.connectors.exact_online.limits"): (
        "the QuotaBackend protocol (connectors/quota.py) asks the host for Exact's error "
        "budget by name; the host counts it in the database by subclassing ErrorBudget"
    ),
}


def _modules(package: Path = API) -> list[Path]:
    if package != API:
        return sorted(package.rglob("*.py"))
    found = sorted(API.glob("*.py"))
    routes = API / "routes"
    if routes.is_dir():
        found += sorted(routes.rglob("*.py"))
    return found


def _package_of(path: Path) -> list[str]:
    relative = path.relative_to(ROOT).with_suffix("")
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


def connector_packages() -> set[str]:
    """``mapwright.connectors.<name>`` of every connector's own package (a sub-package of
    ``connectors/``; its modules are ``connectors/*.py``, shared by all)."""
    return {
        f"mapwright.connectors.{info.name}"
        for info in pkgutil.iter_modules(mapwright.connectors.__path__)
        if info.ispkg
    }


def engine_reaches() -> set[tuple[str, str]]:
    """``(engine module, connector module)`` for every import of the engine into a
    connector's own package (its declaration included: the registry finds those)."""
    packages = connector_packages()
    return {
        (f"engine/{path.relative_to(ENGINE).as_posix()}", module)
        for path in _modules(ENGINE)
        for _, module in imported(path, _package_of(path))
        if any(module == p or module.startswith(p + ".") for p in packages)
    }


def _allowed(reach: tuple[str, str], allowed: tuple[str, str]) -> bool:
    """``allowed`` (a module) covers ``reach``: that module or a name in it."""
    return reach[0] == allowed[0] and (
        reach[1] == allowed[1] or reach[1].startswith(allowed[1] + ".")
    )


def test_the_engine_reaches_connectors_only_through_their_declarations() -> None:
    found = engine_reaches()
    unexplained = sorted(r for r in found if not any(_allowed(r, a) for a in ENGINE_ALLOWED))
    assert unexplained == [], (
        "the engine imports a connector's own modules; let its declaration "
        "(connectors/<kind>/declaration.py, connectors/registry.py) offer what is needed "
        "and look it up by kind"
    )
    stale = sorted(a for a in ENGINE_ALLOWED if not any(_allowed(r, a) for r in found))
    assert stale == [], "no longer imported: drop these from ENGINE_ALLOWED"


def test_the_connector_packages_are_known() -> None:
    packages = connector_packages()
    assert {"mapwright.connectors.exact_online", "mapwright.connectors.shop"} <= packages
    assert "mapwright.connectors.registry" not in packages  # a shared module
