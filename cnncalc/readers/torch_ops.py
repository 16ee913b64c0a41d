"""PyTorch layers and tensor operations as cnncalc layers, for torch_source's symbolic forward.

Each torch op becomes one cnncalc layer with the same arithmetic. A torch dim is turned into
cnncalc's channels-last axis with the tensor's rank (dim 1 is the channels; dim k >= 2 is the
spatial axis k-1); an op whose torch meaning differs from cnncalc's is refused, never guessed.
"""
from __future__ import annotations

import ast
import re

FUNCTIONS = {  # torch.nn.functional / torch / Tensor method name -> cnncalc activation
    "relu": "relu", "relu6": "relu6", "leaky_relu": "leaky_relu", "elu": "elu", "selu": "selu",
    "gelu": "gelu", "silu": "silu", "mish": "mish", "hardswish": "hardswish",
    "hardsigmoid": "hard_sigmoid", "sigmoid": "sigmoid", "tanh": "tanh", "softmax": "softmax",
    "log_softmax": "log_softmax", "softplus": "softplus", "softsign": "softsign",
}
_POOL = re.compile(r"(max|avg)_pool([123])d$")
_ADAPTIVE = re.compile(r"adaptive_(max|avg)_pool([123])d$")
_FUNC_SIGS = {
    "max_pool": ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"),
    "avg_pool": ("input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
    "adaptive": ("input", "output_size", "return_indices"),
    "dropout": ("input", "p", "training", "inplace"),
    "interpolate": ("input", "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor", "antialias"),
    "pad": ("input", "pad", "mode", "value"),
    "act": ("input", "inplace"), "leaky_relu": ("input", "negative_slope", "inplace"),
    "elu": ("input", "alpha", "inplace"), "gelu": ("input", "approximate"),
    "softmax": ("input", "dim", "_stacklevel", "dtype"), "softplus": ("input", "beta", "threshold"),
    "flatten": ("input", "start_dim", "end_dim"), "cat": ("tensors", "dim"),
    "add": ("input", "other", "alpha"), "mul": ("input", "other"),
    "mean": ("input", "dim", "keepdim", "dtype"), "reshape": ("input", "shape"),
}


def _snake(cls: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", cls).lower()


class Ops:
    """Mixed into TorchReader: turns layers and tensor ops into graph nodes."""

    # -- helpers ---------------------------------------------------------------------------------
    def emit(self, kind, args, inputs, base, pos, marks=None, rank=None, layout=None, keep_input=False,
             note=""):
        from .torch_source import Tensor
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
        a, f = mod.args, self.family(mod.cls)
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
        from .common import InputHint
        example = "x".join(str(v) if v else "32" for v in shape[:-1]) if shape and len(shape) > 1 else "100"
        self.hint = InputHint(shape, what, example, line, col)

    def family(self, cls):
        from .torch_source import family
        return family(cls)

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
        f, a, cls = self.family(mod.cls), mod.args, mod.cls
        digit = re.search(r"([123])d$", cls)
        d = int(digit.group(1)) if digit else None
        at_, marks = mod.at, {}
        name = mod.path or self.name_for(_snake(cls))
        mark = lambda torch_name, spec_name: marks.__setitem__(spec_name, mod.marks[torch_name]) \
            if torch_name in mod.marks else None  # noqa: E731
        fail = lambda what: self.error(_Pos(*at_), f"nn.{cls}: {what}")  # noqa: E731
        unsupported = lambda what: self.fail(_Pos(*at_), f"nn.{cls} with {what}")  # noqa: E731
        if f in ("Conv", "ConvTranspose"):
            self.fix_rank(x, d + 1, mod, node)
            self.channels_first(x, mod, node)
            if a.get("padding_mode", "zeros") != "zeros":
                raise unsupported(f"padding_mode={a['padding_mode']!r} (cnncalc pads with zeros)")
            for k in ("in_channels", "out_channels", "kernel_size"):
                if k not in a:
                    raise fail(f"`{k}` is missing")
            pad = a.get("padding", 0)
            if isinstance(pad, str):
                if f == "ConvTranspose" or pad not in ("same", "valid"):
                    raise fail(f"padding {pad!r} is not an int, a tuple, 'same' or 'valid'")
                if pad == "same" and self.ints(a.get("stride", 1), "stride", node) not in (1, (1,) * d):
                    raise fail("PyTorch refuses padding='same' with a stride > 1")
            else:
                pad = self.ints(pad, "padding", node)
            args = {"filters": a["out_channels"], "kernel": self.ints(a["kernel_size"], "kernel_size", node),
                    "stride": self.ints(a.get("stride", 1), "stride", node), "padding": pad}
            if f == "ConvTranspose":
                args["output_padding"] = self.ints(a.get("output_padding", 0), "output_padding", node)
            args.update(dilation=self.ints(a.get("dilation", 1), "dilation", node),
                        groups=a.get("groups", 1), bias=self.flag(a.get("bias", True), "bias", node),
                        in_channels=a["in_channels"])
            args = _drop(args, stride=1, padding=0, output_padding=0, dilation=1, groups=1, bias=True)
            for t, s in (("out_channels", "filters"), ("kernel_size", "kernel"), ("stride", "stride"),
                         ("padding", "padding"), ("output_padding", "output_padding"), ("dilation", "dilation"),
                         ("groups", "groups"), ("bias", "bias"), ("in_channels", "in_channels")):
                mark(t, s)
            kind = f"conv{d}d" if f == "Conv" else f"conv_transpose{d}d"
            return self.emit(kind, args, [x], name, at_, marks, note=f"nn.{cls}")
        if f == "Linear":
            self.fix_rank(x, 1, mod, node)
            r = self.rank(x, node)
            if r > 1:
                raise self.fail(_Pos(*at_), f"nn.Linear on a {r + 1}-dim tensor acts on its last dim, which "
                                            "in PyTorch's channels-first layout is a spatial axis, not the channels "
                                            "(flatten first?)")
            args = _drop({"units": a.get("out_features"), "bias": self.flag(a.get("bias", True), "bias", node),
                          "in_features": a.get("in_features")}, bias=True)
            mark("out_features", "units"), mark("in_features", "in_features"), mark("bias", "bias")
            return self.emit("dense", args, [x], name, at_, marks, note="nn.Linear")
        if f == "BatchNorm":
            self.fix_rank(x, d + 1 if d and d > 1 else None, mod, node)
            self.channels_first(x, mod, node)
            if a.get("track_running_stats", True) is not True:
                raise unsupported("track_running_stats=False (no running statistics to count)")
            if a.get("momentum", 0.1) is None:
                raise unsupported("momentum=None (a cumulative average)")
            args = _drop({"num_features": a.get("num_features"),
                          "epsilon": self.real(a.get("eps", 1e-5), "eps", node),
                          "momentum": self.real(a.get("momentum", 0.1), "momentum", node),
                          "affine": self.flag(a.get("affine", True), "affine", node)},
                         epsilon=1e-5, momentum=0.1, affine=True)
            mark("num_features", "num_features"), mark("eps", "epsilon"), mark("momentum", "momentum")
            return self.emit("batchnorm", args, [x], name, at_, marks, note=f"nn.{cls}")
        if f == "LayerNorm":
            self.fix_rank(x, None, mod, node)
            r = self.rank(x, node)
            shape = a.get("normalized_shape")
            shape = shape[0] if isinstance(shape, (tuple, list)) and len(shape) == 1 else shape
            if not (r == 1 or r == 2 and x.layout == "cl") or not isinstance(shape, int):
                raise unsupported("a normalized shape over PyTorch's trailing (spatial) dims; cnncalc's "
                                  "layernorm normalises the channels")
            if a.get("bias", True) is not True:
                raise unsupported("bias=False")
            args = _drop({"num_features": shape, "epsilon": self.real(a.get("eps", 1e-5), "eps", node),
                          "affine": self.flag(a.get("elementwise_affine", True), "elementwise_affine", node)},
                         epsilon=1e-5, affine=True)
            return self.emit("layernorm", args, [x], name, at_, marks, note="nn.LayerNorm")
        if f == "GroupNorm":
            self.fix_rank(x, None, mod, node)
            self.channels_first(x, mod, node)
            args = _drop({"groups": a.get("num_groups"), "num_features": a.get("num_channels"),
                          "epsilon": self.real(a.get("eps", 1e-5), "eps", node),
                          "affine": self.flag(a.get("affine", True), "affine", node)}, epsilon=1e-5, affine=True)
            return self.emit("groupnorm", args, [x], name, at_, marks, note="nn.GroupNorm")
        if f == "LocalResponseNorm":
            self.fix_rank(x, None, mod, node)
            self.channels_first(x, mod, node)
            args = _drop({"size": a.get("size"), "alpha": self.real(a.get("alpha", 1e-4), "alpha", node),
                          "beta": self.real(a.get("beta", 0.75), "beta", node),
                          "k": self.real(a.get("k", 1.0), "k", node)}, alpha=1e-4, beta=0.75, k=1.0)
            return self.emit("lrn", args, [x], name, at_, marks, note="nn.LocalResponseNorm")
        if f in ("MaxPool", "AvgPool"):
            self.fix_rank(x, d + 1, mod, node)
            self.channels_first(x, mod, node)
            return self.pool(f[:3].lower(), d, a, x, name, at_, mod.marks, node, f"nn.{cls}")
        if f == "AdaptivePool":
            self.fix_rank(x, d + 1, mod, node)
            self.channels_first(x, mod, node)
            return self.adaptive("max" if "Max" in cls else "avg", d, a.get("output_size"),
                                 a.get("return_indices", False), x, name, at_, node, f"nn.{cls}")
        if f == "Dropout":
            self.fix_rank(x, None, mod, node)
            p = self.real(a.get("p", 0.5), "p", node)
            mark("p", "rate")
            return self.emit("dropout", {"rate": p}, [x], name, at_, marks, keep_input=True, note=f"nn.{cls}")
        if f in ("Act", "LeakyReLU", "ELU", "GELU", "Softplus", "Softmax", "Identity"):
            self.fix_rank(x, None, mod, node)
            return self.activation(ACT_OF[cls], {k: v for k, v in a.items() if k != "inplace"}, x, name,
                                   at_, node, f"nn.{cls}")
        if f == "PReLU":
            self.fix_rank(x, None, mod, node)
            self.channels_first(x, mod, node)
            n = a.get("num_parameters", 1)
            if not isinstance(n, int) or isinstance(n, bool):
                raise fail(f"num_parameters must be an int written in the file, not {n!r}")
            mark("num_parameters", "num_parameters")
            return self.emit("prelu", {"num_parameters": n}, [x], name, at_, marks, note="nn.PReLU")
        if f == "ChannelShuffle":
            self.channels_first(x, mod, node)
            mark("groups", "groups")
            return self.emit("channel_shuffle", {"groups": a.get("groups")}, [x], name, at_, marks, note="nn.ChannelShuffle")
        if f == "Hardtanh":
            if (a.get("min_val", -1.0), a.get("max_val", 1.0)) == (0.0, 6.0):
                return self.emit("relu6", {}, [x], name, at_, keep_input=True, note="nn.Hardtanh")
            raise unsupported("limits other than (0, 6)")
        if f == "Flatten":
            self.fix_rank(x, None, mod, node)
            return self.flatten(x, a.get("start_dim", 1), a.get("end_dim", -1), name, at_, node, "nn.Flatten")
        if f in ("ZeroPad", "ConstantPad"):
            self.fix_rank(x, d + 1, mod, node)
            self.channels_first(x, mod, node)
            if f == "ConstantPad" and a.get("value", 0) != 0:
                raise unsupported(f"value={a.get('value')} (cnncalc pads with zeros)")
            pad = a.get("padding")
            flat = [pad] * (2 * d) if isinstance(pad, int) else list(pad) if isinstance(pad, (tuple, list)) else None
            if flat is None or len(flat) != 2 * d:
                raise fail(f"padding must be an int or {2 * d} ints, not {self.kind_of(pad)}")
            return self.pad(x, flat, name, at_, node, f"nn.{cls}")
        if f == "Upsample":
            self.fix_rank(x, None, mod, node)
            mode = {"UpsamplingNearest2d": "nearest", "UpsamplingBilinear2d": "bilinear"}.get(cls, a.get("mode", "nearest"))
            align = True if cls == "UpsamplingBilinear2d" else a.get("align_corners")
            return self.upsample(x, a.get("size"), a.get("scale_factor"), mode, align, name, at_, node, f"nn.{cls}")
        if f == "Embedding":
            self.fix_rank(x, 1, mod, node)
            if self.rank(x, node) != 1:
                raise unsupported("an input that is not a sequence of token ids (N, L)")
            from .torch_source import Rank
            args = {"vocab": a.get("num_embeddings"), "dim": a.get("embedding_dim")}
            return self.emit("embedding", args, [x], name, at_, marks, rank=Rank(2), layout="cl", note="nn.Embedding")
        raise unsupported("these arguments")

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
        from .torch_source import Rank
        return self.emit("flatten", {}, [x], name, at_, rank=Rank(1), layout="cf", note=note)

    def pad(self, x, flat, name, at_, node, note):
        """torch's pad tuple (last dim first: left, right, top, bottom, ...) as spec pairs."""
        r = self.rank(x, node)
        d = len(flat) // 2
        if d != r - 1:
            raise self.fail(node, f"{note} padding {d} of the {r - 1} spatial dims")
        pairs = [(flat[2 * i], flat[2 * i + 1]) for i in range(d)][::-1]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in flat):
            raise self.error(node, f"{note}: the padding must be ints, not {self.kind_of(flat)}")
        if all(v >= 0 for v in flat):
            return self.emit(f"zeropad{d}d", {"padding": pairs}, [x], name, at_, note=note)
        if all(v <= 0 for v in flat):
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
    def bind_args(self, sig_key, args, kwargs, node, what):
        sig = _FUNC_SIGS[sig_key]
        out = dict(zip(sig, args))
        if len(args) > len(sig):
            raise self.error(node, f"{what} takes at most {len(sig)} arguments, got {len(args)}")
        for k, v in kwargs.items():
            if k not in sig:
                raise self.error(node, f"{what} has no argument `{k}`")
            out[k] = v
        return out

    def function(self, qual, args, kwargs, marks, node):
        from .torch_source import Tensor
        short = qual.rsplit(".", 1)[1]
        what = qual.replace("torch.nn.functional.", "F.")
        pos = (node.lineno, node.col_offset + 1)
        base = self.name_for(short)
        tensor = args[0] if args and isinstance(args[0], Tensor) else None
        if short in FUNCTIONS and tensor is not None:
            key = short if short in ("leaky_relu", "elu", "gelu", "softmax", "softplus") else \
                "softmax" if short == "log_softmax" else "act"
            a = self.bind_args(key, args, kwargs, node, what)
            return self.activation(FUNCTIONS[short], a, tensor, base, pos, node, what)
        m = _POOL.match(short)
        if m and tensor is not None:
            a = self.bind_args("max_pool" if m.group(1) == "max" else "avg_pool", args, kwargs, node, what)
            self.fix_input(tensor, int(m.group(2)) + 1)
            return self.pool(m.group(1), int(m.group(2)), a, tensor, base, pos,
                             {k: marks[i] for i, k in enumerate(_FUNC_SIGS["max_pool" if m.group(1) == "max"
                                                                           else "avg_pool"]) if i in marks},
                             node, what)
        m = _ADAPTIVE.match(short)
        if m and tensor is not None:
            a = self.bind_args("adaptive", args, kwargs, node, what)
            return self.adaptive(m.group(1), int(m.group(2)), a.get("output_size"), a.get("return_indices"),
                                 tensor, base, pos, node, what)
        if re.fullmatch(r"(alpha_|feature_alpha_)?dropout([123]d)?", short) and tensor is not None:
            a = self.bind_args("dropout", args, kwargs, node, what)
            return self.emit("dropout", {"rate": self.real(a.get("p", 0.5), "p", node)}, [tensor], base, pos,
                             keep_input=True, note=what)
        if short == "interpolate" and tensor is not None:
            a = self.bind_args("interpolate", args, kwargs, node, what)
            return self.upsample(tensor, a.get("size"), a.get("scale_factor"), a.get("mode", "nearest"),
                                 a.get("align_corners"), base, pos, node, what)
        if short == "pad" and tensor is not None:
            a = self.bind_args("pad", args, kwargs, node, what)
            if a.get("mode", "constant") != "constant" or a.get("value") not in (None, 0, 0.0):
                raise self.fail(node, f"{what} in mode {a.get('mode')!r} or with a value other than 0")
            flat = list(self.iterate(a.get("pad"), node))
            return self.pad(tensor, flat, base, pos, node, what)
        if short == "flatten" and tensor is not None:
            a = self.bind_args("flatten", args, kwargs, node, what)
            return self.flatten(tensor, a.get("start_dim", 0), a.get("end_dim", -1), base, pos, node,
                                f"{what}(x, {a.get('start_dim', 0)})")
        if short in ("cat", "concat", "concatenate"):
            a = self.bind_args("cat", args, kwargs, node, what)
            return self.concat(list(self.iterate(a.get("tensors"), node)), a.get("dim", 0), base, pos, node, what)
        if short in ("add", "mul"):
            a = self.bind_args(short, args, kwargs, node, what)
            if a.get("alpha", 1) != 1:
                raise self.fail(node, f"{what} with alpha={a['alpha']}")
            return self.merge("add" if short == "add" else "multiply", a.get("input"), a.get("other"), base, pos, node)
        if short in ("mean", "amax") and tensor is not None:
            a = self.bind_args("mean", args, kwargs, node, what)
            return self.reduce(tensor, short, a.get("dim"), a.get("keepdim", False), base, pos, node)
        if short == "reshape" and tensor is not None:
            a = self.bind_args("reshape", args, kwargs, node, what)
            return self.view(tensor, list(self.iterate(a.get("shape"), node)), base, pos, node, what)
        return None

    def fix_input(self, tensor, rank) -> None:
        if tensor.rank.value is None:
            tensor.rank.value = rank

    def tensor_method(self, x, method, args, kwargs, marks, node):
        from .torch_source import Batch, TShape
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
        if method in ("dim", "ndimension") and not args:
            return self.rank(x, node) + 1
        if method in FUNCTIONS or method.rstrip("_") in FUNCTIONS:
            name = method.rstrip("_")
            key = name if name in ("leaky_relu", "softmax", "softplus") else \
                "softmax" if name == "log_softmax" else "act"
            a = self.bind_args(key, [x, *args], kwargs, node, f"x.{method}")
            return self.activation(FUNCTIONS[name], a, x, self.name_for(name), pos, node, f"x.{method}")
        raise self.fail(node, f"the tensor method x.{method}()")

    def swap(self, x, method, args, node):
        """Moving the channels last (torch's order is then cnncalc's) or back first."""
        from .torch_source import Tensor
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
        from .torch_source import Batch, Rank
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
        from .torch_source import Rank
        args = _drop({"keepdims": bool(keepdim)}, keepdims=False)
        return self.emit(kind, args, [x], base, pos, rank=x.rank if keepdim else Rank(1),
                         note=f"x.{op}({tuple(dims)})")

    def concat(self, tensors, dim, base, pos, node, what):
        from .torch_source import Tensor
        if len(tensors) < 2 or not all(isinstance(t, Tensor) for t in tensors):
            raise self.fail(node, f"{what} of {len(tensors)} values that are not all tensors")
        axis = self.torch_axis(tensors[0], dim, node, "dim")
        return self.emit("concat", _drop({"axis": axis}, axis=-1), tensors, base, pos, note=what)

    def merge(self, kind, a, b, base, pos, node):
        from .torch_source import Tensor
        if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
            sign = "+" if kind == "add" else "*"
            raise self.fail(node, f"`{sign}` of {self.kind_of(a)} and {self.kind_of(b)} (cnncalc merges two "
                                  "tensors; a constant term or scale is not a layer)")
        return self.emit(kind, {}, [a, b], base, pos, note="+" if kind == "add" else "*")

    def binop_value(self, op, left, right, node):
        from .torch_source import Tensor
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            pos = (node.lineno, node.col_offset + 1)
            if isinstance(op, ast.Add):
                return self.merge("add", left, right, self.name_for("add"), pos, node)
            if isinstance(op, ast.Mult):
                return self.merge("multiply", left, right, self.name_for("mul"), pos, node)
        return None


ACT_OF = {"ReLU": "relu", "ReLU6": "relu6", "LeakyReLU": "leaky_relu", "ELU": "elu", "SELU": "selu",
          "GELU": "gelu", "SiLU": "silu", "Mish": "mish", "Hardswish": "hardswish",
          "Hardsigmoid": "hard_sigmoid", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softmax": "softmax",
          "LogSoftmax": "log_softmax", "Softplus": "softplus", "Softsign": "softsign", "Identity": "linear"}


class _Pos:
    def __init__(self, line, col):
        self.lineno, self.col_offset = line, (col or 1) - 1


def _drop(args: dict, **defaults) -> dict:
    """The arguments without those equal to cnncalc's default (None is always left out)."""
    return {k: v for k, v in args.items()
            if v is not None and not (k in defaults and v == defaults[k] and type(v) is type(defaults[k]))}
