"""torch.nn layers as cnncalc layers: one handler per group of nn classes the kinds declare in
their TORCH spellings, keyed by that group (LAYERS). A handler gets the reader (torch_ops.Ops),
the layer as written (a `Call`: class, arguments, position), the input tensor and the ast node."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .common import drop
from .spellings import Spelling, argument_marks, lookup
from .torch_values import Pos, Rank, snake


def spelling(cls: str) -> Spelling | None:
    """What the kinds declare of an nn class name (functions, the "F.*" groups, are not classes)."""
    s = lookup("TORCH", cls)
    return s if s is not None and not s.group.startswith("F.") else None


@dataclass
class Call:
    """One nn layer being applied: its class, its arguments by name, the dimension its class name
    ends with and the graph name it gets."""
    ops: Any
    mod: Any
    spelling: Spelling
    name: str
    d: int | None

    @property
    def cls(self) -> str:
        return self.mod.cls

    @property
    def a(self) -> dict:
        return self.mod.args

    @property
    def at(self) -> tuple:
        return self.mod.at

    def fail(self, what: str):
        return self.ops.error(Pos(*self.at), f"nn.{self.cls}: {what}")

    def unsupported(self, what: str):
        return self.ops.fail(Pos(*self.at), f"nn.{self.cls} with {what}")

    def emit(self, kind, args, x, marks=True, **kw):
        """The layer, with the positions of the arguments the file wrote in torch's words."""
        return self.ops.emit(kind, args, [x], self.name, self.at,
                             argument_marks(kind, "torch", self.mod.marks) if marks else None,
                             note=f"nn.{self.cls}", **kw)


def apply(ops, mod, x, node):
    """The tensor an nn layer makes of x, through the handler of its class's group."""
    s = spelling(mod.cls)
    digit = re.search(r"([123])d$", mod.cls)
    call = Call(ops, mod, s, mod.path or ops.name_for(snake(mod.cls)), int(digit.group(1)) if digit else None)
    return LAYERS[s.group](call, x, node)


def _conv(c: Call, x, node):
    o, a, d = c.ops, c.a, c.d
    o.fix_rank(x, d + 1, c.mod, node)
    o.channels_first(x, c.mod, node)
    if a.get("padding_mode", "zeros") != "zeros":
        raise c.unsupported(f"padding_mode={a['padding_mode']!r} (cnncalc pads with zeros)")
    for k in ("in_channels", "out_channels", "kernel_size"):
        if k not in a:
            raise c.fail(f"`{k}` is missing")
    transpose = c.spelling.group == "ConvTranspose"
    pad = a.get("padding", 0)
    if isinstance(pad, str):
        if transpose or pad not in ("same", "valid"):
            raise c.fail(f"padding {pad!r} is not an int, a tuple, 'same' or 'valid'")
        if pad == "same" and o.ints(a.get("stride", 1), "stride", node) not in (1, (1,) * d):
            raise c.fail("PyTorch refuses padding='same' with a stride > 1")
    else:
        pad = o.ints(pad, "padding", node)
    args = {"filters": a["out_channels"], "kernel": o.ints(a["kernel_size"], "kernel_size", node),
            "stride": o.ints(a.get("stride", 1), "stride", node), "padding": pad}
    if transpose:
        args["output_padding"] = o.ints(a.get("output_padding", 0), "output_padding", node)
    args.update(dilation=o.ints(a.get("dilation", 1), "dilation", node),
                groups=a.get("groups", 1), bias=o.flag(a.get("bias", True), "bias", node),
                in_channels=a["in_channels"])
    args = drop(args, stride=1, padding=0, output_padding=0, dilation=1, groups=1, bias=True)
    return c.emit(f"conv_transpose{d}d" if transpose else f"conv{d}d", args, x)


def _linear(c: Call, x, node):
    o, a = c.ops, c.a
    o.fix_rank(x, 1, c.mod, node)
    r = o.rank(x, node)
    if r > 1 and x.layout != "cl":  # channels moved last (x.permute(0, 2, 3, 1)): its last dim is theirs
        raise o.fail(Pos(*c.at), f"nn.Linear on a {r + 1}-dim tensor acts on its last dim, which in PyTorch's "
                                 "channels-first layout is a spatial axis, not the channels (flatten first?)")
    args = drop({"units": a.get("out_features"), "bias": o.flag(a.get("bias", True), "bias", node),
                 "in_features": a.get("in_features")}, bias=True)
    return c.emit("dense", args, x)


def _batchnorm(c: Call, x, node):
    o, a, d = c.ops, c.a, c.d
    o.fix_rank(x, d + 1 if d and d > 1 else None, c.mod, node)
    o.channels_first(x, c.mod, node)
    if a.get("track_running_stats", True) is not True:
        raise c.unsupported("track_running_stats=False (no running statistics to count)")
    if a.get("momentum", 0.1) is None:
        raise c.unsupported("momentum=None (a cumulative average)")
    args = drop({"num_features": a.get("num_features"), "epsilon": o.real(a.get("eps", 1e-5), "eps", node),
                 "momentum": o.real(a.get("momentum", 0.1), "momentum", node),
                 "affine": o.flag(a.get("affine", True), "affine", node)}, epsilon=1e-5, momentum=0.1, affine=True)
    return c.emit("batchnorm", args, x)


def _layernorm(c: Call, x, node):
    o, a = c.ops, c.a
    o.fix_rank(x, None, c.mod, node)
    r = o.rank(x, node)
    shape = a.get("normalized_shape")
    shape = shape[0] if isinstance(shape, (tuple, list)) and len(shape) == 1 else shape
    if not (r == 1 or x.layout == "cl") or not isinstance(shape, int):
        raise c.unsupported("a normalized shape over PyTorch's trailing (spatial) dims; cnncalc's layernorm "
                            "normalises the channels")
    if a.get("bias", True) is not True:
        raise c.unsupported("bias=False")
    args = drop({"num_features": shape, "epsilon": o.real(a.get("eps", 1e-5), "eps", node),
                 "affine": o.flag(a.get("elementwise_affine", True), "elementwise_affine", node)},
                epsilon=1e-5, affine=True)
    return c.emit("layernorm", args, x)


def _groupnorm(c: Call, x, node):
    o, a = c.ops, c.a
    o.fix_rank(x, None, c.mod, node)
    o.channels_first(x, c.mod, node)
    args = drop({"groups": a.get("num_groups"), "num_features": a.get("num_channels"),
                 "epsilon": o.real(a.get("eps", 1e-5), "eps", node),
                 "affine": o.flag(a.get("affine", True), "affine", node)}, epsilon=1e-5, affine=True)
    return c.emit("groupnorm", args, x)


def _lrn(c: Call, x, node):
    o, a = c.ops, c.a
    o.fix_rank(x, None, c.mod, node)
    o.channels_first(x, c.mod, node)
    args = drop({"size": a.get("size"), "alpha": o.real(a.get("alpha", 1e-4), "alpha", node),
                 "beta": o.real(a.get("beta", 0.75), "beta", node), "k": o.real(a.get("k", 1.0), "k", node)},
                alpha=1e-4, beta=0.75, k=1.0)
    return c.emit("lrn", args, x)


def _pool(c: Call, x, node):
    c.ops.fix_rank(x, c.d + 1, c.mod, node)
    c.ops.channels_first(x, c.mod, node)
    return c.ops.pool(c.spelling.group[:3].lower(), c.d, c.a, x, c.name, c.at, c.mod.marks, node, f"nn.{c.cls}")


def _adaptive(c: Call, x, node):
    c.ops.fix_rank(x, c.d + 1, c.mod, node)
    c.ops.channels_first(x, c.mod, node)
    return c.ops.adaptive("max" if "Max" in c.cls else "avg", c.d, c.a.get("output_size"),
                          c.a.get("return_indices", False), x, c.name, c.at, node, f"nn.{c.cls}")


def _dropout(c: Call, x, node):
    c.ops.fix_rank(x, None, c.mod, node)
    p = c.ops.real(c.a.get("p", 0.5), "p", node)
    return c.emit("dropout", {"rate": p}, x, keep_input=True)


def _activation(c: Call, x, node):
    c.ops.fix_rank(x, None, c.mod, node)
    return c.ops.activation(c.spelling.kind, {k: v for k, v in c.a.items() if k != "inplace"}, x, c.name, c.at,
                            node, f"nn.{c.cls}")


def _prelu(c: Call, x, node):
    c.ops.fix_rank(x, None, c.mod, node)
    c.ops.channels_first(x, c.mod, node)
    n = c.a.get("num_parameters", 1)
    if not isinstance(n, int) or isinstance(n, bool):
        raise c.fail(f"num_parameters must be an int written in the file, not {n!r}")
    return c.emit("prelu", {"num_parameters": n}, x)


def _channel_shuffle(c: Call, x, node):
    c.ops.channels_first(x, c.mod, node)
    return c.emit("channel_shuffle", {"groups": c.a.get("groups")}, x)


def _hardtanh(c: Call, x, node):
    if (c.a.get("min_val", -1.0), c.a.get("max_val", 1.0)) == (0.0, 6.0):
        return c.emit("relu6", {}, x, marks=False, keep_input=True)
    raise c.unsupported("limits other than (0, 6)")


def _flatten(c: Call, x, node):
    c.ops.fix_rank(x, None, c.mod, node)
    return c.ops.flatten(x, c.a.get("start_dim", 1), c.a.get("end_dim", -1), c.name, c.at, node, "nn.Flatten")


def _pad(c: Call, x, node):
    o, a, d = c.ops, c.a, c.d
    o.fix_rank(x, d + 1, c.mod, node)
    o.channels_first(x, c.mod, node)
    if a.get("value", 0) != 0:  # ConstantPad's
        raise c.unsupported(f"value={a.get('value')} (cnncalc pads with zeros)")
    pad = a.get("padding")
    flat = [pad] * (2 * d) if isinstance(pad, int) else list(pad) if isinstance(pad, (tuple, list)) else None
    if flat is None or len(flat) != 2 * d:
        raise c.fail(f"padding must be an int or {2 * d} ints, not {o.kind_of(pad)}")
    return o.pad(x, flat, c.name, c.at, node, f"nn.{c.cls}", c.spelling, crops=c.cls.startswith(("Zero", "Constant")))


def _upsample(c: Call, x, node):
    c.ops.fix_rank(x, None, c.mod, node)
    mode = {"UpsamplingNearest2d": "nearest", "UpsamplingBilinear2d": "bilinear"}.get(c.cls, c.a.get("mode", "nearest"))
    align = True if c.cls == "UpsamplingBilinear2d" else c.a.get("align_corners")
    return c.ops.upsample(x, c.a.get("size"), c.a.get("scale_factor"), mode, align, c.name, c.at, node,
                          f"nn.{c.cls}")


def _embedding(c: Call, x, node):
    c.ops.fix_rank(x, 1, c.mod, node)
    if c.ops.rank(x, node) != 1:
        raise c.unsupported("an input that is not a sequence of token ids (N, L)")
    args = {"vocab": c.a.get("num_embeddings"), "dim": c.a.get("embedding_dim")}
    return c.emit("embedding", args, x, rank=Rank(2), layout="cl")


LAYERS = {
    "Conv": _conv, "ConvTranspose": _conv, "Linear": _linear, "BatchNorm": _batchnorm, "LayerNorm": _layernorm,
    "GroupNorm": _groupnorm, "LocalResponseNorm": _lrn, "MaxPool": _pool, "AvgPool": _pool,
    "AdaptivePool": _adaptive, "Dropout": _dropout, "Act": _activation, "LeakyReLU": _activation,
    "ELU": _activation, "GELU": _activation, "Softplus": _activation, "Softmax": _activation,
    "Identity": _activation, "PReLU": _prelu, "ChannelShuffle": _channel_shuffle, "Hardtanh": _hardtanh,
    "Flatten": _flatten, "Pad": _pad, "Upsample": _upsample, "Embedding": _embedding,
}
