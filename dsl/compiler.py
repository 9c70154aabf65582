"""Compile a script's syntax tree to Python source, then to a code object, once.

Why source text: it runs within a few percent of hand-written dict code (plain field access
is inlined as ``rec.get("name", M)`` chains), and CPython's own compiler checks it. Safety
comes from what the generator can emit, not from what it strips: identifiers from the
script only appear with a ``v_``/``d_`` prefix (the grammar allows ``[A-Za-z_]\\w*`` only),
every text and number reaches the code through ``repr`` of a ``str``/``int`` or through the
constants table, calls resolve at compile time against the builtin registry and the script's
own ``def``s, and the code runs with empty ``__builtins__``. Scripts have no attribute
access, no imports of Python and no loops besides ``each`` over data.

Every run is bounded (see ``limits.py``): each ``def`` call, each round of an ``each`` loop
and each statement that calls a function or picks decrements the record's step counter
(``ctx.left``); slow builtins read the clock first. Expressions are compiled in
``expressions.py``, which also keeps generated code shallow whatever the script's shape.

Each generated line is mapped back to the statement it came from (``LineInfo``), so a run
time failure can name the script line, the rule and the field path (see ``script.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import CodeType
from typing import Any

import mapwright.dsl.functions  # noqa: F401 - fills the registry
from mapwright.dsl import ast, runtime
from mapwright.dsl.errors import (
    MappingCompileError,
    MappingLimitError,
    Position,
    PositionedError,
)
from mapwright.dsl.expressions import ExpressionCompiler, truth
from mapwright.dsl.jmes import search
from mapwright.dsl.limits import MAX_NESTING, NAMES
from mapwright.dsl.plan import Operation, Ref
from mapwright.dsl.scope import Scope
from mapwright.dsl.shapes import copies_only, counts_as_step
from mapwright.dsl.ticks import RUN_HEADER, TICK, merge_ticks, tick_only_steps, unticked
from mapwright.dsl.values import MISSING

LOOKUP_KINDS = {"find", "find_all", "exists", "require"}


@dataclass
class LineInfo:
    """The statement (or ``def``) a generated line comes from.

    ``exprs`` lists the generated text of each expression compiled for it, with its node,
    in compile order: a failing call's text (``co_positions`` of the failing instruction)
    finds the expression it came from (see ``failures.py``).
    """

    node: ast.Node
    target: tuple[str, ...] | None = None
    operation: ast.Operation | None = None
    exprs: list[tuple[str, ast.Node]] = field(default_factory=list, repr=False)


@dataclass
class Module:
    """The ``def``s of one script, ready to be compiled into an importing script."""

    name: str
    defs: dict[str, ast.DefStmt]
    imports: dict[str, Module] = field(default_factory=dict)


@dataclass
class CompiledCode:
    source: str
    namespace: dict[str, Any]
    lines: dict[int, LineInfo]
    run: Callable[..., dict[str, Any]]
    lookups: set[tuple[str, str, str]]
    needs_context: bool
    #: the result must be measured against the output size limit (see ``copies_only``)
    measure_output: bool = True
    #: the generated function of each ``each`` loop -> the local that holds the item index
    loops: dict[CodeType, str] = field(default_factory=dict)
    #: when only step ticks use ``ctx``: the most steps a record can count (``ticks.py``);
    #: with ``max_steps`` at least this, ``unticked_run()`` gives the same results
    tick_steps: int | None = None
    ticks: list[int] = field(default_factory=list, repr=False)
    _unticked: Callable[..., dict[str, Any]] | None = field(default=None, repr=False)

    def runner(self, max_steps: int) -> tuple[Callable[..., dict[str, Any]], bool]:
        """The record function to call under ``max_steps``, and whether it takes a
        ``Context``: the one without ticks when no tick can reach the limit (``ticks.py``)."""
        if self.needs_context and self.tick_steps is not None and self.tick_steps <= max_steps:
            return self.unticked_run(), False
        return self.run, self.needs_context

    def unticked_run(self) -> Callable[..., dict[str, Any]]:
        """``run`` without its step ticks, called with ``ctx=None`` (compiled on first use;
        only when ``tick_steps`` is not ``None``)."""
        if self._unticked is None:
            assert self.tick_steps is not None
            filename = self.run.__code__.co_filename
            self._unticked = unticked(self.source, self.ticks, self.namespace, filename)
        return self._unticked


class Compiler(ExpressionCompiler):
    def __init__(
        self,
        script: ast.Script,
        *,
        name: str,
        settings: set[str],
        module: Module,
    ):
        self.script = script
        self.name = name
        self.settings = settings
        self.module = module
        self.out: list[str] = []
        self.lines: dict[int, LineInfo] = {}
        self.ticks: list[int] = []  # where ``tick`` emitted its two lines (``ticks.py``)
        self.consts: list[Any] = []
        self.counter = 0
        self.lookups: set[tuple[str, str, str]] = set()
        self.nest = 0
        self.loops = 0
        self.namespace: dict[str, Any] = {
            "__builtins__": {},
            "M": MISSING,
            "Op": Operation,
            "Ref": Ref,
            "jm": search,
            "type": type,
            "len": len,
            "enumerate": enumerate,
            "dict": dict,
            "list": list,
        }
        for helper in (
            "add",
            "sub",
            "mul",
            "div",
            "neg",
            "concat",
            "template",
            "truthy",
            "eq",
            "lt",
            "le",
            "gt",
            "ge",
            "contains",
            "get",
            "items",
            "set_path",
            "find",
            "find_all",
            "exists",
            "require",
            "operation",
            "park",
            "skip",
            "key_name",
            "sized",
        ):
            self.namespace[helper] = getattr(runtime, helper)
        self.info: LineInfo | None = None
        self.indent = 0
        self.loop_functions: dict[str, str] = {}

    # -- what a run time error needs to find its place (``failures.py``) ---------------------
    def expr(self, node: ast.Node, scope: Scope) -> str:
        code = super().expr(node, scope)
        if self.info is not None:
            self.info.exprs.append((code, node))
        return code

    def record_loop(self, function: str, index: str) -> None:
        """``function`` (generated) runs an ``each`` loop whose item index is ``index``."""
        self.loop_functions[function] = index

    # -- output ----------------------------------------------------------------------------
    def emit(self, text: str) -> None:
        self.out.append("    " * self.indent + text)
        if self.info is not None:
            self.lines[len(self.out)] = self.info

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def const(self, value: Any) -> str:
        name = f"K{len(self.consts)}"
        self.consts.append(value)
        self.namespace[name] = value
        return name

    def tick(self) -> None:
        """Count one step of the record's budget (see ``runtime.Context.checkpoint``)."""
        self.ticks.append(len(self.out))
        self.emit(TICK[0])
        self.emit(TICK[1])

    # -- entry point -----------------------------------------------------------------------
    def compile(self) -> CompiledCode:
        errors: list[PositionedError] = []
        self.def_errors = errors
        self._compile_defs(self.module, prefix="d_")
        self.info = None
        self.emit(RUN_HEADER)
        self.indent = 1
        self.emit("out = {}")
        scope = Scope()
        for stmt in self.script.statements:
            try:
                self.statement(stmt, scope, target="out", top=True)
            except PositionedError as exc:
                errors.append(exc)
                self.indent = 1
        if errors:
            first = errors[0]
            raise CompileErrors(first.message, first.position, self.name, errors=errors)
        self.info = None
        self.emit("return out")
        self.indent = 0
        merge_ticks(self.out, self.ticks)
        source = "\n".join(self.out) + "\n"
        try:
            code = compile(source, f"<mapping {self.name}>", "exec")
        except (SyntaxError, RecursionError, MemoryError):  # nesting.py should prevent it
            raise MappingLimitError(
                "this script is too complex to compile; split long expressions with let",
                Position(1, 1, 1, 2),
                self.name,
                limit=NAMES["nesting"],
                maximum=MAX_NESTING,
            ) from None
        exec(code, self.namespace)  # noqa: S102 - generated from the checked tree, no builtins
        needs_context = "ctx" in source.replace(RUN_HEADER, "")
        loops = {
            c: self.loop_functions[c.co_name]
            for c in _code_objects(code)
            if c.co_name in self.loop_functions
        }
        return CompiledCode(
            source,
            self.namespace,
            self.lines,
            self.namespace["run"],
            self.lookups,
            needs_context,
            not copies_only(self.script),
            loops,
            tick_only_steps(self.out, self.ticks),
            self.ticks,
        )

    def _compile_defs(self, module: Module, prefix: str) -> None:
        try:
            self._compile_defs_of(module, prefix)
        finally:
            self.indent = 0

    def _compile_defs_of(self, module: Module, prefix: str) -> None:
        for alias, sub in module.imports.items():
            self._compile_defs_of(sub, prefix=f"{prefix}{alias}__")
        for d in module.defs.values():
            self.info = LineInfo(d)
            scope = Scope(in_def=True, def_params=d.params)
            params = ["ctx"]
            for p in d.params:
                scope.names[p] = f"v_{p}"
                params.append(f"v_{p}")
            self.current_module, self.current_prefix = module, prefix
            depth = self.indent
            self.emit(f"def {prefix}{d.name}({', '.join(params)}):")
            self.indent += 1
            self.tick()
            try:
                value = self.expr(d.body, scope)
            except PositionedError as exc:  # report it and go on with the other defs
                self.def_errors.append(exc)
                value = "M"
            self.emit(f"return {value}")
            self.indent = depth
        self.current_module, self.current_prefix = self.module, "d_"

    current_module: Module
    current_prefix: str
    def_errors: list[PositionedError]

    # -- statements ------------------------------------------------------------------------
    def statement(
        self,
        node: ast.Node,
        scope: Scope,
        *,
        target: str,
        top: bool = False,
        policies: str | None = None,
        op: ast.Operation | None = None,
    ) -> None:
        if isinstance(
            node,
            ast.FlowStmt
            | ast.SourceStmt
            | ast.TargetStmt
            | ast.SettingStmt
            | ast.ImportStmt
            | ast.DefStmt
            | ast.TestStmt,
        ):
            return
        self.info = LineInfo(node, operation=op)
        if not self.loops and counts_as_step(node):  # in a loop, each round is a step
            self.tick()
        if isinstance(node, ast.LetStmt):
            var = f"v_{node.name}"
            value = self.expr(node.value, scope)
            self.emit(f"{var} = {value}")
            scope.names[node.name] = var
            scope.aliases.discard(node.name)
        elif isinstance(node, ast.WhereStmt):
            if not top:
                raise self.error(
                    "'where' filters whole records and belongs at the top of the "
                    "script; to filter list items write 'each items as x where ...'",
                    node,
                )
            cond = self.expr(node.cond, scope)
            reason = (
                self.expr(node.reason, scope)
                if node.reason is not None
                else repr(f"filtered out by the where on line {node.pos.line}")
            )
            self.emit(f"if not {truth(node.cond, cond)}:")
            self.emit(f"    skip({reason})")
        elif isinstance(node, ast.ParkStmt):
            message = self.expr(node.message, scope)
            if node.cond is not None:
                self.emit(f"if {truth(node.cond, self.expr(node.cond, scope))}:")
                self.emit(f"    park({message})")
            else:
                self.emit(f"park({message})")
        elif isinstance(node, ast.Rule):
            self.rule(node, scope, target, policies, op)
        elif isinstance(node, ast.Operation):
            if op is not None:
                raise self.error(
                    "an operation cannot sit inside another one; write it after "
                    "the closing } and refer to it by its 'as' name",
                    node,
                )
            self.operation(node, scope)
        elif isinstance(node, ast.WhenStmt):
            cond = self.expr(node.cond, scope)
            self.emit(f"if {truth(node.cond, cond)}:")
            # lets stay inside their block; step names ('as') are flow-wide, so they
            # are known after the block (both branches may name the same step)
            branch = scope.child()
            self.block(node.body, branch, target, top, policies, op)
            named = branch.aliases - scope.aliases
            if node.else_body is not None:
                self.info = LineInfo(node, operation=op)
                self.emit("else:")
                other = scope.child()
                self.block(node.else_body, other, target, top, policies, op)
                named |= other.aliases - scope.aliases
            for alias in named:
                scope.aliases.add(alias)
                scope.names.pop(alias, None)
        else:
            raise self.error("this statement is not allowed here", node)

    def block(
        self,
        block: ast.Block,
        scope: Scope,
        target: str,
        top: bool,
        policies: str | None,
        op: ast.Operation | None,
    ) -> None:
        self.indent += 1
        self.emit("pass")
        for item in block.items:
            self.statement(item, scope, target=target, top=top, policies=policies, op=op)
        self.indent -= 1

    def rule(
        self,
        node: ast.Rule,
        scope: Scope,
        target: str,
        policies: str | None,
        op: ast.Operation | None,
    ) -> None:
        self.info = LineInfo(node, target=node.target, operation=op)
        if node.policy != "always" and policies is None:
            raise self.error(
                "'on create' and 'if empty' apply to fields of a create or upsert "
                "(or update, for 'if empty'); here they have no meaning",
                node,
            )
        if node.policy == "on_create" and op is not None and op.kind == "update":
            raise self.error(
                "an update never creates, so 'on create' never writes this field", node
            )
        value = self.expr(node.value, scope)
        tmp = self.fresh("_v")
        self.emit(f"if ({tmp} := {value}) is not M:")
        if len(node.target) == 1:
            self.emit(f"    {target}[{node.target[0]!r}] = {tmp}")
        else:
            self.emit(f"    set_path({target}, {node.target!r}, {tmp})")
        if policies is not None and node.policy != "always":
            self.emit(f"{policies}[{'.'.join(node.target)!r}] = {node.policy!r}")

    def operation(self, node: ast.Operation, scope: Scope) -> None:
        self.info = LineInfo(node, operation=node)
        if node.kind in ("update", "upsert") and node.clause != "match":
            raise self.error(
                f"{node.kind} needs a match key: '{node.kind} "
                f"{node.system}.{node.object} match Key = value {{ ... }}'",
                node,
            )
        if node.kind == "create" and node.clause == "match":
            raise self.error(
                "create does not match existing records; use upsert to create or "
                "update, or 'unless exists Key = value' to skip existing ones",
                node,
            )
        if node.alias and node.alias in scope.aliases:
            raise self.error(
                f"'{node.alias}' already names an earlier step; pick another name", node
            )
        fields = self.fresh("_f")
        policies = self.fresh("_p")
        self.emit(f"{fields} = {{}}")
        self.emit(f"{policies} = {{}}")
        key_part = "None"
        if node.key is not None and node.key_value is not None:
            key = (
                repr(node.key)
                if isinstance(node.key, str)
                else f"key_name({self.expr(node.key, scope)})"
            )
            key_part = f"({key}, {self.expr(node.key_value, scope)})"
        inner = scope.child()
        for item in node.body.items:
            self.statement(item, inner, target=fields, policies=policies, op=node)
        self.info = LineInfo(node, operation=node)
        match_arg = key_part if node.clause == "match" else "None"
        unless_arg = key_part if node.clause == "unless_exists" else "None"
        self.emit(
            f"operation(ctx, Op({node.kind!r}, {node.system!r}, {node.object!r}, {fields}, "
            f"alias={node.alias!r}, match={match_arg}, unless_exists={unless_arg}, "
            f"policies={policies}, line={node.pos.line}))"
        )
        if node.alias:
            scope.aliases.add(node.alias)
            scope.names.pop(node.alias, None)


def _code_objects(code: CodeType) -> Iterator[CodeType]:
    """``code`` and every function compiled inside it."""
    stack = [code]
    while stack:
        current = stack.pop()
        yield current
        stack += [c for c in current.co_consts if isinstance(c, CodeType)]


class CompileErrors(MappingCompileError):
    """Several compile errors at once (``errors``), raised after checking every statement."""

    def __init__(
        self,
        message: str,
        position: Position | None,
        script: str | None,
        errors: list[PositionedError],
    ):
        super().__init__(message, position, script)
        self.errors = errors


def check_recursion(module: Module) -> None:
    """Refuse ``def``s that call themselves, directly or through others."""
    graph: dict[str, set[str]] = {}
    for d in module.defs.values():
        graph[d.name] = {
            n.name for n in ast.walk(d.body) if isinstance(n, ast.Call) and n.name in module.defs
        }
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            loop = " -> ".join([*trail[trail.index(name) :], name])
            d = module.defs[name]
            raise MappingCompileError(
                f"recursion is not allowed ({loop}); a mapping must always finish",
                d.pos,
                module.name,
            )
        state[name] = 1
        for callee in graph[name]:
            visit(callee, [*trail, name])
        state[name] = 2

    for name in graph:
        visit(name, [])


__all__ = ["CompiledCode", "Compiler", "LineInfo", "Module", "Position", "check_recursion"]
