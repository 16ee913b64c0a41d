"""Element-wise layers that learn nothing: activations and dropout."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from .base import (ACTIVATIONS, Layer, Shape, arg, explain_params, identity_forward, kernels,
                   no_params, no_weights, unchanged_shape)
from .measure import activation_ops, no_macs, rf_same, zero_flops



@dataclass(frozen=True, kw_only=True)
class Activation(Layer):
    """An activation as a layer (relu, tanh, softmax, ...). Shape: unchanged. Params: 0."""
    NAMES: ClassVar[tuple[str, ...]] = ACTIVATIONS
    ALIASES: ClassVar[dict[str, str]] = {"identity": "linear", "leakyrelu": "leaky_relu", "hardsigmoid": "hard_sigmoid", "logsoftmax": "log_softmax"}
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    negative_slope: float | None = arg(None, type="float", keras="negative_slope", torch="negative_slope")

    output_shape = unchanged_shape

    params = no_params

    macs = no_macs

    def flops(self, r) -> int | None:
        return activation_ops(r, self.kind)

    rf = rf_same

    make_weights = no_weights

    def forward(self, x, w, r):
        return kernels().activate(self.kind, x, self.negative_slope)

    def to_torch(self, r, ctx) -> list:
        from ..export.common import Part, torch_act
        return [Part(torch_act(r.layer.kind, getattr(r.layer, "negative_slope", None)))]

    def to_keras(self, r, ctx) -> list:
        from ..export.common import Part, KERAS_ACTS, LEAKY_DEFAULT, num
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

