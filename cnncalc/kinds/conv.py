"""Convolutions: conv1d/2d/3d, depthwise, transposed and separable."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import formulas as F
from ..errors import ShapeError
from .base import (Axis, Layer, Shape, _hyper, arg, check_channels, conv_spatial, kind_dims, no_params,
    pending, per_axis, resolve_padding, spatial_dims, unchanged_shape, window_error)
from .base import identity_forward, kernels, no_weights
from ..formulas import product
from .measure import activation_ops, kernel_volume, rf_unknown, rf_window, weighted_flops


@dataclass(frozen=True, kw_only=True)
class Conv(Layer):
    """Convolution (conv1d, conv2d, conv3d; `conv` takes its dimension from the input).

    Shape: out_i = floor((n_i + p_before + p_after - d*(f-1) - 1) / s) + 1; C_out = filters.
    Params: prod(f) * (C_in / groups) * filters + filters (bias).
    """
    NAMES: ClassVar[tuple[str, ...]] = tuple(f"conv{d}" for d in ("", "1d", "2d", "3d"))
    ALIASES: ClassVar[dict[str, str]] = {f"convolution{d}d": f"conv{d}d" for d in "123"}
    CAUSAL_OK: ClassVar[bool] = True
    filters: int = arg(type="size", main=True)
    kernel: Any = arg(type="ints")
    stride: Any = arg(1, type="ints")
    padding: Any = arg(0, type="padding")
    dilation: Any = arg(1, type="ints")
    groups: int = arg(1, type="size")
    bias: bool = arg(True, type="bool")
    activation: str | None = arg(None, type="activation")
    in_channels: int | None = arg(None, type="size")

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
        return _hyper(self.axes(inp), g=self.groups if self.groups != 1 else None)

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
        return kernels().conv_weights(self, r, rng, dtype, r.input_shape[-1], self.filters, self.groups)

    def forward(self, x, w, r):
        K = kernels()
        y = K.conv_nd(x, w["weight"], r.axes, r.output_shape[:-1], self.groups, w.get("bias"))
        return K.activate(self.activation, y, inplace=True)

    to_torch = pending("Conv.to_torch")

    to_keras = pending("Conv.to_keras")

    explain = pending("Conv.explain")

    DIAGNOSES = pending("Conv.DIAGNOSES")


@dataclass(frozen=True, kw_only=True)
class DepthwiseConv(Layer):
    """Depthwise 2-D convolution: one f x f filter per input channel, `depth_multiplier` times.

    Shape: spatial as conv2d; C_out = C_in * depth_multiplier.
    Params: f_h * f_w * C_in * m + C_in * m (bias).
    """
    NAMES: ClassVar[tuple[str, ...]] = ("depthwise_conv2d",)
    ALIASES: ClassVar[dict[str, str]] = {"depthwiseconv2d": "depthwise_conv2d"}
    kernel: Any = arg(type="ints", main=True)
    depth_multiplier: int = arg(1, type="size")
    stride: Any = arg(1, type="ints")
    padding: Any = arg(0, type="padding")
    dilation: Any = arg(1, type="ints")
    bias: bool = arg(True, type="bool")
    activation: str | None = arg(None, type="activation")

    axes = Conv.axes

    def output_shape(self, inp: Shape) -> Shape:
        return (*conv_spatial(self, inp, self.axes(inp), keras_same_rule=False), inp[-1] * self.depth_multiplier)

    def params(self, inp: Shape) -> tuple[int, int]:
        c = inp[-1]
        kv = F.product(a.f for a in self.axes(inp))
        return (F.conv_params(kv, c, c * self.depth_multiplier, c, self.bias), 0)

    def hyper(self, inp: Shape) -> dict[str, Any]:
        m = self.depth_multiplier
        return _hyper(self.axes(inp), m=m if m != 1 else None)

    def macs(self, r) -> int:
        """groups = C_in, so every output value reads one channel's f x f window."""
        return product(r.output_shape) * kernel_volume(r)  # H_out * W_out * C_in*m values, * (C_in/groups = 1)

    def flops(self, r) -> int | None:
        return weighted_flops(r, self.macs(r), dot=True)

    rf = rf_window

    def make_weights(self, r, rng, dtype) -> dict:
        """weight (C*m, 1, *f) and bias (C*m,): a conv with groups = C."""
        c = r.input_shape[-1]
        return kernels().conv_weights(self, r, rng, dtype, c, c * self.depth_multiplier, c)

    def forward(self, x, w, r):
        K = kernels()
        y = K.conv_nd(x, w["weight"], r.axes, r.output_shape[:-1], x.shape[-1], w.get("bias"))
        return K.activate(self.activation, y, inplace=True)

    to_torch = pending("DepthwiseConv.to_torch")

    to_keras = pending("DepthwiseConv.to_keras")

    explain = pending("DepthwiseConv.explain")

    DIAGNOSES = pending("DepthwiseConv.DIAGNOSES")


@dataclass(frozen=True, kw_only=True)
class ConvTranspose(Layer):
    """Transposed convolution (conv_transpose1d/2d/3d).

    Shape (PyTorch, integer padding): out = (n-1)*s - p_before - p_after + d*(f-1)
    + output_padding + 1. With 'same' or 'valid' the Keras rule: same -> n*s,
    valid -> n*s + max(d*(f-1)+1 - s, 0) (see formulas.keras_transposed_out).
    Params: prod(f) * C_in * (filters / groups) + filters.
    """
    NAMES: ClassVar[tuple[str, ...]] = tuple(f"conv_transpose{d}d" for d in "123")
    ALIASES: ClassVar[dict[str, str]] = {**{f"conv{d}dtranspose": f"conv_transpose{d}d" for d in "123"}, **{f"convtranspose{d}d": f"conv_transpose{d}d" for d in "123"}, **{f"deconv{d}d": f"conv_transpose{d}d" for d in "123"}}
    filters: int = arg(type="size", main=True)
    kernel: Any = arg(type="ints")
    stride: Any = arg(1, type="ints")
    padding: Any = arg(0, type="padding")
    output_padding: Any = arg(None, type="nonneg_ints")
    dilation: Any = arg(1, type="ints")
    groups: int = arg(1, type="size")
    bias: bool = arg(True, type="bool")
    activation: str | None = arg(None, type="activation")
    in_channels: int | None = arg(None, type="size")

    _check_groups = Conv._check_groups

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
        out = _hyper(self.axes(inp), op=op if shown else None,
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
        return kernels().conv_weights(self, r, rng, dtype, r.input_shape[-1], self.filters, self.groups, True)

    def forward(self, x, w, r):
        K = kernels()
        y = K.conv_transpose_nd(x, w["weight"], r.axes, r.output_shape[:-1], K.transposed_crop(self, r.axes),
                                self.groups, w.get("bias"))
        return K.activate(self.activation, y, inplace=True)

    to_torch = pending("ConvTranspose.to_torch")

    to_keras = pending("ConvTranspose.to_keras")

    explain = pending("ConvTranspose.explain")

    DIAGNOSES = pending("ConvTranspose.DIAGNOSES")


@dataclass(frozen=True, kw_only=True)
class SeparableConv(Layer):
    """Depthwise-separable convolution (separable_conv1d/2d; Keras SeparableConv1D/2D): a
    depthwise f x f conv with `depth_multiplier` m and no bias, then a pointwise 1x1 conv to
    `filters` with the bias.

    Shape: spatial as conv; C_out = filters. (Keras refuses 'causal' here: give pairs instead.)
    Params: prod(f) * C_in * m (depthwise) + C_in * m * filters (pointwise) + filters (bias).
    """
    NAMES: ClassVar[tuple[str, ...]] = ("separable_conv1d", "separable_conv2d")
    ALIASES: ClassVar[dict[str, str]] = {f"separableconvolution{d}d": f"separable_conv{d}d" for d in "12"}
    filters: int = arg(type="size", main=True)
    kernel: Any = arg(type="ints")
    stride: Any = arg(1, type="ints")
    padding: Any = arg(0, type="padding")
    dilation: Any = arg(1, type="ints")
    depth_multiplier: int = arg(1, type="size")
    bias: bool = arg(True, type="bool")
    activation: str | None = arg(None, type="activation")

    axes = Conv.axes

    def output_shape(self, inp: Shape) -> Shape:
        return (*conv_spatial(self, inp, self.axes(inp)), self.filters)

    def params(self, inp: Shape) -> tuple[int, int]:
        c, m = inp[-1], self.depth_multiplier
        kv = F.product(a.f for a in self.axes(inp))
        return (F.conv_params(kv, c, c * m, c, False) + F.conv_params(1, c * m, self.filters, 1, self.bias), 0)

    def hyper(self, inp: Shape) -> dict[str, Any]:
        m = self.depth_multiplier
        return _hyper(self.axes(inp), m=m if m != 1 else None)

    def macs(self, r) -> int:
        """The depthwise part, out positions * kernel volume * C_in*m, plus the pointwise 1x1
        part, out positions * C_in*m * filters."""
        positions = product(r.output_shape[:-1])          # H_out * W_out
        cm = r.input_shape[-1] * self.depth_multiplier    # depthwise outputs per position
        return positions * (kernel_volume(r) * cm + cm * r.output_shape[-1])

    def flops(self, r) -> int | None:
        """Two dot products per position: depthwise outputs kv-term (2kv-1 each, C_in*m of them),
        pointwise outputs C_in*m-term (2*C_in*m - 1 each); bias and activation on the output."""
        positions = product(r.output_shape[:-1])
        cm = r.input_shape[-1] * self.depth_multiplier
        depthwise = positions * cm * (2 * kernel_volume(r) - 1)
        pointwise = product(r.output_shape) * (2 * cm - 1)
        act = activation_ops(r, self.activation)
        bias = product(r.output_shape) if self.bias else 0
        return None if act is None else depthwise + pointwise + bias + act

    rf = rf_window

    def make_weights(self, r, rng, dtype) -> dict:
        """depthwise (C*m, 1, *f) without bias, pointwise (filters, C*m, 1, ...) with the bias."""
        K = kernels()
        c, m, dims = r.input_shape[-1], self.depth_multiplier, len(r.axes)
        kv = product(a.f for a in r.axes)
        w = {"depthwise": K.uniform(rng, (c * m, 1, *(a.f for a in r.axes)), kv, dtype),
             "pointwise": K.uniform(rng, (self.filters, c * m, *(1,) * dims), c * m, dtype)}
        if self.bias:
            w["bias"] = K.uniform(rng, (self.filters,), 2, dtype) * 0.1
        return w

    def forward(self, x, w, r):
        """Depthwise (groups = C) with r.axes, then pointwise 1x1, stride 1, no padding."""
        K = kernels()
        mid = tuple(r.output_shape[:-1])
        y = K.conv_nd(x, w["depthwise"], r.axes, mid, x.shape[-1])
        one = tuple(Axis(n, 1, 1, (0, 0)) for n in mid)
        y = K.conv_nd(y, w["pointwise"], one, mid, 1, w.get("bias"))
        return K.activate(self.activation, y, inplace=True)

    to_torch = pending("SeparableConv.to_torch")

    to_keras = pending("SeparableConv.to_keras")

    explain = pending("SeparableConv.explain")

    DIAGNOSES = pending("SeparableConv.DIAGNOSES")

