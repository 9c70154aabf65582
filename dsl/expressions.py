"""Compile expressions to Python expression text (the expression half of ``compiler.py``).

Plain field access is inlined (``rec.get("name", M)`` chains); everything with rules of its
own calls a helper from ``runtime.py``. Three rules keep any script within what Python's
own compiler accepts (nested brackets, indentation, recursion):

* Chains are walked with loops, never recursion: ``a + b - c ...`` and ``x.a[0].b ...`` are
  folded left to right (``nesting.binary_chain``/``path_chain``). Short chains are inlined;
  long ones become a small local function whose body applies one step per line. ``and``
  and ``or`` chains become one flat Python ``and``/``or``; ``&`` chains one ``template()``.
* Every ``SPILL_DEPTH`` levels of nesting, the expression is moved into a local function
  (``def _hN(): return ...``), so generated brackets never nest deeply. A local function is
  called exactly where the expression was, so evaluation order and laziness (``if``,
  ``and``, ``??``) stay the same.
* ``each`` bodies are local functions already; they start a fresh nesting count.

Work that a script can repeat is counted against the record's step budget (``tick``), and
lists or objects that may hold other lists are checked against the list size limit
(``sized``), because ``[a, a]`` doubles a value's size without copying it.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Any

from mapwright.dsl import ast
from mapwright.dsl.errors import MappingCompileError, MappingLimitError
from mapwright.dsl.functions.patterns import PATTERN_ARGUMENTS, pattern_problem
from mapwright.dsl.functions.registry import REGISTRY
from mapwright.dsl.jmes import compile_expression, is_plain_path
from mapwright.dsl.limits import MAX_PATTERN_CHARS, MAX_PATTERN_REPEAT, NAMES
from mapwright.dsl.nesting import CHAIN_CLASSES, binary_chain, path_chain
from mapwright.dsl.plan import Ref
from mapwright.dsl.scope import Scope
from mapwright.dsl.shapes import needs_size_check, record_part, rules_of
from mapwright.dsl.values import MISSING

SPILL_DEPTH = 8
"""Expression levels after which the generated code moves into a local function."""

INLINE_STEPS = 4
"""Chains up to this many steps are inlined; longer ones become a local function."""

_ARITHMETIC = {"+": "add", "-": "sub", "*": "mul", "/": "div"}
_COMPARE = {"==": "eq", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


class ExpressionCompiler:
    """The ``x_*`` methods of ``Compiler``: one per expression node type."""

    name: str
    settings: set[str]
    namespace: dict[str, Any]
    lookups: set[tuple[str, str, str]]
    current_module: Any
    current_prefix: str
    nest: int
    loops: int

    def emit(self, text: str) -> None:
        raise NotImplementedError

    def fresh(self, prefix: str) -> str:
        raise NotImplementedError

    def const(self, value: Any) -> str:
        raise NotImplementedError

    def error(self, message: str, node: ast.Node) -> MappingCompileError:
        return MappingCompileError(message, node.pos, self.name)

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
        raise NotImplementedError

    def tick(self) -> None:
        raise NotImplementedError

    def record_loop(self, function: str, index: str) -> None:
        raise NotImplementedError

    info: Any
    indent: int

    # -- structure -------------------------------------------------------------------------
    def expr(self, node: ast.Node, scope: Scope) -> str:
        method = getattr(self, "x_" + type(node).__name__, None)
        if method is None:
            raise self.error("this expression is not allowed here", node)
        self.nest += 1
        try:
            code: str = method(node, scope)
        finally:
            self.nest -= 1
        if self.nest and self.nest % SPILL_DEPTH == 0:
            code = self.local_function([f"return {code}"])
        return code

    def local_function(self, body: list[str]) -> str:
        """Emit ``def _hN():`` with ``body`` before the current statement; call it."""
        name = self.fresh("_h")
        self.emit(f"def {name}():")
        for line in body:
            self.emit("    " + line)
        return f"{name}()"

    # -- leaves ----------------------------------------------------------------------------
    def x_Literal(self, node: ast.Literal, scope: Scope) -> str:  # noqa: N802
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

    def x_Template(self, node: ast.Template, scope: Scope) -> str:  # noqa: N802
        parts = [repr(p) if isinstance(p, str) else self.expr(p, scope) for p in node.parts]
        return f"template({', '.join(parts)})"

    def x_Name(self, node: ast.Name, scope: Scope) -> str:  # noqa: N802
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

    def x_RecordRef(self, node: ast.RecordRef, scope: Scope) -> str:  # noqa: N802
        if scope.in_def:
            raise self.error("a def cannot read the record; pass the value as a parameter", node)
        return "rec"

    def x_SettingsRef(self, node: ast.SettingsRef, scope: Scope) -> str:  # noqa: N802
        if scope.in_def:
            raise self.error("a def cannot read settings; pass the value as a parameter", node)
        return "S"

    # -- paths -----------------------------------------------------------------------------
    def x_GetField(self, node: ast.GetField, scope: Scope) -> str:  # noqa: N802
        return self.path(node, scope)

    def x_GetIndex(self, node: ast.GetIndex, scope: Scope) -> str:  # noqa: N802
        return self.path(node, scope)

    def path(self, node: ast.Node, scope: Scope) -> str:
        """``x.a[0].$"b" ...``: the base, then one step after the other (see module doc)."""
        base, steps = path_chain(node)
        code: str | None = None
        if (
            isinstance(base, ast.Name)
            and base.name in scope.aliases
            and base.name not in scope.names
        ):
            names: list[str] = []
            while steps and isinstance(steps[0], ast.GetField):
                names.append(steps.pop(0).name)  # type: ignore[attr-defined]
            code = self.const(Ref(base.name, tuple(names)))
        elif isinstance(base, ast.SettingsRef) and isinstance(steps[0], ast.GetField):
            code = self.setting(steps.pop(0), scope)  # type: ignore[arg-type]
        if code is None:
            code = self.expr(base, scope)
        if len(steps) <= INLINE_STEPS:
            for step in steps:
                code = self.step(step, code, scope)
            return code
        body = [f"_c = {code}"]
        body += [f"_c = {self.step(step, '_c', scope)}" for step in steps]
        return self.local_function([*body, "return _c"])

    def setting(self, node: ast.GetField, scope: Scope) -> str:
        if scope.in_def:
            raise self.error("a def cannot read settings; pass the value in", node)
        if node.name not in self.settings:
            hint = suggest(node.name, self.settings)
            raise self.error(
                f"there is no setting '{node.name}'{hint}; declare it with "
                f"'setting {node.name}: text = \"...\"'",
                node,
            )
        return f"S[{node.name!r}]"

    def step(self, node: ast.Node, base: str, scope: Scope) -> str:
        """One step of a path applied to the code ``base``."""
        tmp = self.fresh("_t")
        if isinstance(node, ast.GetField):
            return (
                f"({tmp}.get({node.name!r}, M) if type({tmp} := {base}) is dict "
                f"else get({tmp}, {node.name!r}))"
            )
        if isinstance(node, ast.GetIndex):
            index = node.index
            if isinstance(index, ast.Literal) and type(index.value) is int:
                i = index.value
                return (
                    f"({tmp}[{i}] if type({tmp} := {base}) is list and len({tmp}) > {i} "
                    f"else get({tmp}, {i}))"
                )
            return f"get({base}, {self.expr(index, scope)})"
        assert isinstance(node, ast.Jmes)
        return self.pick(node, base, scope)

    def x_Jmes(self, node: ast.Jmes, scope: Scope) -> str:  # noqa: N802
        if node.base is not None:
            return self.path(node, scope)
        if scope.in_def:
            raise self.error("a def cannot read the record; pass the value and use pick()", node)
        return self.pick(node, "rec", scope)

    def pick(self, node: ast.Jmes, root: str, scope: Scope) -> str:
        try:
            compiled = compile_expression(node.expression)
        except Exception as exc:  # jmespath's own parse errors, RecursionError
            raise self.error(f"this JMESPath is not valid: {exc}", node) from None
        steps = is_plain_path(node.expression)
        if steps is not None and len(steps) <= INLINE_STEPS:
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
        return f"jm({self.const(compiled)}, {root}, ctx)"

    # -- calls -----------------------------------------------------------------------------
    def x_Call(self, node: ast.Call, scope: Scope) -> str:  # noqa: N802
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
                    f"{module.name} has no def '{fname}'{suggest(fname, set(module.defs))}", node
                )
            self._check_arity(node, len(module.defs[fname].params), len(module.defs[fname].params))
            return f"{self.current_prefix}{alias}__{fname}({', '.join(['ctx', *args])})"
        if node.name in self.current_module.defs:
            d = self.current_module.defs[node.name]
            self._check_arity(node, len(d.params), len(d.params))
            return f"{self.current_prefix}{node.name}({', '.join(['ctx', *args])})"
        fn = REGISTRY.get(node.name)
        if fn is None:
            names = set(REGISTRY) | set(self.current_module.defs)
            raise self.error(
                f"there is no function '{node.name}'{suggest(node.name, names)}; "
                "see docs/functions.md for the list",
                node,
            )
        self._check_arity(node, fn.min_args, fn.max_args)
        self._check_pattern(node)
        pyname = f"f_{node.name}"
        self.namespace[pyname] = fn.impl
        call = f"{pyname}({', '.join(args)})"
        return f"(ctx.clock() or {call})" if fn.slow else call

    def _check_pattern(self, node: ast.Call) -> None:
        """A literal regular expression is checked now, not on the first record."""
        index = PATTERN_ARGUMENTS.get(node.name)
        if index is None or index >= len(node.args):
            return
        arg = node.args[index]
        if isinstance(arg, ast.Literal) and isinstance(arg.value, str):
            problem = pattern_problem(arg.value)
            if problem is not None:
                raise MappingLimitError(
                    f"{node.name}: {problem}",
                    arg.pos,
                    self.name,
                    limit=NAMES["pattern"],
                    maximum=MAX_PATTERN_CHARS
                    if len(arg.value) > MAX_PATTERN_CHARS
                    else MAX_PATTERN_REPEAT,
                )

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

    def x_Lookup(self, node: ast.Lookup, scope: Scope) -> str:  # noqa: N802
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

    # -- operators -------------------------------------------------------------------------
    def x_Unary(self, node: ast.Unary, scope: Scope) -> str:  # noqa: N802
        operand = self.expr(node.operand, scope)
        if node.op == "not":
            return f"(not {truth(node.operand, operand)})"
        return f"neg({operand})"

    def x_Binary(self, node: ast.Binary, scope: Scope) -> str:  # noqa: N802
        op = node.op
        if op not in CHAIN_CLASSES:
            left = self.expr(node.left, scope)
            right = self.expr(node.right, scope)
            if op in _COMPARE:
                return f"{_COMPARE[op]}({left}, {right})"
            if op == "!=":
                return f"(not eq({left}, {right}))"
            if op == "in":
                return f"contains({right}, {left})"
            if op == "not in":
                return f"(not contains({right}, {left}))"
            raise self.error(f"unknown operator {op}", node)
        first, steps = binary_chain(node)
        parts = [self.expr(first, scope)] + [self.expr(s.right, scope) for s in steps]
        kind = CHAIN_CLASSES[op]
        if kind in ("and", "or"):
            nodes = [first, *(s.right for s in steps)]
            tests = [truth(n, p) for n, p in zip(nodes, parts, strict=True)]
            return "(" + f" {kind} ".join(tests) + ")"
        if kind == "concat":
            return (
                f"concat({parts[0]}, {parts[1]})"
                if len(parts) == 2
                else (f"template({', '.join(parts)})")
            )
        if kind == "coalesce":
            return self._coalesce(parts)
        helpers = [_ARITHMETIC[s.op] for s in steps]
        if len(steps) <= INLINE_STEPS:
            code = parts[0]
            for helper, part in zip(helpers, parts[1:], strict=True):
                code = f"{helper}({code}, {part})"
            return code
        body = [f"_c = {parts[0]}"]
        body += [f"_c = {h}(_c, {p})" for h, p in zip(helpers, parts[1:], strict=True)]
        return self.local_function([*body, "return _c"])

    def _coalesce(self, parts: list[str]) -> str:
        if len(parts) <= INLINE_STEPS + 1:
            code = parts[0]
            for part in parts[1:]:
                tmp = self.fresh("_t")
                code = f"({tmp} if ({tmp} := {code}) is not M and {tmp} is not None else {part})"
            return code
        body = [f"_c = {parts[0]}"]
        for part in parts[1:]:
            body += ["if _c is M or _c is None:", f"    _c = {part}"]
        return self.local_function([*body, "return _c"])

    def x_IfExpr(self, node: ast.IfExpr, scope: Scope) -> str:  # noqa: N802
        cond = self.expr(node.cond, scope)
        return (
            f"({self.expr(node.then, scope)} if {truth(node.cond, cond)} "
            f"else {self.expr(node.else_, scope)})"
        )

    def x_Match(self, node: ast.Match, scope: Scope) -> str:  # noqa: N802
        tmp = self.fresh("_t")
        subject = self.expr(node.subject, scope)
        default = self.expr(node.default, scope) if node.default is not None else "M"
        arms = [
            ([self.expr(p, scope) for p in arm.patterns], self.expr(arm.value, scope))
            for arm in node.arms
        ]
        if len(arms) > INLINE_STEPS:
            body = [f"{tmp} = {subject}"]
            for patterns, value in arms:
                test = " or ".join(f"eq({tmp}, {p})" for p in patterns)
                body.append(f"if {test}: return {value}")
            return self.local_function([*body, f"return {default}"])
        code = default
        pieces: list[tuple[str, str]] = []
        first = True
        for patterns, value in arms:
            tests = []
            for pat in patterns:
                if first:
                    tests.append(f"eq({tmp} := {subject}, {pat})")
                    first = False
                else:
                    tests.append(f"eq({tmp}, {pat})")
            pieces.append((" or ".join(tests), value))
        for cond, value in reversed(pieces):
            code = f"({value} if {cond} else {code})"
        return code

    # -- values that hold values -----------------------------------------------------------
    def x_ListLit(self, node: ast.ListLit, scope: Scope) -> str:  # noqa: N802
        code = "[" + ", ".join(self.expr(i, scope) for i in node.items) + "]"
        checked = any(needs_size_check(i, scope) for i in node.items)
        return f"sized(ctx, {code})" if checked else code

    def x_ObjectLit(self, node: ast.ObjectLit, scope: Scope) -> str:  # noqa: N802
        keys = [k for k, _ in node.items]
        if len(set(keys)) != len(keys):
            dup = next(k for k in keys if keys.count(k) > 1)
            raise self.error(f"the key '{dup}' appears twice in this object", node)
        code = "{" + ", ".join(f"{k!r}: {self.expr(v, scope)}" for k, v in node.items) + "}"
        checked = any(needs_size_check(v, scope) for _, v in node.items)
        return f"sized(ctx, {code})" if checked else code

    def x_Each(self, node: ast.Each, scope: Scope) -> str:  # noqa: N802
        fn = self.fresh("e")
        self.record_loop(fn, "_i")
        saved_info, saved_nest = self.info, self.nest
        source = self.expr(node.source, scope)
        inner = scope.child()
        inner.names[node.var] = f"v_{node.var}"
        inner.aliases.discard(node.var)
        if record_part(node.source, scope):
            inner.rooted.add(node.var)
        else:
            inner.rooted.discard(node.var)
        self.nest = 0
        self.emit(f"def {fn}(_src):")
        self.indent += 1
        self.emit("_r = []")
        self.emit(f"for _i, v_{node.var} in enumerate(items(_src, ctx)):")
        self.indent += 1
        self.tick()
        if node.where is not None:
            self.emit(f"if not {truth(node.where, self.expr(node.where, inner))}:")
            self.emit("    continue")
        self.loops += 1
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
            self.info = saved_info
            self.emit("_r.append(o)")
            checked = any(needs_size_check(r.value, inner) for r in rules_of(node.body))
        else:
            checked = needs_size_check(node.body, inner)
            self.emit(f"_r.append({self.expr(node.body, inner)})")
        self.loops -= 1
        self.indent -= 1
        self.info = saved_info
        self.emit("return sized(ctx, _r)" if checked else "return _r")
        self.indent -= 1
        self.nest = saved_nest
        return f"{fn}({source})"


_BOOLEAN_OPERATORS = frozenset({*_COMPARE, "!=", "in", "not in", "and", "or"})


def gives_bool(node: ast.Node) -> bool:
    """Whether the code for ``node`` always gives a Python bool (comparisons, ``in``,
    ``not``, ``and``/``or`` and the literals true/false), so a condition needs no
    ``truthy()`` around it."""
    if isinstance(node, ast.Binary):
        return node.op in _BOOLEAN_OPERATORS
    if isinstance(node, ast.Unary):
        return node.op == "not"
    return isinstance(node, ast.Literal) and isinstance(node.value, bool)


def truth(node: ast.Node, code: str) -> str:
    """``code`` as a condition: as it is when it gives a bool, else through ``truthy``."""
    return code if gives_bool(node) else f"truthy({code})"


def suggest(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
