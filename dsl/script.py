"""``compile`` a script once, ``run`` it on many records.

``compile(text, name=...)`` parses, checks and compiles a script and caches the result by
the hash of its text (and of the scripts it imports). ``Script.run(record)`` maps one record
and returns an ``Outcome``: the output fields, the planned operations, or why the record was
skipped or parked. A failing rule raises ``MappingRuntimeError`` naming the script, line,
rule, field path and the value involved.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

from mapwright.dsl import ast
from mapwright.dsl.batch import outcomes
from mapwright.dsl.compiler import (
    CompiledCode,
    CompileErrors,
    Compiler,
    Module,
    check_recursion,
)
from mapwright.dsl.errors import (
    MappingCompileError,
    MappingError,
    MappingLimitError,
    MappingRuntimeError,
    MappingSyntaxError,
    PositionedError,
)
from mapwright.dsl.failures import output_error, runtime_error
from mapwright.dsl.limits import (
    MAX_EACH_ITEMS,
    MAX_OUTPUT,
    MAX_SECONDS,
    MAX_STEPS,
)
from mapwright.dsl.parser import parse_with_errors
from mapwright.dsl.plan import Outcome
from mapwright.dsl.resolver import LookupPending, NoResolver, Resolver
from mapwright.dsl.runtime import Context, ParkRecord, SkipRecord
from mapwright.dsl.settings import REQUIRED, TYPES, SettingSpec, convert, resolve
from mapwright.dsl.sizes import OutputTooLarge, check_output
from mapwright.dsl.values import MISSING, snippet

Loader = Callable[[str, str | None], tuple[str, str]]


@dataclass
class ScriptTest:
    """An example carried by a script: ``input`` must map to ``expect``."""

    name: str
    input: Any
    expect: Any
    settings: dict[str, Any] = field(default_factory=dict)
    lookups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    line: int = 0


class Script:
    """A compiled script. Create with ``mapwright.dsl.compile``."""

    def __init__(
        self,
        tree: ast.Script,
        code: CompiledCode,
        *,
        name: str,
        text: str,
        settings: dict[str, SettingSpec],
        tests: list[ScriptTest],
        imported: dict[str, str],
    ):
        self.tree = tree
        self.name = name
        self.text = text
        self.settings = settings
        self.tests = tests
        self.code = code
        self.imported = imported  # path -> sha256 of the imported text
        self.flow: str | None = None
        self.description: str | None = None
        self.source: tuple[str, str] | None = None
        self.target: str | None = None
        self._source_params: ast.Node | None = None
        for stmt in tree.statements:
            if isinstance(stmt, ast.FlowStmt):
                self.flow, self.description = stmt.name, stmt.description
            elif isinstance(stmt, ast.SourceStmt):
                self.source = (stmt.system, stmt.object)
                self._source_params = stmt.params
            elif isinstance(stmt, ast.TargetStmt):
                self.target = stmt.system
        self._defaults: dict[str, Any] | None = None
        # the per-record limits (see limits.py); a caller may lower or raise them
        self.max_steps = MAX_STEPS
        self.max_seconds = MAX_SECONDS
        self.max_items = MAX_EACH_ITEMS
        self.max_output = MAX_OUTPUT

    @property
    def lookups(self) -> set[tuple[str, str, str]]:
        """Every (system, object, key) the script may look up."""
        return self.code.lookups

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def resolve_settings(self, given: dict[str, Any] | None = None) -> dict[str, Any]:
        """The settings a run uses: defaults filled in, types checked (``SettingsError``)."""
        if not given:
            if self._defaults is None:
                self._defaults = resolve(self.settings, None)
            return self._defaults
        return resolve(self.settings, given)

    def source_params(self, settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``with {...}`` of the ``source`` line (fixed values and settings), for the
        connector's list call. Entries whose value is ``missing`` are left out."""
        if self._source_params is None:
            return {}
        resolved = self.resolve_settings(settings)
        value = constant(self._source_params, self.name, resolved)
        if not isinstance(value, dict):
            raise MappingCompileError(
                "the 'with' of a source must be an object", self._source_params.pos, self.name
            )
        return {k: v for k, v in value.items() if v is not MISSING}

    def run(
        self,
        record: Any,
        *,
        settings: dict[str, Any] | None = None,
        resolver: Resolver | None = None,
    ) -> Outcome:
        """Map one record. Skips and parks are results; failures raise MappingRuntimeError."""
        if type(record) is not dict:
            raise MappingRuntimeError(
                f"the input record must be a JSON object, not {snippet(record)}", script=self.name
            )
        resolved = (
            self._defaults
            if not settings and self._defaults is not None
            else self.resolve_settings(settings)
        )
        code = self.code
        run, needs_context = code.runner(self.max_steps)
        ctx = (
            Context(
                resolver if resolver is not None else _NO_RESOLVER,
                max_seconds=self.max_seconds,
                max_items=self.max_items,
                max_steps=self.max_steps,
            )
            if needs_context
            else None
        )
        try:
            output = run(record, resolved, ctx)
            if code.measure_output:
                check_output(output, ctx.ops if ctx is not None else [], self.max_output)
        except OutputTooLarge as exc:
            raise output_error(self, exc) from None
        except SkipRecord as skip:
            return Outcome(skipped=skip.reason)
        except ParkRecord as park:
            return Outcome(parked=park.message)
        except (LookupPending, MappingRuntimeError):
            raise
        except Exception as exc:  # a helper met a value it did not expect, or a limit hit
            raise runtime_error(self, exc, exc.__traceback__) from None
        return Outcome(output, ctx.ops if ctx is not None else None)

    @overload
    def run_many(
        self,
        records: Iterable[Any],
        *,
        settings: dict[str, Any] | None = None,
        resolver: Resolver | None = None,
        errors: Literal["raise"] = "raise",
    ) -> Iterator[Outcome]: ...

    @overload
    def run_many(
        self,
        records: Iterable[Any],
        *,
        settings: dict[str, Any] | None = None,
        resolver: Resolver | None = None,
        errors: Literal["yield"],
    ) -> Iterator[Outcome | MappingRuntimeError]: ...

    def run_many(
        self,
        records: Iterable[Any],
        *,
        settings: dict[str, Any] | None = None,
        resolver: Resolver | None = None,
        errors: Literal["raise", "yield"] = "raise",
    ) -> Iterator[Outcome] | Iterator[Outcome | MappingRuntimeError]:
        """Map many records, one at a time: an iterator of one ``Outcome`` per record.

        Gives what ``run`` gives for each record, with the same limits per record (steps,
        time, list items, output size), but checks the settings once, here, before the first
        record. A failing record raises its ``MappingRuntimeError`` (the records before it
        were given already); with ``errors="yield"`` the error takes the record's place and
        the run goes on. ``LookupPending`` always raises.
        """
        if errors not in ("raise", "yield"):
            raise ValueError(f'errors must be "raise" or "yield", not {errors!r}')
        resolved = (
            self._defaults
            if not settings and self._defaults is not None
            else self.resolve_settings(settings)
        )
        return outcomes(
            self, records, resolved, resolver if resolver is not None else _NO_RESOLVER, errors
        )


_NO_RESOLVER = NoResolver()
_CACHE: OrderedDict[tuple[str, str], Script] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256


def compile(source: str, *, name: str | None = None, loader: Loader | None = None) -> Script:  # noqa: A001
    """Parse, check and compile ``source``; raise ``MappingSyntaxError``/``MappingCompileError``.

    The result is cached by the text's hash; compiling the same text again is free.
    """
    label = name or "<script>"
    key = (hashlib.sha256(source.encode()).hexdigest(), label)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None and _imports_unchanged(cached, loader):
        return cached
    script, errors = _build(source, label, loader or _file_loader)
    if errors:
        first = errors[0]
        if isinstance(first, MappingSyntaxError):
            raise MappingSyntaxError(first.message, first.position, label, errors=errors)
        err: PositionedError
        if isinstance(first, MappingLimitError):
            err = MappingLimitError(
                first.message, first.position, label, limit=first.limit, maximum=first.maximum
            )
        else:
            err = MappingCompileError(first.message, first.position, label)
        err.errors = errors  # type: ignore[union-attr]
        raise err
    assert script is not None
    with _CACHE_LOCK:
        _CACHE[key] = script
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return script


def lint(
    source: str, *, name: str | None = None, loader: Loader | None = None
) -> list[PositionedError]:
    """Every problem in ``source`` (syntax and compile errors), in script order."""
    try:
        _, errors = _build(source, name or "<script>", loader or _file_loader)
    except PositionedError as exc:
        return [exc]
    return errors


def _imports_unchanged(script: Script, loader: Loader | None) -> bool:
    for path, digest in script.imported.items():
        try:
            text, _ = (loader or _file_loader)(path, script.name)
        except MappingError:
            return False
        if hashlib.sha256(text.encode()).hexdigest() != digest:
            return False
    return True


def _build(source: str, name: str, loader: Loader) -> tuple[Script | None, list[PositionedError]]:
    tree, errors = parse_with_errors(source, name=name)
    errors = list(errors)
    settings, tests = _declarations(tree, name, errors)
    imported: dict[str, str] = {}
    module = _module(tree, name, loader, errors, imported, stack=(name,))
    try:
        check_recursion(module)
        compiler = Compiler(tree, name=name, settings=set(settings), module=module)
        code = compiler.compile()
    except CompileErrors as exc:
        return None, _sorted([*errors, *exc.errors])
    except PositionedError as exc:
        return None, _sorted([*errors, exc])
    if errors:
        return None, _sorted(errors)
    return Script(
        tree, code, name=name, text=source, settings=settings, tests=tests, imported=imported
    ), []


def _sorted(errors: list[PositionedError]) -> list[PositionedError]:
    return sorted(errors, key=lambda e: (e.line, e.column))


def _declarations(
    tree: ast.Script, name: str, errors: list[PositionedError]
) -> tuple[dict[str, SettingSpec], list[ScriptTest]]:
    settings: dict[str, SettingSpec] = {}
    tests: list[ScriptTest] = []
    seen: dict[str, int] = {}
    for stmt in tree.statements:
        kind = type(stmt).__name__
        if isinstance(stmt, ast.FlowStmt | ast.SourceStmt | ast.TargetStmt):
            if kind in seen:
                errors.append(
                    MappingCompileError(
                        f"a script has one '{kind[:-4].lower()}' line; "
                        f"another is on line {seen[kind]}",
                        stmt.pos,
                        name,
                    )
                )
            seen[kind] = stmt.pos.line
        elif isinstance(stmt, ast.SettingStmt):
            spec = _setting(stmt, name, errors)
            if stmt.name in settings:
                errors.append(
                    MappingCompileError(
                        f"the setting '{stmt.name}' is declared twice", stmt.pos, name
                    )
                )
            elif spec is not None:
                settings[stmt.name] = spec
        elif isinstance(stmt, ast.TestStmt):
            test = _test(stmt, name, errors)
            if test is not None:
                tests.append(test)
    return settings, tests


def _setting(stmt: ast.SettingStmt, name: str, errors: list[PositionedError]) -> SettingSpec | None:
    if stmt.type not in TYPES:
        errors.append(
            MappingCompileError(
                f"unknown setting type '{stmt.type}'; use one of: " + ", ".join(TYPES),
                stmt.pos,
                name,
            )
        )
        return None
    if stmt.refers and stmt.type not in ("text", "list", "table"):
        errors.append(
            MappingCompileError(
                f"setting '{stmt.name}' is {stmt.type}: only text, list and table settings "
                "can use 'refers' (their values are looked up in the target system)",
                stmt.pos,
                name,
            )
        )
        return None
    default: Any = REQUIRED
    spec = SettingSpec(stmt.name, stmt.type, default, stmt.choices, stmt.help, stmt.pos.line)
    if stmt.default is not None:
        try:
            default = convert(spec, constant(stmt.default, name))
        except ValueError as exc:
            errors.append(
                MappingCompileError(
                    f"the default of setting '{stmt.name}': {exc}", stmt.default.pos, name
                )
            )
            return None
        except PositionedError as exc:
            errors.append(exc)
            return None
    return SettingSpec(
        stmt.name, stmt.type, default, stmt.choices, stmt.help, stmt.pos.line, stmt.refers
    )


def _test(stmt: ast.TestStmt, name: str, errors: list[PositionedError]) -> ScriptTest | None:
    try:
        value = constant(stmt.value, name)
    except PositionedError as exc:
        errors.append(exc)
        return None
    if not isinstance(value, dict) or "input" not in value or "expect" not in value:
        errors.append(
            MappingCompileError(
                "a test is an object with 'input' and 'expect' "
                "(and optional 'settings', 'lookups')",
                stmt.pos,
                name,
            )
        )
        return None
    unknown = set(value) - {"input", "expect", "settings", "lookups"}
    if unknown:
        errors.append(
            MappingCompileError(
                f"unknown test key(s): {', '.join(sorted(unknown))}", stmt.pos, name
            )
        )
        return None
    return ScriptTest(
        stmt.name,
        value["input"],
        value["expect"],
        value.get("settings") or {},
        value.get("lookups") or {},
        stmt.pos.line,
    )


def _module(
    tree: ast.Script,
    name: str,
    loader: Loader,
    errors: list[PositionedError],
    imported: dict[str, str],
    stack: tuple[str, ...],
) -> Module:
    defs: dict[str, ast.DefStmt] = {}
    imports: dict[str, Module] = {}
    for stmt in tree.statements:
        if isinstance(stmt, ast.DefStmt):
            if stmt.name in defs:
                errors.append(
                    MappingCompileError(f"'{stmt.name}' is defined twice", stmt.pos, name)
                )
            if len(set(stmt.params)) != len(stmt.params):
                errors.append(MappingCompileError("a parameter name is used twice", stmt.pos, name))
            defs[stmt.name] = stmt
        elif isinstance(stmt, ast.ImportStmt):
            try:
                text, sub_name = loader(stmt.path, name)
            except MappingError as exc:
                errors.append(MappingCompileError(str(exc), stmt.pos, name))
                continue
            if sub_name in stack:
                errors.append(
                    MappingCompileError(
                        "import loop: " + " -> ".join([*stack, sub_name]), stmt.pos, name
                    )
                )
                continue
            imported[stmt.path] = hashlib.sha256(text.encode()).hexdigest()
            sub_tree, sub_errors = parse_with_errors(text, name=sub_name)
            if sub_errors:
                errors.append(
                    MappingCompileError(
                        f"the imported script {stmt.path} has errors: {sub_errors[0]}",
                        stmt.pos,
                        name,
                    )
                )
                continue
            imports[stmt.alias] = _module(
                sub_tree, sub_name, loader, errors, imported, (*stack, sub_name)
            )
    return Module(name, defs, imports)


def _file_loader(path: str, importer: str | None) -> tuple[str, str]:
    """Load an imported script from the importer's folder (never outside it)."""
    if not importer or importer.startswith("<"):
        raise MappingError(
            "imports need the importing script's file name to find "
            f"'{path}'; compile it with name=<path of the script>"
        )
    base = Path(importer).resolve().parent
    if os.path.isabs(path):
        raise MappingError(f"import '{path}': use a path relative to the script's folder")
    target = (base / path).resolve()
    if base not in target.parents and target != base:
        raise MappingError(f"import '{path}' points outside the script's folder")
    try:
        return target.read_text("utf-8"), str(target)
    except OSError as exc:
        raise MappingError(f"cannot read imported script '{path}': {exc.strerror}") from None


def constant(node: ast.Node, name: str, settings: dict[str, Any] | None = None) -> Any:
    """The value of a fixed expression: literals, lists, objects, negative numbers, and
    ``settings.x`` where ``settings`` are given (the source line's ``with``)."""
    if isinstance(node, ast.Literal):
        return node.value
    if isinstance(node, ast.ListLit):
        return [constant(i, name, settings) for i in node.items]
    if isinstance(node, ast.ObjectLit):
        return {k: constant(v, name, settings) for k, v in node.items}
    if isinstance(node, ast.Unary) and node.op == "-":
        value = constant(node.operand, name, settings)
        if isinstance(value, int | float) or type(value).__name__ == "Decimal":
            return -value
    if (
        settings is not None
        and isinstance(node, ast.GetField)
        and isinstance(node.base, ast.SettingsRef)
    ):
        if node.name not in settings:
            raise MappingCompileError(f"there is no setting '{node.name}'", node.pos, name)
        return settings[node.name]
    allowed = "text, numbers, lists, objects" + (" and settings.x" if settings is not None else "")
    raise MappingCompileError(
        f"only fixed values ({allowed}) are allowed here, not expressions", node.pos, name
    )
