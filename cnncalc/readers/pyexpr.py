"""The values and expressions of pysource's evaluator: plain Python values, the names the file
defines, and the expressions over them (arithmetic, comparisons, subscripts, comprehensions,
f-strings, calls and the few builtins model code uses). Framework values answer the hooks
(`attribute_value`, `subscript_value`, `binop_value`, `call_dotted`, `call_value`).
"""
from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from typing import Any

from ..errors import visible
from .common import MAX_DEPTH, ReaderError

MAX_SEQUENCE = 100_000      # the longest list, range or string the evaluator builds
MAX_DIGITS = 1_000          # the most decimal digits of an integer the evaluator computes
_MAX_BITS = 3_322           # bits of the largest integer of MAX_DIGITS digits (10**1000 > 2**3321)


class Limit(ReaderError):
    """A budget of the evaluator was spent: never passed over as an unknown value."""


class Unknown:
    """A value the file computes in a way cnncalc does not follow (without running it)."""

    def __init__(self, why: str, line: int | None = None):
        self.why, self.line = why, line


class Ignored(Unknown):
    """The result of a call cnncalc passes over on purpose (model.compile, model.fit)."""


@dataclass
class Dotted:
    """A name from an import: `torch.nn`, `keras.layers.Conv2D`."""
    name: str


@dataclass
class Function:
    node: ast.FunctionDef
    bound: Any = None  # `self` for a method
    closure: dict | None = None  # the enclosing function's names, for a `def` inside a function


@dataclass
class Builtin:
    name: str


class Obj:
    """An instance of a class the file defines: its attributes and its class."""

    def __init__(self, cls: ast.ClassDef, path: str = ""):
        self.cls, self.attrs, self.path = cls, {}, path


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


BUILTINS = {"range", "len", "int", "float", "bool", "str", "tuple", "list", "dict", "zip", "enumerate",
            "min", "max", "sum", "abs", "round", "reversed", "sorted", "isinstance", "super", "print",
            "OrderedDict", "getattr", "setattr", "hasattr", "all", "any", "set"}
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Div: operator.truediv,
           ast.Pow: operator.pow, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
           ast.BitAnd: operator.and_, ast.BitOr: operator.or_, ast.BitXor: operator.xor}
_CMPS = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
         ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
         ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}
PLAIN = (int, float, str, bool, type(None))


def at(node) -> tuple[int | None, int | None]:
    return getattr(node, "lineno", None), (node.col_offset + 1 if hasattr(node, "col_offset") else None)


class Expressions:
    """Mixed into pysource.Interp: everything that computes a value."""

    # -- expressions --------------------------------------------------------------------------
    def eval(self, node, env) -> Any:
        self.tick(node)
        value = self.eval_node(node, env)
        if isinstance(value, Unknown) and not self.allow_unknown(node):
            raise self.error(node, f"{value.why}, and the model needs it here; "
                                   "write the number in the file or write this part in YAML")
        return value

    def allow_unknown(self, node) -> bool:
        return isinstance(node, (ast.Name, ast.Attribute, ast.Call))

    def eval_node(self, node, env) -> Any:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (bytes, complex)) or node.value is Ellipsis:
                raise self.fail(node, "a bytes, complex or ... constant")
            return self.sized(node.value, node) if isinstance(node.value, int) else node.value
        if isinstance(node, ast.Name):
            return self.lookup(node, env)
        if isinstance(node, ast.Attribute):
            return self.attribute(self.eval(node.value, env), node.attr, node)
        if isinstance(node, ast.Call):
            return self.call(node, env)
        if isinstance(node, ast.BinOp):
            return self.binop(node.op, self.eval(node.left, env), self.eval(node.right, env), node)
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand, env)
            if isinstance(node.op, ast.Not):
                return not self._plain(v, node)
            if isinstance(node.op, ast.USub) and isinstance(self._plain(v, node), (int, float)):
                return -v
            if isinstance(node.op, ast.UAdd) and isinstance(self._plain(v, node), (int, float)):
                return +v
            raise self.fail(node, f"the operator {type(node.op).__name__} on {self.kind_of(v)}")
        if isinstance(node, ast.BoolOp):
            return self.boolop(node, env)
        if isinstance(node, ast.Compare):
            left = self.eval(node.left, env)
            for op, comp in zip(node.ops, node.comparators):
                right = self.eval(comp, env)
                if not isinstance(op, (ast.Is, ast.IsNot)):
                    left = self._plain(left, node.left)
                    if not isinstance(right, (list, tuple, dict, frozenset)):
                        right = self._plain(right, comp)
                if not self.python(node, _CMPS[type(op)], left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.IfExp):
            return self.eval(node.body if self.truth(node.test, env) else node.orelse, env)
        if isinstance(node, (ast.Tuple, ast.List)):
            items = []
            for e in node.elts:
                if isinstance(e, ast.Starred):
                    items.extend(self.iterate(self.eval(e.value, env), e))
                else:
                    items.append(self.eval(e, env))
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Set):  # `weights in {"imagenet", None}`: plain values only
            return frozenset(self.python(e, _hashable, self._plain(self.eval(e, env), e)) for e in node.elts)
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise self.fail(node, "a `**` inside a dict")
            out = {}
            for k, v in zip(node.keys, node.values):
                key = self.python(k, _hashable, self._plain(self.eval(k, env), k))
                out[key] = self.eval(v, env)
            return out
        if isinstance(node, ast.Subscript):
            return self.subscript(self.eval(node.value, env), node.slice, env, node)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            out: list = []
            self.comprehension(node.generators, 0, dict(env), node.elt, out)
            return self.sized(out, node)
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node, env)
        raise self.fail(node, f"the expression `{ast.unparse(node)[:60]}`")

    def boolop(self, node: ast.BoolOp, env):
        """`and` / `or`; an operand not known is passed over when a known one decides
        (`self.training and self.aux_logits` is false when aux_logits is)."""
        result, unknown = None, None
        for value in node.values:
            got = self.eval(value, env)
            if isinstance(got, Unknown):
                unknown = unknown or (value, got)
                continue
            result = self._plain(got, value)
            if isinstance(node.op, ast.And) and not result or isinstance(node.op, ast.Or) and result:
                return result
        if unknown is not None:
            self._plain(unknown[1], unknown[0])
        return result

    def fstring(self, node: ast.JoinedStr, env) -> str:
        """An f-string; a width or precision over MAX_SEQUENCE is refused before it is formatted."""
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            else:
                inner = self._plain(self.eval(v.value, env), v)
                if v.conversion in (ord("r"), ord("a")):
                    inner = self.sized(repr(inner) if v.conversion == ord("r") else ascii(inner), v)
                spec = self.eval(v.format_spec, env) if v.format_spec else ""
                widths = [int(w) for w in re.findall(r"\d+", str(spec)[:40])]
                if len(str(spec)) > 40 or any(w > MAX_SEQUENCE for w in widths):
                    raise self.limit(v, f"the format `{str(spec)[:40]}` asks for more than {MAX_SEQUENCE:,} "
                                        "characters, more than cnncalc builds")
                parts.append(self.python(v, format, inner, spec))
        return self.sized("".join(parts), node)

    def _plain(self, value, node):
        if isinstance(value, PLAIN) or isinstance(value, (tuple, list)):
            return value
        raise self.fail(node, f"{self.kind_of(value)} used as a plain value")

    def comprehension(self, gens, i, env, elt, out) -> None:
        if i == len(gens):
            out.append(self.eval(elt, env))
            if len(out) > MAX_SEQUENCE:
                raise self.error(elt, f"a list of more than {MAX_SEQUENCE:,} items")
            return
        gen = gens[i]
        for item in self.iterate(self.eval(gen.iter, env), gen.iter):
            self.assign(gen.target, item, env, gen.iter)
            if all(self.truth(c, env) for c in gen.ifs):
                self.comprehension(gens, i + 1, env, elt, out)

    def lookup(self, node, env):
        name = node.id
        if name in env:
            return env[name]
        if name in self.globals:
            return self.globals[name]
        if name in self.aliases:
            return Dotted(self.aliases[name])
        if name in self.DEFAULT_ALIASES:
            return Dotted(self.DEFAULT_ALIASES[name])
        if name in BUILTINS:
            return Builtin(name)
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        return Unknown(f"`{name}` is not defined in the file", node.lineno)

    def attribute(self, owner, name: str, node):
        if isinstance(owner, Dotted):
            return Dotted(f"{owner.name}.{name}")
        if isinstance(owner, Obj):
            if name in owner.attrs:
                return owner.attrs[name]
            method = self.method(owner.cls, name)
            if method is not None:
                static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in method.decorator_list)
                return Function(method, None if static else owner)
            class_value = self.class_attr(owner.cls, name)
            if class_value is not None:
                return class_value
        if isinstance(owner, Unknown):
            return owner
        value = self.attribute_value(owner, name, node)
        if value is None:
            raise self.fail(node, f"the attribute `{name}` of {self.kind_of(owner)}")
        return value

    def attribute_value(self, owner, name: str, node):
        """Hook: an attribute of a framework value (a tensor method, a container's `append`)."""
        return None

    def method(self, cls: ast.ClassDef, name: str, seen=0):
        defs = [s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == name]
        if defs:
            return defs[-1]  # the last definition is the method (@overload stubs come first)
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in self.classes and seen < MAX_DEPTH:
                found = self.method(self.classes[base.id], name, seen + 1)
                if found is not None:
                    return found
        return None

    def class_attr(self, cls: ast.ClassDef, name: str):
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
                return self.eval(stmt.value, {})
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name \
                    and stmt.value is not None:
                return self.eval(stmt.value, {})
        return None

    def subscript(self, value, index_node, env, node):
        if isinstance(index_node, ast.Slice):
            parts = [None if p is None else self._int(self._plain(self.eval(p, env), p), p)
                     for p in (index_node.lower, index_node.upper, index_node.step)]
            if parts[2] == 0:
                raise self.error(index_node.step, "a slice with the step 0 (Python refuses it)")
            index = slice(*parts)
        else:
            index = self.eval(index_node, env)
        if isinstance(value, (list, tuple, str)) and isinstance(index, (int, slice)) and not isinstance(index, bool):
            try:
                return value[index]
            except IndexError:
                raise self.error(node, f"index {index} is out of range for {len(value)} items") from None
        if isinstance(value, dict) and isinstance(index, PLAIN):
            if not self.python(node, operator.contains, value, index):
                raise self.error(node, f"the key {visible(repr(index)[:60])} is not in the dict")
            return value[index]
        out = self.subscript_value(value, index, node)
        if out is None:
            raise self.fail(node, f"indexing {self.kind_of(value)}")
        return out

    def subscript_value(self, value, index, node):
        """Hook: indexing a framework value (`x.shape[0]`, a ModuleList item)."""
        return None

    def binop(self, op, left, right, node):
        if isinstance(left, (int, float)) and isinstance(right, (int, float)) and type(op) in _BINOPS:
            if isinstance(op, ast.Pow) and (abs(right) > 64 or abs(left) > 1 << 24):
                raise self.limit(node, f"{left} ** {right} is too large for a model size")
            if isinstance(op, ast.LShift) and isinstance(right, int) and right > 64:
                raise self.limit(node, f"{left} << {right} is too large for a model size")
            return self.sized(self.python(node, _BINOPS[type(op)], left, right), node)
        if isinstance(left, str) and isinstance(op, ast.Mod) and isinstance(right, PLAIN + (tuple,)):
            if re.search(r"%[-+ #0]*(\*|\d{6,})", left):
                raise self.limit(node, "a %-format with a width of 100,000 characters or more, or `*`")
            return self.sized(self.python(node, operator.mod, left, right), node)
        if isinstance(left, (list, tuple, str)) and isinstance(right, type(left)) and isinstance(op, ast.Add):
            self.room(node, len(left) + len(right), left)
            return self.sized(left + right, node)
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (list, tuple, str)) and isinstance(times, int) and isinstance(op, ast.Mult):
                self.room(node, len(seq) * max(times, 0), seq)
                return self.sized(seq * times, node)
        out = self.binop_value(op, left, right, node)
        if out is None:
            raise self.fail(node, f"the operator `{_OPS.get(type(op), type(op).__name__)}` on "
                                  f"{self.kind_of(left)} and {self.kind_of(right)}")
        return out

    def binop_value(self, op, left, right, node):
        """Hook: `+` and `*` of tensors."""
        return None

    # -- calls --------------------------------------------------------------------------------
    def arguments(self, node, env) -> tuple[list, dict, dict]:
        """Positional values, keyword values, and keyword positions (line, col)."""
        args: list = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                args.extend(self.iterate(self.eval(a.value, env), a))
            else:
                args.append(self.eval(a, env))
        kwargs, marks = {}, {}
        for k in node.keywords:
            if k.arg is None:
                value = self.eval(k.value, env)
                if not isinstance(value, dict):
                    raise self.fail(k, "a `**` of something other than a dict")
                kwargs.update(value)
            else:
                kwargs[k.arg] = self.eval(k.value, env)
                marks[k.arg] = at(k.value)
        for i, a in enumerate(node.args):
            marks[i] = at(a)
        return args, kwargs, marks

    def call(self, node, env):
        fn = self.eval(node.func, env)
        args, kwargs, marks = self.arguments(node, env)
        return self.invoke(fn, args, kwargs, marks, node)

    def invoke(self, fn, args, kwargs, marks, node):
        """A call of the value `fn` with these arguments."""
        if isinstance(fn, Builtin):
            return self.builtin(fn.name, args, kwargs, node)
        if isinstance(fn, Function):
            return self.call_function(fn, args, kwargs, node)
        if isinstance(fn, ast.ClassDef):
            return self.instantiate(fn, args, kwargs, node)
        if isinstance(fn, Dotted):
            out = self.call_dotted(fn.name, args, kwargs, marks, node)
            if out is None:
                raise self.fail(node, f"a call of `{fn.name}`, which cnncalc does not read")
            return out
        if isinstance(fn, Unknown):
            return fn
        out = self.call_value(fn, args, kwargs, marks, node)
        if out is None:
            raise self.fail(node, f"a call of {self.kind_of(fn)}")
        return out

    def call_dotted(self, name: str, args, kwargs, marks, node):
        """Hook: a call of an imported name. None when the framework does not know it."""
        if name in ("collections.OrderedDict",):
            return self.builtin("OrderedDict", args, kwargs, node)
        if name == "typing.cast" and len(args) == 2:
            return args[1]
        return None

    def call_value(self, fn, args, kwargs, marks, node):
        """Hook: a call of a framework value (a layer on a tensor, a tensor method)."""
        return None

    def instantiate(self, cls: ast.ClassDef, args, kwargs, node):
        raise self.fail(node, f"creating an instance of the class `{cls.name}`")

    def call_function(self, fn: Function, args, kwargs, node, env_extra=None):
        if self.depth >= MAX_DEPTH:
            raise self.error(node, f"calls nest deeper than {MAX_DEPTH} levels (a recursion?); "
                                   "cnncalc does not follow it")
        env = self.bind(fn.node, ([fn.bound] if fn.bound is not None else []) + list(args), kwargs, node,
                        fn.closure or {})
        if fn.closure is not None:
            env = {**fn.closure, **env}
        if env_extra:
            env.update(env_extra)
        self.depth += 1
        try:
            self.exec_block(fn.node.body, env)
        except _Return as r:
            return r.value
        finally:
            self.depth -= 1
        return None

    def bind(self, fn: ast.FunctionDef, args, kwargs, node, scope=None) -> dict:
        """The call's names; defaults are evaluated in `scope` (a nested def's enclosing names)."""
        scope = scope or {}
        a = fn.args
        params = [p.arg for p in a.posonlyargs + a.args]
        defaults = a.defaults
        env: dict[str, Any] = {}
        for i, p in enumerate(params):
            if i < len(args):
                env[p] = args[i]
        if len(args) > len(params):
            if a.vararg is None:
                raise self.error(node, f"{fn.name}() takes {len(params)} arguments but is given {len(args)}")
            env[a.vararg.arg] = tuple(args[len(params):])
        elif a.vararg is not None:
            env[a.vararg.arg] = ()
        extra = {}
        kwonly = [p.arg for p in a.kwonlyargs]
        for k, v in kwargs.items():
            if k in params or k in kwonly:
                if k in env:
                    raise self.error(node, f"{fn.name}() is given `{k}` twice")
                env[k] = v
            elif a.kwarg is not None:
                extra[k] = v
            else:
                raise self.error(node, f"{fn.name}() has no argument `{k}`")
        if a.kwarg is not None:
            env[a.kwarg.arg] = extra
        first_default = len(params) - len(defaults)
        for i, p in enumerate(params):
            if p not in env:
                if i >= first_default:
                    env[p] = self.eval(defaults[i - first_default], scope)
                else:
                    raise self.error(node, f"{fn.name}() needs the argument `{p}`, which has no default; "
                                           "give it a default, or create the model in the file with it, "
                                           f"e.g. `model = Model({p}=...)`")
        for p, d in zip(a.kwonlyargs, a.kw_defaults):
            if p.arg not in env:
                if d is None:
                    raise self.error(node, f"{fn.name}() needs the keyword `{p.arg}`")
                env[p.arg] = self.eval(d, scope)
        return env

    def builtin(self, name: str, args, kwargs, node):
        try:
            if name == "range":
                r = range(*[self._int(a, node) for a in args])
                if len(r) > MAX_SEQUENCE:
                    raise self.limit(node, f"range of {len(r):,} items is more than the {MAX_SEQUENCE:,} "
                                           "cnncalc unrolls")
                return r
            if name == "len":
                value = args[0]
                if isinstance(value, (list, tuple, str, dict, range)):
                    return len(value)
                items = self.iterate_value(value, node)
                if items is not None:
                    return len(items)
                out = self.len_value(value, node)
                if out is not None:
                    return out
            elif name in ("int", "float", "bool", "str", "abs", "round") and all(isinstance(a, PLAIN) for a in args):
                fn = {"int": int, "float": float, "bool": bool, "str": str, "abs": abs, "round": round}[name]
                return self.sized(fn(*args), node)
            elif name in ("tuple", "list"):
                items = self.iterate(args[0], node) if args else []
                return tuple(items) if name == "tuple" else list(items)
            elif name in ("dict", "OrderedDict"):
                out = {}
                if args:
                    for pair in self.iterate(args[0], node):
                        k, v = pair
                        out[k] = v
                out.update(kwargs)
                return out
            elif name == "zip":
                return self.sized(list(zip(*[self.iterate(a, node) for a in args])), node)
            elif name == "enumerate":
                start = [self._int(a, node) for a in args[1:2]]
                return self.sized(list(enumerate(self.iterate(args[0], node), *start)), node)
            elif name == "reversed":
                return list(reversed(self.iterate(args[0], node)))
            elif name in ("min", "max", "sum", "sorted"):
                items = self.iterate(args[0], node) if len(args) == 1 else list(args)
                if all(isinstance(i, (int, float)) and not isinstance(i, bool) for i in items):
                    return self.sized({"min": min, "max": max, "sum": sum, "sorted": sorted}[name](items), node)
            elif name == "isinstance":
                raise self.fail(node, "isinstance(), a test of types")
            elif name == "print":
                return None
            elif name == "super":
                return Dotted("super")
        except ReaderError:
            raise
        except (TypeError, ValueError, IndexError, OverflowError, ZeroDivisionError) as e:
            raise self.error(node, f"{name}() fails on these values: {refusal(e)}") from None
        raise self.fail(node, f"{name}() on {', '.join(self.kind_of(a) for a in args) or 'nothing'}")

    def len_value(self, value, node):
        return None

    # -- the budget ---------------------------------------------------------------------------
    def limit(self, node, message: str) -> Limit:
        line, col = at(node)
        return Limit(message, path=self.path, line=line, col=col)

    def sized(self, value, node):
        """`value`, built by the file's code, within the budget: an integer of at most MAX_DIGITS
        digits, a string or sequence of at most MAX_SEQUENCE items; its size is charged to the
        step budget (a range only charges what building it as a list would)."""
        if isinstance(value, int) and value.bit_length() > _MAX_BITS:
            raise self.limit(node, f"an integer of more than {MAX_DIGITS:,} digits; no model size is that "
                                   "large")
        if isinstance(value, (str, list, tuple, dict)):
            self.room(node, len(value), value)
            self.tick(node, len(value))
        elif isinstance(value, int):
            self.tick(node, value.bit_length() >> 6)
        return value

    def room(self, node, size: int, like) -> None:
        """Refuse before building a string or sequence like `like` of `size` items over MAX_SEQUENCE."""
        if size > MAX_SEQUENCE:
            what = "a string of" if isinstance(like, str) else f"a {type(like).__name__} of"
            raise self.limit(node, f"{what} {size:,} items, more than the {MAX_SEQUENCE:,} cnncalc builds")

    def python(self, node, fn, *args):
        """fn(*args) on plain values; what Python refuses (`1 < "a"`, `int(inf)`, an unhashable
        key) is one error at the node."""
        try:
            return fn(*args)
        except ZeroDivisionError:
            raise self.error(node, "divides by zero") from None
        except (TypeError, ValueError, OverflowError, IndexError, KeyError) as e:
            raise self.error(node, f"`{ast.unparse(node)[:60]}` fails on these values: {refusal(e)}") from None

    def _int(self, value, node) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise self.fail(node, f"{self.kind_of(value)} where a whole number belongs")

    def kind_of(self, value) -> str:
        if isinstance(value, Unknown):
            return "a value not known without running the file"
        if isinstance(value, bool):
            return f"the boolean {value}"
        if isinstance(value, (int, float)):
            return f"the number {value}"
        if isinstance(value, str):
            return f"the string {value[:40]!r}"
        if value is None:
            return "None"
        if isinstance(value, (list, tuple)):
            return f"a {type(value).__name__} of {len(value)}"
        if isinstance(value, Dotted):
            return f"`{value.name}`"
        if isinstance(value, Obj):
            return f"a `{value.cls.name}` object"
        if isinstance(value, Function):
            return f"the function `{value.node.name}`"
        return type(value).__name__


def refusal(error: Exception) -> str:
    """Python's words for a refused operation, without advice that does not apply to cnncalc."""
    text = str(error)
    if "integer string conversion" in text:
        return "the integer has more than 4,300 digits"
    return visible(text.split("; use sys.")[0])[:120]


def _hashable(value):
    hash(value)
    return value


_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
        ast.Pow: "**", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|"}
