"""Rescaling (Keras Rescaling): x * scale + offset on every value, nothing learned."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..codetext import Part, exact_num
from ..formulas import product
from .base import Layer, arg, keeps_sizes, no_params, no_weights, unchanged_shape
from .backward import no_weight_shapes
from .measure import no_macs, rf_same

RESCALING_TORCH = '''class Rescaling(nn.Module):
    """Keras' Rescaling: x * scale + offset."""

    def __init__(self, scale, offset=0.0):
        super().__init__()
        self.scale, self.offset = scale, offset

    def forward(self, x):
        return x * self.scale + self.offset'''


@dataclass(frozen=True, kw_only=True)
class Rescaling(Layer):
    """Rescaling of every value (Keras Rescaling, e.g. scale 1/255 for pixels).

    Shape: unchanged. Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("rescaling",)
    STEMS: ClassVar[dict[str, str]] = {"rescaling": "rescaling"}
    ALIASES: ClassVar[dict[str, str]] = {"rescale": "rescaling"}
    KERAS: ClassVar[dict[str, tuple]] = {"Rescaling": (("Rescaling",), ("scale", "offset"))}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = (("torch", "Rescaling", RESCALING_TORCH),)
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    scale: float = arg(type="float", main=True, keras="scale")
    offset: float = arg(0.0, type="float", keras="offset")

    output_shape = unchanged_shape

    scan_step = keeps_sizes  # `solve input` passes every size through

    params = no_params

    macs = no_macs  # a scale is an elementwise product, not a multiply-accumulate of weights

    def flops(self, r) -> int:
        """One multiply per value, and one add when there is an offset."""
        return product(r.output_shape) * (2 if self.offset else 1)

    rf = rf_same

    make_weights = no_weights

    def forward(self, x, w, r):
        return x * x.dtype.type(self.scale) + x.dtype.type(self.offset)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    def backward(self, x, w, r, out, g):
        """y = x * scale + offset: dL/dx = G * scale."""
        return g * self.scale, {}

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        ctx.helper(self, "torch")
        offset = f", {exact_num(self.offset)}" if self.offset else ""
        return [Part(f"Rescaling({exact_num(self.scale)}{offset})")]

    def to_keras(self, r, ctx) -> list:
        offset = f", offset={exact_num(self.offset)}" if self.offset else ""
        return [Part(f"layers.Rescaling({exact_num(self.scale)}{offset})")]

    def explain(self, r) -> list[str]:
        shift = f" {'-' if self.offset < 0 else '+'} {abs(self.offset):g}" if self.offset else ""
        return [f"out = x * {self.scale:g}{shift}, per value; params = 0"]

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes
