"""Element-wise layers: activations, dropout and drop path (nothing learned), and PReLU."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import ShapeError
from .base import (ACTIVATIONS, Layer, Shape, arg, explain_params, fmt_shape, identity_forward, kernels,
                   no_params, no_weights, unchanged_shape)
from .measure import activation_ops, no_macs, rf_same, zero_flops

GELU_TANH_KERAS = '''class GeluTanh(layers.Layer):
    """GELU with the tanh approximation (torch's nn.GELU(approximate="tanh"))."""

    def call(self, x):
        return keras.activations.gelu(x, approximate=True)'''


@dataclass(frozen=True, kw_only=True)
class Activation(Layer):
    """An activation as a layer (relu, tanh, softmax, ...). Shape: unchanged. Params: 0.
    gelu takes torch's `approximate: tanh` (Keras' approximate=True); the default is exact."""
    NAMES: ClassVar[tuple[str, ...]] = ACTIVATIONS
    ALIASES: ClassVar[dict[str, str]] = {"identity": "linear", "leakyrelu": "leaky_relu", "hardsigmoid": "hard_sigmoid",
                                         "logsoftmax": "log_softmax", "hswish": "hardswish", "hsigmoid": "hard_sigmoid"}
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    negative_slope: float | None = arg(None, type="float", keras="negative_slope", torch="negative_slope")
    approximate: str = arg("none", type="str", keras="approximate", torch="approximate")

    def output_shape(self, inp: Shape) -> Shape:
        if self.approximate not in ("none", "tanh"):
            raise ShapeError(f"approximate `{self.approximate}` is not none or tanh (torch's nn.GELU)", arg="approximate")
        if self.approximate == "tanh" and self.kind != "gelu":
            raise ShapeError(f"approximate applies to gelu, not {self.kind}; remove it", arg="approximate")
        return inp

    params = no_params

    macs = no_macs

    def flops(self, r) -> int | None:
        return activation_ops(r, self.kind)

    rf = rf_same

    make_weights = no_weights

    def forward(self, x, w, r):
        if self.approximate == "tanh":
            np = kernels().np
            return (0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))).astype(x.dtype)
        return kernels().activate(self.kind, x, self.negative_slope)

    def to_torch(self, r, ctx) -> list:
        from ..export.common import Part, torch_act
        if self.approximate == "tanh":
            return [Part('nn.GELU(approximate="tanh")')]
        return [Part(torch_act(r.layer.kind, getattr(r.layer, "negative_slope", None)))]

    def to_keras(self, r, ctx) -> list:
        from ..export.common import Part, KERAS_ACTS, LEAKY_DEFAULT, num
        if self.approximate == "tanh":
            ctx.define("GeluTanh", GELU_TANH_KERAS)
            return [Part("GeluTanh()")]
        kind = r.layer.kind
        if kind == "leaky_relu":
            slope = getattr(r.layer, "negative_slope", None)
            return [Part(f"layers.LeakyReLU(negative_slope={num(LEAKY_DEFAULT if slope is None else slope)})")]
        return [Part(f'layers.Activation("{KERAS_ACTS[kind]}")')]

    explain = explain_params

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes


@dataclass(frozen=True, kw_only=True)
class Dropout(Layer):
    """Shape: unchanged. Params: 0."""
    NAMES: ClassVar[tuple[str, ...]] = ("dropout",)
    ALIASES: ClassVar[dict[str, str]] = {}
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    rate: float = arg(0.5, type="rate", main=True, keras="rate", torch="p")

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"rate": self.rate}

    output_shape = unchanged_shape

    params = no_params

    macs = no_macs

    flops = zero_flops  # the identity at inference

    rf = rf_same

    make_weights = no_weights

    forward = identity_forward  # inference

    def to_torch(self, r, ctx) -> list:
        from ..export.common import Part, num
        return [Part(f"nn.Dropout({num(r.layer.rate)})")]

    def to_keras(self, r, ctx) -> list:
        from ..export.common import Part, num
        return [Part(f"layers.Dropout({num(r.layer.rate)})")]

    explain = explain_params

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes


@dataclass(frozen=True, kw_only=True)
class DropPath(Dropout):
    """Drop path / stochastic depth (torchvision StochasticDepth, timm DropPath): drops a whole
    residual branch per sample in training; the identity at inference, as dropout is.

    Shape: unchanged. Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("drop_path",)
    ALIASES: ClassVar[dict[str, str]] = {"droppath": "drop_path", "stochasticdepth": "drop_path"}
    rate: float = arg(0.0, type="rate", main=True, keras="rate", torch="p")

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"rate": self.rate} if self.rate else {}

    def to_torch(self, r, ctx) -> list:
        from ..export.common import Part
        return [Part("nn.Identity()", comment=f"drop path (rate {self.rate:g}): the identity at inference")]

    def to_keras(self, r, ctx) -> list:
        from ..export.common import Part
        return [Part("layers.Identity()", comment=f"drop path (rate {self.rate:g}): the identity at inference")]


@dataclass(frozen=True, kw_only=True)
class PReLU(Layer):
    """Parametric ReLU (Keras PReLU, torch nn.PReLU): x where x > 0, else alpha * x, with one
    learned slope per position of the axes that are not shared.

    `shared_axes` counts as Keras does, 1-based over the non-batch axes: for (H, W, C) input,
    [1, 2] is one slope per channel (torch's `num_parameters: C`), [1, 2, 3] one slope in all
    (torch's default `num_parameters: 1`). Without either, Keras' default: a slope per value.
    Shape: unchanged. Params: the product of the sizes of the axes not shared.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("prelu",)
    ALIASES: ClassVar[dict[str, str]] = {}
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    shared_axes: Any = arg(None, type="ints", keras="shared_axes")
    num_parameters: int | None = arg(None, type="size", torch="num_parameters")

    def shared(self, inp: Shape) -> tuple[int, ...]:
        """The 0-based positions (in the batch-less shape) that share one slope."""
        rank = len(inp)
        if self.num_parameters is not None:
            if self.shared_axes is not None:
                raise ShapeError("give shared_axes (Keras) or num_parameters (torch), not both", arg="shared_axes")
            if self.num_parameters == 1:
                return tuple(range(rank))
            if self.num_parameters != inp[-1]:
                raise ShapeError(f"num_parameters {self.num_parameters} must be 1 or the channels, {inp[-1]}",
                                 arg="num_parameters")
            return tuple(range(rank - 1))
        axes = () if self.shared_axes is None else (
            (self.shared_axes,) if isinstance(self.shared_axes, int) else tuple(self.shared_axes))
        for a in axes:
            if not 1 <= a <= rank:
                raise ShapeError(f"shared_axes {list(axes)} names axis {a}, but the input {fmt_shape(inp)} has axes "
                                 f"1 to {rank} (Keras counts from 1, the batch is 0)", arg="shared_axes")
        return tuple(sorted({a - 1 for a in axes}))

    def alpha_shape(self, inp: Shape) -> Shape:
        shared = self.shared(inp)
        return tuple(1 if i in shared else n for i, n in enumerate(inp))

    def output_shape(self, inp: Shape) -> Shape:
        self.shared(inp)
        return inp

    def params(self, inp: Shape) -> tuple[int, int]:
        n = 1
        for v in self.alpha_shape(inp):
            n *= v
        return (n, 0)

    macs = no_macs  # an element-wise product

    def flops(self, r) -> int:
        """A comparison and a multiply per value."""
        n = 1
        for v in r.output_shape:
            n *= v
        return 2 * n

    rf = rf_same

    def make_weights(self, r, rng, dtype) -> dict:
        """alpha, the shape of the input with shared axes 1."""
        return {"alpha": rng.uniform(0.05, 0.5, self.alpha_shape(r.input_shape)).astype(dtype)}

    def forward(self, x, w, r):
        np = kernels().np
        return np.where(x > 0, x, x * w["alpha"].astype(x.dtype))

    def to_torch(self, r, ctx) -> list:
        from ..export.common import Part, refuse
        inp, shared = r.input_shape, self.shared(r.input_shape)
        if len(shared) == len(inp):
            return [Part("nn.PReLU()")]
        if shared == tuple(range(len(inp) - 1)):
            return [Part(f"nn.PReLU({inp[-1]})")]
        refuse(f"layer {r.layer.name} (prelu): torch's nn.PReLU has one slope or one per channel, not a slope "
               f"per position of {fmt_shape(self.alpha_shape(inp))}; give shared_axes for every axis but the channels")

    def to_keras(self, r, ctx) -> list:
        from ..export.common import Part
        shared = [a + 1 for a in self.shared(r.input_shape)]
        return [Part(f"layers.PReLU(shared_axes={shared})" if shared else "layers.PReLU()")]

    explain = explain_params

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes
