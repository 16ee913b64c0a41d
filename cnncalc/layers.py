"""Layer kinds: one frozen dataclass per kind, one registry, one alias table.

Shapes are channels-last tuples without the batch axis: (H, W, C) for 2-D, (L, C) for 1-D,
(D, H, W, C) for 3-D, (n,) when flat. Each class documents its `Shape:` formula and gives
`output_shape(inp)` and `params(inp)`; the arithmetic itself lives in `formulas`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

from . import formulas as F
from .errors import ShapeError

Shape = tuple[int, ...]
AXIS_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}

ACTIVATIONS = (
    "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "mish",
    "hardswish", "hard_sigmoid", "sigmoid", "tanh", "softmax", "log_softmax", "softplus",
    "softsign",
)


def arg(default: Any = dataclasses.MISSING, *, type: str = "int", main: bool = False):
    """Declare a spec argument. `type` drives coercion in spec.py: int, size (>= 1), nonneg,
    ints (int or one per axis), nonneg_ints, padding, bool, float, rate, str, activation."""
    meta = {"type": type, "main": main}
    if default is dataclasses.MISSING:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Axis:
    """One spatial axis of a sliding window: kernel f, stride s, padding (before, after), dilation d."""
    n: int
    f: int
    s: int
    pad: F.Pad
    d: int = 1


@dataclass(frozen=True, kw_only=True)
class Layer:
    """Common descriptor fields. `index` is 1-based; `line`/`col` locate it in the spec."""
    kind: str
    name: str
    index: int
    id: str | None = None
    inputs: tuple[str, ...] | None = None
    line: int | None = None
    col: int | None = None
    marks: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)
    via: str | None = field(default=None, compare=False, repr=False)  # "in block b used at line 40"

    RANK: ClassVar[int | None] = None  # required input rank, None for any

    @property
    def label(self) -> str:
        return f"layer {self.index} ({self.name}, {self.kind})" + (f" {self.via}" if self.via else "")

    @classmethod
    def spec_args(cls) -> dict[str, dataclasses.Field]:
        base = {f.name for f in dataclasses.fields(Layer)}
        return {f.name: f for f in dataclasses.fields(cls) if f.name not in base}

    @classmethod
    def main_arg(cls) -> str | None:
        return next((n for n, f in cls.spec_args().items() if f.metadata.get("main")), None)

    def check_rank(self, inp: Shape, rank: int | None) -> None:
        if rank is not None and len(inp) != rank:
            want = {1: "a flat (n,)", 2: "(L, C)", 3: "(H, W, C)", 4: "(D, H, W, C)"}[rank]
            hint = ""
            if len(inp) > rank == 1:
                hint = "; add a `flatten` (or `global_avgpool`) layer before it"
            elif rank > 1 and self.kind[-2:] in ("1d", "2d", "3d") and 2 <= len(inp) <= 4:
                hint = f"; for a {fmt_shape(inp)} input use {self.kind[:-2]}{len(inp) - 1}d"
            elif len(inp) < rank:
                hint = "; check the input rank or remove the `flatten` before it"
            raise ShapeError(f"needs {want} input but got {fmt_shape(inp)}{hint}")

    def output_shape(self, inp: Shape) -> Shape:
        """Shape: unchanged (element-wise layers)."""
        return inp

    def params(self, inp: Shape) -> tuple[int, int]:
        """(trainable, non-trainable) parameter counts; 0 for layers that learn nothing."""
        return (0, 0)

    def axes(self, inp: Shape) -> tuple[Axis, ...]:
        """Sliding-window geometry per spatial axis; empty for layers without a window."""
        return ()

    def hyper(self, inp: Shape) -> dict[str, Any]:
        """Hyper-parameters worth showing, in the course's notation."""
        return {}


def fmt_shape(shape: Shape) -> str:
    return "(" + ", ".join(str(v) for v in shape) + ("," if len(shape) == 1 else "") + ")"


def per_axis(layer: Layer, argname: str, value, dims: int) -> tuple:
    """Expand an int (same on every axis) or check a list has one entry per spatial axis."""
    if value is None or isinstance(value, int) or isinstance(value, str):
        return (value,) * dims
    if len(value) != dims:
        raise ShapeError(
            f"{argname} {list(value)} has {len(value)} entries but the input has {dims} "
            f"spatial axes ({', '.join(AXIS_NAMES[dims])}); give one int or {dims} entries", arg=argname)
    return tuple(value)


def resolve_padding(layer: Layer, padding, dims: int, ns, fs, ss, ds) -> tuple[F.Pad, ...]:
    """Per-axis (before, after) pairs from int / list / pairs / 'valid' / 'same' / 'causal'
    (Keras Conv1D: d*(f-1) zeros before, none after)."""
    if padding == "causal":
        zeros = [[d * (f - 1), 0] for f, d in zip(fs, ds)]
        if dims != 1 or not isinstance(layer, Conv):
            raise ShapeError(f"'causal' padding is for 1-D convolutions only (Keras Conv1D; its "
                             f"SeparableConv1D and pooling refuse it), not {layer.kind} on {dims} spatial "
                             f"axes; write the zeros d*(f-1) before as pairs, e.g. padding: {zeros}",
                             arg="padding")
        return tuple((d * (f - 1), 0) for f, d in zip(fs, ds))
    if padding == "same":
        return tuple(F.same_padding(n, f, s, d) for n, f, s, d in zip(ns, fs, ss, ds))
    if padding == "valid":
        return ((0, 0),) * dims
    out = []
    for p in per_axis(layer, "padding", padding, dims):
        out.append(tuple(p) if isinstance(p, tuple) else (p, p))
    return tuple(out)


def spatial_dims(layer: Layer, inp: Shape, dims: int | None) -> int:
    """Spatial axes a window layer works on: fixed by its kind (conv2d -> 2) or by the input."""
    if dims is None:
        if len(inp) not in (2, 3, 4):
            raise ShapeError(f"needs an input of rank 2, 3 or 4 (spatial axes + channels) but got {fmt_shape(inp)}")
        return len(inp) - 1
    layer.check_rank(inp, dims + 1)
    return dims


def kind_dims(kind: str) -> int | None:
    """The spatial dimension a kind name carries: conv2d -> 2, conv -> None."""
    for ch in kind:
        if ch in "123":
            return int(ch)
    return None


def check_channels(layer: Layer, given: int | None, actual: int, argname: str) -> None:
    if given is not None and given != actual:
        raise ShapeError(f"{argname} is {given} but the input has {actual} channels; "
                         f"set {argname}: {actual} or remove it", arg=argname)


def window_error(layer: Layer, inp: Shape, axis: int, err: ShapeError) -> ShapeError:
    dims = len(inp) - 1
    name = AXIS_NAMES[dims][axis] if dims in AXIS_NAMES else str(axis)
    return ShapeError(f"on axis {name} of input {fmt_shape(inp)}: {err.message}", arg=err.arg)


def conv_spatial(layer: Layer, inp: Shape, axes: tuple[Axis, ...], keras_same_rule: bool = True) -> tuple[int, ...]:
    """Spatial output sizes of a convolution (formulas.conv_out on each axis). Keras refuses
    'same' with both stride > 1 and dilation > 1 in Conv and SeparableConv (not Depthwise)."""
    if keras_same_rule and layer.padding == "same" and any(a.s > 1 and a.d > 1 for a in axes):
        raise ShapeError("'same' padding with both stride > 1 and dilation > 1 is refused "
                         "by Keras; use stride 1 or explicit padding", arg="padding")
    out = []
    for i, a in enumerate(axes):
        try:
            out.append(F.conv_out(a.n, a.f, a.s, a.pad, a.d))
        except ShapeError as e:
            raise window_error(layer, inp, i, e) from None
    return tuple(out)


def _hyper(axes: tuple[Axis, ...], **extra) -> dict[str, Any]:
    out: dict[str, Any] = {"f": tuple(a.f for a in axes), "s": tuple(a.s for a in axes),
                           "p": tuple(a.pad for a in axes)}
    if any(a.d != 1 for a in axes):
        out["d"] = tuple(a.d for a in axes)
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


@dataclass(frozen=True, kw_only=True)
class Conv(Layer):
    """Convolution (conv1d, conv2d, conv3d; `conv` takes its dimension from the input).

    Shape: out_i = floor((n_i + p_before + p_after - d*(f-1) - 1) / s) + 1; C_out = filters.
    Params: prod(f) * (C_in / groups) * filters + filters (bias).
    """
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


@dataclass(frozen=True, kw_only=True)
class DepthwiseConv(Layer):
    """Depthwise 2-D convolution: one f x f filter per input channel, `depth_multiplier` times.

    Shape: spatial as conv2d; C_out = C_in * depth_multiplier.
    Params: f_h * f_w * C_in * m + C_in * m (bias).
    """
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


@dataclass(frozen=True, kw_only=True)
class ConvTranspose(Layer):
    """Transposed convolution (conv_transpose1d/2d/3d).

    Shape (PyTorch, integer padding): out = (n-1)*s - p_before - p_after + d*(f-1)
    + output_padding + 1. With 'same' or 'valid' the Keras rule: same -> n*s,
    valid -> n*s + max(d*(f-1)+1 - s, 0) (see formulas.keras_transposed_out).
    Params: prod(f) * C_in * (filters / groups) + filters.
    """
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


@dataclass(frozen=True, kw_only=True)
class Pool(Layer):
    """Max or average pooling (maxpool1d/2d/3d, avgpool1d/2d/3d); stride defaults to the kernel.

    Shape (PyTorch): out = floor((n + p_b + p_a - d*(f-1) - 1 [+ s-1 with ceil_mode]) / s) + 1,
    dropping a last ceil_mode window that would start in the right padding. 'same': ceil(n/s).
    Params: 0.
    """
    kernel: Any = arg(type="ints", main=True)
    stride: Any = arg(None, type="ints")
    padding: Any = arg(0, type="padding")
    dilation: Any = arg(1, type="ints")
    ceil_mode: bool = arg(False, type="bool")
    count_include_pad: bool = arg(True, type="bool")

    def axes(self, inp: Shape) -> tuple[Axis, ...]:
        dims = spatial_dims(self, inp, kind_dims(self.kind))
        fs = per_axis(self, "kernel", self.kernel, dims)
        ss = fs if self.stride is None else per_axis(self, "stride", self.stride, dims)
        ds = per_axis(self, "dilation", self.dilation, dims)
        pads = resolve_padding(self, self.padding, dims, inp[:dims], fs, ss, ds)
        return tuple(Axis(*a) for a in zip(inp[:dims], fs, ss, pads, ds))

    def output_shape(self, inp: Shape) -> Shape:
        axes = self.axes(inp)
        if self.kind.startswith("avg") and any(a.d != 1 for a in axes):
            raise ShapeError("average pooling has no dilation (PyTorch and Keras refuse it); remove `dilation`",
                             arg="dilation")
        if not isinstance(self.padding, str):
            for a in axes:
                if max(a.pad) > a.f // 2:
                    raise ShapeError(
                        f"padding {max(a.pad)} is more than half the kernel {a.f} "
                        f"({a.f}//2 = {a.f // 2}); PyTorch refuses it: use padding <= {a.f // 2}",
                        arg="padding")
            if self.kind == "avgpool3d":  # torch's avg_pool3d checks the input before padding
                for i, a in enumerate(axes):
                    if a.n < a.f:
                        raise ShapeError(
                            f"on axis {AXIS_NAMES[3][i]} of input {fmt_shape(inp)}: the input {a.n} is "
                            f"smaller than the kernel {a.f}; PyTorch's avg_pool3d refuses that even with "
                            "padding: use a kernel of at most the input size, or `padding: same`",
                            arg="kernel")
        out = []
        for i, a in enumerate(axes):
            try:
                if self.padding == "same":
                    out.append(F.same_out(a.n, a.s))
                else:
                    out.append(F.pool_out(a.n, a.f, a.s, a.pad, a.d, self.ceil_mode))
            except ShapeError as e:
                raise window_error(self, inp, i, e) from None
        return (*out, inp[-1])

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return _hyper(self.axes(inp), ceil=True if self.ceil_mode else None)


@dataclass(frozen=True, kw_only=True)
class GlobalPool(Layer):
    """Global average / max pooling over every spatial axis.

    Shape: (C,), or (1, ..., 1, C) with keepdims. Params: 0.
    """
    keepdims: bool = arg(False, type="bool")

    def output_shape(self, inp: Shape) -> Shape:
        if len(inp) < 2:
            raise ShapeError(f"needs spatial axes and channels but got {fmt_shape(inp)}")
        return (*(1,) * (len(inp) - 1), inp[-1]) if self.keepdims else (inp[-1],)


@dataclass(frozen=True, kw_only=True)
class AdaptivePool(Layer):
    """Adaptive average / max pooling (PyTorch AdaptiveAvgPool2d): a fixed output size.

    Shape: (*output, C). Params: 0.
    """
    output: Any = arg(type="ints", main=True)

    def output_shape(self, inp: Shape) -> Shape:
        dims = spatial_dims(self, inp, kind_dims(self.kind))
        return (*per_axis(self, "output", self.output, dims), inp[-1])


@dataclass(frozen=True, kw_only=True)
class Flatten(Layer):
    """Shape: (prod(shape),). Params: 0."""

    def output_shape(self, inp: Shape) -> Shape:
        return (F.product(inp),)


@dataclass(frozen=True, kw_only=True)
class Dense(Layer):
    """Fully connected (Keras Dense, PyTorch Linear) on a flat input.

    Shape: (units,). Params: n_in * units + units (bias).
    """
    units: int = arg(type="size", main=True)
    bias: bool = arg(True, type="bool")
    activation: str | None = arg(None, type="activation")
    in_features: int | None = arg(None, type="size")

    def output_shape(self, inp: Shape) -> Shape:
        self.check_rank(inp, 1)
        check_channels(self, self.in_features, inp[0], "in_features")
        return (self.units,)

    def params(self, inp: Shape) -> tuple[int, int]:
        return (F.dense_params(inp[0], self.units, self.bias), 0)

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"units": self.units}


@dataclass(frozen=True, kw_only=True)
class Dropout(Layer):
    """Shape: unchanged. Params: 0."""
    rate: float = arg(0.5, type="rate", main=True)

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"rate": self.rate}


@dataclass(frozen=True, kw_only=True)
class BatchNorm(Layer):
    """Batch normalisation over the channel (last) axis.

    Shape: unchanged. Params: 4C as Keras counts them: gamma and beta trainable (2C), the
    moving mean and variance non-trainable (2C). PyTorch keeps those two as buffers, so its
    parameters() shows only 2C. `affine: false` drops gamma and beta.
    """
    affine: bool = arg(True, type="bool")
    epsilon: float = arg(1e-5, type="float")
    momentum: float = arg(0.1, type="float")
    num_features: int | None = arg(None, type="size")

    def output_shape(self, inp: Shape) -> Shape:
        check_channels(self, self.num_features, inp[-1], "num_features")
        return inp

    def params(self, inp: Shape) -> tuple[int, int]:
        c = inp[-1]
        return (2 * c if self.affine else 0, 2 * c)


@dataclass(frozen=True, kw_only=True)
class ZeroPad(Layer):
    """Zero padding (zeropad1d/2d/3d). Shape: n_i + p_before + p_after per axis. Params: 0."""
    padding: Any = arg(type="padding", main=True)

    def axes(self, inp: Shape) -> tuple[Axis, ...]:
        dims = spatial_dims(self, inp, kind_dims(self.kind))
        if isinstance(self.padding, str):
            raise ShapeError(f"zero padding takes sizes, not '{self.padding}'", arg="padding")
        pads = resolve_padding(self, self.padding, dims, (), (), (), ())
        return tuple(Axis(n, 1, 1, p) for n, p in zip(inp, pads))

    def output_shape(self, inp: Shape) -> Shape:
        return (*(F.padded(a.n, a.pad) for a in self.axes(inp)), inp[-1])

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"p": tuple(a.pad for a in self.axes(inp))}


@dataclass(frozen=True, kw_only=True)
class LRN(Layer):
    """Local response normalisation across channels (AlexNet). Shape: unchanged. Params: 0."""
    size: int = arg(5, type="size", main=True)
    alpha: float = arg(1e-4, type="float")
    beta: float = arg(0.75, type="float")
    k: float = arg(1.0, type="float")


@dataclass(frozen=True, kw_only=True)
class Embedding(Layer):
    """Token embedding on an input of token ids (L,). Shape: (L, dim). Params: vocab * dim."""
    vocab: int = arg(type="size")
    dim: int = arg(type="size")

    def output_shape(self, inp: Shape) -> Shape:
        self.check_rank(inp, 1)
        return (inp[0], self.dim)

    def params(self, inp: Shape) -> tuple[int, int]:
        return (self.vocab * self.dim, 0)


@dataclass(frozen=True, kw_only=True)
class Activation(Layer):
    """An activation as a layer (relu, tanh, softmax, ...). Shape: unchanged. Params: 0."""
    negative_slope: float | None = arg(None, type="float")


def _source(layer: Layer, i: int) -> str:
    """How a merge layer names its i-th input in messages: the source layer's name."""
    refs = layer.inputs or ()
    return f"`{refs[i]}`" if i < len(refs) else f"input {i + 1}"


@dataclass(frozen=True, kw_only=True)
class Merge(Layer):
    """Element-wise merge of two or more inputs (add, multiply; Keras Add / Multiply).

    Shape: every input has the same shape, which is the output shape. Params: 0.
    """
    MULTI_INPUT: ClassVar[bool] = True

    def _check_count(self, shapes: tuple[Shape, ...]) -> None:
        if len(shapes) < 2:
            raise ShapeError(f"{self.kind} merges two or more inputs but got {len(shapes)}; "
                             "list them, e.g. `inputs: [conv3, shortcut]`", arg="inputs")

    def output_shape(self, shapes: tuple[Shape, ...]) -> Shape:
        self._check_count(shapes)
        for i, shape in enumerate(shapes[1:], start=1):
            if shape != shapes[0]:
                raise ShapeError(
                    f"{self.kind} needs inputs of one shape, but {_source(self, 0)} gives "
                    f"{fmt_shape(shapes[0])} and {_source(self, i)} gives {fmt_shape(shape)}; "
                    "make them match (e.g. a 1x1 conv with the right stride and filters on the shortcut)",
                    arg="inputs")
        return shapes[0]

    def params(self, shapes) -> tuple[int, int]:
        return (0, 0)

    def axes(self, shapes) -> tuple[Axis, ...]:
        return ()

    def hyper(self, shapes) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, kw_only=True)
class Concat(Merge):
    """Concatenation along one axis (Keras Concatenate, torch.cat); channels by default.

    `axis` counts as Keras does, with the batch as axis 0: -1 (the default) and rank are the
    channels, 1 is H (or L). torch.cat(dim=1) on NCHW tensors is `axis: -1` here.
    Shape: the inputs' shapes with their `axis` sizes summed; every other size must match.
    Params: 0.
    """
    axis: int = arg(-1, type="int", main=True)

    def _axis(self, shape: Shape) -> int:
        """The position of `axis` in a batch-less shape."""
        rank = len(shape)
        pos = self.axis - 1 if self.axis > 0 else rank + self.axis
        if self.axis == 0 or not 0 <= pos < rank:
            raise ShapeError(f"axis {self.axis} is not an axis of the inputs {fmt_shape(shape)} "
                             f"(axis 0 is the batch); use 1 to {rank} or -1 to -{rank}, -1 for channels",
                             arg="axis")
        return pos

    def output_shape(self, shapes: tuple[Shape, ...]) -> Shape:
        self._check_count(shapes)
        first = shapes[0]
        pos = self._axis(first)
        names = (*AXIS_NAMES.get(len(first) - 1, ()), "C") if len(first) > 1 else ("n",)
        for i, shape in enumerate(shapes[1:], start=1):
            if len(shape) != len(first):
                raise ShapeError(
                    f"concat needs inputs of one rank, but {_source(self, 0)} gives {fmt_shape(first)} "
                    f"and {_source(self, i)} gives {fmt_shape(shape)}", arg="inputs")
            for k, (a, b) in enumerate(zip(first, shape)):
                if k != pos and a != b:
                    raise ShapeError(
                        f"concat along axis {self.axis} ({names[pos]}) needs every other size to match, "
                        f"but {_source(self, 0)} gives {fmt_shape(first)} and {_source(self, i)} gives "
                        f"{fmt_shape(shape)} ({names[k]} {a} vs {b}); crop, pad or resample one of them",
                        arg="inputs")
        return tuple(sum(s[k] for s in shapes) if k == pos else n for k, n in enumerate(first))

    def hyper(self, shapes) -> dict[str, Any]:
        return {"axis": self.axis} if self.axis != -1 else {}


@dataclass(frozen=True, kw_only=True)
class Upsample(Layer):
    """Nearest (or bilinear) upsampling by an integer factor per spatial axis
    (upsample1d/2d/3d; Keras UpSampling2D(size), torch Upsample(scale_factor)).

    Shape: out_i = n_i * factor_i; channels unchanged. Params: 0.
    """
    factor: Any = arg(2, type="ints", main=True)
    mode: str = arg("nearest", type="str")
    size: Any = arg(None, type="ints")

    def _factors(self, inp: Shape) -> tuple[int, ...]:
        if self.size is not None:
            raise ShapeError("`size` is ambiguous: Keras UpSampling2D(size=2) means the factor, torch "
                             "Upsample(size=56) the output size; write `factor: 2` (the output is n*factor)",
                             arg="size")
        dims = spatial_dims(self, inp, kind_dims(self.kind))
        return per_axis(self, "factor", self.factor, dims)

    def output_shape(self, inp: Shape) -> Shape:
        fs = self._factors(inp)
        return (*(n * f for n, f in zip(inp, fs)), inp[-1])

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"factor": self._factors(inp)}


@dataclass(frozen=True, kw_only=True)
class SeparableConv(Layer):
    """Depthwise-separable convolution (separable_conv1d/2d; Keras SeparableConv1D/2D): a
    depthwise f x f conv with `depth_multiplier` m and no bias, then a pointwise 1x1 conv to
    `filters` with the bias.

    Shape: spatial as conv; C_out = filters. (Keras refuses 'causal' here: give pairs instead.)
    Params: prod(f) * C_in * m (depthwise) + C_in * m * filters (pointwise) + filters (bias).
    """
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


@dataclass(frozen=True, kw_only=True)
class Reshape(Layer):
    """Reshape to `target` (Keras Reshape(target_shape)), channels-last, batch left out; one
    entry may be -1 (the size that makes the counts match).

    Shape: target, with -1 = prod(input) / prod(the other sizes). Params: 0.
    """
    target: Any = arg(type="shape", main=True)

    def output_shape(self, inp: Shape) -> Shape:
        target = tuple(self.target)
        total = F.product(inp)
        known = F.product(v for v in target if v != -1)
        free = sum(v == -1 for v in target)
        if free > 1 or 0 in target:
            raise ShapeError(f"target {list(target)} may hold one -1 and otherwise sizes >= 1; "
                             "give every size but at most one", arg="target")
        if free:
            if total % known:
                raise ShapeError(f"the input {fmt_shape(inp)} holds {' * '.join(map(str, inp))} = {total} values, "
                                 f"which the other sizes of {list(target)} ({known}) do not divide: {total} % {known} "
                                 f"= {total % known}; fix the sizes", arg="target")
            target = tuple(total // known if v == -1 else v for v in target)
        elif known != total:
            raise ShapeError(f"target {list(target)} holds {' * '.join(map(str, target))} = {known} values but "
                             f"the input {fmt_shape(inp)} holds {' * '.join(map(str, inp))} = {total}; "
                             "make the products equal (or use -1 for one size)", arg="target")
        return target

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"target": self.output_shape(inp)}


@dataclass(frozen=True, kw_only=True)
class Cropping(Layer):
    """Cropping (cropping1d/2d/3d; Keras Cropping2D): an int, one per axis, or [before, after]
    pairs. Shape: n_i - c_before - c_after per axis (>= 1). Params: 0."""
    cropping: Any = arg(type="padding", main=True)

    def crops(self, inp: Shape) -> tuple[F.Pad, ...]:
        dims = spatial_dims(self, inp, kind_dims(self.kind))
        if isinstance(self.cropping, str):
            raise ShapeError(f"cropping takes sizes, not '{self.cropping}'", arg="cropping")
        value = self.cropping
        if dims == 1 and isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
            value = (value,)  # Keras Cropping1D((before, after))
        out = []
        for p in per_axis(self, "cropping", value, dims):
            out.append(tuple(p) if isinstance(p, tuple) else (p, p))
        return tuple(out)

    def output_shape(self, inp: Shape) -> Shape:
        out = []
        for i, (n, (b, a)) in enumerate(zip(inp, self.crops(inp))):
            if n - b - a < 1:
                name = AXIS_NAMES[len(inp) - 1][i]
                raise ShapeError(f"cropping {b} + {a} from {name} = {n} leaves {n} - {b} - {a} = {n - b - a}; "
                                 f"crop at most {n - 1} in total", arg="cropping")
            out.append(n - b - a)
        return (*out, inp[-1])

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"crop": self.crops(inp)}


@dataclass(frozen=True, kw_only=True)
class LayerNorm(Layer):
    """Layer normalisation over the channel (last) axis at each position (Keras
    LayerNormalization(axis=-1); PyTorch LayerNorm(C) on channels-last values).

    Shape: unchanged. Params: 2C (gamma, beta) trainable; 0 with `affine: false`.
    """
    epsilon: float = arg(1e-5, type="float")
    affine: bool = arg(True, type="bool")
    num_features: int | None = arg(None, type="size")

    def output_shape(self, inp: Shape) -> Shape:
        check_channels(self, self.num_features, inp[-1], "num_features")
        return inp

    def params(self, inp: Shape) -> tuple[int, int]:
        return (2 * inp[-1] if self.affine else 0, 0)


@dataclass(frozen=True, kw_only=True)
class GroupNorm(Layer):
    """Group normalisation (Keras GroupNormalization, PyTorch GroupNorm): the channels split into
    `groups` runs of C/groups consecutive channels, each normalised over them and every position.

    Shape: unchanged; groups must divide C. Params: 2C (gamma, beta); 0 with `affine: false`.
    """
    groups: int = arg(32, type="size", main=True)  # Keras' default
    epsilon: float = arg(1e-5, type="float")
    affine: bool = arg(True, type="bool")
    num_features: int | None = arg(None, type="size")

    def output_shape(self, inp: Shape) -> Shape:
        c = inp[-1]
        check_channels(self, self.num_features, c, "num_features")
        if c % self.groups:
            divisors = [g for g in range(1, c + 1) if c % g == 0]
            raise ShapeError(f"groups {self.groups} does not divide the {c} channels ({c} % {self.groups} = "
                             f"{c % self.groups}); use one of {divisors}", arg="groups")
        return inp

    def params(self, inp: Shape) -> tuple[int, int]:
        return (2 * inp[-1] if self.affine else 0, 0)

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"g": self.groups}


def _kinds() -> dict[str, type[Layer]]:
    table: dict[str, type[Layer]] = {}
    for d in ("", "1d", "2d", "3d"):
        table["conv" + d] = Conv
        if d:
            table["conv_transpose" + d] = ConvTranspose
            table["maxpool" + d] = table["avgpool" + d] = Pool
            table["adaptive_avgpool" + d] = table["adaptive_maxpool" + d] = AdaptivePool
            table["zeropad" + d] = ZeroPad
            table["cropping" + d] = Cropping
    table.update(depthwise_conv2d=DepthwiseConv, global_avgpool=GlobalPool, global_maxpool=GlobalPool,
                 flatten=Flatten, dense=Dense, dropout=Dropout, batchnorm=BatchNorm, lrn=LRN,
                 embedding=Embedding)
    table.update({a: Activation for a in ACTIVATIONS})
    table.update(separable_conv1d=SeparableConv, separable_conv2d=SeparableConv, reshape=Reshape,
                 layernorm=LayerNorm, groupnorm=GroupNorm)
    table.update(add=Merge, multiply=Merge, concat=Concat, upsample=Upsample,
                 **{f"upsample{d}d": Upsample for d in "123"})
    return table


KINDS: dict[str, type[Layer]] = _kinds()


def normal(word: str) -> str:
    """Spelling-insensitive key: Conv2D, conv_2d and CONV2d all become 'conv2d'."""
    return word.lower().replace("_", "").replace("-", "")


# Keras and PyTorch spellings, written normalised, mapped to cnncalc's kind names.
KIND_ALIASES: dict[str, str] = {
    **{normal(k): k for k in KINDS},
    **{f"convolution{d}d": f"conv{d}d" for d in "123"},
    **{f"conv{d}dtranspose": f"conv_transpose{d}d" for d in "123"},
    **{f"convtranspose{d}d": f"conv_transpose{d}d" for d in "123"},
    **{f"deconv{d}d": f"conv_transpose{d}d" for d in "123"},
    **{f"maxpooling{d}d": f"maxpool{d}d" for d in "123"},
    **{f"averagepooling{d}d": f"avgpool{d}d" for d in "123"},
    **{f"avgpooling{d}d": f"avgpool{d}d" for d in "123"},
    **{f"globalaveragepooling{d}d": "global_avgpool" for d in "123"},
    **{f"globalavgpool{d}d": "global_avgpool" for d in "123"},
    **{f"globalmaxpooling{d}d": "global_maxpool" for d in "123"},
    **{f"globalmaxpool{d}d": "global_maxpool" for d in "123"},
    **{f"batchnorm{d}d": "batchnorm" for d in "123"},
    **{f"zeropadding{d}d": f"zeropad{d}d" for d in "123"},
    **{f"adaptiveavgpool{d}d": f"adaptive_avgpool{d}d" for d in "123"},
    **{f"adaptivemaxpool{d}d": f"adaptive_maxpool{d}d" for d in "123"},
    "depthwiseconv2d": "depthwise_conv2d", "linear": "dense", "fullyconnected": "dense", "fc": "dense",
    "batchnormalization": "batchnorm", "bn": "batchnorm", "localresponsenorm": "lrn",
    "globalaveragepool": "global_avgpool", "identity": "linear", "leakyrelu": "leaky_relu",
    "hardsigmoid": "hard_sigmoid", "logsoftmax": "log_softmax",
    **{f"upsampling{d}d": f"upsample{d}d" for d in "123"},
    **{f"upsamplingnearest{d}d": f"upsample{d}d" for d in "123"},
    "concatenate": "concat", "cat": "concat", "mul": "multiply",
    **{f"separableconvolution{d}d": f"separable_conv{d}d" for d in "12"},
    **{f"crop{d}d": f"cropping{d}d" for d in "123"},
    "layernormalization": "layernorm", "ln": "layernorm", "groupnormalization": "groupnorm",
    "gn": "groupnorm",
}

# Argument spellings (normalised) from Keras and PyTorch, mapped to cnncalc's names.
# A spelling may stand for different arguments of different kinds (torch's Dropout `p` is the
# rate, elsewhere `p` is padding): the first candidate the kind has is taken.
ARG_ALIASES: dict[str, tuple[str, ...]] = {
    "kernelsize": ("kernel",), "poolsize": ("kernel",), "f": ("kernel",), "strides": ("stride",),
    "s": ("stride",), "p": ("padding", "rate"), "dilationrate": ("dilation",), "d": ("dilation",),
    "usebias": ("bias",), "outchannels": ("filters",), "outfeatures": ("units",),
    "inchannels": ("in_channels",), "infeatures": ("in_features",),
    "numfeatures": ("num_features",), "eps": ("epsilon",), "alpha": ("negative_slope",),
    "inputdim": ("vocab",), "numembeddings": ("vocab",), "outputdim": ("dim",),
    "embeddingdim": ("dim",), "outputsize": ("output",), "ceil": ("ceil_mode",),
    "keepdim": ("keepdims",), "k": ("kernel",), "scalefactor": ("factor",),
    "interpolation": ("mode",),
    "targetshape": ("target",), "shape": ("target",), "crop": ("cropping",),
    "numgroups": ("groups",), "normalizedshape": ("num_features",), "numchannels": ("num_features",),
    "elementwiseaffine": ("affine",),
}
