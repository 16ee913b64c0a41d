"""What torch_source follows besides layers and tensors: relative imports of the file's own
package (a self-contained function of a sibling file), calls that build nothing, torchvision's
building blocks, `functools.partial`, `isinstance`, the file's classes used as values
(`block.expansion`, a static method), the `weights` plumbing of torchvision's factory functions,
and weight-initialisation loops, which are passed over (torch_known.py holds the tables)."""
from __future__ import annotations

import ast
import os

from .common import ReaderError
from .pyexpr import BUILTINS, PLAIN, Builtin, Dotted, Function, Ignored, Obj, Unknown, at
from . import torch_arrays
from .torch_arrays import TArray
from .torch_values import Batch, Pos, SizeProd, Tensor
from .torch_known import (BLOCK_NAMES, MATH, Const, Param, Partial, block_class, is_channel_shuffle, is_init_loop, known_call,
                          placed, self_contained, short)

_PYTYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "tuple": tuple, "dict": dict}
_CONSTANTS = ("torch.ones", "torch.zeros", "torch.full", "torch.empty", "torch.rand", "torch.randn")
_STR_METHODS = ("startswith", "endswith", "lower", "upper", "strip", "split")
_SEQUENCES = ("collections.abc.Sequence", "typing.Sequence", "collections.abc.Iterable", "typing.Iterable")


class Known:
    """Mixed into TorchReader before the evaluator."""

    # -- imports of the file's own package --------------------------------------------------------
    def imports(self, stmt) -> None:
        if not (isinstance(stmt, ast.ImportFrom) and stmt.level):
            super().imports(stmt)
            return
        module = stmt.module or ""
        for a in stmt.names:
            if a.name == "*":
                continue
            local = a.asname or a.name
            followed = self.follow(stmt, module, a.name) if stmt.level == 1 and module else None
            if followed is not None:
                self.globals[local] = followed
            else:
                self.aliases[local] = "." * stmt.level + (module + "." if module else "") + a.name

    def follow(self, stmt, module: str, name: str):
        """`from .sibling import f`: the function f of the sibling file, when that file is in the
        folder of the file read (never outside it) and f uses nothing but its arguments and
        Python's builtins; None otherwise (the name then stays an import cnncalc may know)."""
        from .pysource import parse
        folder = os.path.realpath(os.path.dirname(os.path.abspath(self.path)))
        target = os.path.realpath(os.path.join(folder, *module.split(".")) + ".py")
        if os.path.commonpath([folder, target]) != folder or not os.path.isfile(target):
            return None
        cache = self.__dict__.setdefault("_followed", {})
        if target not in cache:
            try:
                cache[target] = {s.name: s for s in parse(target)[1].body if isinstance(s, ast.FunctionDef)}
            except ReaderError:
                cache[target] = {}
        fn = cache[target].get(name)
        if fn is None or not self_contained(fn, BUILTINS):
            return None
        line, col = at(stmt)
        return Function(placed(fn, line, col))

    # -- calls known by name ----------------------------------------------------------------------
    def call_known(self, name: str, args, kwargs, node):
        """The value of a call that builds no layer or builds a torchvision block, else None."""
        done, value = known_call(name)
        if done:
            return value
        key = short(name)
        if key in BLOCK_NAMES:
            line, col = at(node)
            return self.instantiate(block_class(BLOCK_NAMES[key], line, col), args, kwargs, node)
        if name == "functools.partial" and args:
            return Partial(args[0], list(args[1:]), dict(kwargs))
        if name in MATH and len(args) == 1 and not kwargs and isinstance(args[0], (int, float)):
            return self.python(node, MATH[name], args[0])
        if name == "torch.jit.annotate" and len(args) == 2:
            return args[1]
        if name == "copy.copy" and len(args) == 1 and not kwargs:
            return self.copied(args[0], node)
        if name in torch_arrays.FUNCTIONS and (name in ("torch.arange", "torch.tensor")
                                               or any(isinstance(a, TArray) for a in args)):
            return self.arrays(node, torch_arrays.call, name, list(args), kwargs)
        if name in _CONSTANTS and args and not kwargs:
            return self.constant(name, args, node)
        if name == "torch.nn.Parameter" and len(args) == 1 and isinstance(args[0], Const):
            return Param(args[0].shape, args[0].value, at(node))
        return None

    def call_known_value(self, fn, args, kwargs, node):
        if isinstance(fn, Partial):
            return self.invoke(fn.fn, [*fn.args, *args], {**fn.kwargs, **kwargs}, {}, node)
        if isinstance(fn, tuple) and fn[0] == "array-method":
            return self.arrays(node, torch_arrays.method, fn[1], fn[2], args)
        if isinstance(fn, tuple) and fn[0] == "str-method":
            return self.str_method(fn[1], fn[2], args, kwargs, node)
        return None

    def arrays(self, node, fn, *args):
        """fn(*args) of torch_arrays; what it refuses, or a number too large for int64, is one failure."""
        try:
            return fn(*args)
        except ValueError as e:
            raise self.fail(node, f"{e} (torch arithmetic while the model is built)") from None
        except OverflowError:
            raise self.fail(node, "a number too large for a torch tensor (torch arithmetic while the model "
                                  "is built)") from None

    # -- x.size()[1:] multiplied out: the features of each sample ----------------------------------
    def size_slice(self, shape, index: slice, node):
        r = self.rank(shape.tensor, node)
        picked = tuple(range(r + 1)[index])
        if not picked or 0 in picked:
            raise self.fail(node, f"x.size()[{index.start}:{index.stop}] with the batch size in it or empty")
        return SizeProd(shape.tensor, picked, 1, split=True)

    def tensor_method(self, x, method, args, kwargs, marks, node):
        items = list(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else list(args)
        if method in ("view", "reshape") and any(isinstance(v, SizeProd) for v in items):
            r = self.rank(x, node)
            whole = len(items) == 2 and (items[0] == -1 or isinstance(items[0], Batch)) and \
                isinstance(items[1], SizeProd) and items[1].tensor.ref == x.ref and items[1].coeff == 1 and \
                items[1].dims == tuple(range(1, r + 1))
            if not whole:
                raise self.fail(node, f"x.{method} to a size computed from x.size() other than all the features "
                                      "of a sample")
            args, kwargs = (Batch(), -1), {}
        return super().tensor_method(x, method, args, kwargs, marks, node)

    # -- constant tensors and parameters ------------------------------------------------------------
    def constant(self, name, args, node) -> Const:
        sizes = list(args[0]) if isinstance(args[0], (list, tuple)) else list(args[:-1] if name == "torch.full" else args)
        value = args[-1] if name == "torch.full" else {"torch.ones": 1.0, "torch.zeros": 0.0}.get(name)
        if not sizes or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in sizes) \
                or len(sizes) > 8 or value is not None and not isinstance(value, (int, float)):
            raise self.fail(node, f"{name} of {self.kind_of(args[0])}: a constant tensor needs sizes written as numbers")
        return Const(tuple(sizes), value)

    def binop_value(self, op, left, right, node):
        if isinstance(op, ast.Mult) and (isinstance(left, SizeProd) or isinstance(right, SizeProd)):
            return self.size_product(left, right, node)
        ops = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
        if (isinstance(left, TArray) or isinstance(right, TArray)) and type(op) in ops:
            return self.arrays(node, torch_arrays.binop, ops[type(op)], left, right)
        for a, b in ((left, right), (right, left)):
            if isinstance(a, Const) and isinstance(b, (int, float)) and not isinstance(b, bool) \
                    and isinstance(op, ast.Mult):
                return Const(a.shape, None if a.value is None else a.value * b)
            if isinstance(a, Param) and isinstance(b, Tensor) and isinstance(op, ast.Mult):
                return self.scaled(a, b, node)
        return super().binop_value(op, left, right, node)

    def size_product(self, left, right, node):
        """n * s, s * t: products of a tensor's sizes (each dim once) and whole numbers."""
        dims, coeff, tensor = (), 1, None
        for v in (left, right):
            if isinstance(v, SizeProd) and not v.split and (tensor is None or v.tensor.ref == tensor.ref) \
                    and not set(v.dims) & set(dims):
                dims, coeff, tensor = dims + v.dims, coeff * v.coeff, v.tensor
            elif isinstance(v, int) and not isinstance(v, bool):
                coeff *= v
            else:
                raise self.fail(node, f"a product of {self.kind_of(left)} and {self.kind_of(right)}")
        return SizeProd(tensor, tuple(sorted(dims)), coeff)

    def scaled(self, p: Param, x, node):
        """A tensor times a learned (C, 1, ..., 1) parameter: layer scale, one factor per channel."""
        r = self.rank(x, node)
        c_first = x.layout == "cf" and len(p.shape) == r and all(v == 1 for v in p.shape[1:])
        c_last = len(p.shape) == 1 and (x.layout == "cl" or r == 1)
        if not (c_first or c_last) or p.shape[0] == 1:
            raise self.fail(node, f"a parameter of shape {p.shape} times a tensor of {r + 1} dims (cnncalc reads "
                                  "one learned factor per channel, (C, 1, 1) on (N, C, H, W))")
        if p.used:
            raise self.fail(node, "a parameter used a second time (shared weights; cnncalc counts each layer's own)")
        p.used += 1
        args = {} if p.value is None else {"init": p.value}
        return self.emit("layer_scale", args, [x], self.name_for("layer_scale"), at(node), note="nn.Parameter")

    def check_params(self, obj, path="", depth=0) -> None:
        """An nn.Parameter forward never uses: torch counts it, cnncalc would not."""
        for key, value in list(obj.attrs.items()) if isinstance(obj, Obj) and depth < 64 else ():
            where = f"{path}.{key}" if path else key
            if isinstance(value, Param) and not value.used:
                raise self.error(Pos(*value.at), f"`{where}` (nn.Parameter of shape {value.shape}) is never used in "
                                                 "forward(): torch counts it, cnncalc would not; write this part in YAML")
            if isinstance(value, Obj):
                self.check_params(value, where, depth + 1)
            for item in getattr(value, "items", None) or () if not isinstance(value, dict) else ():
                child = item[1] if isinstance(item, tuple) else item
                if isinstance(child, Obj):
                    self.check_params(child, where, depth + 1)

    def layer_norm_2d(self, cls, args, kwargs, node):
        """torchvision's LayerNorm2d: nn.LayerNorm over the channels of (N, C, H, W)."""
        mod = self.nn_module("LayerNorm", args, kwargs, {}, node)
        shape, a = mod.args.get("normalized_shape"), mod.args
        shape = shape[0] if isinstance(shape, (tuple, list)) and len(shape) == 1 else shape
        if not isinstance(shape, int) or a.get("bias", True) is not True:
            raise self.fail(node, f"{cls.name} over {self.kind_of(shape)} or without bias")
        spec = {"num_features": shape}
        if a.get("eps", 1e-5) != 1e-5:
            spec["epsilon"] = self.real(a["eps"], "eps", node)
        affine = self.flag(a.get("elementwise_affine", True), "elementwise_affine", node)
        if not affine:
            spec["affine"] = False
        return self.helper_class()(cls.name, {}, at(node), {"channels_first": True}, kind="layernorm", spec=spec,
                                   weights=affine)

    # -- objects ----------------------------------------------------------------------------------
    def super_init(self, name, args, kwargs, node):
        """super().__init__(...): the base class's __init__ of the file, a dataclass's fields, or
        nn.Sequential's layers."""
        cls, obj = self.state.classes[-1] if self.state.classes else (None, None)
        base = next((b.id for b in (cls.bases if cls else []) if isinstance(b, ast.Name) and b.id in self.classes), None)
        init = self.method(self.classes[base], "__init__") if base and name == "super.__init__" else None
        block = next((k for k in map(self.block_of, cls.bases if cls else []) if k is not None), None)
        if block is not None and base is None and name == "super.__init__":
            self.state.classes.append((block, obj))  # a subclass of torchvision's block: its __init__
            try:
                self.call_function(Function(self.method(block, "__init__"), obj), args, kwargs, node)
            finally:
                self.state.classes.pop()
            return True
        if init is None and base and obj is not None and self.is_dataclass(self.classes[base]):
            self.dataclass_init(self.classes[base], obj, args, kwargs, node)
        elif init is None and obj is not None and self.is_sequential_class(cls):
            items = list(args[0].items()) if len(args) == 1 and isinstance(args[0], dict) else \
                [(str(i), a) for i, a in enumerate(args)]
            for key, item in items:
                if not isinstance(item, self.MODULES):
                    raise self.fail(node, f"nn.Sequential holds {self.kind_of(item)}")
                self.set_attr(obj, key, item, node)
        elif init is not None:
            self.state.classes.append((self.classes[base], obj))
            try:
                self.call_function(Function(init, obj), args, kwargs, node)
            finally:
                self.state.classes.pop()
        return True

    def plain_object(self, cls: ast.ClassDef, args, kwargs, node):
        """An object of a class of the file that is no nn.Module (a configuration record)."""
        obj = Obj(cls)
        init = self.method(cls, "__init__")
        if init is None and self.is_dataclass(cls):
            self.dataclass_init(cls, obj, args, kwargs, node)
        elif init is not None:
            self.state.classes.append((cls, obj))
            try:
                self.call_function(Function(init, obj), args, kwargs, node)
            finally:
                self.state.classes.pop()
        elif args or kwargs:
            raise self.error(node, f"`{cls.name}` takes no arguments (it has no __init__)")
        return obj

    def block_of(self, base):
        """torchvision's block a base class names (`class Stem(Conv2dNormActivation)`), else None."""
        name = self.qualname(base) if isinstance(base, (ast.Name, ast.Attribute)) else None
        if name is None or short(name) not in BLOCK_NAMES:
            return None
        line, col = at(base)
        return block_class(BLOCK_NAMES[short(name)], line, col)

    def is_dataclass(self, cls: ast.ClassDef) -> bool:
        return any((self.qualname(d.func if isinstance(d, ast.Call) else d) or "") == "dataclasses.dataclass"
                   for d in cls.decorator_list)

    def dataclass_init(self, cls: ast.ClassDef, obj, args, kwargs, node) -> None:
        """The __init__ @dataclass writes: the annotated fields in order, with their defaults."""
        fields = [s for s in cls.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                  and "ClassVar" not in ast.unparse(s.annotation)]
        if len(args) > len(fields):
            raise self.error(node, f"`{cls.name}` takes {len(fields)} fields, given {len(args)}")
        for i, f in enumerate(fields):
            name = f.target.id
            if i < len(args):
                value = args[i]
            elif name in kwargs:
                value = kwargs[name]
            elif f.value is not None and not isinstance(f.value, ast.Call):
                value = self.eval(f.value, {})
            else:
                raise self.error(node, f"`{cls.name}` needs the field `{name}`")
            obj.attrs[name] = value
        unknown = set(kwargs) - {f.target.id for f in fields}
        if unknown:
            raise self.error(node, f"`{cls.name}` has no field `{sorted(unknown)[0]}`")

    def copied(self, value, node):
        """copy.copy of a configuration object, a list or a dict."""
        if isinstance(value, Obj) and not self.is_module_class(value.cls):
            new = Obj(value.cls)
            new.attrs = dict(value.attrs)
            return new
        if isinstance(value, (list, dict)):
            return type(value)(value)
        raise self.fail(node, f"copy.copy of {self.kind_of(value)}")

    def str_method(self, text: str, method: str, args, kwargs, node):
        if method in _STR_METHODS and not kwargs and all(isinstance(a, PLAIN + (tuple, list)) for a in args):
            return self.sized(self.python(node, getattr(text, method), *args), node)
        raise self.fail(node, f"the string method `{method}`")

    # -- the file's classes as values -------------------------------------------------------------
    def class_attribute(self, cls: ast.ClassDef, name: str, node):
        if name == "verify" and any(self.base_name(b).split(".")[-1] == "WeightsEnum" for b in cls.bases):
            return Builtin("WeightsEnum.verify")
        method = self.method(cls, name)
        if method is not None:
            if any(ast.unparse(d) == "classmethod" for d in method.decorator_list):
                return Function(method, cls)  # cls as the first argument
            return Function(method)
        value = self.class_attr(cls, name)
        if value is None:
            raise self.fail(node, f"the attribute `{name}` of the class `{cls.name}`")
        return value

    def is_container_class(self, cls: ast.ClassDef, depth: int = 0) -> bool:
        """A subclass of nn.ModuleDict or nn.ModuleList: its children are its items."""
        return any(self.qualname(b) in ("torch.nn.ModuleDict", "torch.nn.ModuleList") or depth < 64
                   and isinstance(b, ast.Name) and b.id in self.classes
                   and self.is_container_class(self.classes[b.id], depth + 1) for b in cls.bases)

    def base_name(self, base) -> str:
        return self.qualname(base) or (base.id if isinstance(base, ast.Name) else ast.unparse(base))

    # -- isinstance ------------------------------------------------------------------------------
    def builtin(self, name, args, kwargs, node):
        if name == "WeightsEnum.verify":
            if len(args) == 1 and args[0] is None and not kwargs:
                return None
            raise self.fail(node, f"pretrained weights (`weights` is {self.kind_of(args[0] if args else None)}): "
                                  "cnncalc counts the architecture, which is the same without them; leave `weights` out")
        if name in ("getattr", "setattr", "hasattr") and len(args) >= 2 and isinstance(args[0], Obj) \
                and isinstance(args[1], str) and not kwargs:
            return self.object_attr(name, args, node)
        if name == "set" and len(args) == 1 and not kwargs:
            items = self.iterate(args[0], node)
            if all(isinstance(v, PLAIN) for v in items):
                return dict.fromkeys(items)  # the distinct values, in order (len, `in`, a loop)
        if name in ("all", "any") and len(args) == 1 and not kwargs:
            items = self.iterate(args[0], node)
            if all(isinstance(v, PLAIN) for v in items):
                return (all if name == "all" else any)(items)
        if name != "isinstance":
            return super().builtin(name, args, kwargs, node)
        if len(args) != 2 or kwargs:
            raise self.error(node, "isinstance() takes a value and a type")
        value, types = args
        if isinstance(value, Unknown):
            raise self.fail(node, f"isinstance() of a value not known: {value.why}")
        types = types if isinstance(types, tuple) else (types,)
        return any(self.is_instance(value, t, node) for t in types)

    def object_attr(self, name, args, node):
        """getattr / setattr / hasattr on an object of the file's classes."""
        obj, attr = args[0], args[1]
        if name == "setattr" and len(args) == 3:
            self.set_attr(obj, attr, args[2], node)
            return Ignored("setattr")
        has = attr in obj.attrs or self.method(obj.cls, attr) is not None or self.class_attr(obj.cls, attr) is not None
        if name == "hasattr" and len(args) == 2:
            return has
        if name == "getattr" and len(args) in (2, 3):
            return self.attribute(obj, attr, node) if has or len(args) == 2 else args[2]
        raise self.error(node, f"{name}() takes {'3' if name == 'setattr' else '2'} arguments here")

    def is_instance(self, value, t, node) -> bool:
        if isinstance(t, Builtin) and t.name in _PYTYPES:
            return isinstance(value, _PYTYPES[t.name])
        if isinstance(t, Dotted) and t.name == "torch.Tensor":
            return isinstance(value, Tensor)
        if isinstance(t, Dotted) and t.name in _SEQUENCES:
            return isinstance(value, (list, tuple, str, range))
        if isinstance(t, ast.ClassDef):
            return isinstance(value, Obj) and self.derives(value.cls, t.name, 0)
        if isinstance(t, Dotted) and t.name.startswith("torch.nn.") and t.name.count(".") == 2:
            return self.is_torch_instance(value, t.name[len("torch.nn."):])
        raise self.fail(node, f"isinstance() with the type {self.kind_of(t)}")

    def is_torch_instance(self, value, cls: str) -> bool:
        if isinstance(value, PLAIN) or isinstance(value, (list, tuple, dict)):
            return False
        if isinstance(value, Obj):  # an object of the file's classes: an nn.Module subclass or a plain record
            if not self.is_module_class(value.cls):
                return False
            return cls == "Module" or self.is_sequential_class(value.cls) and cls == "Sequential"
        kind = type(value).__name__
        if kind == "TSeq":
            return cls in ("Sequential", "Module")
        if kind == "TList":
            return cls in ("ModuleList", "ModuleDict", "Module") and (cls != "ModuleDict" or value.keys is not None)
        return cls in (getattr(value, "cls", None), "Module")

    def derives(self, cls: ast.ClassDef, name: str, depth: int) -> bool:
        if cls.name == name:
            return True
        return depth < 64 and any(isinstance(b, ast.Name) and b.id in self.classes
                                  and self.derives(self.classes[b.id], name, depth + 1) for b in cls.bases)

    def call_function(self, fn, args, kwargs, node, env_extra=None):
        if fn.bound is None and is_channel_shuffle(fn.node):
            env = self.bind(fn.node, list(args), kwargs, node)
            x, groups = env[fn.node.args.args[0].arg], env[fn.node.args.args[1].arg]
            if not isinstance(x, Tensor) or not isinstance(groups, int) or isinstance(groups, bool):
                raise self.error(node, f"{fn.node.name}() takes a tensor and a number of groups")
            return self.emit("channel_shuffle", {"groups": groups}, [x], self.name_for(fn.node.name), at(node),
                             note=f"{fn.node.name}(), torchvision's channel shuffle")
        return super().call_function(fn, args, kwargs, node, env_extra)

    # -- statements passed over ------------------------------------------------------------------
    def exec_stmt(self, stmt, env) -> None:
        if isinstance(stmt, ast.For) and is_init_loop(stmt, _is_modules_call):
            self.tick(stmt)
            return
        super().exec_stmt(stmt, env)


def _is_modules_call(node) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("modules", "named_modules") and not node.args)
