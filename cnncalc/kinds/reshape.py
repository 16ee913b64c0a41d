"""Layers that move values without arithmetic: flatten, reshape, padding, cropping, upsampling."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import explain as X
from .. import formulas as F
from ..codetext import (TORCH_INTERPOLATION, Part, dims_of, ints, keras_pairs, refuse, torch_pad, tuple_text,
                        upsample_factor, upsample_mode)
from ..errors import ShapeError
from .base import (ACTIVATIONS, memo_axes, Axis, AXIS_NAMES, Layer, Shape, arg, fmt_shape, numpy_ops, kind_dims, no_params,
                   no_weights, padded_shape, padding_hyper, per_axis, resolve_padding, spatial_dims)
from .backward import no_backward, no_weight_shapes
from .measure import AxisRF, no_macs, rf_same, rf_unknown, rf_window, zero_flops


@dataclass(frozen=True, kw_only=True)
class Flatten(Layer):
    """Shape: (prod(shape),). Params: 0."""
    NAMES: ClassVar[tuple[str, ...]] = ("flatten",)
    STEMS: ClassVar[dict[str, str]] = {"flatten": "flatten"}
    ALIASES: ClassVar[dict[str, str]] = {}
    KERAS: ClassVar[dict[str, tuple]] = {"Flatten": (("Flatten",), ("data_format",))}
    TORCH: ClassVar[dict[str, tuple]] = {"Flatten": (("Flatten",), ("start_dim", "end_dim")),
                         "F.flatten": (("flatten",), ("input", "start_dim", "end_dim"))}
    ONNX: ClassVar[dict[str, tuple]] = {"Flatten": (("Flatten",), ("axis",))}
    DIAGRAM: ClassVar[str] = "flat"  # the diagram's colour category
    COURSE_ROW: ClassVar[bool] = False  # learns nothing: no row of its own in the course table

    def output_shape(self, inp: Shape) -> Shape:
        return (F.product(inp),)

    params = no_params

    macs = no_macs

    flops = zero_flops

    rf = rf_same  # each value is still one unit of its input

    make_weights = no_weights

    def forward(self, x, w, r):
        return x.reshape(x.shape[0], -1)  # row-major over (*spatial, C): Keras's order

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    def backward(self, x, w, r, out, g):
        """Flatten only reorders: the gradient is reshaped back."""
        return g.reshape(x.shape), {}

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        comment = ""
        if len(r.input_shape) > 1:
            axes = ", ".join(AXIS_NAMES.get(len(r.input_shape) - 1, ("...",)))
            comment = f"torch flattens (C, {axes}), Keras ({axes}, C): same count, other order"
        return [Part("nn.Flatten()", comment=comment)]

    def to_keras(self, r, ctx) -> list:
        return [Part("layers.Flatten()")]

    def explain(self, r) -> list[str]:
        return [f"out = {'*'.join(map(str, r.input_shape))} = {X.num(r.output_shape[0])}"]

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes

    # -- the checker (cnncalc/check): this kind as a course table sees it --
    FLATTENS: ClassVar[bool] = True

    def course_shape_text(self, r) -> str | None:
        return f"{'*'.join(map(str, r.input_shape))} = {r.output_shape[0]:,}"


@dataclass(frozen=True, kw_only=True)
class Reshape(Layer):
    """Reshape to `target` (Keras Reshape(target_shape)), channels-last, batch left out; one
    entry may be -1 (the size that makes the counts match).

    Shape: target, with -1 = prod(input) / prod(the other sizes). Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("reshape",)
    STEMS: ClassVar[dict[str, str]] = {"reshape": "reshape"}
    ALIASES: ClassVar[dict[str, str]] = {}
    KERAS: ClassVar[dict[str, tuple]] = {"Reshape": (("Reshape",), ("target_shape",))}
    TORCH: ClassVar[dict[str, tuple]] = {"F.reshape": (("reshape",), ("input", "shape"))}
    ONNX: ClassVar[dict[str, tuple]] = {"Reshape": (("Reshape",), ())}
    target: Any = arg(type="shape", main=True, keras="target_shape")

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

    params = no_params

    macs = no_macs

    flops = zero_flops

    def rf(self, r, ins):
        """A reshape keeps each unit's window when it keeps the spatial sizes (only the channels
        change); a network input without spatial axes stays without; otherwise units move between
        axes and the receptive field is unknown."""
        (prev,) = ins
        if prev == () or tuple(r.input_shape[:-1]) == tuple(r.output_shape[:-1]):
            return prev
        return None

    make_weights = no_weights

    def forward(self, x, w, r):
        return x.reshape(x.shape[0], *r.output_shape)  # row-major, channels last: Keras's Reshape

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        src = ctx.source(r)
        while src is not None and src.layer.kind in ("dropout", *ACTIVATIONS):
            src = ctx.source(src)
        if src is not None and src.layer.kind == "flatten" and len(src.input_shape) > 1:
            refuse(f"this reshape reads `{src.layer.name}`, a flatten of {fmt_shape(src.input_shape)}: nn.Flatten "
                   "orders the values (C, ...) where Keras orders them (..., C), so the reshape would move "
                   "them elsewhere in PyTorch; reshape the unflattened tensor instead (drop the flatten)")
        ctx.helpers.add("ReshapeChannelsLast")
        return [Part(f"ReshapeChannelsLast({', '.join(map(str, r.output_shape))})",
                     comment="in Keras' channels-last order")]

    def to_keras(self, r, ctx) -> list:
        return [Part(f"layers.Reshape({tuple_text(r.output_shape)})")]

    def explain(self, r) -> list[str]:
        inp, out = r.input_shape, r.output_shape
        lines = []
        free = [i for i, v in enumerate(self.target) if v == -1]
        if free:
            known = "*".join(str(v) for v in self.target if v != -1) or "1"
            lines.append(f"-1 = {'*'.join(map(str, inp))} / ({known}) = {out[free[0]]}")
        return lines + [f"values: {'*'.join(map(str, out))} = {'*'.join(map(str, inp))} = {X.num(F.product(inp))}"]

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes


@dataclass(frozen=True, kw_only=True)
class ZeroPad(Layer):
    """Zero padding (zeropad1d/2d/3d). Shape: n_i + p_before + p_after per axis. Params: 0."""
    NAMES: ClassVar[tuple[str, ...]] = tuple(f"zeropad{d}d" for d in "123")
    STEMS: ClassVar[dict[str, str]] = {f"zeropad{d}d": f"zero_padding{d}d" for d in "123"}
    SIGN_KEPT: ClassVar[bool] = True  # the exports may pad it with zeros when its input is >= 0
    ALIASES: ClassVar[dict[str, str]] = {f"zeropadding{d}d": f"zeropad{d}d" for d in "123"}
    KERAS: ClassVar[dict[str, tuple]] = {"ZeroPadding": (tuple(f"ZeroPadding{d}D" for d in "123"), ("padding", "data_format"))}
    TORCH: ClassVar[dict[str, tuple]] = {
        "Pad": ({**{f"ZeroPad{d}d": f"zeropad{d}d" for d in "123"}, **{f"ConstantPad{d}d": f"zeropad{d}d" for d in "123"}},
                ("padding", "value")),
        "F.pad": ({"pad": "zeropad{d}d"}, ("input", "pad", "mode", "value"))}
    ONNX: ClassVar[dict[str, tuple]] = {"Pad": ({"Pad": "zeropad{d}d"}, ("mode", "pads", "value"))}
    padding: Any = arg(type="padding", main=True, keras="padding", torch="padding")

    @memo_axes
    def axes(self, inp: Shape) -> tuple[Axis, ...]:
        dims = spatial_dims(self, inp, kind_dims(self.kind))
        if isinstance(self.padding, str):
            raise ShapeError(f"zero padding takes sizes, not '{self.padding}'", arg="padding")
        pads = resolve_padding(self, self.padding, dims, (), (), (), ())
        return tuple(Axis(n, 1, 1, p) for n, p in zip(inp, pads))

    output_shape = padded_shape

    hyper = padding_hyper

    params = no_params

    macs = no_macs

    flops = zero_flops

    rf = rf_window

    make_weights = no_weights

    def forward(self, x, w, r):
        return numpy_ops().pad(x, [a.pad for a in r.axes])

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        return [Part(f"nn.ZeroPad{dims_of(r)}d({torch_pad(a.pad for a in r.axes)})")]

    def to_keras(self, r, ctx) -> list:
        return [Part(f"layers.ZeroPadding{dims_of(r)}D({keras_pairs(a.pad for a in r.axes)})")]

    def explain(self, r) -> list[str]:
        return X.per_axis_lines([f"{a.n} + {a.pad[0]} + {a.pad[1]} = {o}" for a, o in zip(r.axes, r.output_shape)])

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes


@dataclass(frozen=True, kw_only=True)
class Cropping(Layer):
    """Cropping (cropping1d/2d/3d; Keras Cropping2D): an int, one per axis, or [before, after]
    pairs. Shape: n_i - c_before - c_after per axis (>= 1). Params: 0."""
    NAMES: ClassVar[tuple[str, ...]] = tuple(f"cropping{d}d" for d in "123")
    STEMS: ClassVar[dict[str, str]] = {f"cropping{d}d": f"cropping{d}d" for d in "123"}
    ALIASES: ClassVar[dict[str, str]] = {f"crop{d}d": f"cropping{d}d" for d in "123"}
    KERAS: ClassVar[dict[str, tuple]] = {"Cropping": (tuple(f"Cropping{d}D" for d in "123"), ("cropping", "data_format"))}
    cropping: Any = arg(type="padding", main=True, keras="cropping")

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

    params = no_params

    macs = no_macs

    flops = zero_flops

    def rf(self, r, ins):
        """Cropping c_before off an axis: the first unit is the one c_before jumps later."""
        (prev,) = ins
        return tuple(AxisRF(size=x.size, jump=x.jump, start=x.start + b * x.jump, n=n)
                     for x, (b, _), n in zip(prev, self.crops(r.input_shape), r.output_shape))

    make_weights = no_weights

    def forward(self, x, w, r):
        crops = self.crops(r.input_shape)
        return x[(slice(None), *(slice(b, b + n) for (b, _), n in zip(crops, r.output_shape[:-1])))]

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        crops = r.layer.crops(r.input_shape)
        return [Part(f"nn.ZeroPad{dims_of(r)}d({torch_pad((-b, -a) for b, a in crops)})",
                     comment="negative padding crops")]

    def to_keras(self, r, ctx) -> list:
        return [Part(f"layers.Cropping{dims_of(r)}D({keras_pairs(r.layer.crops(r.input_shape))})")]

    def explain(self, r) -> list[str]:
        inp = r.input_shape
        return X.per_axis_lines([f"{n} - {b} - {a} = {o}" for n, (b, a), o in zip(inp, self.crops(inp), r.output_shape)])

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes


@dataclass(frozen=True, kw_only=True)
class Upsample(Layer):
    """Nearest (or bilinear) upsampling by an integer factor per spatial axis
    (upsample1d/2d/3d; Keras UpSampling2D(size), torch Upsample(scale_factor)).

    Shape: out_i = n_i * factor_i; channels unchanged. Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("upsample", "upsample1d", "upsample2d", "upsample3d")
    STEMS: ClassVar[dict[str, str]] = {"upsample": "up_sampling{d}d",
                                       **{f"upsample{d}d": f"up_sampling{d}d" for d in "123"}}
    SIGN_KEPT: ClassVar[bool] = True  # the exports may pad it with zeros when its input is >= 0
    ALIASES: ClassVar[dict[str, str]] = {**{f"upsampling{d}d": f"upsample{d}d" for d in "123"}, **{f"upsamplingnearest{d}d": f"upsample{d}d" for d in "123"}}
    KERAS: ClassVar[dict[str, tuple]] = {"UpSampling": (tuple(f"UpSampling{d}D" for d in "123"), ("size", "data_format", "interpolation"))}
    TORCH: ClassVar[dict[str, tuple]] = {
        "Upsample": (("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"),
                     ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor")),
        "F.interpolate": (("interpolate",), ("input", "size", "scale_factor", "mode", "align_corners",
                                             "recompute_scale_factor", "antialias"))}
    DIAGRAM: ClassVar[str] = "transpose"  # the diagram's colour category
    factor: Any = arg(2, type="ints", main=True, torch="scale_factor")
    mode: str = arg("nearest", type="str", keras="interpolation", torch="mode")
    size: Any = arg(None, type="ints", torch="size")

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

    params = no_params

    macs = no_macs

    def flops(self, r) -> int | None:
        """Nearest upsampling copies values (0); other interpolations have no count here."""
        return 0 if self.mode == "nearest" else None

    rf = rf_unknown  # a unit is repeated factor times: no single window step

    make_weights = no_weights

    def forward(self, x, w, r):
        """Nearest: every cell repeated `factor` times per axis. Linear modes (bilinear, ...):
        PyTorch's align_corners=False sampling, src = (i + 0.5)/factor - 0.5 clamped at 0, one axis
        at a time (linear interpolation is separable). The factor is out // n from infer."""
        return numpy_ops().upsample(x, r.output_shape[:-1], str(self.mode).lower())

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        mode = TORCH_INTERPOLATION.get((upsample_mode(r), dims_of(r)))
        if mode is None:
            refuse(f"the PyTorch export knows nearest and bilinear upsampling, not `{upsample_mode(r)}`")
        f = upsample_factor(r)
        sf = str(float(f[0])) if len(set(f)) == 1 else "(" + ", ".join(str(float(v)) for v in f) + ")"
        return [Part(f'nn.Upsample(scale_factor={sf}, mode="{mode}")')]

    def to_keras(self, r, ctx) -> list:
        mode, d = upsample_mode(r), dims_of(r)
        f = ints(upsample_factor(r))
        if mode == "nearest":
            return [Part(f"layers.UpSampling{d}D({f})")]
        if mode == "bilinear" and d == 2:
            return [Part(f'layers.UpSampling2D({f}, interpolation="bilinear")')]
        refuse(f"Keras UpSampling{d}D has no `{mode}` interpolation; export to pytorch")

    def explain(self, r) -> list[str]:
        return X.per_axis_lines([f"{n}*{f} = {o}" for n, f, o in zip(r.input_shape, r.hyper["factor"], r.output_shape)])

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes



PERMUTE_TORCH = '''class PermuteChannelsLast(nn.Module):
    """Keras' Permute(dims) on channels-last values (1-based, batch left out), read and
    returned channels first."""

    def __init__(self, *dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        y = x.movedim(1, -1).permute(0, *self.dims)
        return y.movedim(-1, 1)'''


@dataclass(frozen=True, kw_only=True)
class Permute(Layer):
    """Permute the non-batch axes (Keras Permute(dims)): `dims` counts 1-based over the
    channels-last axes without the batch, (2, 1, 3) swaps H and W of (H, W, C).
    `torch_dims` is the same permutation as torch's `permute` counts it, 0-based with the
    batch as 0 on the same channels-last tensor: torch_dims (0, 2, 1, 3) = dims (2, 1, 3).

    Shape: out[k] = in[dims[k] - 1]. Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("permute",)
    STEMS: ClassVar[dict[str, str]] = {"permute": "permute"}
    ALIASES: ClassVar[dict[str, str]] = {}
    KERAS: ClassVar[dict[str, tuple]] = {"Permute": (("Permute",), ("dims",))}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = (("torch", "PermuteChannelsLast", PERMUTE_TORCH),)
    dims: tuple[int, ...] | None = arg(None, type="shape", main=True, keras="dims")
    torch_dims: tuple[int, ...] | None = arg(None, type="shape", torch="torch_dims")

    @classmethod
    def from_helper(cls, framework, helper, args):
        return "permute", {"dims": list(args["dims"])}

    def order(self, inp: Shape) -> tuple[int, ...]:
        """dims, 1-based over the non-batch axes, checked to be a permutation of them."""
        rank = len(inp)
        if (self.dims is None) == (self.torch_dims is None):
            raise ShapeError("permute takes dims (Keras, 1-based, no batch) or torch_dims (0-based, batch 0), "
                             f"exactly one; e.g. `permute: [{', '.join(map(str, range(rank, 0, -1)))}]`", arg="dims")
        if self.torch_dims is not None:
            got = tuple(self.torch_dims)
            if sorted(got) != list(range(rank + 1)) or got[0] != 0:
                raise ShapeError(f"torch_dims {list(got)} is not a permutation of 0 to {rank} that keeps the "
                                 f"batch (0) first, for the input {fmt_shape(inp)}", arg="torch_dims")
            return got[1:]
        got = tuple(self.dims)
        if sorted(got) != list(range(1, rank + 1)):
            raise ShapeError(f"dims {list(got)} is not a permutation of 1 to {rank}, the axes of the input "
                             f"{fmt_shape(inp)} without the batch (Keras' Permute); e.g. "
                             f"{list(range(rank, 0, -1))}", arg="dims")
        return got

    def output_shape(self, inp: Shape) -> Shape:
        return tuple(inp[d - 1] for d in self.order(inp))

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"dims": self.order(inp)}

    params = no_params

    macs = no_macs

    flops = zero_flops  # data movement

    def rf(self, r, ins):
        """Spatial axes swapped among themselves keep their windows, swapped; moving the
        channels into a spatial axis leaves no single receptive field: unknown."""
        (prev,) = ins
        order = self.order(r.input_shape)
        if prev == () or order == tuple(range(1, len(order) + 1)):
            return prev
        if prev is None or order[-1] != len(order):
            return None
        return tuple(prev[d - 1] for d in order[:-1])

    make_weights = no_weights

    def forward(self, x, w, r):
        return numpy_ops().np.ascontiguousarray(x.transpose(0, *self.order(r.input_shape)))

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        ctx.helper(self, "torch")
        return [Part(f"PermuteChannelsLast({', '.join(map(str, self.order(r.input_shape)))})",
                     comment="Keras' dims, channels-last")]

    def to_keras(self, r, ctx) -> list:
        return [Part(f"layers.Permute({tuple_text(self.order(r.input_shape))})")]

    def explain(self, r) -> list[str]:
        order = self.order(r.input_shape)
        return [f"out = ({', '.join(f'in[{d}]' for d in order)}) = {fmt_shape(r.output_shape)}; params = 0"]

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes
