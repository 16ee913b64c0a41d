"""Depthwise-separable convolutions: separable_conv1d/2d, a depthwise conv then a pointwise one."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import explain as X
from .. import formulas as F
from ..codetext import Part, call, dims_of, ints, keras_no_stride_dilation, keras_pairs, kwargs
from ..formulas import product
from ..results import LayerResult, infer_layer
from .activation import keras_fused_act
from .base import Axis, Layer, Shape, arg, conv_spatial, numpy_ops, window_hyper
from .backward import no_backward
from .conv import Conv
from .measure import activation_ops, kernel_volume, rf_window


@dataclass(frozen=True, kw_only=True)
class SeparableConv(Layer):
    """Depthwise-separable convolution (separable_conv1d/2d; Keras SeparableConv1D/2D): a
    depthwise f x f conv with `depth_multiplier` m and no bias, then a pointwise 1x1 conv to
    `filters` with the bias.

    Shape: spatial as conv; C_out = filters. (Keras refuses 'causal' here: give pairs instead.)
    Params: prod(f) * C_in * m (depthwise) + C_in * m * filters (pointwise) + filters (bias).
    """
    NAMES: ClassVar[tuple[str, ...]] = ("separable_conv1d", "separable_conv2d")
    STEMS: ClassVar[dict[str, str]] = {f"separable_conv{d}d": f"separable_conv{d}d" for d in "12"}
    ALIASES: ClassVar[dict[str, str]] = {f"separableconvolution{d}d": f"separable_conv{d}d" for d in "12"}
    KERAS: ClassVar[dict[str, tuple]] = {"SeparableConv": (tuple(f"{c}{d}D" for c in ("SeparableConv", "SeparableConvolution")
                                               for d in "12"), (
        "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "depth_multiplier",
        "activation", "use_bias"))}
    DIAGRAM: ClassVar[str] = "conv"  # the diagram's colour category
    FLOORS: ClassVar[bool] = True
    filters: int = arg(type="size", main=True, keras="filters")
    kernel: Any = arg(type="ints", keras="kernel_size")
    stride: Any = arg(1, type="ints", keras="strides")
    padding: Any = arg(0, type="padding", keras="padding")
    dilation: Any = arg(1, type="ints", keras="dilation_rate")
    depth_multiplier: int = arg(1, type="size", keras="depth_multiplier")
    bias: bool = arg(True, type="bool", keras="use_bias")
    activation: str | None = arg(None, type="activation", keras="activation")

    axes = Conv.axes

    def output_shape(self, inp: Shape) -> Shape:
        return (*conv_spatial(self, inp, self.axes(inp)), self.filters)

    def params(self, inp: Shape) -> tuple[int, int]:
        c, m = inp[-1], self.depth_multiplier
        kv = F.product(a.f for a in self.axes(inp))
        return (F.conv_params(kv, c, c * m, c, False) + F.conv_params(1, c * m, self.filters, 1, self.bias), 0)

    def hyper(self, inp: Shape) -> dict[str, Any]:
        m = self.depth_multiplier
        return window_hyper(self.axes(inp), m=m if m != 1 else None)

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
        K = numpy_ops()
        c, m, dims = r.input_shape[-1], self.depth_multiplier, len(r.axes)
        kv = product(a.f for a in r.axes)
        w = {"depthwise": K.uniform(rng, (c * m, 1, *(a.f for a in r.axes)), kv, dtype),
             "pointwise": K.uniform(rng, (self.filters, c * m, *(1,) * dims), c * m, dtype)}
        if self.bias:
            w["bias"] = K.uniform(rng, (self.filters,), 2, dtype) * 0.1
        return w

    def forward(self, x, w, r):
        """Depthwise (groups = C) with r.axes, then pointwise 1x1, stride 1, no padding."""
        K = numpy_ops()
        mid = tuple(r.output_shape[:-1])
        y = K.conv_nd(x, w["depthwise"], r.axes, mid, x.shape[-1])
        one = tuple(Axis(n, 1, 1, (0, 0)) for n in mid)
        y = K.conv_nd(y, w["pointwise"], one, mid, 1, w.get("bias"))
        return K.activate(self.activation, y, inplace=True)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    def weight_shapes(self, r, order: str = "torch") -> dict[str, Shape]:
        """depthwise (C*m, 1, *f), Keras (*f, C, m); pointwise (filters, C*m, 1, ...), Keras
        (1, ..., C*m, filters); bias (filters,)."""
        from .backward import layout
        fs, c, m = tuple(a.f for a in r.axes), r.input_shape[-1], self.depth_multiplier
        ones = (1,) * len(fs)
        return {"depthwise": layout(order, (c * m, 1, *fs), (*fs, c, m)),
                "pointwise": layout(order, (self.filters, c * m, *ones), (*ones, c * m, self.filters)),
                **({"bias": (self.filters,)} if self.bias else {})}

    def to_torch(self, r, ctx) -> list:
        rd, rp = separable_parts(r)
        dw = [Part(p.code, "dw" if p.role == "main" else p.role, p.comment or
                   ("depthwise: groups = C" if p.role == "main" else "")) for p in rd.layer.to_torch(rd, ctx)]
        pw = rp.layer.to_torch(rp, ctx)
        return dw + [Part(pw[0].code, comment="pointwise 1x1, with the bias")] + pw[1:]

    def to_keras(self, r, ctx) -> list:
        L, d, axes = r.layer, dims_of(r), r.axes
        keras_no_stride_dilation(axes)
        parts: list[Part] = []
        pads = [a.pad for a in axes]
        if L.padding in ("causal", "same"):
            padding = f'"{L.padding}"'
        else:
            padding = '"valid"'
            if any(b or a for b, a in pads):
                parts.append(Part(f"layers.ZeroPadding{d}D({keras_pairs(pads)})", "pad"))
        act, post = keras_fused_act(r)
        m = L.depth_multiplier
        args = kwargs(("strides", ints(a.s for a in axes), all(a.s == 1 for a in axes)),
                      ("padding", padding, padding == '"valid"'),
                      ("depth_multiplier", str(m), m == 1),
                      ("dilation_rate", ints(a.d for a in axes), all(a.d == 1 for a in axes)),
                      ("use_bias", "False", L.bias))
        parts.append(Part(call(f"layers.SeparableConv{d}D", str(L.filters), ints(a.f for a in axes), args, act)))
        return parts + post

    def explain(self, r) -> list[str]:
        kp, c, m, out = X.kernel_product(tuple(a.f for a in r.axes)), r.input_shape[-1], self.depth_multiplier, r.output_shape
        b = f" + {out[-1]}" if self.bias else ""
        return X.window_lines(r) + [f"params = {kp}*{c}*{m} + {c}*{m}*{out[-1]}{b} = {X.num(r.params)} "
                                    "(depthwise, pointwise 1x1, bias)"]

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes

    # -- the checker (cnncalc/check): this kind as a course table sees it --
    LABELS: ClassVar[tuple[str, ...]] = ("conv", "convolution", "sepconv", "separableconv")


def separable_parts(r: LayerResult) -> tuple[LayerResult, LayerResult]:
    """A separable conv as two convs: depthwise (groups = C, C*m filters, no bias) with the
    layer's geometry, then pointwise 1x1 to `filters` with the bias and the activation."""
    L, d = r.layer, dims_of(r)
    c, m = r.input_shape[-1], L.depth_multiplier
    common = dict(kind=f"conv{d}d", name=L.name, index=L.index)
    dw = Conv(**common, filters=c * m, kernel=L.kernel, stride=L.stride, padding=L.padding,
              dilation=L.dilation, groups=c, bias=False)
    rd = infer_layer(dw, (r.input_shape,))
    pw = Conv(**common, filters=L.filters, kernel=1, bias=L.bias, activation=L.activation)
    return rd, infer_layer(pw, (rd.output_shape,))
