"""Scaling every value: Rescaling (Keras Rescaling), x * scale + offset, nothing learned; layer
scale (ConvNeXt), x * gamma, one learned factor per channel."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .. import explain as X
from ..codetext import Part, exact_num, num
from ..formulas import product
from .base import Layer, Shape, arg, keeps_sizes, no_params, no_weights, unchanged_shape
from .backward import no_backward, no_weight_shapes
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


LAYER_SCALE_TORCH = '''class LayerScale(nn.Module):
    """ConvNeXt's layer scale: one learned factor per channel, x * gamma."""

    def __init__(self, channels, init=1e-6):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((channels,), float(init)))

    def forward(self, x):
        return x * self.gamma.view(1, -1, *(1,) * (x.dim() - 2))'''

LAYER_SCALE_KERAS = '''class LayerScale(layers.Layer):
    """ConvNeXt's layer scale (keras.applications.convnext.LayerScale): x * gamma per channel."""

    def __init__(self, init=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(input_shape[-1],), name="gamma",
                                     initializer=keras.initializers.Constant(self.init))

    def call(self, x):
        return x * self.gamma'''


@dataclass(frozen=True, kw_only=True)
class LayerScale(Layer):
    """Layer scale (ConvNeXt, CaiT): one learned factor per channel, x * gamma, gamma starting
    at `init` (keras.applications.convnext.LayerScale; torchvision's CNBlock.layer_scale).

    Shape: unchanged. Params: C trainable. MACs: 0, an element-wise product like batchnorm's
    gamma, not a multiply-accumulate of weights (docs/metrics.md).
    """
    NAMES: ClassVar[tuple[str, ...]] = ("layer_scale",)
    STEMS: ClassVar[dict[str, str]] = {"layer_scale": "layer_scale"}  # the export's helper class LayerScale
    scan_step = keeps_sizes  # `solve input` passes every size through
    ALIASES: ClassVar[dict[str, str]] = {"layerscale": "layer_scale"}
    # keras.applications.convnext.LayerScale as a .keras/JSON file saves it
    KERAS: ClassVar[dict[str, tuple]] = {"LayerScale": (("LayerScale",), ("init_values", "projection_dim"))}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = (("torch", "LayerScale", LAYER_SCALE_TORCH), ("keras", "LayerScale", LAYER_SCALE_KERAS))
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    init: float = arg(1e-6, type="float", main=True, keras="init_values", torch="layer_scale")

    output_shape = unchanged_shape

    def params(self, inp) -> tuple[int, int]:
        return (inp[-1], 0)

    macs = no_macs  # an elementwise product, not a multiply-accumulate

    def flops(self, r) -> int:
        """One multiply per value."""
        return product(r.output_shape)

    rf = rf_same

    def make_weights(self, r, rng, dtype) -> dict:
        """gamma (C,)."""
        return {"gamma": rng.uniform(0.5, 1.5, r.input_shape[-1]).astype(dtype)}

    def forward(self, x, w, r):
        return x * w["gamma"].astype(x.dtype)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    def weight_shapes(self, r, order: str = "torch") -> dict[str, Shape]:
        """gamma (C,), in both."""
        return {"gamma": (r.input_shape[-1],)}

    def to_torch(self, r, ctx) -> list:
        ctx.helper(self, "torch")
        return [Part(f"LayerScale({r.input_shape[-1]}, {num(self.init)})")]

    def to_keras(self, r, ctx) -> list:
        ctx.helper(self, "keras")
        return [Part(f"LayerScale({num(self.init)})")]

    def explain(self, r) -> list[str]:
        return [f"params = C = {X.num(r.params)} (gamma, one factor per channel); MACs 0: an element-wise "
                "product, as batchnorm's gamma"]

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes
