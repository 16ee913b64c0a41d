"""A small evaluator of Python source read with `ast`: nothing from the file is imported or run.

It follows what model-building code does with plain values: numbers and strings, lists,
tuples and dicts, `range`, `len`, `zip`, `enumerate`, f-strings, arithmetic, `if` on known
values, `for` over known sequences (unrolled), and calls of the functions and classes the file
defines itself (pyexpr.py holds the values and expressions). Framework objects (layers,
tensors) are the subclasses' business: they answer `call_dotted` (a call of `torch.nn.Conv2d`,
`keras.layers.Dense`, ...), `call_value` (a call of a layer or tensor method) and `binop_value`.
Anything else is refused at its line.

Module level is read leniently: a statement that cannot be known (loading a data set,
training) leaves the names it assigns Unknown, and only an Unknown a model needs is an error.
"""
from __future__ import annotations

import ast
import re
from typing import Any

from ..errors import read_text, visible
from .common import FIX, ReaderError, unsupported
from .pyexpr import (MAX_SEQUENCE, PLAIN, Builtin, Dotted, Expressions, Function, Ignored,  # noqa: F401
                     Limit, Obj, Unknown, _Break, _Continue, _Return, at)

__all__ = ["Builtin", "Dotted", "Function", "Ignored", "Interp", "Obj", "Unknown", "at", "parse", "parse_choice"]

MAX_AST_NODES = 1_000_000   # as MAX_NODES for YAML specs
MAX_AST_DEPTH = 200         # nesting of the source; deeper is no model-building code
MAX_STEPS = 2_000_000       # statements and expressions evaluated, and the sizes of values built
MAX_TOKENS = 1_000_000      # words and symbols of the source, counted before it is parsed
_TOKEN = re.compile(r"\w+|[^\w\s]")


def parse(path: str) -> tuple[str, ast.Module]:
    """The file's text and syntax tree, within the size, node and nesting limits."""
    from .common import ReaderError as E
    text = read_text(path, E, "a Python file", "the path of a .py file that defines the model")
    # the tree is built in one call that cannot be stopped: bound it by the words and symbols first
    tokens = _TOKEN.subn("", text)[1]
    if tokens > MAX_TOKENS:
        raise ReaderError(f"has {tokens:,} words and symbols, more than the {MAX_TOKENS:,} cnncalc parses "
                          "(too many for a model definition); give the file that defines the model only",
                          path=path)
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as e:
        message = e.msg
        if "integer string conversion" in message:
            message = "an integer literal of more than 4,300 digits"
        raise ReaderError(f"is not valid Python: {message}; fix the syntax (cnncalc reads the file "
                          "as Python source)", path=path, line=e.lineno, col=e.offset) from None
    except (RecursionError, MemoryError, ValueError) as e:
        raise ReaderError(f"cannot be parsed as Python ({type(e).__name__}): it nests more than Python's "
                          f"parser allows or holds a NUL byte; at most {MAX_AST_DEPTH} levels are read",
                          path=path) from None
    count, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_AST_NODES:
            raise ReaderError(f"has more than {MAX_AST_NODES:,} syntax nodes, too many for a model "
                              "definition; give the file that defines the model only", path=path)
        if depth > MAX_AST_DEPTH:
            raise ReaderError(f"nests deeper than {MAX_AST_DEPTH} levels; no model definition does",
                              path=path, line=getattr(node, "lineno", None))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return text, tree


class Interp(Expressions):
    """The evaluator. Subclasses give the framework's values."""

    DEFAULT_ALIASES: dict[str, str] = {}

    def __init__(self, path: str, tree: ast.Module):
        self.path, self.tree = path, tree
        self.aliases: dict[str, str] = {}
        self.globals: dict[str, Any] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.functions: dict[str, ast.FunctionDef] = {}
        self.steps = 0
        self.depth = 0

    # -- errors -------------------------------------------------------------------------------
    def fail(self, node, what: str) -> ReaderError:
        line, col = at(node)
        return unsupported(what, self.path, line, col)

    def error(self, node, message: str) -> ReaderError:
        line, col = at(node)
        return ReaderError(message, path=self.path, line=line, col=col)

    def tick(self, node, cost: int = 1) -> None:
        """One step, or `cost` steps for a value of that size: one budget for time and memory."""
        self.steps += cost
        if self.steps > MAX_STEPS:
            raise self.limit(node, f"reading the model takes more than {MAX_STEPS:,} steps (a huge "
                                   "loop or huge values?); write the model in YAML")

    # -- module level -------------------------------------------------------------------------
    def run_module(self) -> None:
        """Imports, classes, functions and the module-level statements, leniently."""
        for stmt in self.tree.body:
            self.tick(stmt)
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.imports(stmt)
            elif isinstance(stmt, ast.ClassDef):
                self.classes[stmt.name] = stmt
                self.globals[stmt.name] = stmt
                self.defined(stmt)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[stmt.name] = stmt
                self.globals[stmt.name] = Function(stmt)
            else:
                self.module_statement(stmt)

    def defined(self, stmt) -> None:
        """Hook: a class or an assignment was seen at module level, in file order."""

    def module_statement(self, stmt) -> None:
        """A module-level statement; what cannot be known leaves its names Unknown."""
        if isinstance(stmt, ast.If) and self.is_main_guard(stmt.test):
            for inner in stmt.body:
                self.module_statement(inner)
            return
        try:
            self.exec_stmt(stmt, self.globals)
        except Limit:
            raise
        except ReaderError as e:
            if self.strict_at_module(stmt):
                raise
            for target in _assigned(stmt):
                self.globals[target] = Unknown(f"`{target}` is computed at line {stmt.lineno} in a way "
                                               f"cnncalc does not follow ({_reason(e)})", stmt.lineno)
        except _Return:
            pass
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            self.defined(stmt)

    def strict_at_module(self, stmt) -> bool:
        """Hook: True when a module-level statement builds the model and must not fail quietly."""
        return False

    def is_main_guard(self, test) -> bool:
        return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
                and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
                and test.comparators[0].value == "__main__")

    def imports(self, stmt) -> None:
        if isinstance(stmt, ast.Import):
            for a in stmt.names:
                if a.asname:
                    self.aliases[a.asname] = a.name
                else:
                    self.aliases[a.name.split(".")[0]] = a.name.split(".")[0]
        elif stmt.module and not stmt.level:
            for a in stmt.names:
                if a.name != "*":
                    self.aliases[a.asname or a.name] = f"{stmt.module}.{a.name}"

    # -- statements ---------------------------------------------------------------------------
    def exec_block(self, body, env) -> None:
        for stmt in body:
            self.exec_stmt(stmt, env)

    def exec_stmt(self, stmt, env) -> None:
        self.tick(stmt)
        if isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant):
                return  # a docstring
            value = self.eval(stmt.value, env)
            if isinstance(value, Unknown) and not isinstance(value, Ignored) and self.depth > 0:
                raise self.fail(stmt, f"the call `{ast.unparse(stmt.value)[:60]}`: {value.why}")
        elif isinstance(stmt, ast.Assign):
            value = self.eval(stmt.value, env)
            for target in stmt.targets:
                self.assign(target, value, env, stmt)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.eval(stmt.value, env), env, stmt)
        elif isinstance(stmt, ast.AugAssign):
            value = self.binop(stmt.op, self.eval(stmt.target, env), self.eval(stmt.value, env), stmt)
            self.assign(stmt.target, value, env, stmt)
        elif isinstance(stmt, ast.If):
            self.exec_block(stmt.body if self.truth(stmt.test, env) else stmt.orelse, env)
        elif isinstance(stmt, ast.For):
            if stmt.orelse:
                raise self.fail(stmt, "a `for ... else` loop")
            items = self.iterate(self.eval(stmt.iter, env), stmt.iter)
            for item in items:
                self.assign(stmt.target, item, env, stmt)
                try:
                    self.exec_block(stmt.body, env)
                except _Break:
                    break
                except _Continue:
                    continue
        elif isinstance(stmt, ast.Return):
            raise _Return(None if stmt.value is None else self.eval(stmt.value, env))
        elif isinstance(stmt, ast.Break):
            raise _Break()
        elif isinstance(stmt, ast.Continue):
            raise _Continue()
        elif isinstance(stmt, (ast.Pass, ast.Assert)):
            pass
        elif isinstance(stmt, ast.FunctionDef) and not stmt.decorator_list and env is not self.globals:
            env[stmt.name] = Function(stmt, closure=env)  # a def inside a function sees its names
        elif isinstance(stmt, ast.Raise):
            raise self.error(stmt, f"the file's own code raises `{ast.unparse(stmt.exc)[:80] if stmt.exc else 'raise'}` "
                                   "here for these values; change the arguments the model is built with")
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.imports(stmt)
        else:
            raise self.fail(stmt, f"a `{_describe(stmt)}` statement")

    def assign(self, target, value, env, stmt) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, Unknown):
                for t in target.elts:
                    self.assign(t, value, env, stmt)
                return
            items = self.iterate(value, stmt)
            if len(items) != len(target.elts):
                raise self.error(target, f"unpacks {len(items)} values into {len(target.elts)} names")
            for t, v in zip(target.elts, items):
                self.assign(t, v, env, stmt)
        elif isinstance(target, ast.Attribute):
            owner = self.eval(target.value, env)
            self.set_attr(owner, target.attr, value, target)
        elif isinstance(target, ast.Subscript) and not isinstance(target.slice, ast.Slice):
            owner, key = self.eval(target.value, env), self.eval(target.slice, env)
            if isinstance(owner, dict) and isinstance(key, PLAIN):
                owner[key] = value
            elif isinstance(owner, list) and isinstance(key, int) and not isinstance(key, bool) \
                    and -len(owner) <= key < len(owner):
                owner[key] = value
            else:
                raise self.fail(target, f"an assignment to `{ast.unparse(target)[:60]}`")
        else:
            raise self.fail(target, f"an assignment to `{ast.unparse(target)[:60]}`")

    def set_attr(self, owner, name: str, value, node) -> None:
        if isinstance(owner, Obj):
            owner.attrs[name] = value
            return
        raise self.fail(node, f"setting the attribute `{name}` of {self.kind_of(owner)}")

    def truth(self, test, env) -> bool:
        value = self.eval(test, env)
        if isinstance(value, PLAIN) or isinstance(value, (tuple, list, dict)):
            return bool(value)
        if isinstance(value, Unknown):
            raise self.fail(test, f"the condition `{ast.unparse(test)[:60]}`: {value.why}")
        raise self.fail(test, f"a condition on {self.kind_of(value)} (`{ast.unparse(test)[:60]}`), "
                              "which is not known without running the file")

    def iterate(self, value, node) -> list:
        if isinstance(value, range) and len(value) > MAX_SEQUENCE:
            raise self.limit(node, f"a loop of {len(value):,} steps is more than the {MAX_SEQUENCE:,} "
                                   "cnncalc unrolls")
        if isinstance(value, (list, tuple, range, dict)):
            return self.sized(list(value), node)
        items = self.iterate_value(value, node)
        if items is None:
            raise self.fail(node, f"a loop over {self.kind_of(value)}")
        return items

    def iterate_value(self, value, node) -> list | None:
        """Hook: the items of a framework container (ModuleList, Sequential), or None."""
        return None


def _describe(stmt) -> str:
    return {"While": "while", "With": "with", "Try": "try", "Raise": "raise", "Delete": "del",
            "Global": "global", "Nonlocal": "nonlocal", "FunctionDef": "def", "ClassDef": "class",
            "AsyncFunctionDef": "async def", "Match": "match"}.get(type(stmt).__name__, type(stmt).__name__)


def _reason(error: ReaderError) -> str:
    """The first words of why a module-level statement was passed over."""
    text = error.message.split("; " + FIX)[0]
    return text if len(text) <= 100 else text[:100] + "..."


def _assigned(stmt) -> list[str]:
    names = []
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
    for t in targets:
        if t is None:
            continue
        for n in ast.walk(t):
            if isinstance(n, ast.Name):
                names.append(n.id)
    if isinstance(stmt, ast.For):
        names += [n.id for n in ast.walk(stmt.target) if isinstance(n, ast.Name)]
    if isinstance(stmt, ast.If):  # a global assigned in if / elif / else branches
        for inner in stmt.body + stmt.orelse:
            names += _assigned(inner)
    return names


def parse_choice(text: str, path: str) -> tuple[str, list, dict]:
    """`--class` as a name and literal arguments: `resnet50`, `"vgg16(num_classes=10)"`."""
    how = "--class takes a name, or a call with literal arguments such as \"vgg16(num_classes=10)\""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ReaderError(f"--class {visible(text[:80])!r} is not a Python name or call; {how}", path=path) from None
    if isinstance(node, ast.Name):
        return node.id, [], {}
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise ReaderError(f"--class {visible(text[:80])!r} is not a name or a call of a name; {how}", path=path)
    try:
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg is not None}
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        raise ReaderError(f"--class {visible(text[:80])!r} has an argument that is not a literal (numbers, "
                          f"strings, True/False/None, lists, tuples, dicts); {how}", path=path) from None
    if len(kwargs) != len(node.keywords):
        raise ReaderError(f"--class {visible(text[:80])!r} has a `**` argument; {how}", path=path)
    return node.func.id, args, kwargs
