"""Compile a script's syntax tree to Python source, then to a code object, once.

Why source text: it runs within a few percent of hand-written dict code (plain field access
is inlined as ``rec.get("name", M)`` chains), and CPython's own compiler checks it. Safety
comes from what the generator can emit, not from what it strips: identifiers from the
script only appear with a ``v_``/``d_`` prefix (the grammar allows ``[A-Za-z_]\\w*`` only),
every text and number reaches the code through ``repr`` of a ``str``/``int`` or through the
constants table, calls resolve at compile time against the builtin registry and the script's
own ``def``s, and the code runs with empty ``__builtins__``. Scripts have no attribute
access, no imports of Python and no loops besides ``each`` over data.

Each generated line is mapped back to the statement it came from (``LineInfo``), so a run
time failure can name the script line, the rule and the field path (see ``script.py``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import mapwright.dsl.functions  # noqa: F401 - fills the registry
from mapwright.dsl import ast, runtime
from mapwright.dsl.errors import MappingCompileError, Position
from mapwright.dsl.functions.registry import REGISTRY
from mapwright.dsl.jmes import compile_expression, is_plain_path, search
from mapwright.dsl.plan import Operation, Ref
from mapwright.dsl.values import MISSING

LOOKUP_KINDS = {"find", "find_all", "exists", "require"}


@dataclass
class LineInfo:
    node: ast.Node
    target: tuple[str, ...] | None = None
    operation: ast.Operation | None = None


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


@dataclass
class _Scope:
    names: dict[str, str] = field(default_factory=dict)  # DSL name -> python variable
    aliases: set[str] = field(default_factory=set)
    in_def: bool = False
    def_params: tuple[str, ...] = ()

    def child(self) -> _Scope:
        return _Scope(dict(self.names), set(self.aliases), self.in_def, self.def_params)


class Compiler:
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
        self.consts: list[Any] = []
        self.counter = 0
        self.lookups: set[tuple[str, str, str]] = set()
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
        ):
            self.namespace[helper] = getattr(runtime, helper)
        self.info: LineInfo | None = None
        self.indent = 0

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

    def error(self, message: str, node: ast.Node) -> MappingCompileError:
        return MappingCompileError(message, node.pos, self.name)

    # -- entry point -----------------------------------------------------------------------
    def compile(self) -> CompiledCode:
        errors: list[MappingCompileError] = []
        self.def_errors = errors
        self._compile_defs(self.module, prefix="d_")
        self.info = None
        self.emit("def run(rec, S, ctx):")
        self.indent = 1
        self.emit("out = {}")
        scope = _Scope()
        for stmt in self.script.statements:
            try:
                self.statement(stmt, scope, target="out", top=True)
            except MappingCompileError as exc:
                errors.append(exc)
                self.indent = 1
        if errors:
            first = errors[0]
            raise CompileErrors(first.message, first.position, self.name, errors=errors)
        self.info = None
        self.emit("return out")
        self.indent = 0
        source = "\n".join(self.out) + "\n"
        code = compile(source, f"<mapping {self.name}>", "exec")
        exec(code, self.namespace)  # noqa: S102 - generated from the checked tree, no builtins
        needs_context = "ctx" in source.replace("def run(rec, S, ctx):", "")
        return CompiledCode(
            source, self.namespace, self.lines, self.namespace["run"], self.lookups, needs_context
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
            scope = _Scope(in_def=True, def_params=d.params)
            params = []
            for p in d.params:
                scope.names[p] = f"v_{p}"
                params.append(f"v_{p}")
            self.current_module, self.current_prefix = module, prefix
            depth = self.indent
            self.emit(f"def {prefix}{d.name}({', '.join(params)}):")
            self.indent += 1
            try:
                value = self.expr(d.body, scope)
            except MappingCompileError as exc:  # report it and go on with the other defs
                self.def_errors.append(exc)
                value = "M"
            self.emit(f"return {value}")
            self.indent = depth
        self.current_module, self.current_prefix = self.module, "d_"

    current_module: Module
    current_prefix: str
    def_errors: list[MappingCompileError]

    # -- statements ------------------------------------------------------------------------
    def statement(
        self,
        node: ast.Node,
        scope: _Scope,
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
            self.emit(f"if not truthy({cond}):")
            self.emit(f"    skip({reason})")
        elif isinstance(node, ast.ParkStmt):
            message = self.expr(node.message, scope)
            if node.cond is not None:
                self.emit(f"if truthy({self.expr(node.cond, scope)}):")
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
            self.emit(f"if truthy({cond}):")
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
        scope: _Scope,
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
        scope: _Scope,
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

    def operation(self, node: ast.Operation, scope: _Scope) -> None:
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

    # -- expressions -----------------------------------------------------------------------
    def expr(self, node: ast.Node, scope: _Scope) -> str:
        method = getattr(self, "x_" + type(node).__name__, None)
        if method is None:
            raise self.error("this expression is not allowed here", node)
        result: str = method(node, scope)
        return result

    def x_Literal(self, node: ast.Literal, scope: _Scope) -> str:  # noqa: N802
        value = node.value
        if value is MISSING:
            return "M"
        if value is None or isinstance(value, bool):
            return repr(value)
        if type(value) is int or type(value) is str:
            return repr(value)
        if isinstance(value, Decimal):
            return self.const(value)
        raise self.error("unsupported literal", node)

    def x_Template(self, node: ast.Template, scope: _Scope) -> str:  # noqa: N802
        parts = [repr(p) if isinstance(p, str) else self.expr(p, scope) for p in node.parts]
        return f"template({', '.join(parts)})"

    def x_Name(self, node: ast.Name, scope: _Scope) -> str:  # noqa: N802
        if node.name in scope.names:
            return scope.names[node.name]
        if node.name in scope.aliases:
            return self.const(Ref(node.name, ()))
        if scope.in_def:
            raise self.error(
                f"'{node.name}' is not a parameter of this def; a def sees only its "
                f"parameters ({', '.join(scope.def_params) or 'none'}): pass the value in",
                node,
            )
        return f"rec.get({node.name!r}, M)"

    def x_RecordRef(self, node: ast.RecordRef, scope: _Scope) -> str:  # noqa: N802
        if scope.in_def:
            raise self.error("a def cannot read the record; pass the value as a parameter", node)
        return "rec"

    def x_SettingsRef(self, node: ast.SettingsRef, scope: _Scope) -> str:  # noqa: N802
        if scope.in_def:
            raise self.error("a def cannot read settings; pass the value as a parameter", node)
        return "S"

    def x_GetField(self, node: ast.GetField, scope: _Scope) -> str:  # noqa: N802
        if isinstance(node.base, ast.SettingsRef):
            if scope.in_def:
                raise self.error("a def cannot read settings; pass the value in", node)
            if node.name not in self.settings:
                hint = _suggest(node.name, self.settings)
                raise self.error(
                    f"there is no setting '{node.name}'{hint}; declare it with "
                    f"'setting {node.name}: text = \"...\"'",
                    node,
                )
            return f"S[{node.name!r}]"
        base_ref = self._ref_of(node.base, scope)
        if base_ref is not None:
            return self.const(Ref(base_ref.alias, (*base_ref.path, node.name)))
        base = self.expr(node.base, scope)
        tmp = self.fresh("_t")
        return (
            f"({tmp}.get({node.name!r}, M) if type({tmp} := {base}) is dict "
            f"else get({tmp}, {node.name!r}))"
        )

    def _ref_of(self, node: ast.Node, scope: _Scope) -> Ref | None:
        if (
            isinstance(node, ast.Name)
            and node.name in scope.aliases
            and node.name not in scope.names
        ):
            return Ref(node.name, ())
        if isinstance(node, ast.GetField):
            base = self._ref_of(node.base, scope)
            if base is not None:
                return Ref(base.alias, (*base.path, node.name))
        return None

    def x_GetIndex(self, node: ast.GetIndex, scope: _Scope) -> str:  # noqa: N802
        base = self.expr(node.base, scope)
        index = node.index
        if isinstance(index, ast.Literal) and type(index.value) is int:
            i = index.value
            tmp = self.fresh("_t")
            return (
                f"({tmp}[{i}] if type({tmp} := {base}) is list and len({tmp}) > {i} "
                f"else get({tmp}, {i}))"
            )
        return f"get({base}, {self.expr(index, scope)})"

    def x_Jmes(self, node: ast.Jmes, scope: _Scope) -> str:  # noqa: N802
        root = "rec" if node.base is None else self.expr(node.base, scope)
        if node.base is None and scope.in_def:
            raise self.error("a def cannot read the record; pass the value and use pick()", node)
        try:
            compiled = compile_expression(node.expression)
        except Exception as exc:  # jmespath's own parse errors
            raise self.error(f"this JMESPath is not valid: {exc}", node) from None
        steps = is_plain_path(node.expression)
        if steps is not None:
            code = root
            for step in steps:
                tmp = self.fresh("_t")
                if isinstance(step, int):
                    code = (
                        f"({tmp}[{step}] if type({tmp} := {code}) is list and "
                        f"len({tmp}) > {step} else None)"
                    )
                else:
                    code = f"({tmp}.get({step!r}) if type({tmp} := {code}) is dict else None)"
            return code
        return f"jm({self.const(compiled)}, {root})"

    def x_Call(self, node: ast.Call, scope: _Scope) -> str:  # noqa: N802
        args = [self.expr(a, scope) for a in node.args]
        if "." in node.name:
            alias, fname = node.name.split(".", 1)
            module = self.current_module.imports.get(alias)
            if module is None:
                raise self.error(
                    f"'{alias}' is not an imported script; add 'import \"{alias}.map\" as {alias}'",
                    node,
                )
            if fname not in module.defs:
                raise self.error(
                    f"{module.name} has no def '{fname}'{_suggest(fname, set(module.defs))}", node
                )
            self._check_arity(node, len(module.defs[fname].params), len(module.defs[fname].params))
            return f"{self.current_prefix}{alias}__{fname}({', '.join(args)})"
        if node.name in self.current_module.defs:
            d = self.current_module.defs[node.name]
            self._check_arity(node, len(d.params), len(d.params))
            return f"{self.current_prefix}{node.name}({', '.join(args)})"
        fn = REGISTRY.get(node.name)
        if fn is None:
            names = set(REGISTRY) | set(self.current_module.defs)
            raise self.error(
                f"there is no function '{node.name}'{_suggest(node.name, names)}; "
                "see docs/functions.md for the list",
                node,
            )
        self._check_arity(node, fn.min_args, fn.max_args)
        pyname = f"f_{node.name}"
        self.namespace[pyname] = fn.impl
        return f"{pyname}({', '.join(args)})"

    def _check_arity(self, node: ast.Call, low: int, high: int | None) -> None:
        n = len(node.args)
        if n < low or (high is not None and n > high):
            want = (
                str(low)
                if low == high
                else (f"{low} or more" if high is None else f"{low} to {high}")
            )
            raise self.error(
                f"{node.name}() takes {want} argument{'s' if want != '1' else ''},"
                f" but {n} {'was' if n == 1 else 'were'} given",
                node,
            )

    def x_Lookup(self, node: ast.Lookup, scope: _Scope) -> str:  # noqa: N802
        if scope.in_def:
            raise self.error("a def cannot look up records; do the lookup in a let", node)
        if node.message is not None and node.kind != "require":
            raise self.error("only require takes a message (the park reason)", node)
        self.lookups.add((node.system, node.object, node.key))
        value = self.expr(node.value, scope)
        args = f"ctx, {node.system!r}, {node.object!r}, {node.key!r}, {value}"
        if node.message is not None:
            args += ", " + self.expr(node.message, scope)
        return f"{node.kind}({args})"

    def x_Unary(self, node: ast.Unary, scope: _Scope) -> str:  # noqa: N802
        operand = self.expr(node.operand, scope)
        if node.op == "not":
            return f"(not truthy({operand}))"
        return f"neg({operand})"

    _BINARY = {
        "+": "add",
        "-": "sub",
        "*": "mul",
        "/": "div",
        "&": "concat",
        "==": "eq",
        "<": "lt",
        "<=": "le",
        ">": "gt",
        ">=": "ge",
    }

    def x_Binary(self, node: ast.Binary, scope: _Scope) -> str:  # noqa: N802
        left = self.expr(node.left, scope)
        right = self.expr(node.right, scope)
        op = node.op
        if op in self._BINARY:
            return f"{self._BINARY[op]}({left}, {right})"
        if op == "!=":
            return f"(not eq({left}, {right}))"
        if op == "in":
            return f"contains({right}, {left})"
        if op == "not in":
            return f"(not contains({right}, {left}))"
        if op == "and":
            return f"(truthy({left}) and truthy({right}))"
        if op == "or":
            return f"(truthy({left}) or truthy({right}))"
        if op == "??":
            tmp = self.fresh("_t")
            return f"({tmp} if ({tmp} := {left}) is not M and {tmp} is not None else {right})"
        raise self.error(f"unknown operator {op}", node)

    def x_IfExpr(self, node: ast.IfExpr, scope: _Scope) -> str:  # noqa: N802
        cond = self.expr(node.cond, scope)
        return (
            f"({self.expr(node.then, scope)} if truthy({cond}) else {self.expr(node.else_, scope)})"
        )

    def x_Match(self, node: ast.Match, scope: _Scope) -> str:  # noqa: N802
        tmp = self.fresh("_t")
        subject = self.expr(node.subject, scope)
        code = self.expr(node.default, scope) if node.default is not None else "M"
        first = True
        pieces: list[tuple[str, str]] = []
        for arm in node.arms:
            tests = []
            for pattern in arm.patterns:
                pat = self.expr(pattern, scope)
                if first:
                    tests.append(f"eq({tmp} := {subject}, {pat})")
                    first = False
                else:
                    tests.append(f"eq({tmp}, {pat})")
            pieces.append((" or ".join(tests), self.expr(arm.value, scope)))
        for cond, value in reversed(pieces):
            code = f"({value} if {cond} else {code})"
        return code

    def x_ListLit(self, node: ast.ListLit, scope: _Scope) -> str:  # noqa: N802
        return "[" + ", ".join(self.expr(i, scope) for i in node.items) + "]"

    def x_ObjectLit(self, node: ast.ObjectLit, scope: _Scope) -> str:  # noqa: N802
        keys = [k for k, _ in node.items]
        if len(set(keys)) != len(keys):
            dup = next(k for k in keys if keys.count(k) > 1)
            raise self.error(f"the key '{dup}' appears twice in this object", node)
        return "{" + ", ".join(f"{k!r}: {self.expr(v, scope)}" for k, v in node.items) + "}"

    def x_Each(self, node: ast.Each, scope: _Scope) -> str:  # noqa: N802
        fn = self.fresh("e")
        saved = self.info
        source = self.expr(node.source, scope)
        inner = scope.child()
        inner.names[node.var] = f"v_{node.var}"
        inner.aliases.discard(node.var)
        self.emit(f"def {fn}(_src):")
        self.indent += 1
        self.emit("_r = []")
        ctx = "None" if scope.in_def else "ctx"
        self.emit(f"for _i, v_{node.var} in enumerate(items(_src, {ctx})):")
        self.indent += 1
        if node.where is not None:
            self.emit(f"if not truthy({self.expr(node.where, inner)}):")
            self.emit("    continue")
        if isinstance(node.body, ast.Block):
            self.emit("o = {}")
            for item in node.body.items:
                if isinstance(item, ast.Operation):
                    raise self.error(
                        "an operation cannot sit inside each; build the list with "
                        "each and send it as one field",
                        item,
                    )
                self.statement(item, inner, target="o")
            self.info = saved
            self.emit("_r.append(o)")
        else:
            self.emit(f"_r.append({self.expr(node.body, inner)})")
        self.indent -= 1
        self.info = saved
        self.emit("return _r")
        self.indent -= 1
        return f"{fn}({source})"


class CompileErrors(MappingCompileError):
    """Several compile errors at once (``errors``), raised after checking every statement."""

    def __init__(
        self,
        message: str,
        position: Position | None,
        script: str | None,
        errors: list[MappingCompileError],
    ):
        super().__init__(message, position, script)
        self.errors = errors


def _suggest(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


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
