"""Element-wise layers that learn nothing: activations, dropout and drop path."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import ShapeError
from .base import (ACTIVATIONS, Layer, Shape, arg, explain_params, identity_forward, kernels,
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
class DropPath(Layer):
    """Drop path / stochastic depth (torchvision StochasticDepth, timm DropPath): drops a whole
    residual branch per sample in training; the identity at inference.

    Shape: unchanged. Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("drop_path",)
    ALIASES: ClassVar[dict[str, str]] = {"droppath": "drop_path", "stochasticdepth": "drop_path"}
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    rate: float = arg(0.0, type="rate", main=True, keras="rate", torch="p")

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"rate": self.rate} if self.rate else {}

    output_shape = unchanged_shape

    params = no_params

    macs = no_macs

    flops = zero_flops  # the identity at inference

    rf = rf_same

    make_weights = no_weights

    forward = identity_forward  # inference

    def to_torch(self, r, ctx) -> list:
        from ..export.common import Part
        return [Part("nn.Identity()", comment=f"drop path (rate {self.rate:g}): the identity at inference")]

    def to_keras(self, r, ctx) -> list:
        from ..export.common import Part
        return [Part("layers.Identity()", comment=f"drop path (rate {self.rate:g}): the identity at inference")]

    explain = explain_params

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes
