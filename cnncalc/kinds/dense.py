"""Dense (fully connected) and embedding layers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import formulas as F
from .base import Layer, Shape, arg, check_channels, no_params, pending, unchanged_shape
from ..formulas import product
from .measure import AxisRF, no_macs, rf_global, weighted_flops, zero_flops


@dataclass(frozen=True, kw_only=True)
class Dense(Layer):
    """Fully connected (Keras Dense, PyTorch Linear) on a flat input.

    Shape: (units,). Params: n_in * units + units (bias).
    """
    NAMES: ClassVar[tuple[str, ...]] = ("dense",)
    ALIASES: ClassVar[dict[str, str]] = {"linear": "dense", "fullyconnected": "dense", "fc": "dense"}
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

    def macs(self, r) -> int:
        """in * units weights, each used once."""
        return r.input_shape[0] * self.units

    def flops(self, r) -> int | None:
        return weighted_flops(r, self.macs(r), dot=True)

    rf = rf_global

    make_weights = pending("Dense.make_weights")

    forward = pending("Dense.forward")

    to_torch = pending("Dense.to_torch")

    to_keras = pending("Dense.to_keras")

    explain = pending("Dense.explain")

    DIAGNOSES = pending("Dense.DIAGNOSES")


@dataclass(frozen=True, kw_only=True)
class Embedding(Layer):
    """Token embedding on an input of token ids (L,). Shape: (L, dim). Params: vocab * dim."""
    NAMES: ClassVar[tuple[str, ...]] = ("embedding",)
    ALIASES: ClassVar[dict[str, str]] = {}
    vocab: int = arg(type="size")
    dim: int = arg(type="size")

    def output_shape(self, inp: Shape) -> Shape:
        self.check_rank(inp, 1)
        return (inp[0], self.dim)

    def params(self, inp: Shape) -> tuple[int, int]:
        return (self.vocab * self.dim, 0)

    macs = no_macs

    flops = zero_flops  # a lookup

    def rf(self, r, ins):
        """Token ids (L,) become (L, dim): the sequence becomes a spatial axis, one token a unit."""
        return (AxisRF(size=1, jump=1, start=0, n=r.output_shape[0]),)

    make_weights = pending("Embedding.make_weights")

    forward = pending("Embedding.forward")

    to_torch = pending("Embedding.to_torch")

    to_keras = pending("Embedding.to_keras")

    explain = pending("Embedding.explain")

    DIAGNOSES = pending("Embedding.DIAGNOSES")

