"""Convolutions: conv1d/2d/3d, depthwise and transposed (separable ones: kinds/separable.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import explain as X
from .. import formulas as F
from ..codetext import (Part, call, dims_of, ints, keras_no_stride_dilation, keras_pairs,
                        keras_transposed_crops, kwargs, pad_text, per_axis_ops, refuse, torch_pad)
from ..errors import ShapeError
from ..formulas import product
from .activation import keras_fused_act, torch_fused_act
from .base import (ceil_shape, memo_axes, window_hyper, Axis, BIAS_DIAGNOSES, Layer, Shape, WINDOW_DIAGNOSES, arg,
                   check_channels, conv_spatial, numpy_ops, kind_dims, per_axis, resolve_padding,
                   spatial_dims, window_error)
from .backward import no_backward
from .measure import kernel_volume, rf_unknown, rf_window, weighted_flops


@dataclass(frozen=True, kw_only=True)
class Conv(Layer):
    """Convolution (conv1d, conv2d, conv3d; `conv` takes its dimension from the input).

    Shape: out_i = floor((n_i + p_before + p_after - d*(f-1) - 1) / s) + 1; C_out = filters.
    Params: prod(f) * (C_in / groups) * filters + filters (bias).
    """
    NAMES: ClassVar[tuple[str, ...]] = tuple(f"conv{d}" for d in ("", "1d", "2d", "3d"))
    STEMS: ClassVar[dict[str, str]] = {"conv": "conv{d}d", **{f"conv{d}d": f"conv{d}d" for d in "123"}}
    ALIASES: ClassVar[dict[str, str]] = {f"convolution{d}d": f"conv{d}d" for d in "123"}
    KERAS: ClassVar[dict[str, tuple]] = {"Conv": (tuple(f"{c}{d}D" for c in ("Conv", "Convolution") for d in "123"), (
        "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups", "activation",
        "use_bias"))}
    TORCH: ClassVar[dict[str, tuple]] = {"Conv": (tuple(f"Conv{d}d" for d in "123"), (
        "in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias",
        "padding_mode", "device", "dtype"))}
    ONNX: ClassVar[dict[str, tuple]] = {"Conv": (("Conv",), ("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"))}
    DIAGRAM: ClassVar[str] = "conv"  # the diagram's colour category
    FLOORS: ClassVar[bool] = True
    CAUSAL_OK: ClassVar[bool] = True
    filters: int = arg(type="size", main=True, keras="filters", torch="out_channels")
    kernel: Any = arg(type="ints", keras="kernel_size", torch="kernel_size")
    stride: Any = arg(1, type="ints", keras="strides", torch="stride")
    padding: Any = arg(0, type="padding", keras="padding", torch="padding")
    dilation: Any = arg(1, type="ints", keras="dilation_rate", torch="dilation")
    groups: int = arg(1, type="size", keras="groups", torch="groups")
    bias: bool = arg(True, type="bool", keras="use_bias", torch="bias")
    activation: str | None = arg(None, type="activation", keras="activation")
    in_channels: int | None = arg(None, type="size", torch="in_channels")

    @memo_axes
    def axes(self, inp: Shape) -> tuple[Axis, ...]:
        dims = spatial_dims(self, inp, kind_dims(self.kind))
        ns = inp[:dims]
        fs = per_axis(self, "kernel", self.kernel, dims)
        ss = per_axis(self, "stride", self.stride, dims)
        ds = per_axis(self, "dilation", self.dilation, dims)
        pads = resolve_padding(self, self.padding, dims, ns, fs, ss, ds)
        return tuple(Axis(*a) for a in zip(ns, fs, ss, pads, ds))

    def _check_groups(self, c_in: int, c_out: int) -> None:
        check_channels(self, self.in_channels, c_in, "in_channels")
        for what, c in (("input channels", c_in), ("filters", c_out)):
            if c % self.groups:
                raise ShapeError(f"groups {self.groups} does not divide the {what} {c}; "
                                 f"use groups that divide both {c_in} and {c_out}", arg="groups")

    def output_shape(self, inp: Shape) -> Shape:
        axes = self.axes(inp)
        self._check_groups(inp[-1], self.filters)
        return (*conv_spatial(self, inp, axes), self.filters)

    def params(self, inp: Shape) -> tuple[int, int]:
        fs = self.axes(inp)
        return (F.conv_params(F.product(a.f for a in fs), inp[-1], self.filters, self.groups, self.bias), 0)

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return window_hyper(self.axes(inp), g=self.groups if self.groups != 1 else None)

    def macs(self, r) -> int:
        """Every output value is a dot product of kernel volume * C_in/groups terms."""
        out = product(r.output_shape)              # H_out * W_out * C_out output values
        c_in = r.input_shape[-1] // self.groups    # each filter sees only its group's channels
        return out * kernel_volume(r) * c_in       # groups divide once, here

    def flops(self, r) -> int | None:
        return weighted_flops(r, self.macs(r), dot=True)

    rf = rf_window

    def make_weights(self, r, rng, dtype) -> dict:
        """weight (C_out, C_in/groups, *f) and bias (C_out,), torch's layout."""
        return numpy_ops().conv_weights(self, r, rng, dtype, r.input_shape[-1], self.filters, self.groups)

    def forward(self, x, w, r):
        K = numpy_ops()
        y = K.conv_nd(x, w["weight"], r.axes, r.output_shape[:-1], self.groups, w.get("bias"))
        return K.activate(self.activation, y, inplace=True)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    def backward(self, x, w, r, out, g):
        """dW = the padded input cross-correlated with G, dX = G spread back through the kernel
        (the full convolution), db = the sum of G: kinds/backward.conv_grads, tap by tap."""
        from .backward import conv_grads
        dx, dw = conv_grads(x, w["weight"], r.axes, r.output_shape[:-1], self.groups, g)
        return dx, {"weight": dw, **({"bias": g.reshape(-1, g.shape[-1]).sum(axis=0)} if "bias" in w else {})}

    def weight_shapes(self, r, order: str = "torch") -> dict[str, Shape]:
        """weight (C_out, C_in/groups, *f), Keras (*f, C_in/groups, C_out); bias (C_out,)."""
        from .backward import layout
        fs, cg = tuple(a.f for a in r.axes), r.input_shape[-1] // self.groups
        return {"weight": layout(order, (self.filters, cg, *fs), (*fs, cg, self.filters)),
                **({"bias": (self.filters,)} if self.bias else {})}

    def weight_axes(self, r, order: str = "torch") -> dict[str, str]:
        from .backward import f_names, layout
        f = f_names(len(r.axes))
        return {"weight": layout(order, f"(C_out, C_in/groups, {f})", f"({f}, C_in/groups, C_out)"), "bias": "(C_out,)"}

    def to_torch(self, r, ctx) -> list:
        L, d, axes = r.layer, dims_of(r), r.axes
        pads = [a.pad for a in axes]
        parts: list[Part] = []
        depthwise = L.kind == "depthwise_conv2d"
        notes = ["depthwise: groups = C"] if depthwise else []
        if all(b == a for b, a in pads):
            padding = ints(b for b, _ in pads)
            if L.padding == "same" and any(b for b, _ in pads):
                notes.append(f"'same': {padding} on each side")
        else:
            if L.padding == "same":
                what = ("'same' with stride > 1: " if any(a.s > 1 for a in axes) else "'same': ") + \
                    f"TF pads {pad_text(pads)} (before, after)"
            elif L.padding == "causal":
                what = f"Keras 'causal': d*(f-1) = {pads[0][0]} zeros before, none after"
            else:
                what = f"asymmetric padding {pad_text(pads)} (before, after)"
            parts.append(Part(f"nn.ZeroPad{d}d({torch_pad(pads)})", "pad", what))
            padding = "0"
        c_in = r.input_shape[-1]
        c_out = r.output_shape[-1]
        groups = c_in if depthwise else L.groups
        args = kwargs(("kernel_size", ints(a.f for a in axes), False),
                      ("stride", ints(a.s for a in axes), all(a.s == 1 for a in axes)),
                      ("padding", padding, padding == "0"),
                      ("dilation", ints(a.d for a in axes), all(a.d == 1 for a in axes)),
                      ("groups", str(groups), groups == 1),
                      ("bias", "False", L.bias))
        parts.append(Part(call(f"nn.Conv{d}d", str(c_in), str(c_out), args), comment="; ".join(notes)))
        return parts + torch_fused_act(r)

    def to_keras(self, r, ctx) -> list:
        L, d, axes = r.layer, dims_of(r), r.axes
        if L.kind != "depthwise_conv2d":  # Keras' DepthwiseConv2D takes both
            keras_no_stride_dilation(axes)
        parts: list[Part] = []
        pads = [a.pad for a in axes]
        if L.padding == "causal":
            padding = '"causal"'
        elif L.padding == "same" or all(a.pad == F.same_padding(a.n, a.f, a.s, a.d) for a in axes) \
                and any(b or a for b, a in pads):
            padding = '"same"'  # explicit padding equal to Keras' 'same' rows is 'same'
        else:
            padding = '"valid"'
            if any(b or a for b, a in pads):
                parts.append(Part(f"layers.ZeroPadding{d}D({keras_pairs(pads)})", "pad"))
        depthwise = L.kind == "depthwise_conv2d"
        act, post = keras_fused_act(r)
        common = [("strides", ints(a.s for a in axes), all(a.s == 1 for a in axes)),
                  ("padding", padding, padding == '"valid"')]
        if depthwise:
            m = L.depth_multiplier
            args = kwargs(*common, ("depth_multiplier", str(m), m == 1),
                          ("dilation_rate", ints(a.d for a in axes), all(a.d == 1 for a in axes)),
                          ("use_bias", "False", L.bias))
            parts.append(Part(call("layers.DepthwiseConv2D", ints(a.f for a in axes), args, act)))
        else:
            args = kwargs(*common, ("dilation_rate", ints(a.d for a in axes), all(a.d == 1 for a in axes)),
                          ("groups", str(L.groups), L.groups == 1), ("use_bias", "False", L.bias))
            parts.append(Part(call(f"layers.Conv{d}D", str(L.filters), ints(a.f for a in axes), args, act)))
        return parts + post

    def explain(self, r) -> list[str]:
        fs, inp = tuple(a.f for a in r.axes), r.input_shape
        return X.window_lines(r) + [
            "params = " + X.conv_params_text(fs, inp[-1], r.output_shape[-1], self.groups, self.bias, r.params)]

    def alone_working(self, r, macs: int | None) -> tuple[str, str]:
        """The course's form (one bias per filter) where it applies, and MACs per output value."""
        fs, c = tuple(a.f for a in r.axes), r.input_shape[-1]
        if self.groups == 1 and self.bias:
            params = X.conv_params_course_text(fs, c, self.filters, r.params)
        else:
            params = X.conv_params_text(fs, c, self.filters, self.groups, self.bias, r.params)
        return params, X.conv_macs_text(r.output_shape, fs, c, self.groups, macs)

    def scan_step(self, r) -> str | None:
        """A window, unless 'same' with a stride (its padding then depends on the size) or causal."""
        fixed = self.padding != "same" or all(a.s == 1 for a in r.axes)
        return "window" if fixed and self.padding != "causal" else None

    DIAGNOSES = (*WINDOW_DIAGNOSES, "channels_kept", "weight_shape", *BIAS_DIAGNOSES, "conv_mistakes",
                 "conv_other_count")

    # -- the checker (cnncalc/check): this kind as a course table sees it --
    NUMBERED: ClassVar[bool] = True
    LABELS: ClassVar[tuple[str, ...]] = ("conv", "convolution", "c")

    def course_shape_text(self, r) -> str | None:
        if not r.axes:
            return None
        texts = [X.course_axis_text(a, o, same=self.padding == "same") for a, o in zip(r.axes, r.output_shape)]
        return X.course_window_text(texts, self._course_channels(r))

    def _course_channels(self, r) -> str:
        return f"{r.output_shape[-1]} filters"

    def course_params_text(self, r) -> str | None:
        """The course's form, one bias per filter: '(5*5*3 + 1)*8 = 608'."""
        if not (self.bias and self.groups == 1):
            return None
        return X.conv_params_course_text(tuple(a.f for a in r.axes), r.input_shape[-1], self.filters, r.params)

    def weight_shapes_taken(self, r) -> tuple[tuple[str, Shape], ...]:
        if not r.axes:
            return ()
        return (("filters", (*(a.f for a in r.axes), r.input_shape[-1], self.filters)),)

    def shape_if_ceil(self, r) -> Shape | None:
        return None if isinstance(self.padding, str) or not r.axes else ceil_shape(r)


@dataclass(frozen=True, kw_only=True)
class DepthwiseConv(Layer):
    """Depthwise 2-D convolution: one f x f filter per input channel, `depth_multiplier` times.

    Shape: spatial as conv2d; C_out = C_in * depth_multiplier.
    Params: f_h * f_w * C_in * m + C_in * m (bias).
    """
    NAMES: ClassVar[tuple[str, ...]] = ("depthwise_conv2d",)
    STEMS: ClassVar[dict[str, str]] = {"depthwise_conv2d": "depthwise_conv2d"}
    ALIASES: ClassVar[dict[str, str]] = {"depthwiseconv2d": "depthwise_conv2d"}
    KERAS: ClassVar[dict[str, tuple]] = {"DepthwiseConv": (("DepthwiseConv1D", "DepthwiseConv2D"), (
        "kernel_size", "strides", "padding", "depth_multiplier", "data_format", "dilation_rate", "activation",
        "use_bias"))}
    DIAGRAM: ClassVar[str] = "conv"  # the diagram's colour category
    FLOORS: ClassVar[bool] = True
    kernel: Any = arg(type="ints", main=True, keras="kernel_size", torch="kernel_size")
    depth_multiplier: int = arg(1, type="size", keras="depth_multiplier")
    stride: Any = arg(1, type="ints", keras="strides", torch="stride")
    padding: Any = arg(0, type="padding", keras="padding", torch="padding")
    dilation: Any = arg(1, type="ints", keras="dilation_rate", torch="dilation")
    bias: bool = arg(True, type="bool", keras="use_bias", torch="bias")
    activation: str | None = arg(None, type="activation", keras="activation")

    axes = Conv.axes

    def output_shape(self, inp: Shape) -> Shape:
        return (*conv_spatial(self, inp, self.axes(inp), keras_same_rule=False), inp[-1] * self.depth_multiplier)

    def params(self, inp: Shape) -> tuple[int, int]:
        c = inp[-1]
        kv = F.product(a.f for a in self.axes(inp))
        return (F.conv_params(kv, c, c * self.depth_multiplier, c, self.bias), 0)

    def hyper(self, inp: Shape) -> dict[str, Any]:
        m = self.depth_multiplier
        return window_hyper(self.axes(inp), m=m if m != 1 else None)

    def macs(self, r) -> int:
        """groups = C_in, so every output value reads one channel's f x f window."""
        return product(r.output_shape) * kernel_volume(r)  # H_out * W_out * C_in*m values, * (C_in/groups = 1)

    def flops(self, r) -> int | None:
        return weighted_flops(r, self.macs(r), dot=True)

    rf = rf_window

    def make_weights(self, r, rng, dtype) -> dict:
        """weight (C*m, 1, *f) and bias (C*m,): a conv with groups = C."""
        c = r.input_shape[-1]
        return numpy_ops().conv_weights(self, r, rng, dtype, c, c * self.depth_multiplier, c)

    def forward(self, x, w, r):
        K = numpy_ops()
        y = K.conv_nd(x, w["weight"], r.axes, r.output_shape[:-1], x.shape[-1], w.get("bias"))
        return K.activate(self.activation, y, inplace=True)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    def weight_shapes(self, r, order: str = "torch") -> dict[str, Shape]:
        """weight (C*m, 1, *f), Keras (*f, C, m); bias (C*m,)."""
        from .backward import layout
        fs, c, m = tuple(a.f for a in r.axes), r.input_shape[-1], self.depth_multiplier
        return {"weight": layout(order, (c * m, 1, *fs), (*fs, c, m)), **({"bias": (c * m,)} if self.bias else {})}

    to_torch = Conv.to_torch

    to_keras = Conv.to_keras

    def explain(self, r) -> list[str]:
        kp, c, m = X.kernel_product(tuple(a.f for a in r.axes)), r.input_shape[-1], self.depth_multiplier
        b = f" + {c}*{m}" if self.bias else ""
        return X.window_lines(r) + [f"params = {kp}*{c}*{m}{b} = {X.num(r.params)} (one {kp} filter per input channel)"]

    def scan_step(self, r) -> str | None:
        """A window with fixed padding ('same' and causal are inferred at each size)."""
        return "window" if self.padding not in ("same", "causal") else None

    DIAGNOSES = (*WINDOW_DIAGNOSES, *BIAS_DIAGNOSES)

    # -- the checker (cnncalc/check): this kind as a course table sees it --
    NUMBERED: ClassVar[bool] = True
    LABELS: ClassVar[tuple[str, ...]] = ("conv", "convolution", "dwconv")

    course_shape_text = Conv.course_shape_text

    def _course_channels(self, r) -> str:
        return f"{r.input_shape[-1]}*{self.depth_multiplier} channels"

    def course_params_text(self, r) -> str | None:
        """'3*3*32*1 + 32 = 320': the biases counted as one number."""
        c, m = r.input_shape[-1], self.depth_multiplier
        b = f" + {c * m}" if self.bias else ""
        return f"{X.kernel_product(tuple(a.f for a in r.axes))}*{c}*{m}{b} = {X.num(r.params)}"

    shape_if_ceil = Conv.shape_if_ceil


@dataclass(frozen=True, kw_only=True)
class ConvTranspose(Layer):
    """Transposed convolution (conv_transpose1d/2d/3d).

    Shape (PyTorch, integer padding): out = (n-1)*s - p_before - p_after + d*(f-1)
    + output_padding + 1. With 'same' or 'valid' the Keras rule: same -> n*s,
    valid -> n*s + max(d*(f-1)+1 - s, 0) (see formulas.keras_transposed_out).
    Params: prod(f) * C_in * (filters / groups) + filters.
    """
    NAMES: ClassVar[tuple[str, ...]] = tuple(f"conv_transpose{d}d" for d in "123")
    STEMS: ClassVar[dict[str, str]] = {f"conv_transpose{d}d": f"conv{d}d_transpose" for d in "123"}
    ALIASES: ClassVar[dict[str, str]] = {**{f"conv{d}dtranspose": f"conv_transpose{d}d" for d in "123"}, **{f"convtranspose{d}d": f"conv_transpose{d}d" for d in "123"}, **{f"deconv{d}d": f"conv_transpose{d}d" for d in "123"}}
    KERAS: ClassVar[dict[str, tuple]] = {"ConvTranspose": (tuple(f"{c}{d}DTranspose" for c in ("Conv", "Convolution") for d in "123"), (
        "filters", "kernel_size", "strides", "padding", "output_padding", "data_format", "dilation_rate",
        "activation", "use_bias"))}
    TORCH: ClassVar[dict[str, tuple]] = {"ConvTranspose": (tuple(f"ConvTranspose{d}d" for d in "123"), (
        "in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias",
        "dilation", "padding_mode", "device", "dtype"))}
    ONNX: ClassVar[dict[str, tuple]] = {"ConvTranspose": (("ConvTranspose",), ("auto_pad", "dilations", "group", "kernel_shape",
                                                          "output_padding", "output_shape", "pads", "strides"))}
    DIAGRAM: ClassVar[str] = "transpose"  # the diagram's colour category
    filters: int = arg(type="size", main=True, keras="filters", torch="out_channels")
    kernel: Any = arg(type="ints", keras="kernel_size", torch="kernel_size")
    stride: Any = arg(1, type="ints", keras="strides", torch="stride")
    padding: Any = arg(0, type="padding", keras="padding", torch="padding")
    output_padding: Any = arg(None, type="nonneg_ints", keras="output_padding", torch="output_padding")
    dilation: Any = arg(1, type="ints", keras="dilation_rate", torch="dilation")
    groups: int = arg(1, type="size", torch="groups")
    bias: bool = arg(True, type="bool", keras="use_bias", torch="bias")
    activation: str | None = arg(None, type="activation", keras="activation")
    in_channels: int | None = arg(None, type="size", torch="in_channels")

    _check_groups = Conv._check_groups

    @memo_axes
    def axes(self, inp: Shape) -> tuple[Axis, ...]:
        dims = spatial_dims(self, inp, kind_dims(self.kind))
        fs = per_axis(self, "kernel", self.kernel, dims)
        ss = per_axis(self, "stride", self.stride, dims)
        ds = per_axis(self, "dilation", self.dilation, dims)
        if self.padding == "causal":
            raise ShapeError("'causal' padding is for 1-D convolutions, not transposed ones (Keras "
                             "Conv1DTranspose refuses it); use 'same', 'valid' or sizes", arg="padding")
        if isinstance(self.padding, str):
            pads = ((0, 0),) * dims  # keras modes: the output rule is applied in output_shape
        else:
            pads = resolve_padding(self, self.padding, dims, inp[:dims], fs, ss, ds)
        return tuple(Axis(*a) for a in zip(inp[:dims], fs, ss, pads, ds))

    def output_shape(self, inp: Shape) -> Shape:
        axes = self.axes(inp)
        self._check_groups(inp[-1], self.filters)
        ops = per_axis(self, "output_padding", self.output_padding, len(axes))
        if isinstance(self.padding, str) and any(a.s > 1 and a.d > 1 for a in axes):
            raise ShapeError(f"'{self.padding}' padding with both stride > 1 and dilation > 1 is refused "
                             "by Keras; use stride 1, dilation 1, or integer padding (PyTorch's rule)",
                             arg="padding")
        out = []
        for i, (a, op) in enumerate(zip(axes, ops)):
            try:
                if isinstance(self.padding, str):
                    if op is not None and op >= a.s:
                        raise ShapeError(f"output_padding {op} must be smaller than the stride {a.s}",
                                         arg="output_padding")
                    out.append(F.keras_transposed_out(a.n, a.f, a.s, self.padding, a.d, op))
                else:
                    out.append(F.transposed_out(a.n, a.f, a.s, a.pad, a.d, op or 0))
            except ShapeError as e:
                raise window_error(self, inp, i, e) from None
        return (*out, self.filters)

    def params(self, inp: Shape) -> tuple[int, int]:
        kv = F.product(a.f for a in self.axes(inp))
        # torch stores weight (C_in, C_out/groups, *f): the same count as conv with roles swapped
        return (kv * inp[-1] * (self.filters // self.groups) + (self.filters if self.bias else 0), 0)

    def hyper(self, inp: Shape) -> dict[str, Any]:
        op = self.output_padding
        shown = op is not None and any(v for v in (op if isinstance(op, tuple) else (op,)))
        out = window_hyper(self.axes(inp), op=op if shown else None,
                     g=self.groups if self.groups != 1 else None)
        if isinstance(self.padding, str):
            out["p"] = self.padding  # Keras's output rule, not explicit (before, after) rows
        return out

    def macs(self, r) -> int:
        """What it really computes, the scatter form: every input value is multiplied by the
        kernel volume * C_out/groups weights it is connected to. (Counting output size * kernel
        instead, as many counters do, over-counts by about stride^dims.)"""
        inputs = product(r.input_shape)               # H_in * W_in * C_in input values
        c_out = r.output_shape[-1] // self.groups     # each input channel feeds C_out/groups filters
        return inputs * kernel_volume(r) * c_out

    def flops(self, r) -> int | None:
        return weighted_flops(r, self.macs(r), dot=False)  # scatter: every product is added

    rf = rf_unknown  # an output unit reads 1 or more inputs by its position: no single size

    def make_weights(self, r, rng, dtype) -> dict:
        """weight (C_in, C_out/groups, *f) and bias (C_out,), torch's layout."""
        return numpy_ops().conv_weights(self, r, rng, dtype, r.input_shape[-1], self.filters, self.groups, True)

    def forward(self, x, w, r):
        K = numpy_ops()
        y = K.conv_transpose_nd(x, w["weight"], r.axes, r.output_shape[:-1], K.transposed_crop(self, r.axes),
                                self.groups, w.get("bias"))
        return K.activate(self.activation, y, inplace=True)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    def weight_shapes(self, r, order: str = "torch") -> dict[str, Shape]:
        """weight (C_in, C_out/groups, *f), Keras (*f, C_out/groups, C_in); bias (C_out,)."""
        from .backward import layout
        fs, c, og = tuple(a.f for a in r.axes), r.input_shape[-1], self.filters // self.groups
        return {"weight": layout(order, (c, og, *fs), (*fs, og, c)), **({"bias": (self.filters,)} if self.bias else {})}

    def to_torch(self, r, ctx) -> list:
        L, d, axes = r.layer, dims_of(r), r.axes
        ops = per_axis_ops(r)
        pad, out_pad, post = [], [], []
        for a, op in zip(axes, ops):
            if isinstance(L.padding, str):
                cb, ca = keras_transposed_crops(a, L.padding, op)
                natural = (a.n - 1) * a.s + F.effective_kernel(a.f, a.d)
            else:
                cb, ca = a.pad
                natural = (a.n - 1) * a.s + F.effective_kernel(a.f, a.d) + (op or 0)
                if cb == ca:
                    pad.append(cb), out_pad.append(op or 0), post.append((0, 0))
                    continue
                m = min(cb, ca)
                pad.append(m), out_pad.append(op or 0), post.append((m - cb, m - ca))
                continue
            # Keras modes: crop (cb, ca) off the natural size, through torch's padding and
            # output_padding where they can say it, else an explicit crop (negative padding)
            if cb == ca >= 0:
                pad.append(cb), out_pad.append(0), post.append((0, 0))
            elif cb >= 0 and 0 < cb - ca < max(a.s, a.d):
                pad.append(cb), out_pad.append(cb - ca), post.append((0, 0))
            else:
                pad.append(0), out_pad.append(0), post.append((-cb, -ca))
            assert natural - cb - ca == r.output_shape[len(pad) - 1]
        args = kwargs(("kernel_size", ints(a.f for a in axes), False),
                      ("stride", ints(a.s for a in axes), all(a.s == 1 for a in axes)),
                      ("padding", ints(pad), not any(pad)),
                      ("output_padding", ints(out_pad), not any(out_pad)),
                      ("groups", str(L.groups), L.groups == 1),
                      ("bias", "False", L.bias),
                      ("dilation", ints(a.d for a in axes), all(a.d == 1 for a in axes)))
        comment = f"Keras '{L.padding}'" if isinstance(L.padding, str) else ""
        parts = [Part(call(f"nn.ConvTranspose{d}d", str(r.input_shape[-1]), str(L.filters), args),
                      comment=comment)]
        if any(b or a for b, a in post):
            what = "negative padding crops" if all(b <= 0 and a <= 0 for b, a in post) else \
                "negative padding crops, positive pads"
            parts.append(Part(f"nn.ZeroPad{d}d({torch_pad(post)})", "crop", what))
        return parts + torch_fused_act(r)

    def to_keras(self, r, ctx) -> list:
        L, d, axes = r.layer, dims_of(r), r.axes
        if L.groups != 1:
            refuse(f"Keras transposed convolutions have no groups (groups {L.groups}); export to pytorch")
        keras_no_stride_dilation(axes)
        ops = per_axis_ops(r)
        act, post = keras_fused_act(r)
        crop = []
        if isinstance(L.padding, str):
            padding, out_pad = f'"{L.padding}"', None if ops[0] is None else ops
        else:
            padding, out_pad = '"valid"', tuple(op or 0 for op in ops)
            crop = [a.pad for a in axes]
        if out_pad is not None:
            for a, op in zip(axes, out_pad):
                if op >= a.s:
                    refuse(f"Keras needs output_padding < stride, got output_padding {op} with stride "
                           f"{a.s} (PyTorch also accepts output_padding < dilation); export to pytorch")
        args = kwargs(("strides", ints(a.s for a in axes), all(a.s == 1 for a in axes)),
                      ("padding", padding, padding == '"valid"'),
                      ("output_padding", ints(out_pad) if out_pad is not None else "", out_pad is None),
                      ("dilation_rate", ints(a.d for a in axes), all(a.d == 1 for a in axes)),
                      ("use_bias", "False", L.bias))
        comment = "PyTorch-style padding: valid, then crop" if crop and any(b or a for b, a in crop) else ""
        parts = [Part(call(f"layers.Conv{d}DTranspose", str(L.filters), ints(a.f for a in axes), args, act),
                      comment=comment)]
        if crop and any(b or a for b, a in crop):
            parts.append(Part(f"layers.Cropping{d}D({keras_pairs(crop)})", "crop"))
        return parts + post

    def explain(self, r) -> list[str]:
        axes, out, inp = r.axes, r.output_shape, r.input_shape
        ops = per_axis(self, "output_padding", self.output_padding, len(axes))
        if isinstance(self.padding, str):
            texts = [X.keras_transposed_text(a, self.padding, o, op) for a, o, op in zip(axes, out, ops)]
        else:
            texts = [X.transposed_text(a, op or 0, o) for a, o, op in zip(axes, out, ops)]
        cout = str(self.filters) if self.groups == 1 else f"({self.filters}/{self.groups})"
        b = f" + {self.filters}" if self.bias else ""
        return X.per_axis_lines(texts) + [
            f"params = {X.kernel_product(tuple(a.f for a in axes))}*{inp[-1]}*{cout}{b} = {X.num(r.params)}"]

    DIAGNOSES = ("channels_kept", *BIAS_DIAGNOSES)

    # -- the checker (cnncalc/check): this kind as a course table sees it --
    NUMBERED: ClassVar[bool] = True
    LABELS: ClassVar[tuple[str, ...]] = ("conv", "convolution", "deconv")

    def course_shape_text(self, r) -> str | None:
        if not r.axes:
            return None
        if isinstance(self.padding, str):
            texts = [f"{o} ('{self.padding}' transposed rule)" for o in r.output_shape[:len(r.axes)]]
        else:
            texts = [X.course_transposed_text(a, o) for a, o in zip(r.axes, r.output_shape)]
        return X.course_window_text(texts, f"{r.output_shape[-1]} filters")
