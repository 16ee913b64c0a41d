"""PyTorch layers and tensor operations as cnncalc layers, for torch_source's symbolic forward.

Each torch op becomes one cnncalc layer with the same arithmetic. A torch dim is turned into
cnncalc's channels-last axis with the tensor's rank (dim 1 is the channels; dim k >= 2 is the
spatial axis k-1); an op whose torch meaning differs from cnncalc's is refused, never guessed.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from . import torch_layers
from .common import InputHint
from .common import drop as _drop
from .spellings import Spelling, lookup, moded
from .torch_values import Batch, Pos as _Pos, Rank, Tensor, TShape

class Ops:
    """Mixed into TorchReader: turns layers and tensor ops into graph nodes."""

    # -- helpers ---------------------------------------------------------------------------------
    def emit(self, kind, args, inputs, base, pos, marks=None, rank=None, layout=None, keep_input=False,
             note=""):
        first = inputs[0]
        name = self.graph.add(kind, args, [t.ref for t in inputs], base, pos, marks, note)
        return Tensor(name, rank if rank is not None else first.rank, layout or first.layout,
                      keep_input and first.from_input)

    def rank(self, x, node) -> int:
        if x.rank.value is None and self.input_given is not None:
            self.input_rank.value = len(self.input_given)
        if x.rank.value is None:
            raise self.error(node, "the tensor's rank is not known here (no layer before it fixes it); "
                                   "give the input size with --input, e.g. --input 32x32x3")
        return x.rank.value

    def fix_rank(self, x, want: int | None, mod, node) -> None:
        if x.rank.value is None and want is not None:
            x.rank.value = want
        if x.from_input and self.hint.shape is None:
            self.set_hint(mod, x, node)

    def set_hint(self, mod, x, node) -> None:
        a, f = mod.args, torch_layers.spelling(mod.cls).group
        line, col = mod.at
        code = f"{mod.path or 'the first layer'} = nn.{mod.cls}"
        r = x.rank.value
        if f in ("Conv", "ConvTranspose") and isinstance(a.get("in_channels"), int):
            c = a["in_channels"]
            shape = (None,) * (r - 1) + (c,)
            what = f"the channels, {c}, come from {code}({c}, ...)"
        elif f == "BatchNorm" and isinstance(a.get("num_features"), int) and r and r > 1:
            c = a["num_features"]
            shape, what = (None,) * (r - 1) + (c,), f"the channels, {c}, come from {code}({c})"
        elif f == "Linear" and isinstance(a.get("in_features"), int):
            shape, what = (a["in_features"],), f"{code}({a['in_features']}, ...) takes the input"
        else:
            shape = (None,) * r if r else None
            what = f"the first layer, {code}, does not fix the input size"
        example = "x".join(str(v) if v else "32" for v in shape[:-1]) if shape and len(shape) > 1 else "100"
        self.hint = InputHint(shape, what, example, line, col)

    def ints(self, value, what: str, node, allow_none=False):
        if allow_none and value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, (tuple, list)) and value and all(isinstance(v, int) and not isinstance(v, bool)
                                                              for v in value):
            return value[0] if len(set(value)) == 1 else tuple(value)
        raise self.error(node, f"{what} must be an int or a tuple of ints, not {self.kind_of(value)}")

    def flag(self, value, what: str, node) -> bool:
        if isinstance(value, bool):
            return value
        raise self.error(node, f"{what} must be True or False, not {self.kind_of(value)}")

    def real(self, value, what: str, node) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise self.error(node, f"{what} must be a number, not {self.kind_of(value)}")

    def torch_axis(self, x, dim, node, what: str) -> int:
        """A torch dim of x as cnncalc's axis (counted as Keras does: batch 0, -1 the channels)."""
        r = self.rank(x, node)
        if not isinstance(dim, int) or isinstance(dim, bool):
            raise self.error(node, f"{what} must be an int dim, not {self.kind_of(dim)}")
        d = dim + r + 1 if dim < 0 else dim
        if not 0 < d <= r:
            raise self.fail(node, f"{what}={dim} on a tensor of {r + 1} dims (dim 0 is the batch)")
        if x.layout == "cl" or r == 1:
            return -1 if d == r else d
        return -1 if d == 1 else d - 1

    # -- nn layers -------------------------------------------------------------------------------
    def layer(self, mod, x, node):
        return torch_layers.apply(self, mod, x, node)

    def channels_first(self, x, mod, node) -> None:
        if x.layout == "cl" and (x.rank.value or 0) > 1:
            raise self.fail(_Pos(*mod.at), f"nn.{mod.cls} on a (N, L, C) tensor (as nn.Embedding gives): "
                                           "PyTorch reads dim 1 as the channels; transpose it first")

    def pool(self, op, d, a, x, name, at_, marks_in, node, note):
        if a.get("return_indices"):
            raise self.fail(node, f"{note} with return_indices=True")
        if a.get("divisor_override") is not None:
            raise self.fail(node, f"{note} with divisor_override")
        if "kernel_size" not in a:
            raise self.error(node, f"{note}: `kernel_size` is missing")
        args = {"kernel": self.ints(a["kernel_size"], "kernel_size", node),
                "stride": self.ints(a.get("stride"), "stride", node, allow_none=True),
                "padding": self.ints(a.get("padding", 0), "padding", node)}
        if op == "max":
            args["dilation"] = self.ints(a.get("dilation", 1), "dilation", node)
        args["ceil_mode"] = self.flag(a.get("ceil_mode", False), "ceil_mode", node)
        if op == "avg":
            args["count_include_pad"] = self.flag(a.get("count_include_pad", True), "count_include_pad", node)
        if isinstance(a.get("stride"), (list, tuple)) and not a.get("stride"):
            args["stride"] = None  # F.max_pool2d(x, 2, []) is torch's "stride = kernel"
        args = _drop(args, padding=0, dilation=1, ceil_mode=False, count_include_pad=True)
        marks = {s: marks_in[t] for t, s in (("kernel_size", "kernel"), ("stride", "stride"), ("padding", "padding"),
                                             ("dilation", "dilation")) if t in marks_in}
        return self.emit(f"{op}pool{d}d", args, [x], name, at_, marks, keep_input=True, note=note)

    def adaptive(self, op, d, size, indices, x, name, at_, node, note):
        if indices:
            raise self.fail(node, f"{note} with return_indices=True")
        sizes = size if isinstance(size, (tuple, list)) else (size,)
        if any(s is None for s in sizes):
            raise self.fail(node, f"{note} keeping an input size (None in output_size)")
        return self.emit(f"adaptive_{op}pool{d}d", {"output": self.ints(size, "output_size", node)}, [x], name,
                         at_, keep_input=True, note=note)

    def activation(self, kind, a, x, name, at_, node, note):
        args = {}
        if kind == "leaky_relu":
            args["negative_slope"] = self.real(a.get("negative_slope", 0.01), "negative_slope", node)
        elif kind == "elu" and a.get("alpha", 1.0) != 1.0:
            raise self.fail(node, f"{note} with alpha={a['alpha']} (cnncalc's elu has alpha 1)")
        elif kind == "gelu" and a.get("approximate", "none") != "none":
            if a["approximate"] != "tanh":
                raise self.fail(node, f"{note} with approximate={a['approximate']!r}")
            args["approximate"] = "tanh"
        elif kind == "softplus" and (a.get("beta", 1.0), a.get("threshold", 20.0)) != (1.0, 20.0):
            raise self.fail(node, f"{note} with beta or threshold changed")
        elif kind in ("softmax", "log_softmax"):
            r = self.rank(x, node)
            dim = a.get("dim")
            if dim is None:
                if r + 1 not in (2, 4, 5):
                    raise self.fail(node, f"{note} without dim on a {r + 1}-dim tensor (PyTorch picks dim 0)")
            elif self.torch_axis(x, dim, node, "dim") != -1:
                raise self.fail(node, f"{note} over dim {dim}, not the channels (cnncalc's {kind} is over the "
                                      "channels)")
        return self.emit(kind, args, [x], name, at_, keep_input=True, note=note)

    def flatten(self, x, start, end, name, at_, node, note):
        r = self.rank(x, node)
        if start != 1 or end not in (-1, r):
            raise self.fail(node, f"{note} from dim {start} to {end} (cnncalc flattens every dim but the batch: "
                                  "start_dim=1)")
        return self.emit("flatten", {}, [x], name, at_, rank=Rank(1), layout="cf", note=note)

    def pad(self, x, flat, name, at_, node, note, spelling: Spelling, crops: bool = True):
        """torch's pad tuple (last dim first: left, right, top, bottom, ...) as spec pairs, read
        as the kind `spelling` names (zero padding, reflection, ...); negative padding crops
        where `crops` (zeros or a constant)."""
        r = self.rank(x, node)
        d = len(flat) // 2
        if d != r - 1:
            raise self.fail(node, f"{note} padding {d} of the {r - 1} spatial dims")
        pairs = [(flat[2 * i], flat[2 * i + 1]) for i in range(d)][::-1]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in flat):
            raise self.error(node, f"{note}: the padding must be ints, not {self.kind_of(flat)}")
        if all(v >= 0 for v in flat):
            return self.emit(spelling.kind_at(d), {"padding": pairs}, [x], name, at_, note=note)
        if all(v <= 0 for v in flat) and crops:
            return self.emit(f"cropping{d}d", {"cropping": [(-b, -e) for b, e in pairs]}, [x], name, at_,
                             note=note + " (negative padding crops)")
        raise self.fail(node, f"{note} that pads some sides and crops others")

    def upsample(self, x, size, factor, mode, align, name, at_, node, note):
        if size is not None:
            raise self.fail(node, f"{note} to an output size (size=...): cnncalc's upsample takes a factor")
        if factor is None:
            raise self.error(node, f"{note}: give scale_factor")
        fs = factor if isinstance(factor, (tuple, list)) else (factor,)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() and v >= 1
                   for v in fs):
            raise self.fail(node, f"{note} by a scale factor {factor} that is not a whole number")
        fs = tuple(int(v) for v in fs)
        modes = {"nearest": "nearest", "linear": "bilinear", "bilinear": "bilinear", "trilinear": "bilinear"}
        if mode not in modes or (modes[mode] == "bilinear" and align):
            raise self.fail(node, f"{note} in mode {mode!r}" + (" with align_corners=True" if align else ""))
        args = _drop({"factor": fs[0] if len(set(fs)) == 1 else fs, "mode": modes[mode]}, mode="nearest")
        return self.emit("upsample", args, [x], name, at_, keep_input=True, note=note)

    # -- functions of tensors --------------------------------------------------------------------
    def bind_args(self, name, args, kwargs, node, what):
        """The arguments of a call of the torch function `name`, by the parameter names its kind
        declares."""
        sig = lookup("TORCH", name).keys
        out = dict(zip(sig, args))
        if len(args) > len(sig):
            raise self.error(node, f"{what} takes at most {len(sig)} arguments, got {len(args)}")
        for k, v in kwargs.items():
            if k not in sig:
                raise self.error(node, f"{what} has no argument `{k}`")
            out[k] = v
        return out

    def function(self, qual, args, kwargs, marks, node):
        """A call of torch.nn.functional.x or torch.x, through the handler of its group; None for
        a function no kind declares (or one of a tensor's functions given no tensor)."""
        short = qual.rsplit(".", 1)[1]
        s = lookup("TORCH", short)
        if s is None or s.group not in FUNCTIONS:
            return None
        tensor = args[0] if args and isinstance(args[0], Tensor) else None
        if tensor is None and s.group not in ("F.cat", "F.add", "F.mul"):
            return None
        what = qual.replace("torch.nn.functional.", "F.")
        a = self.bind_args(short, args, kwargs, node, what)
        call = FCall(self, short, s, what, a, tensor, self.name_for(short), (node.lineno, node.col_offset + 1),
                     marks, node)
        return FUNCTIONS[s.group](call)

    def fix_input(self, tensor, rank) -> None:
        if tensor.rank.value is None:
            tensor.rank.value = rank

    def tensor_method(self, x, method, args, kwargs, marks, node):
        pos = (node.lineno, node.col_offset + 1)
        base = self.name_for(method)
        if method == "size":
            if not args and not kwargs:
                return TShape(x)
            if args and args[0] == 0:
                return Batch()
            raise self.fail(node, "x.size(i) for a dim other than the batch")
        if method in ("contiguous", "clone", "float", "detach"):
            return x
        if method in ("view", "reshape"):
            items = list(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else list(args)
            return self.view(x, items, base, pos, node, f"x.{method}")
        if method == "flatten":
            a = self.bind_args("flatten", [x, *args], kwargs, node, "x.flatten")
            return self.flatten(x, a.get("start_dim", 0), a.get("end_dim", -1), base, pos, node,
                                f"x.flatten({a.get('start_dim', 0)})")
        if method in ("mean", "amax"):
            a = self.bind_args("mean", [x, *args], kwargs, node, f"x.{method}")
            return self.reduce(x, method, a.get("dim"), a.get("keepdim", False), base, pos, node)
        if method in ("add", "mul"):
            return self.merge("add" if method == "add" else "multiply", x, args[0] if args else None, base, pos, node)
        if method in ("transpose", "permute", "movedim"):
            return self.swap(x, method, args, node)
        if method == "chunk":
            return self.chunk(x, args, kwargs, node)
        if method in ("dim", "ndimension") and not args:
            return self.rank(x, node) + 1
        s = lookup("TORCH", method.rstrip("_"))
        if s is not None and FUNCTIONS.get(s.group) is _activation:
            name = method.rstrip("_")
            a = self.bind_args(name, [x, *args], kwargs, node, f"x.{method}")
            return self.activation(s.kind, a, x, self.name_for(name), pos, node, f"x.{method}")
        raise self.fail(node, f"the tensor method x.{method}()")

    def chunk(self, x, args, kwargs, node):
        """x.chunk(n, dim=1): n equal parts of the channels, each a channel_slice."""
        a = dict(zip(("chunks", "dim"), args), **kwargs)
        n, dim = a.get("chunks"), a.get("dim", 0)
        if not isinstance(n, int) or isinstance(n, bool) or n < 1 or set(a) - {"chunks", "dim"}:
            raise self.error(node, "x.chunk takes a number of parts and a dim")
        if self.torch_axis(x, dim, node, "dim") != -1:
            raise self.fail(node, f"x.chunk over dim {dim}, not the channels")
        pos = (node.lineno, node.col_offset + 1)
        return tuple(self.emit("channel_slice", {"part": i, "sections": n}, [x], self.name_for("chunk"), pos,
                               note="x.chunk") for i in range(n))

    def swap(self, x, method, args, node):
        """Moving the channels last (torch's order is then cnncalc's) or back first."""
        r = self.rank(x, node)
        n = r + 1
        order = tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else tuple(args)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in order):
            raise self.error(node, f"x.{method} needs int dims, not {self.kind_of(order)}")
        order = tuple(v + n if v < 0 else v for v in order)
        last = {("movedim", (1, n - 1)), ("permute", (0, *range(2, n), 1))}
        first = {("movedim", (n - 1, 1)), ("permute", (0, n - 1, *range(1, n - 1)))}
        if r == 2:
            last |= {("transpose", (1, 2)), ("transpose", (2, 1))}
            first |= {("transpose", (1, 2)), ("transpose", (2, 1))}
        if r > 1 and x.layout == "cf" and (method, order) in last:
            return Tensor(x.ref, x.rank, "cl", x.from_input)
        if r > 1 and x.layout == "cl" and (method, order) in first:
            return Tensor(x.ref, x.rank, "cf", x.from_input)
        if r > 1 and x.view is not None and (method, order) in first:
            # view(N, a, b, c) then channels to dim 1: the sizes were channels last, (a, b, c) here
            self.graph.by_name[x.view[0]].args["target"] = list(x.view[1])
            self.graph.by_name[x.view[0]].note = f"x.view{tuple(x.view[1])} then x.{method}{tuple(args)}"
            return Tensor(x.ref, x.rank, "cf", x.from_input)
        raise self.fail(node, f"x.{method}{tuple(args)} (cnncalc follows only moving the channels last "
                              "and back first)")

    def view(self, x, items, base, pos, node, what):
        r = self.rank(x, node)
        if not items:
            raise self.error(node, f"{what}() needs a shape")
        head, rest = items[0], items[1:]
        if not (isinstance(head, Batch) or head == -1):
            raise self.fail(node, f"{what} with a first size {self.kind_of(head)} (cnncalc keeps the batch: "
                                  "write x.size(0) or -1 first)")
        if not all(isinstance(v, int) and not isinstance(v, bool) and (v >= 1 or v == -1) for v in rest):
            raise self.fail(node, f"{what} to sizes that are not known numbers")
        if head == -1 and -1 in rest:
            raise self.error(node, f"{what} has two -1 sizes")
        if isinstance(head, Batch) and rest == [-1]:
            return self.flatten(x, 1, -1, base, pos, node, what)
        if len(rest) == 1 or r == 1 or x.layout == "cl":
            moved = len(rest) > 1 and x.layout == "cf"  # a flat (N, n) viewed as (N, C, H, W)
            target = rest[1:] + rest[:1] if moved else rest
            note = f"{what}: channels-first sizes {tuple(rest)}, channels last here" if moved else what
            out = self.emit("reshape", {"target": target}, [x], base, pos, rank=Rank(len(target)),
                            layout="cl" if x.layout == "cl" and len(rest) > 1 else "cf", note=note)
            if moved:
                out.view = (out.ref, tuple(rest))
            return out
        raise self.fail(node, f"{what} from a {r + 1}-dim tensor to {len(rest) + 1} dims (the element order "
                              "differs between channels first and channels last)")

    def reduce(self, x, op, dim, keepdim, base, pos, node):
        r = self.rank(x, node)
        if dim is None:
            raise self.fail(node, f"x.{op}() over every dim, the batch too")
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        got = sorted(self.torch_axis(x, d, node, "dim") for d in dims)
        spatial = sorted(range(1, r)) if x.layout == "cf" or r == 1 else [1]
        if r < 2 or got != spatial:
            raise self.fail(node, f"x.{op} over dims {tuple(dims)}, which are not all the spatial dims")
        kind = "global_avgpool" if op == "mean" else "global_maxpool"
        args = _drop({"keepdims": bool(keepdim)}, keepdims=False)
        return self.emit(kind, args, [x], base, pos, rank=x.rank if keepdim else Rank(1),
                         note=f"x.{op}({tuple(dims)})")

    def concat(self, tensors, dim, base, pos, node, what):
        if not tensors or not all(isinstance(t, Tensor) for t in tensors):
            raise self.fail(node, f"{what} of {len(tensors)} values that are not all tensors")
        axis = self.torch_axis(tensors[0], dim, node, "dim")
        if len(tensors) == 1:   # torch.cat([x]) is x: no layer
            return tensors[0]
        return self.emit("concat", _drop({"axis": axis}, axis=-1), tensors, base, pos, note=what)

    def merge(self, kind, a, b, base, pos, node):
        if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
            sign = "+" if kind == "add" else "*"
            raise self.fail(node, f"`{sign}` of {self.kind_of(a)} and {self.kind_of(b)} (cnncalc merges two "
                                  "tensors; a constant term or scale is not a layer)")
        return self.emit(kind, {}, [a, b], base, pos, note="+" if kind == "add" else "*")

    def binop_value(self, op, left, right, node):
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            pos = (node.lineno, node.col_offset + 1)
            if isinstance(op, ast.Add):
                return self.merge("add", left, right, self.name_for("add"), pos, node)
            if isinstance(op, ast.Mult):
                return self.merge("multiply", left, right, self.name_for("mul"), pos, node)
        return None


@dataclass
class FCall:
    """One call of a torch function: the reader, the function's short name and spelling, how the
    file wrote it, its arguments by name, its tensor, the layer's name and position."""
    ops: Any
    short: str
    spelling: Spelling
    what: str
    a: dict
    tensor: Any
    base: str
    pos: tuple
    marks: dict
    node: Any

    def dim(self) -> int:
        return int(self.short[-2])  # max_pool2d, adaptive_avg_pool3d


def _activation(f: FCall):
    return f.ops.activation(f.spelling.kind, f.a, f.tensor, f.base, f.pos, f.node, f.what)


def _pool(f: FCall):
    f.ops.fix_input(f.tensor, f.dim() + 1)
    marks = {k: f.marks[i] for i, k in enumerate(f.spelling.keys) if i in f.marks}
    return f.ops.pool(f.short[:3], f.dim(), f.a, f.tensor, f.base, f.pos, marks, f.node, f.what)


def _adaptive(f: FCall):
    return f.ops.adaptive("max" if "max" in f.short else "avg", f.dim(), f.a.get("output_size"),
                          f.a.get("return_indices"), f.tensor, f.base, f.pos, f.node, f.what)


def _dropout(f: FCall):
    return f.ops.emit("dropout", {"rate": f.ops.real(f.a.get("p", 0.5), "p", f.node)}, [f.tensor], f.base, f.pos,
                      keep_input=True, note=f.what)


def _interpolate(f: FCall):
    return f.ops.upsample(f.tensor, f.a.get("size"), f.a.get("scale_factor"), f.a.get("mode", "nearest"),
                          f.a.get("align_corners"), f.base, f.pos, f.node, f.what)


def _pad(f: FCall):
    mode = f.a.get("mode", "constant")
    s = moded("TORCH", f.short, mode, "constant", f.spelling) if isinstance(mode, str) else None
    if s is None or f.a.get("value") not in (None, 0, 0.0):
        raise f.ops.fail(f.node, f"{f.what} in mode {f.a.get('mode')!r} or with a value other than 0")
    return f.ops.pad(f.tensor, list(f.ops.iterate(f.a.get("pad"), f.node)), f.base, f.pos, f.node, f.what, s,
                     crops=mode == "constant")


def _flatten(f: FCall):
    start = f.a.get("start_dim", 0)
    return f.ops.flatten(f.tensor, start, f.a.get("end_dim", -1), f.base, f.pos, f.node, f"{f.what}(x, {start})")


def _cat(f: FCall):
    return f.ops.concat(list(f.ops.iterate(f.a.get("tensors"), f.node)), f.a.get("dim", 0), f.base, f.pos, f.node,
                        f.what)


def _merge(f: FCall):
    if f.a.get("alpha", 1) != 1:
        raise f.ops.fail(f.node, f"{f.what} with alpha={f.a['alpha']}")
    return f.ops.merge(f.spelling.kind, f.a.get("input"), f.a.get("other"), f.base, f.pos, f.node)


FUNCTIONS = {  # the groups of torch functions the kinds declare -> the handler of a call
    "F.act": _activation, "F.leaky_relu": _activation, "F.elu": _activation, "F.gelu": _activation,
    "F.softmax": _activation, "F.softplus": _activation, "F.max_pool": _pool, "F.avg_pool": _pool,
    "F.adaptive": _adaptive, "F.dropout": _dropout, "F.interpolate": _interpolate, "F.pad": _pad,
    "F.flatten": _flatten, "F.cat": _cat, "F.add": _merge, "F.mul": _merge,
    "F.mean": lambda f: f.ops.reduce(f.tensor, f.short, f.a.get("dim"), f.a.get("keepdim", False), f.base, f.pos,
                                     f.node),
    "F.reshape": lambda f: f.ops.view(f.tensor, list(f.ops.iterate(f.a.get("shape"), f.node)), f.base, f.pos,
                                      f.node, f.what),
}
