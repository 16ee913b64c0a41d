"""Element-wise layers: activations, dropout and drop path, and PReLU (learned slopes)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from .. import explain as X
from ..codetext import Part, num
from ..errors import ShapeError
from ..formulas import product
from .base import (ACTIVATIONS, NONNEGATIVE_ACTIVATIONS, Layer, Shape, arg, explain_params, fmt_shape, identity_forward,
                   numpy_ops, no_params, no_weights, unchanged_shape, keeps_sizes, VECTOR_ACTIVATIONS)
from .backward import no_backward, no_weight_shapes, passes_gradient
from .measure import activation_ops, no_macs, rf_same, zero_flops

# -- the activations' spellings in the exports; conv and dense fuse them (their `activation`) --
TORCH_ACTS = {
    "linear": "nn.Identity()", "relu": "nn.ReLU()", "relu6": "nn.ReLU6()", "elu": "nn.ELU()",
    "selu": "nn.SELU()", "gelu": "nn.GELU()", "silu": "nn.SiLU()", "swish": "nn.SiLU()",
    "mish": "nn.Mish()", "hardswish": "nn.Hardswish()", "hard_sigmoid": "nn.Hardsigmoid()",
    "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "softmax": "nn.Softmax(dim=1)",
    "log_softmax": "nn.LogSoftmax(dim=1)", "softplus": "nn.Softplus()", "softsign": "nn.Softsign()",
}


LEAKY_DEFAULT = 0.01  # PyTorch's LeakyReLU slope; written out in both exports so they agree


def torch_act(name: str | None, slope: float | None = None) -> str | None:
    if name is None:
        return None
    if name == "leaky_relu":
        return f"nn.LeakyReLU({num(LEAKY_DEFAULT if slope is None else slope)})"
    return TORCH_ACTS[name]


def torch_fused_act(r) -> list[Part]:
    act = r.layer.fused_activation()
    return [] if act is None else [Part(torch_act(act), "act")]


KERAS_ACTS = {a: a for a in ("linear", "relu", "relu6", "elu", "selu", "gelu", "silu", "mish",
                             "hard_sigmoid", "sigmoid", "tanh", "softmax", "log_softmax",
                             "softplus", "softsign")}


KERAS_ACTS.update(swish="silu", hardswish="hard_swish")


def keras_fused_act(r) -> tuple[str, list[Part]]:
    """(activation= keyword text, extra parts): leaky_relu needs its own layer for its slope."""
    act = r.layer.fused_activation()
    if act is None:
        return "", []
    if act == "leaky_relu":
        return "", [Part(f"layers.LeakyReLU(negative_slope={num(LEAKY_DEFAULT)})", "act")]
    return f'activation="{KERAS_ACTS[act]}"', []


GELU_TANH_KERAS = '''class GeluTanh(layers.Layer):
    """GELU with the tanh approximation (torch's nn.GELU(approximate="tanh"))."""

    def call(self, x):
        return keras.activations.gelu(x, approximate=True)'''


@dataclass(frozen=True, kw_only=True)
class Activation(Layer):
    """An activation as a layer (relu, tanh, softmax, ...). Shape: unchanged. Params: 0.
    gelu takes torch's `approximate: tanh` (Keras' approximate=True); the default is exact."""
    NAMES: ClassVar[tuple[str, ...]] = ACTIVATIONS
    # Keras' ReLU(), LeakyReLU(), ELU(), Softmax(), Identity(); the others as Activation("tanh")
    STEMS: ClassVar[dict[str, str]] = {**{a: "activation" for a in ACTIVATIONS}, "relu": "re_lu", "elu": "elu",
                                       "leaky_relu": "leaky_re_lu", "softmax": "softmax", "linear": "identity"}

    def nonnegative_output(self) -> bool:
        return self.kind in NONNEGATIVE_ACTIVATIONS

    scan_step = keeps_sizes  # `solve input` passes every size through
    ALIASES: ClassVar[dict[str, str]] = {"identity": "linear", "leakyrelu": "leaky_relu", "hardsigmoid": "hard_sigmoid",
                                         "logsoftmax": "log_softmax", "hswish": "hardswish", "hsigmoid": "hard_sigmoid"}
    KERAS: ClassVar[dict[str, tuple]] = {
        "Activation": (("Activation",), ("activation",)), "ReLU": (("ReLU",), ("max_value", "negative_slope", "threshold")),
        "LeakyReLU": (("LeakyReLU",), ("negative_slope", "*", "alpha")), "ELU": (("ELU",), ("alpha",)),
        "Softmax": (("Softmax",), ("axis",)), "Identity": (("Identity",), ()),
        # random augmentation and noise: the identity at inference, read as `linear`
        "Augment": (("RandomRotation", "RandomContrast", "RandomBrightness"),
                    ("factor", "*", "fill_mode", "interpolation", "fill_value", "value_range", "seed")),
        "AugmentFlip": (("RandomFlip",), ("mode", "*", "seed")),
        "AugmentShift": (("RandomZoom", "RandomTranslation"),
                         ("height_factor", "width_factor", "*", "fill_mode", "interpolation", "fill_value", "seed")),
        "AugmentNoise": (("GaussianNoise",), ("stddev", "*", "seed"))}
    # the activation functions Keras names in `activation=` (keras.activations) -> the kind
    KERAS_FUNCTIONS: ClassVar[dict[str, str]] = {
        **{a: a for a in ("relu", "relu6", "elu", "selu", "gelu", "silu", "swish", "mish", "hard_sigmoid", "sigmoid",
                          "tanh", "softmax", "log_softmax", "softplus", "softsign", "linear")},
        "hard_swish": "hardswish", "hard_silu": "hardswish"}
    TORCH: ClassVar[dict[str, tuple]] = {
        "Act": ({"ReLU": "relu", "ReLU6": "relu6", "SELU": "selu", "SiLU": "silu", "Mish": "mish",
                 "Hardswish": "hardswish", "Hardsigmoid": "hard_sigmoid", "Sigmoid": "sigmoid", "Tanh": "tanh",
                 "Softsign": "softsign"}, ("inplace",)),
        "LeakyReLU": ({"LeakyReLU": "leaky_relu"}, ("negative_slope", "inplace")),
        "ELU": ({"ELU": "elu"}, ("alpha", "inplace")), "GELU": ({"GELU": "gelu"}, ("approximate",)),
        "Softplus": ({"Softplus": "softplus"}, ("beta", "threshold")),
        "Softmax": ({"Softmax": "softmax", "LogSoftmax": "log_softmax"}, ("dim",)),
        "Identity": ({"Identity": "linear"}, ()), "Hardtanh": (("Hardtanh",), ("min_val", "max_val", "inplace")),
        "F.act": ({"relu": "relu", "relu6": "relu6", "selu": "selu", "silu": "silu", "mish": "mish",
                   "hardswish": "hardswish", "hardsigmoid": "hard_sigmoid", "sigmoid": "sigmoid", "tanh": "tanh",
                   "softsign": "softsign"}, ("input", "inplace")),
        "F.leaky_relu": ({"leaky_relu": "leaky_relu"}, ("input", "negative_slope", "inplace")),
        "F.elu": ({"elu": "elu"}, ("input", "alpha", "inplace")), "F.gelu": ({"gelu": "gelu"}, ("input", "approximate")),
        "F.softmax": ({"softmax": "softmax", "log_softmax": "log_softmax"}, ("input", "dim", "_stacklevel", "dtype")),
        "F.softplus": ({"softplus": "softplus"}, ("input", "beta", "threshold"))}
    ONNX: ClassVar[dict[str, tuple]] = {
        "Act": ({"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softplus": "softplus", "Softsign": "softsign",
                 "HardSwish": "hardswish", "Mish": "mish", "Selu": "selu"}, ()),
        "LeakyRelu": (("LeakyRelu",), ("alpha",)), "HardSigmoid": (("HardSigmoid",), ("alpha", "beta")),
        "Gelu": (("Gelu",), ("approximate",)),
        "Clip": (("Clip",), ("min", "max")),
        "Softmax": ({"Softmax": "softmax", "LogSoftmax": "log_softmax"}, ("axis",)), "Identity": (("Identity",), ())}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = (("keras", "GeluTanh", GELU_TANH_KERAS),)
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    COURSE_ROW: ClassVar[bool] = False  # the notes fold it into the row before
    negative_slope: float | None = arg(None, type="float", keras="negative_slope", torch="negative_slope")
    approximate: str = arg("none", type="str", keras="approximate", torch="approximate")

    @classmethod
    def from_helper(cls, framework, helper, args):
        return "gelu", {"approximate": "tanh"}

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
            np = numpy_ops().np
            return (0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))).astype(x.dtype)
        return numpy_ops().activate(self.kind, x, self.negative_slope)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    def backward(self, x, w, r, out, g):
        """dL/dx = the activation's derivative at x times g (softmax: over the last axis)."""
        return derivative(self.kind, x, out, g, self.negative_slope), {}

    def backward_refusal(self) -> str | None:
        if self.approximate != "none":
            return f"backprop works the exact gelu, not approximate: {self.approximate}; leave approximate out"
        return super().backward_refusal()

    def final_activation(self) -> str | None:
        return self.kind

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        if self.approximate == "tanh":
            return [Part('nn.GELU(approximate="tanh")')]
        return [Part(torch_act(r.layer.kind, getattr(r.layer, "negative_slope", None)))]

    def to_keras(self, r, ctx) -> list:
        if self.approximate == "tanh":
            ctx.helper(self, "keras")
            return [Part("GeluTanh()")]
        kind = r.layer.kind
        if kind == "leaky_relu":
            slope = getattr(r.layer, "negative_slope", None)
            return [Part(f"layers.LeakyReLU(negative_slope={num(LEAKY_DEFAULT if slope is None else slope)})")]
        return [Part(f'layers.Activation("{KERAS_ACTS[kind]}")')]

    explain = explain_params

    def jacobian_structure(self, r) -> str | None:
        """Element-wise: diagonal, g'(z_i) on it. Softmax: full over the last axis (one C x C
        block per position), d a_i/d z_j = a_i*(1[i=j] - a_j); log_softmax: 1[i=j] - a_j."""
        n, c = product(r.output_shape), r.output_shape[-1]
        if self.kind not in VECTOR_ACTIVATIONS:
            return (f"diagonal: {self.kind} acts on each value alone, so d a_i/d z_j = 0 for i != j; "
                    f"only the {n:,} diagonal entries {self.kind}'(z_i) can be nonzero")
        blocks = n // c
        form = "full" if blocks == 1 else f"block-diagonal, {blocks:,} blocks of {c} x {c} (one per position)"
        slope = "a_i*(1[i=j] - a_j)" if self.kind == "softmax" else "1[i=j] - softmax(z)_j"
        return (f"{form}: {self.kind} mixes the {c} values of the last axis, d a_i/d z_j = {slope}, "
                "nonzero off the diagonal too")

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes

    # -- the checker (cnncalc/check): this kind as a course table sees it --
    def what(self) -> str:
        return f"the {self.kind} activation"


@dataclass(frozen=True, kw_only=True)
class Dropout(Layer):
    """Shape: unchanged. Params: 0."""
    NAMES: ClassVar[tuple[str, ...]] = ("dropout",)
    STEMS: ClassVar[dict[str, str]] = {"dropout": "dropout"}
    SIGN_KEPT: ClassVar[bool] = True
    scan_step = keeps_sizes  # `solve input` passes every size through
    ALIASES: ClassVar[dict[str, str]] = {}
    KERAS: ClassVar[dict[str, tuple]] = {"Dropout": (tuple(f"{p}Dropout{d}" for p in ("", "Spatial", "Gaussian", "Alpha")
                                     for d in ("", "1D", "2D", "3D")), ("rate", "noise_shape", "seed"))}
    TORCH: ClassVar[dict[str, tuple]] = {
        "Dropout": (tuple(f"{p}Dropout{d}" for p in ("", "Alpha", "FeatureAlpha") for d in ("", "1d", "2d", "3d")),
                    ("p", "inplace")),
        "F.dropout": (tuple(f"{p}dropout{d}" for p in ("", "alpha_", "feature_alpha_") for d in ("", "1d", "2d", "3d")),
                      ("input", "p", "training", "inplace"))}
    ONNX: ClassVar[dict[str, tuple]] = {"Dropout": (("Dropout",), ("ratio",))}
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    COURSE_ROW: ClassVar[bool] = False  # learns nothing: no row of its own in the course table
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

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = passes_gradient  # inference

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        return [Part(f"nn.Dropout({num(r.layer.rate)})")]

    def to_keras(self, r, ctx) -> list:
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
    STEMS: ClassVar[dict[str, str]] = {"drop_path": "drop_path"}  # Keras has no drop path layer
    SIGN_KEPT: ClassVar[bool] = False  # (the exports ask only dropout)
    ALIASES: ClassVar[dict[str, str]] = {"droppath": "drop_path", "stochasticdepth": "drop_path"}
    rate: float = arg(0.0, type="rate", main=True, keras="rate", torch="p")

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"rate": self.rate} if self.rate else {}

    def to_torch(self, r, ctx) -> list:
        return [Part("nn.Identity()", comment=f"drop path (rate {self.rate:g}): the identity at inference")]

    def to_keras(self, r, ctx) -> list:
        return [Part("layers.Identity()", comment=f"drop path (rate {self.rate:g}): the identity at inference")]


PRELU_TORCH = '''class PReLUChannelsLast(nn.Module):
    """Keras' PReLU with shared_axes: slopes of the channels-last shape (1 on a shared axis),
    read on channels-first values."""

    def __init__(self, *shape):
        super().__init__()
        self.alpha = nn.Parameter(torch.full(shape, 0.25))

    def forward(self, x):
        a = self.alpha.movedim(-1, 0) if self.alpha.dim() > 1 else self.alpha
        return torch.where(x >= 0, x, a * x)'''


@dataclass(frozen=True, kw_only=True)
class PReLU(Layer):
    """Parametric ReLU (Keras PReLU, torch nn.PReLU): x if x >= 0, else alpha * x, with learned
    slopes alpha. `shared_axes` counts as Keras does (1-based over the non-batch axes; 1 and 2
    are H and W of (H, W, C)): one slope per non-shared position. torch's `num_parameters` is
    an alias: 1 shares every axis, C every axis but the channels.

    Shape: unchanged. Params: prod(input sizes, 1 on each shared axis); Keras' default (no
    shared axes) is H*W*C.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("prelu",)
    STEMS: ClassVar[dict[str, str]] = {"prelu": "p_re_lu"}
    scan_step = keeps_sizes  # `solve input` passes every size through
    ALIASES: ClassVar[dict[str, str]] = {}
    KERAS: ClassVar[dict[str, tuple]] = {"PReLU": (("PReLU",), ("shared_axes",))}
    TORCH: ClassVar[dict[str, tuple]] = {"PReLU": (("PReLU",), ("num_parameters", "init", "device", "dtype"))}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = (("torch", "PReLUChannelsLast", PRELU_TORCH),)
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    shared_axes: tuple[int, ...] | None = arg(None, type="shape", keras="shared_axes")
    num_parameters: int | None = arg(None, type="size", torch="num_parameters")

    @classmethod
    def from_helper(cls, framework, helper, args):
        """The slopes' channels-last shape: 1 on a shared axis."""
        return "prelu", {"shared_axes": [k + 1 for k, n in enumerate(args["shape"]) if n == 1]}

    def alpha_shape(self, inp: Shape) -> Shape:
        """The slopes' shape, channels last: the input's with 1 on each shared axis."""
        rank = len(inp)
        if self.shared_axes is not None and self.num_parameters is not None:
            raise ShapeError("give shared_axes (Keras) or num_parameters (torch), not both", arg="num_parameters")
        if self.num_parameters is not None:
            if self.num_parameters not in (1, inp[-1]):
                raise ShapeError(f"num_parameters {self.num_parameters} is neither 1 nor the {inp[-1]} channels "
                                 f"of the input {fmt_shape(inp)} (torch's PReLU); use 1 or {inp[-1]}",
                                 arg="num_parameters")
            return (1,) * (rank - 1) + (1 if self.num_parameters == 1 else inp[-1],)
        shared = tuple(self.shared_axes or ())
        bad = [a for a in shared if not 1 <= a <= rank]
        if bad or len(set(shared)) != len(shared):
            raise ShapeError(f"shared_axes {list(shared)} must be distinct axes 1 to {rank} of the input "
                             f"{fmt_shape(inp)} (Keras counts without the batch; {rank} is the channels)",
                             arg="shared_axes")
        return tuple(1 if k + 1 in shared else n for k, n in enumerate(inp))

    def output_shape(self, inp: Shape) -> Shape:
        self.alpha_shape(inp)
        return inp

    def params(self, inp: Shape) -> tuple[int, int]:
        return (product(self.alpha_shape(inp)), 0)

    macs = no_macs  # an element-wise product, not a multiply-accumulate

    def flops(self, r) -> int:
        """Per value a comparison and a multiply (torch-scan's leaky_relu-like count is 4; here 2)."""
        return 2 * product(r.output_shape)

    rf = rf_same

    def make_weights(self, r, rng, dtype) -> dict:
        """alpha: the channels-last slope shape (1 on a shared axis)."""
        return {"alpha": rng.uniform(0.05, 0.5, self.alpha_shape(r.input_shape)).astype(dtype)}

    def forward(self, x, w, r):
        np = numpy_ops().np
        return np.where(x >= 0, x, w["alpha"].astype(x.dtype) * x).astype(x.dtype)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    def weight_shapes(self, r, order: str = "torch") -> dict[str, Shape]:
        """alpha: the channels-last slope shape (1 on a shared axis), as make_weights draws it."""
        return {"alpha": self.alpha_shape(r.input_shape)}

    def to_torch(self, r, ctx) -> list:
        shape = self.alpha_shape(r.input_shape)
        if product(shape) == 1:
            return [Part("nn.PReLU()")]
        if shape[:-1] == (1,) * (len(shape) - 1):
            return [Part(f"nn.PReLU({shape[-1]})")]
        ctx.helper(self, "torch")
        return [Part(f"PReLUChannelsLast({', '.join(map(str, shape))})", comment="slopes channels last")]

    def to_keras(self, r, ctx) -> list:
        shape = self.alpha_shape(r.input_shape)
        shared = [k + 1 for k, n in enumerate(shape) if n == 1 and r.input_shape[k] != 1]
        return [Part(f"layers.PReLU(shared_axes={shared})" if shared else "layers.PReLU()")]

    def explain(self, r) -> list[str]:
        shape = self.alpha_shape(r.input_shape)
        return [f"params = {'*'.join(map(str, shape))} = {X.num(r.params)} (one slope per non-shared position)"]

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes


# -- the derivative of each activation, beside it (micrograd's habit): dL/dz = a'(z) * g, for
# a = name(z) and the upstream g = dL/da, element-wise (softmax and log_softmax: over the last axis)

def _sigmoid(np, z):
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(np, z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _gelu(K, z, g):
    """gelu = z * Phi(z): Phi(z) + z * phi(z), Phi the normal CDF, phi its density."""
    np = K.np
    return g * (0.5 * (1 + K._erf(z / math.sqrt(2))) + z * np.exp(-z * z / 2) / math.sqrt(2 * math.pi))


def _mish(np, z, g):
    return g * (np.tanh(np.logaddexp(0, z)) + z * _sigmoid(np, z) * (1 - np.tanh(np.logaddexp(0, z)) ** 2))


# name -> (K, z, a, g, slope) -> dL/dz; K = numpy_ops(), cnncalc.ops (K.np is numpy)
DERIVATIVES = {
    "linear": lambda K, z, a, g, slope: g,
    "relu": lambda K, z, a, g, slope: g * (z > 0),
    "relu6": lambda K, z, a, g, slope: g * ((z > 0) & (z < 6)),
    "leaky_relu": lambda K, z, a, g, slope: K.np.where(z > 0, g, g * slope),
    "elu": lambda K, z, a, g, slope: K.np.where(z > 0, g, g * K.np.exp(K.np.minimum(z, 0))),
    "selu": lambda K, z, a, g, slope: g * 1.0507009873554805 * K.np.where(
        z > 0, 1.0, 1.6732632423543772 * K.np.exp(K.np.minimum(z, 0))),
    "sigmoid": lambda K, z, a, g, slope: g * a * (1 - a),
    "tanh": lambda K, z, a, g, slope: g * (1 - a * a),
    "softplus": lambda K, z, a, g, slope: K.np.where(z > 20, g, g * _sigmoid(K.np, z)),  # torch's threshold 20
    "silu": lambda K, z, a, g, slope: g * _sigmoid(K.np, z) * (1 + z * (1 - _sigmoid(K.np, z))),
    "swish": lambda K, z, a, g, slope: g * _sigmoid(K.np, z) * (1 + z * (1 - _sigmoid(K.np, z))),
    "softsign": lambda K, z, a, g, slope: g / (1 + K.np.abs(z)) ** 2,
    "mish": lambda K, z, a, g, slope: _mish(K.np, z, g),
    "hard_sigmoid": lambda K, z, a, g, slope: K.np.where((z > -3) & (z < 3), g / 6, 0.0),
    "gelu": lambda K, z, a, g, slope: _gelu(K, z, g),
    "hardswish": lambda K, z, a, g, slope: K.np.where(z < -3, 0.0, K.np.where(z <= 3, g * (z / 3 + 0.5), g)),
    "softmax": lambda K, z, a, g, slope: a * (g - (g * a).sum(axis=-1, keepdims=True)),
    "log_softmax": lambda K, z, a, g, slope: g - _softmax(K.np, z) * g.sum(axis=-1, keepdims=True),
}

# the activation whose output a loss reads as probabilities (otherwise the output is logits)
PROBABILITIES = {"cross_entropy": "softmax", "bce": "sigmoid"}


def derivative(name: str, z, a, g, slope: float | None = None):
    """dL/dz from dL/da = g for a = name(z) (a fused activation's, or an activation layer's)."""
    K = numpy_ops()
    return DERIVATIVES[name](K, z, a, g, K.LEAKY_SLOPE if slope is None else slope)
