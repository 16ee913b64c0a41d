"""Reflection and replication padding (torch ReflectionPad2d, ReplicationPad2d; ONNX Pad in mode
reflect or edge): new border values copied from the input, nothing learned.

The worked example of docs/adding-a-kind.md: a kind is one class declaring every facet.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import explain as X
from ..codetext import Part, dims_of, refuse, torch_pad
from ..errors import ShapeError
from .base import (AXIS_NAMES, Axis, Layer, Shape, arg, kind_dims, memo_axes, no_params, no_weights, numpy_ops,
                   padded_shape, padding_hyper, resolve_padding, spatial_dims)
from .backward import no_weight_shapes
from .measure import no_macs, rf_window, zero_flops

DIMS = "123"


@dataclass(frozen=True, kw_only=True)
class EdgePad(Layer):
    """Padding that copies input values (reflectpad1d/2d/3d, replicatepad1d/2d/3d): reflect
    mirrors the input about its edge (the edge not repeated: 1 2 3 -> 3 2 1 2 3 2 1, each pad
    < n), replicate repeats the edge (1 2 3 -> 1 1 1 2 3 3 3).

    Shape: n_i + p_before + p_after per axis. Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = (*(f"reflectpad{d}d" for d in DIMS), *(f"replicatepad{d}d" for d in DIMS))
    STEMS: ClassVar[dict[str, str]] = {n: n for n in NAMES}  # Keras has no such layer
    ALIASES: ClassVar[dict[str, str]] = {**{f"reflectionpad{d}d": f"reflectpad{d}d" for d in DIMS},
                                         **{f"replicationpad{d}d": f"replicatepad{d}d" for d in DIMS}}
    # what `cnncalc import` reads as this kind: torch.nn classes, F.pad and ONNX Pad in a mode
    TORCH: ClassVar[dict[str, tuple]] = {
        "Pad": ({**{f"ReflectionPad{d}d": f"reflectpad{d}d" for d in DIMS},
                 **{f"ReplicationPad{d}d": f"replicatepad{d}d" for d in DIMS}}, ("padding",)),
        "F.pad": ({"pad:reflect": "reflectpad{d}d", "pad:replicate": "replicatepad{d}d"},
                  ("input", "pad", "mode", "value"))}
    ONNX: ClassVar[dict[str, tuple]] = {
        "Pad": ({"Pad:reflect": "reflectpad{d}d", "Pad:edge": "replicatepad{d}d"}, ("mode", "pads", "value"))}
    SIGN_KEPT: ClassVar[bool] = True  # every value is an input value: >= 0 where the input is
    padding: Any = arg(type="padding", main=True, torch="padding")

    @property
    def reflects(self) -> bool:
        return self.kind.startswith("reflect")

    @memo_axes
    def axes(self, inp: Shape) -> tuple[Axis, ...]:
        dims = spatial_dims(self, inp, kind_dims(self.kind))
        if isinstance(self.padding, str):
            raise ShapeError(f"{self.kind} takes sizes, not '{self.padding}'", arg="padding")
        pads = resolve_padding(self, self.padding, dims, (), (), (), ())
        for name, n, (b, a) in zip(AXIS_NAMES[dims], inp, pads):
            if self.reflects and max(b, a) >= n:
                raise ShapeError(f"reflecting {name} = {n} by ({b}, {a}) needs each pad < {n} (there are only "
                                 f"{n} - 1 = {n - 1} values to mirror); pad at most {n - 1}, or use replicatepad",
                                 arg="padding")
        return tuple(Axis(n, 1, 1, p) for n, p in zip(inp, pads))

    output_shape = padded_shape

    hyper = padding_hyper

    params = no_params

    macs = no_macs

    flops = zero_flops  # copies, no arithmetic

    rf = rf_window  # a 1-wide window over the padded input, as zero padding's

    make_weights = no_weights

    def forward(self, x, w, r):
        np = numpy_ops().np
        return np.pad(x, ((0, 0), *(a.pad for a in r.axes), (0, 0)), mode="reflect" if self.reflects else "edge")

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    def backward(self, x, w, r, out, g):
        """out[i] = x[src(i)] on each axis: dL/dx[j] sums G over the outputs copied from j."""
        np = numpy_ops().np
        for axis in reversed(range(1, len(r.axes) + 1)):
            a = r.axes[axis - 1]
            src = np.pad(np.arange(a.n), a.pad, mode="reflect" if self.reflects else "edge")
            dx = np.zeros((*g.shape[:axis], a.n, *g.shape[axis + 1:]), dtype=g.dtype)
            np.add.at(dx, (slice(None),) * axis + (src,), g)
            g = dx
        return g, {}

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        cls = "ReflectionPad" if self.reflects else "ReplicationPad"
        return [Part(f"nn.{cls}{dims_of(r)}d({torch_pad(a.pad for a in r.axes)})")]

    def to_keras(self, r, ctx) -> list:
        refuse(f"Keras has no {'reflection' if self.reflects else 'replication'} padding layer (only "
               "ZeroPadding); export to PyTorch, or write zeropad in the spec for Keras")

    def explain(self, r) -> list[str]:
        how = "mirrored about the edge" if self.reflects else "the edge repeated"
        return [*X.per_axis_lines([f"{a.n} + {a.pad[0]} + {a.pad[1]} = {o}" for a, o in zip(r.axes, r.output_shape)]),
                f"new values: input values, {how}; params = 0"]

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes
