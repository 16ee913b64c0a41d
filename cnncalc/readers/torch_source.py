"""PyTorch source (`class Net(nn.Module)` or a module-level `nn.Sequential`) read with `ast`.

`__init__` is followed to know the layers (nn.Sequential, nn.ModuleList, OrderedDict, nested
modules of the file's own classes, loops over known ranges, helper methods such as
`_make_layer`); `forward` is followed with a symbolic tensor to know the data flow (`F.*`,
`torch.flatten`, `view` / `reshape`, `+`, `*`, `torch.cat`, `torch.add`, `mean` over the
spatial axes). Tensors are channels first in PyTorch and channels last in cnncalc: a torch dim
becomes a cnncalc axis by the rank each symbolic tensor carries, and what would act on another
axis than cnncalc's (nn.Linear on an image, softmax over a spatial axis) is refused.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from .common import INPUT, Graph, InputHint, check_used
from .pysource import Dotted, Function, Interp, Obj, Unknown, at, parse, parse_choice
from .torch_calls import Known
from .torch_arrays import TArray
from .torch_known import is_layer_norm_2d
from .torch_layers import spelling
from .torch_ops import Ops
from .torch_values import Batch, Pos, Rank, SizeProd, Tensor, TShape, snake

@dataclass
class TMod:
    """A torch.nn layer: its class, arguments by name, and where it was written."""
    cls: str
    args: dict
    at: tuple
    marks: dict
    path: str = ""
    used: int = 0

    @property
    def has_params(self) -> bool:
        f = spelling(self.cls).group
        if f in ("Conv", "ConvTranspose", "Linear", "BatchNorm", "Embedding", "PReLU"):
            return True
        if f == "LayerNorm":
            return bool(self.args.get("elementwise_affine", True))
        return f == "GroupNorm" and bool(self.args.get("affine", True))


@dataclass
class THelper(TMod):
    """An instance of one of cnncalc's own export helpers (readers/helpers.py): the kind and
    spec arguments it stands for."""
    kind: str = ""
    spec: dict = field(default_factory=dict)
    weights: bool = False

    @property
    def has_params(self) -> bool:
        return self.weights


@dataclass
class TSeq:
    """nn.Sequential: named children applied in order."""
    items: list
    at: tuple
    path: str = ""


@dataclass
class TList:
    """nn.ModuleList (or ModuleDict, `keys` set): children the forward indexes or loops over."""
    items: list
    at: tuple
    keys: list | None = None
    path: str = ""


MODULES = (TMod, TSeq, TList, Obj)


@dataclass
class _State:
    prefix: list = field(default_factory=lambda: [""])
    classes: list = field(default_factory=list)


class TorchReader(Known, Ops, Interp):
    MODULES = MODULES

    @staticmethod
    def helper_class():
        return THelper
    DEFAULT_ALIASES = {"nn": "torch.nn", "F": "torch.nn.functional", "torch": "torch"}

    def __init__(self, path, tree):
        super().__init__(path, tree)
        self.graph = Graph(path)
        self.state = _State()
        self.candidates: list[tuple[str, int, str]] = []   # (name, line, "class" / "sequential")
        self.hint = InputHint()
        self.input_rank = Rank()
        self.input_given = None

    # -- module level ---------------------------------------------------------------------------
    def defined(self, stmt) -> None:
        if isinstance(stmt, ast.ClassDef):
            if self.is_module_class(stmt):
                self.candidates.append((stmt.name, stmt.lineno, "class"))
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = self.globals.get(stmt.targets[0].id)
            if isinstance(value, TSeq):
                self.candidates.append((stmt.targets[0].id, stmt.lineno, "sequential"))

    def is_module_class(self, cls: ast.ClassDef, depth: int = 0) -> bool:
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in self.classes and depth < 64:
                if self.is_module_class(self.classes[base.id], depth + 1):
                    return True
            name = self.qualname(base)
            if name in ("torch.nn.Module", "torch.nn.modules.module.Module", "torch.nn.Sequential",
                        "torch.nn.ModuleDict", "torch.nn.ModuleList") or self.block_of(base) is not None:
                return True
        return False

    def is_sequential_class(self, cls: ast.ClassDef, depth: int = 0) -> bool:
        """A subclass of nn.Sequential: without its own forward it runs its layers in order."""
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in self.classes and depth < 64:
                if self.is_sequential_class(self.classes[base.id], depth + 1):
                    return True
            if self.qualname(base) == "torch.nn.Sequential":
                return True
            block = self.block_of(base)
            if block is not None and depth < 64 and self.is_sequential_class(block, depth + 1):
                return True
        return False

    def qualname(self, node) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, self.DEFAULT_ALIASES.get(node.id))
        if isinstance(node, ast.Attribute):
            head = self.qualname(node.value)
            return f"{head}.{node.attr}" if head else None
        return None

    # -- objects of the file's classes ------------------------------------------------------------
    def instantiate(self, cls: ast.ClassDef, args, kwargs, node):
        if is_layer_norm_2d(cls):
            return self.layer_norm_2d(cls, args, kwargs, node)
        helper = self.helper(cls, args, kwargs, node)
        if helper is not None:
            return helper
        if not self.is_module_class(cls):
            return self.plain_object(cls, args, kwargs, node)
        obj = Obj(cls)
        obj.attrs["training"] = Unknown("`self.training` (train or eval mode) is chosen when the model runs, and cnncalc "
                                        "reads one model (build it without its training-only part if it has an "
                                        "argument for that, e.g. --class \"googlenet(aux_logits=False)\")")
        init = self.method(cls, "__init__")
        self.state.classes.append((cls, obj))
        try:
            if init is not None:
                self.call_function(Function(init, obj), args, kwargs, node)
        finally:
            self.state.classes.pop()
        return obj

    def helper(self, cls: ast.ClassDef, args, kwargs, node) -> THelper | None:
        """cnncalc's own export helper class (a LayerScale, a ChannelSlice, ...) as its kind."""
        from . import helpers
        try:
            got = helpers.read("torch", cls, args, kwargs)
        except ValueError as e:
            raise self.error(node, str(e)) from None
        if got is None:
            return None
        kind, spec = got
        return THelper(cls.name, {}, at(node), {}, kind=kind, spec=spec, weights=helpers.has_weights("torch", cls.name))

    def set_attr(self, owner, name, value, node) -> None:
        if isinstance(owner, Obj):
            if isinstance(value, list) and any(isinstance(v, MODULES) for v in value):
                raise self.fail(node, f"`self.{name}` is a plain list of layers, which torch does not "
                                      "register (their parameters are not in parameters()); use nn.ModuleList")
            if isinstance(value, TMod) and value.used == 0 and not value.path:
                value.at = at(node)  # the layer is where `self.name = ...` is written
            owner.attrs[name] = value
            return
        if isinstance(owner, TMod) and isinstance(value, (int, float, str)) and spelling(owner.cls) is not None \
                and name not in spelling(owner.cls).keys and name not in ("weight", "bias", "training"):
            return  # a mark of the file's own (`self.fc.stddev = 0.001` for its weight init): no layer changes
        super().set_attr(owner, name, value, node)

    def call_dotted(self, name, args, kwargs, marks, node):
        known = self.call_known(name, args, kwargs, node)
        if known is not None:
            return known
        if name in ("super.__init__", "torch.nn.Module.__init__"):
            return self.super_init(name, args, kwargs, node)
        if name.startswith("torch.nn.") and name.count(".") == 2:
            return self.nn_module(name[len("torch.nn."):], args, kwargs, marks, node)
        if name.startswith(("torch.nn.functional.", "torch.")) and any(isinstance(a, Tensor) for a in args) \
                or name in ("torch.cat", "torch.concat", "torch.concatenate", "torch.add", "torch.mul"):
            return self.function(name, args, kwargs, marks, node)
        return super().call_dotted(name, args, kwargs, marks, node)

    # -- nn layers -------------------------------------------------------------------------------
    def nn_module(self, cls: str, args, kwargs, marks, node):
        pos = at(node)
        if cls == "Sequential":
            if len(args) == 1 and isinstance(args[0], dict):
                items = list(args[0].items())
            else:
                items = [(str(i), a) for i, a in enumerate(args)]
            for name, item in items:
                if not isinstance(item, MODULES):
                    raise self.fail(node, f"nn.Sequential holds {self.kind_of(item)}")
            return TSeq(items, pos)
        if cls in ("ModuleList", "ModuleDict"):
            items = self.iterate(args[0], node) if args else []
            if cls == "ModuleDict":
                source = args[0] if args else {}
                pairs = list(source.items()) if isinstance(source, dict) else list(items)
                return TList([v for _, v in pairs], pos, [k for k, _ in pairs])
            return TList(list(items), pos)
        s = spelling(cls)
        if s is None:
            raise self.fail(node, f"nn.{cls} is not a layer cnncalc reads")
        sig = s.keys
        named: dict[str, Any] = {}
        where: dict[str, tuple] = {}
        if s.group == "Identity":
            args, kwargs = [], {}
        if len(args) > len(sig):
            raise self.error(node, f"nn.{cls} takes at most {len(sig)} positional arguments, got {len(args)}")
        for i, v in enumerate(args):
            named[sig[i]] = v
            where[sig[i]] = marks.get(i, pos)
        for k, v in kwargs.items():
            if k not in sig:
                raise self.error(node, f"nn.{cls} has no argument `{k}` (it takes {', '.join(sig)})")
            named[k] = v
            where[k] = marks.get(k, pos)
        for k, v in named.items():
            if isinstance(v, Unknown) and k not in ("device", "dtype", "inplace"):
                raise self.error(node, f"nn.{cls}'s `{k}`: {v.why}; write the number in the file or "
                                       "write this part in YAML")
        return TMod(cls, named, pos, where)

    def kind_of(self, value) -> str:
        if isinstance(value, TMod):
            return f"the layer nn.{value.cls}" + (f" `{value.path}`" if value.path else "")
        if isinstance(value, TSeq):
            return "an nn.Sequential"
        if isinstance(value, TList):
            return "an nn.ModuleList"
        if isinstance(value, Tensor):
            return "a tensor"
        if isinstance(value, Batch):
            return "the batch size x.size(0)"
        if isinstance(value, SizeProd):
            return "sizes of a tensor (known only when the model runs)"
        return super().kind_of(value)

    # -- containers ------------------------------------------------------------------------------
    def iterate_value(self, value, node):
        if isinstance(value, TList):
            return list(value.items)
        if isinstance(value, TSeq):
            return [m for _, m in value.items]
        if isinstance(value, SizeProd) and value.split:
            return [SizeProd(value.tensor, (d,), 1) for d in value.dims]
        return None

    def attribute_value(self, owner, name, node):
        if isinstance(owner, ast.ClassDef):
            return self.class_attribute(owner, name, node)
        if isinstance(owner, str):
            return ("str-method", owner, name)
        if isinstance(owner, TArray):
            return ("array-method", owner, name)
        if isinstance(owner, Obj) and name in ("items", "keys", "values") and self.is_container_class(owner.cls):
            children = [(k, v) for k, v in owner.attrs.items() if isinstance(v, MODULES)]
            return ("dict-method", dict(children), name)
        if isinstance(owner, TList) and name in ("append", "extend"):
            return ("list-method", owner, name)
        if isinstance(owner, list) and name in ("append", "extend", "insert"):
            return ("list-method", owner, name)
        if isinstance(owner, dict) and name in ("items", "keys", "values", "pop", "get"):
            return ("dict-method", owner, name)
        if isinstance(owner, TSeq) and name == "add_module":
            return ("seq-add", owner, name)
        if isinstance(owner, Obj) and name in ("add_module", "register_module"):
            return ("obj-add", owner, name)
        if isinstance(owner, Obj) and name in ("register_buffer", "register_parameter"):
            raise self.fail(node, f"self.{name}: parameters and buffers made by hand")
        if isinstance(owner, Tensor):
            return TShape(owner) if name == "shape" else ("tensor-method", owner, name)
        if isinstance(owner, TSeq) and name in ("children", "modules"):
            return None
        return None

    def subscript_value(self, value, index, node):
        if isinstance(value, TShape) and isinstance(index, slice):
            return self.size_slice(value, index, node)
        if isinstance(value, (TList, TSeq)):
            items = value.items if isinstance(value, TList) else [m for _, m in value.items]
            if isinstance(value, TList) and value.keys is not None and isinstance(index, str):
                if index not in value.keys:
                    raise self.error(node, f"the ModuleDict has no key {index!r}")
                return items[value.keys.index(index)]
            if isinstance(index, int):
                try:
                    return items[index]
                except IndexError:
                    raise self.error(node, f"index {index} is out of range for {len(items)} layers") from None
            if isinstance(index, slice):
                picked = items[index]
                return TSeq([(str(i), m) for i, m in enumerate(picked)], value.at) if isinstance(value, TSeq) \
                    else TList(picked, value.at)
        if isinstance(value, TShape):
            if index == 0:
                return Batch()
            raise self.fail(node, "a tensor size other than the batch, x.size()[i] or x.shape[i] for i > 0 (sizes "
                                  "are known only when the model runs)")
        return None

    def call_value(self, fn, args, kwargs, marks, node):
        if isinstance(fn, tuple) and fn[0] == "list-method":
            target, method = fn[1], fn[2]
            items = target.items if isinstance(target, TList) else target
            if method == "append":
                items.append(args[0])
            elif method == "extend":
                items.extend(self.iterate(args[0], node))
            else:
                items.insert(args[0], args[1])
            return True
        known = self.call_known_value(fn, args, kwargs, node)
        if known is not None:
            return known
        if isinstance(fn, tuple) and fn[0] == "dict-method":
            d = fn[1]
            if fn[2] in ("pop", "get"):
                if not 1 <= len(args) <= 2 or kwargs or fn[2] == "pop" and len(args) == 1 and args[0] not in d:
                    raise self.error(node, f"dict.{fn[2]}() of a key the dict does not hold, without a default")
                return self.python(node, getattr(d, fn[2]), *args)
            return {"items": list(d.items()), "keys": list(d), "values": list(d.values())}[fn[2]]
        if isinstance(fn, tuple) and fn[0] == "seq-add":
            fn[1].items.append((args[0], args[1]))
            return True
        if isinstance(fn, tuple) and fn[0] == "obj-add":
            self.set_attr(fn[1], args[0], args[1], node)
            return True
        if isinstance(fn, tuple) and fn[0] == "tensor-method":
            return self.tensor_method(fn[1], fn[2], args, kwargs, marks, node)
        if isinstance(fn, THelper) and len(args) > 1 and not kwargs and all(isinstance(a, Tensor) for a in args):
            fn.used += 1  # a merge of several tensors
            return self.helper_layer(fn, list(args))
        if isinstance(fn, MODULES):
            if len(args) != 1 or kwargs or not isinstance(args[0], Tensor):
                if isinstance(fn, Obj):
                    return self.call_module(fn, args, kwargs, node)
                raise self.fail(node, f"calling {self.kind_of(fn)} on "
                                      f"{', '.join(self.kind_of(a) for a in args) or 'nothing'}")
            return self.apply(fn, args[0], node)
        return None

    def len_value(self, value, node):
        if isinstance(value, (Tensor, TShape)):
            return Batch() if isinstance(value, Tensor) else None
        return None

    def apply(self, mod, x: Tensor, node) -> Tensor:
        if isinstance(mod, TSeq):
            for _, child in mod.items:
                x = self.apply(child, x, node)
            return x
        if isinstance(mod, TList):
            raise self.fail(node, "calling an nn.ModuleList (torch refuses it; loop over it)")
        if isinstance(mod, Obj):
            return self.call_module(mod, [x], {}, node)
        if mod.used and mod.has_params:
            raise self.fail(node, f"`{mod.path or 'nn.' + mod.cls}` is called a second time: its weights "
                                  "are shared, and cnncalc counts each layer's own")
        mod.used += 1
        if isinstance(mod, THelper) and mod.marks.get("channels_first") and x.layout == "cl":
            raise self.fail(node, f"{mod.cls} on a (N, L, C) tensor: it normalises dim 1 as the channels")
        if isinstance(mod, THelper):
            return self.helper_layer(mod, [x])
        return self.layer(mod, x, node)

    def helper_layer(self, mod: THelper, xs: list) -> Tensor:
        return self.emit(mod.kind, dict(mod.spec), xs, mod.path or self.name_for(snake(mod.cls)), mod.at,
                         note=f"cnncalc's {mod.cls}")

    def call_module(self, obj: Obj, args, kwargs, node):
        forward = self.method(obj.cls, "forward")
        if forward is None and self.is_sequential_class(obj.cls) and len(args) == 1 and not kwargs:
            x = args[0]
            for child in [v for v in obj.attrs.values() if isinstance(v, MODULES)]:
                x = self.apply(child, x, node)
            return x
        if forward is None:
            raise self.fail(node, f"calling `{obj.cls.name}`, which has no forward()")
        self.state.prefix.append(obj.path)
        try:
            return self.call_function(Function(forward, obj), args, kwargs, node)
        finally:
            self.state.prefix.pop()

    def name_for(self, base: str) -> str:
        prefix = self.state.prefix[-1]
        return f"{prefix}.{base}" if prefix else base

    # -- the model ------------------------------------------------------------------------------------
    def choose(self, class_name: str | None) -> tuple[str, int, str]:
        """The model --class names (a class, a module-level nn.Sequential or a function that
        builds one), else the file's only model: never a guess, never a lone layer."""
        names = ", ".join([c[0] for c in self.candidates] + self.factories())
        if class_name is not None:
            chosen = [c for c in self.candidates if c[0] == class_name]
            if chosen:
                return chosen[-1]
            if class_name in self.functions and isinstance(self.globals.get(class_name), Function):
                return class_name, self.functions[class_name].lineno, "function"
            value = self.globals.get(class_name)
            if isinstance(value, TMod):
                raise self.error(self.tree, f"`{class_name}` is one nn.{value.cls} layer, not a model; "
                                            f"--class takes one of: {names}")
            raise self.error(self.tree, f"has no model `{class_name}`; --class takes one of: {names}")
        roots = self.roots()
        if len(roots) != 1:
            made = self.factories()
            also = f" (or a function that builds one: {', '.join(made[:12])}{', ...' if len(made) > 12 else ''})" \
                if made else ""
            raise self.error(self.tree, f"defines {len(roots)} models ({', '.join(c[0] for c in roots)}) and "
                                        f"cnncalc does not guess which one is meant; pass --class NAME{also}")
        return roots[0]

    def factories(self) -> list[str]:
        """The file's public functions that say they return a model (`-> ResNet`, `-> nn.Module`)."""
        models = {c[0] for c in self.candidates} | {"nn.Module", "torch.nn.Module", "nn.Sequential"}
        return [n for n, f in self.functions.items() if not n.startswith("_") and f.returns is not None
                and ast.unparse(f.returns) in models]

    def roots(self) -> list[tuple[str, int, str]]:
        """The candidates no other candidate builds on: the classes if there are any, else the Sequentials."""
        used = set()
        for c in self.candidates:
            node = self.classes[c[0]] if c[2] == "class" else None
            for sub in ast.walk(node) if node is not None else ():
                if isinstance(sub, ast.Name) and sub.id != c[0]:
                    used.add(sub.id)
        from . import helpers
        classes = [c for c in self.candidates if c[2] == "class" and c[0] not in used
                   and helpers.match("torch", self.classes[c[0]]) is None]
        return classes or [c for c in self.candidates if c[0] not in used]

    def read(self, choice: str | None, input_given: tuple | None):
        self.run_module()
        if not self.candidates:
            raise self.error(self.tree, "defines no nn.Module class and no module-level nn.Sequential; "
                                        "give the file that defines the model")
        class_name, args, kwargs = parse_choice(choice, self.path) if choice is not None else (None, [], {})
        name, line, what = self.choose(class_name)
        self.input_given = input_given  # its rank is checked against the first layer's later
        x = Tensor(INPUT, self.input_rank, "cf", True)
        root = self.build(name, what, args, kwargs, choice is not None and "(" in choice)
        if isinstance(root, Obj):
            cls = root.cls
            self.name_tree(root, "")
            if self.method(cls, "forward") is None and not self.is_sequential_class(cls):
                raise self.error(cls, f"class `{cls.name}` has no forward(); cnncalc reads the data flow from it")
            self.state.prefix = [""]
            out = self.call_module(root, [x], {}, cls)
            self.check_unused(root)
            self.check_params(root)
        else:
            self.name_tree(root, "")
            out = self.apply(root, x, root.at and Pos(*root.at))
        if not isinstance(out, Tensor):
            raise self.error(self.classes.get(name, self.tree),
                             f"forward() returns {self.kind_of(out)}, not one tensor; cnncalc reads models "
                             "with one output")
        if out.ref == INPUT:
            raise self.error(self.tree, "the model returns its input unchanged: it has no layers")
        nodes = self.graph.select(out.ref)
        check_used(self.graph, nodes, self.path)
        how = {"class": "class", "function": "function"}.get(what, "nn.Sequential")
        return nodes, self.hint, name, f"PyTorch source, {how} {name}"

    def build(self, name: str, what: str, args, kwargs, given: bool):
        """The model object: the class made with the arguments given (else those of a module-level
        `net = Net(...)`), the function called, or the module-level nn.Sequential."""
        if what == "sequential":
            return self.globals[name]
        if what == "class":
            cls = self.classes[name]
            if not given:
                args, kwargs = self.constructor_args(name)
            self.needs(cls, args, kwargs)
            return self.instantiate(cls, args, kwargs, cls)
        fn = self.functions[name]
        root = self.call_function(Function(fn), args, kwargs, fn)
        if isinstance(root, TSeq) or isinstance(root, Obj) and self.is_module_class(root.cls):
            return root
        raise self.error(fn, f"`{name}()` returns {self.kind_of(root)}, not a model (an nn.Module)")

    def needs(self, cls: ast.ClassDef, args, kwargs) -> None:
        """A class whose constructor needs an argument no one gives is refused with where to get it."""
        init = self.method(cls, "__init__")
        if init is None:
            return
        params = [p.arg for p in init.args.posonlyargs + init.args.args][1:]
        required = params[:len(params) - len(init.args.defaults)]
        missing = [p for p in required[len(args):] if p not in kwargs]
        if missing:
            made_by = [n for n in self.factories() if ast.unparse(self.functions[n].returns) == cls.name]
            where = (f"name a function that builds it, --class {made_by[0]} ({', '.join(made_by[:12])}"
                     f"{', ...' if len(made_by) > 12 else ''}), or give " if made_by else "give ")
            raise self.error(cls, f"class `{cls.name}` needs the argument `{missing[0]}`, which has no default; "
                                  f"{where}literal arguments: --class \"{cls.name}({missing[0]}=...)\"")

    def constructor_args(self, name: str):
        """The arguments of a module-level `net = Net(...)`, if the file has one."""
        for stmt in self.tree.body:
            value = getattr(stmt, "value", None)
            if isinstance(stmt, (ast.Assign, ast.Expr)) and isinstance(value, ast.Call) \
                    and isinstance(value.func, ast.Name) and value.func.id == name and (value.args or value.keywords):
                args, kwargs, _ = self.arguments(value, dict(self.globals))
                return args, kwargs
        return [], {}

    def name_tree(self, mod, path: str, depth: int = 0) -> None:
        if depth > 64:
            return
        if isinstance(mod, TMod):
            mod.path = mod.path or path or mod.cls.lower()
        elif isinstance(mod, TSeq):
            mod.path = mod.path or path
            for key, child in mod.items:
                self.name_tree(child, f"{path}.{key}" if path else str(key), depth + 1)
        elif isinstance(mod, TList):
            mod.path = mod.path or path
            keys = mod.keys or [str(i) for i in range(len(mod.items))]
            for key, child in zip(keys, mod.items):
                self.name_tree(child, f"{path}.{key}" if path else str(key), depth + 1)
        elif isinstance(mod, Obj):
            if mod.path and depth:
                return
            mod.path = path
            for key, child in mod.attrs.items():
                if isinstance(child, MODULES):
                    self.name_tree(child, f"{path}.{key}" if path else key, depth + 1)

    def check_unused(self, mod, depth: int = 0) -> None:
        if depth > 64:
            return
        children = []
        if isinstance(mod, TMod):
            if not mod.used and mod.has_params:
                line, col = mod.at
                raise self.error(Pos(line, col),
                                 f"`{mod.path}` (nn.{mod.cls}) is never called in forward(): torch counts its "
                                 "parameters, cnncalc would not; call it, remove it, or write this part in YAML")
        elif isinstance(mod, TSeq):
            children = [m for _, m in mod.items]
        elif isinstance(mod, TList):
            children = mod.items
        elif isinstance(mod, Obj):
            children = [v for v in mod.attrs.values() if isinstance(v, MODULES)]
        for child in children:
            self.check_unused(child, depth + 1)


def read_torch(path: str, class_name: str | None = None, input_given=None):
    """(nodes, input hint, model name, description) of the PyTorch model in the file."""
    _, tree = parse(path)
    reader = TorchReader(path, tree)
    return reader.read(class_name, input_given)


__all__ = ["read_torch", "Dotted"]
