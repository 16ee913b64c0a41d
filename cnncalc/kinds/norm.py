"""Normalisation: batchnorm, layernorm, groupnorm, local response normalisation and Keras'
Normalization (layer scale: kinds/scale.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import explain as X
from ..codetext import Part, call, exact_num, kwargs, num, refuse
from ..errors import ShapeError
from ..formulas import product
from .base import (Layer, Shape, arg, check_channels, explain_params, numpy_ops, no_params, no_weights,
                   unchanged_shape, keeps_sizes)
from .backward import no_backward, no_weight_shapes
from .measure import no_macs, rf_same


def affine_weights(self, r, rng, dtype) -> dict:
    """gamma and beta (C,) when affine, else none."""
    c = r.input_shape[-1]
    if not self.affine:
        return {}
    return {"gamma": rng.uniform(0.5, 1.5, c).astype(dtype), "beta": (rng.standard_normal(c) * 0.1).astype(dtype)}


def scale_shift(y, w, dtype):
    """y * gamma + beta when the layer has them, in the input's dtype."""
    if "gamma" in w:
        y = y * w["gamma"] + w["beta"]
    return y.astype(dtype)


TORCH_BN_PARTIAL = '''class BatchNormPartial(nn.Module):
    """Keras' BatchNormalization with `scale` or `center` off: torch's BatchNorm without affine,
    then gamma alone or beta alone, per channel (torch's affine has both or neither)."""

    def __init__(self, dims, channels, scale=True, center=True, **kwargs):
        super().__init__()
        self.norm = getattr(nn, f"BatchNorm{dims}d")(channels, affine=False, **kwargs)
        self.weight = nn.Parameter(torch.ones(channels)) if scale else None
        self.bias = nn.Parameter(torch.zeros(channels)) if center else None
        self.running_mean, self.running_var = self.norm.running_mean, self.norm.running_var

    def forward(self, x):
        y = self.norm(x)
        shape = (1, -1) + (1,) * (x.dim() - 2)
        if self.weight is not None:
            y = y * self.weight.view(shape)
        return y + self.bias.view(shape) if self.bias is not None else y'''


@dataclass(frozen=True, kw_only=True)
class BatchNorm(Layer):
    """Batch normalisation over the channel (last) axis.

    Shape: unchanged. Params: 4C as Keras counts them: gamma and beta trainable (2C), the
    moving mean and variance non-trainable (2C). PyTorch keeps those two as buffers, so its
    parameters() shows only 2C. Keras' `scale: false` drops gamma (C), `center: false` beta
    (C); torch's `affine: false` drops both.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("batchnorm",)
    STEMS: ClassVar[dict[str, str]] = {"batchnorm": "batch_normalization"}
    STATS_BUFFERS: ClassVar[bool] = True
    scan_step = keeps_sizes  # `solve input` passes every size through
    ALIASES: ClassVar[dict[str, str]] = {**{f"batchnorm{d}d": "batchnorm" for d in "123"}, "batchnormalization": "batchnorm", "bn": "batchnorm"}
    KERAS: ClassVar[dict[str, tuple]] = {"BatchNormalization": (("BatchNormalization",), ("axis", "momentum", "epsilon", "center", "scale"))}
    TORCH: ClassVar[dict[str, tuple]] = {"BatchNorm": (tuple(f"BatchNorm{d}d" for d in "123"), (
        "num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype"))}
    ONNX: ClassVar[dict[str, tuple]] = {"BatchNormalization": (("BatchNormalization",), ("epsilon", "momentum"))}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = (("torch", "BatchNormPartial", TORCH_BN_PARTIAL),)
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    affine: bool = arg(True, type="bool", torch="affine")
    scale: bool = arg(True, type="bool", keras="scale")
    center: bool = arg(True, type="bool", keras="center")
    epsilon: float = arg(1e-5, type="positive", keras="epsilon", torch="eps")
    momentum: float = arg(0.1, type="rate", torch="momentum")
    num_features: int | None = arg(None, type="size", torch="num_features")

    @property
    def has_gamma(self) -> bool:
        return self.affine and self.scale

    @property
    def has_beta(self) -> bool:
        return self.affine and self.center

    def output_shape(self, inp: Shape) -> Shape:
        check_channels(self, self.num_features, inp[-1], "num_features")
        return inp

    def params(self, inp: Shape) -> tuple[int, int]:
        c = inp[-1]
        return (c * self.has_gamma + c * self.has_beta, 2 * c)

    macs = no_macs

    def flops(self, r) -> int:
        """Inference batchnorm (torch-scan's count): per channel add eps to the variance and take
        the square root (2C); per value subtract the mean and divide (2), then * gamma (1), + beta (1)."""
        c, values = r.input_shape[-1], product(r.input_shape)
        return 2 * c + 2 * values + values * self.has_gamma + values * self.has_beta

    rf = rf_same

    def make_weights(self, r, rng, dtype) -> dict:
        """running_mean, running_var, and gamma (scale), beta (center): (C,) each."""
        c = r.input_shape[-1]
        w = {"running_mean": (rng.standard_normal(c) * 0.1).astype(dtype),
             "running_var": rng.uniform(0.5, 1.5, c).astype(dtype)}
        if self.has_gamma:
            w["gamma"] = rng.uniform(0.5, 1.5, c).astype(dtype)
        if self.has_beta:
            w["beta"] = (rng.standard_normal(c) * 0.1).astype(dtype)
        return w

    def forward(self, x, w, r):
        """Inference: (x - running_mean) / sqrt(running_var + eps) * gamma + beta, per channel."""
        scale = 1.0 / numpy_ops().np.sqrt(w["running_var"] + self.epsilon)
        shift = -w["running_mean"] * scale
        if "gamma" in w:
            scale, shift = scale * w["gamma"], shift * w["gamma"]
        if "beta" in w:
            shift = shift + w["beta"]
        return x * scale.astype(x.dtype) + shift.astype(x.dtype)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    BUFFERS: ClassVar[tuple[str, ...]] = ("running_mean", "running_var")  # drawn, not trained

    def backward(self, x, w, r, out, g):
        """Inference: y = (x - mean) / sqrt(var + eps) * gamma + beta with the running statistics
        fixed, so dX = G * gamma / sqrt(var + eps), dgamma = sum G * x_hat, dbeta = sum G."""
        scale = 1.0 / numpy_ops().np.sqrt(w["running_var"] + self.epsilon)
        axes = tuple(range(x.ndim - 1))
        grads = {}
        if "gamma" in w:
            grads["gamma"] = (g * (x - w["running_mean"]) * scale).sum(axis=axes)
        if "beta" in w:
            grads["beta"] = g.sum(axis=axes)
        return g * scale * w.get("gamma", 1.0), grads

    def weight_shapes(self, r, order: str = "torch") -> dict[str, Shape]:
        """running_mean, running_var, gamma, beta: (C,) each, in both."""
        c = r.input_shape[-1]
        names = ("running_mean", "running_var", *("gamma",) * self.has_gamma, *("beta",) * self.has_beta)
        return {k: (c,) for k in names}

    def weight_axes(self, r, order: str = "torch") -> dict[str, str]:
        return {k: "(C,)" for k in ("gamma", "beta", "running_mean", "running_var")}

    def to_torch(self, r, ctx) -> list:
        L = r.layer
        d = max(len(r.input_shape) - 1, 1)  # (n,) and (L, C) -> BatchNorm1d
        args = kwargs(("eps", num(L.epsilon), L.epsilon == 1e-5), ("momentum", num(L.momentum), L.momentum == 0.1),
                      ("affine", "False", L.has_gamma))  # Keras' scale and center both off is affine=False
        if L.has_gamma == L.has_beta:
            return [Part(call(f"nn.BatchNorm{d}d", str(r.input_shape[-1]), args))]
        ctx.helper(self, "torch")
        args = kwargs(("eps", num(L.epsilon), L.epsilon == 1e-5), ("momentum", num(L.momentum), L.momentum == 0.1),
                      ("scale", "False", L.has_gamma), ("center", "False", L.has_beta))
        return [Part(call("BatchNormPartial", str(d), str(r.input_shape[-1]), args))]

    def to_keras(self, r, ctx) -> list:
        L = r.layer
        args = kwargs(("momentum", num(1 - L.momentum), False), ("epsilon", num(L.epsilon), False),
                      ("center", "False", L.has_beta), ("scale", "False", L.has_gamma))
        return [Part(call("layers.BatchNormalization", args))]

    def explain(self, r) -> list[str]:
        learned = [n for n, on in (("gamma", self.has_gamma), ("beta", self.has_beta)) if on]
        k = 2 + len(learned)
        return [f"params = {k}*{r.input_shape[-1]} = {X.num(r.params)} "
                f"({r.trainable_params:,} trainable {', '.join(learned or ('gamma', 'beta'))}; "
                f"{r.non_trainable_params:,} moving mean, variance)"]

    DIAGNOSES = ("batchnorm_convention",)

    # -- the checker (cnncalc/check): this kind as a course table sees it --
    LABELS: ClassVar[tuple[str, ...]] = ("bn", "batchnorm")


LAYERNORM_TORCH = '''class LayerNormChannels(nn.LayerNorm):
    """Keras' LayerNormalization(axis=-1): normalise over the channels at each position; the
    channels are dim 1 here, so they go last for nn.LayerNorm and back."""

    def forward(self, x):
        if x.dim() <= 2:
            return super().forward(x)
        return super().forward(x.movedim(1, -1)).movedim(-1, 1)'''


@dataclass(frozen=True, kw_only=True)
class LayerNorm(Layer):
    """Layer normalisation over the channel (last) axis at each position (Keras
    LayerNormalization(axis=-1); PyTorch LayerNorm(C) on channels-last values).

    Shape: unchanged. Params: 2C (gamma, beta) trainable; 0 with `affine: false`.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("layernorm",)
    STEMS: ClassVar[dict[str, str]] = {"layernorm": "layer_normalization"}
    scan_step = keeps_sizes  # `solve input` passes every size through
    ALIASES: ClassVar[dict[str, str]] = {"layernormalization": "layernorm", "ln": "layernorm"}
    KERAS: ClassVar[dict[str, tuple]] = {"LayerNormalization": (("LayerNormalization",), ("axis", "epsilon", "center", "scale", "*",
                                                                  "rms_scaling"))}
    TORCH: ClassVar[dict[str, tuple]] = {"LayerNorm": (("LayerNorm",), ("normalized_shape", "eps", "elementwise_affine", "bias", "device",
                                                 "dtype"))}
    ONNX: ClassVar[dict[str, tuple]] = {"LayerNormalization": (("LayerNormalization",), ("axis", "epsilon"))}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = (("torch", "LayerNormChannels", LAYERNORM_TORCH),)
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    epsilon: float = arg(1e-5, type="positive", keras="epsilon", torch="eps")
    affine: bool = arg(True, type="bool", torch="elementwise_affine")
    num_features: int | None = arg(None, type="size", torch="normalized_shape")

    def output_shape(self, inp: Shape) -> Shape:
        check_channels(self, self.num_features, inp[-1], "num_features")
        return inp

    def params(self, inp: Shape) -> tuple[int, int]:
        return (2 * inp[-1] if self.affine else 0, 0)

    macs = no_macs

    def flops(self, r) -> int:
        """Normalisation from the sample's own statistics: per value add into the mean, subtract
        it, square and add into the variance, divide (5); per group of statistics the mean's and
        the variance's divisions, + eps and sqrt (4); * gamma + beta (2 per value)."""
        values = product(r.input_shape)
        stats = product(r.input_shape[:-1])  # one mean and variance per position
        return 5 * values + 4 * stats + (2 * values if self.affine else 0)

    rf = rf_same  # statistics are not counted as reading (as for batchnorm)

    make_weights = affine_weights

    def forward(self, x, w, r):
        """(x - mean) / sqrt(var + eps) * gamma + beta, statistics over the channels of each position."""
        mean = x.mean(axis=-1, keepdims=True)
        var = x.var(axis=-1, keepdims=True)
        return scale_shift((x - mean) / numpy_ops().np.sqrt(var + self.epsilon), w, x.dtype)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    def weight_shapes(self, r, order: str = "torch") -> dict[str, Shape]:
        """gamma, beta: (C,) each when affine, in both."""
        return {k: (r.input_shape[-1],) for k in ("gamma", "beta")} if self.affine else {}

    def to_torch(self, r, ctx) -> list:
        L = r.layer
        ctx.helper(self, "torch")
        args = kwargs(("eps", num(L.epsilon), L.epsilon == 1e-5), ("elementwise_affine", "False", L.affine))
        return [Part(call("LayerNormChannels", str(r.input_shape[-1]), args), comment="over the channels")]

    def to_keras(self, r, ctx) -> list:
        L = r.layer
        args = kwargs(("epsilon", num(L.epsilon), False), ("center", "False", L.affine), ("scale", "False", L.affine))
        return [Part(call("layers.LayerNormalization", args))]

    def explain(self, r) -> list[str]:
        return [f"params = 2*{r.input_shape[-1]} = {X.num(r.params)} (gamma, beta per channel)"] if r.params else []

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes

    # -- the checker (cnncalc/check): this kind as a course table sees it --
    LABELS: ClassVar[tuple[str, ...]] = ("ln", "layernorm")


@dataclass(frozen=True, kw_only=True)
class GroupNorm(Layer):
    """Group normalisation (Keras GroupNormalization, PyTorch GroupNorm): the channels split into
    `groups` runs of C/groups consecutive channels, each normalised over them and every position.

    Shape: unchanged; groups must divide C. Params: 2C (gamma, beta); 0 with `affine: false`.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("groupnorm",)
    STEMS: ClassVar[dict[str, str]] = {"groupnorm": "group_normalization"}
    scan_step = keeps_sizes  # `solve input` passes every size through
    ALIASES: ClassVar[dict[str, str]] = {"groupnormalization": "groupnorm", "gn": "groupnorm"}
    KERAS: ClassVar[dict[str, tuple]] = {"GroupNormalization": (("GroupNormalization",), ("groups", "axis", "epsilon", "center", "scale"))}
    TORCH: ClassVar[dict[str, tuple]] = {"GroupNorm": (("GroupNorm",), ("num_groups", "num_channels", "eps", "affine", "device", "dtype"))}
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    groups: int = arg(32, type="size", main=True, keras="groups", torch="num_groups")  # Keras' default
    epsilon: float = arg(1e-5, type="positive", keras="epsilon", torch="eps")
    affine: bool = arg(True, type="bool", torch="affine")
    num_features: int | None = arg(None, type="size", torch="num_channels")

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

    macs = no_macs

    def flops(self, r) -> int:
        """Normalisation from the sample's own statistics: per value add into the mean, subtract
        it, square and add into the variance, divide (5); per group of statistics the mean's and
        the variance's divisions, + eps and sqrt (4); * gamma + beta (2 per value)."""
        values = product(r.input_shape)
        stats = self.groups  # one mean and variance per group, over every position
        return 5 * values + 4 * stats + (2 * values if self.affine else 0)

    rf = rf_same  # statistics are not counted as reading (as for batchnorm)

    make_weights = affine_weights

    def forward(self, x, w, r):
        """(x - mean) / sqrt(var + eps) * gamma + beta, statistics over C/groups consecutive
        channels and every position."""
        g = x.reshape(*x.shape[:-1], self.groups, -1)
        axes = (*range(1, x.ndim - 1), x.ndim)  # every position and the channels of one group
        mean = g.mean(axis=axes, keepdims=True)
        var = g.var(axis=axes, keepdims=True)
        return scale_shift(((g - mean) / numpy_ops().np.sqrt(var + self.epsilon)).reshape(x.shape), w, x.dtype)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    def weight_shapes(self, r, order: str = "torch") -> dict[str, Shape]:
        """gamma, beta: (C,) each when affine, in both."""
        return {k: (r.input_shape[-1],) for k in ("gamma", "beta")} if self.affine else {}

    def to_torch(self, r, ctx) -> list:
        L = r.layer
        args = kwargs(("eps", num(L.epsilon), L.epsilon == 1e-5), ("affine", "False", L.affine))
        return [Part(call("nn.GroupNorm", str(L.groups), str(r.input_shape[-1]), args))]

    def to_keras(self, r, ctx) -> list:
        L = r.layer
        args = kwargs(("groups", str(L.groups), False), ("epsilon", num(L.epsilon), False),
                      ("center", "False", L.affine), ("scale", "False", L.affine))
        return [Part(call("layers.GroupNormalization", args))]

    def explain(self, r) -> list[str]:
        return [f"params = 2*{r.input_shape[-1]} = {X.num(r.params)} (gamma, beta per channel)"] if r.params else []

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes

    # -- the checker (cnncalc/check): this kind as a course table sees it --
    LABELS: ClassVar[tuple[str, ...]] = ("gn", "groupnorm")


@dataclass(frozen=True, kw_only=True)
class LRN(Layer):
    """Local response normalisation across channels (AlexNet). Shape: unchanged. Params: 0."""
    NAMES: ClassVar[tuple[str, ...]] = ("lrn",)
    STEMS: ClassVar[dict[str, str]] = {"lrn": "lrn"}  # Keras has no LRN layer
    scan_step = keeps_sizes  # `solve input` passes every size through
    ALIASES: ClassVar[dict[str, str]] = {"localresponsenorm": "lrn"}
    TORCH: ClassVar[dict[str, tuple]] = {"LocalResponseNorm": (("LocalResponseNorm",), ("size", "alpha", "beta", "k"))}
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    size: int = arg(5, type="size", main=True, torch="size")
    alpha: float = arg(1e-4, type="float", torch="alpha")
    beta: float = arg(0.75, type="float", torch="beta")
    k: float = arg(1.0, type="float", torch="k")

    output_shape = unchanged_shape

    params = no_params

    macs = no_macs

    def flops(self, r) -> int:
        """Per value: square `size` neighbours and sum them (2*size - 1), * alpha and + k (2),
        the power beta (1), divide (1): 2*size + 3."""
        return (2 * self.size + 3) * product(r.output_shape)

    rf = rf_same

    make_weights = no_weights

    def forward(self, x, w, r):
        """torch.nn.functional.local_response_norm: x / (k + alpha/size * sum of x^2 over `size`
        neighbouring channels, size//2 before and (size-1)//2 after)^beta."""
        sq = numpy_ops().np.pad(x * x, [(0, 0)] * (x.ndim - 1) + [(self.size // 2, (self.size - 1) // 2)])
        c = x.shape[-1]
        acc = sum(sq[..., i:i + c] for i in range(self.size))
        return x / (self.k + self.alpha / self.size * acc) ** self.beta

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        L = r.layer
        args = kwargs(("alpha", num(L.alpha), L.alpha == 1e-4), ("beta", num(L.beta), L.beta == 0.75),
                      ("k", num(L.k), L.k == 1.0))
        return [Part(call("nn.LocalResponseNorm", str(L.size), args))]

    def to_keras(self, r, ctx) -> list:
        refuse("Keras has no local response normalisation layer; export to pytorch, or remove it "
               "(modern re-implementations of AlexNet drop it or use batchnorm)")

    explain = explain_params

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes


NORMALIZATION_TORCH = '''class Normalization(nn.Module):
    """Keras' Normalization: (x - mean) / max(sqrt(variance), 1e-7) per channel, with the
    statistics Keras adapts (buffers here, like batchnorm's)."""

    def __init__(self, channels, mean=None, variance=None):
        super().__init__()
        if mean is None:  # adapted statistics, buffers as Keras' non-trainable weights
            self.register_buffer("running_mean", torch.zeros(channels))
            self.register_buffer("running_var", torch.ones(channels))
            self.register_buffer("running_count", torch.zeros(()))
        else:  # given: one number, or one per channel
            self.running_mean = torch.zeros(channels) + torch.tensor(mean)
            self.running_var = torch.zeros(channels) + torch.tensor(variance)

    def forward(self, x):
        shape = (1, -1, *(1,) * (x.dim() - 2))
        std = torch.clamp(torch.sqrt(self.running_var), min=1e-7)
        return (x - self.running_mean.view(shape)) / std.view(shape)'''


@dataclass(frozen=True, kw_only=True)
class Normalization(Layer):
    """Keras' preprocessing Normalization over the channels: (x - mean) / sqrt(variance).

    Shape: unchanged. Params: as Keras 3 counts them, mean C, variance C and count 1, all
    non-trainable, when `mean` and `variance` are not given; 0 when they are (one number each,
    for every channel, or a list of one per channel: ImageNet's mean and variance).
    """
    NAMES: ClassVar[tuple[str, ...]] = ("normalization",)
    STEMS: ClassVar[dict[str, str]] = {"normalization": "normalization"}
    STATS_BUFFERS: ClassVar[bool] = True
    scan_step = keeps_sizes  # `solve input` passes every size through
    ALIASES: ClassVar[dict[str, str]] = {}
    KERAS: ClassVar[dict[str, tuple]] = {"Normalization": (("Normalization",), ("axis", "mean", "variance", "invert"))}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = (("torch", "Normalization", NORMALIZATION_TORCH),)
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    mean: float | tuple[float, ...] | None = arg(None, type="floats", keras="mean")
    variance: float | tuple[float, ...] | None = arg(None, type="floats", keras="variance")

    def output_shape(self, inp):
        if (self.mean is None) != (self.variance is None):
            raise ShapeError("normalization takes both mean and variance, or neither (Keras adapts them); "
                             f"got {'mean' if self.variance is None else 'variance'} alone", arg="mean")
        for key in ("mean", "variance"):
            value = getattr(self, key)
            if isinstance(value, tuple) and len(value) not in (1, inp[-1]):
                raise ShapeError(f"{key} has {len(value)} values for {inp[-1]} channels; give one number, or "
                                 "one per channel", arg=key)
        variances = self.variance if isinstance(self.variance, tuple) else (self.variance,)
        if self.variance is not None and min(variances) < 0:
            raise ShapeError(f"variance {min(variances)} must be 0 or more", arg="variance")
        return inp

    def params(self, inp) -> tuple[int, int]:
        return (0, 0) if self.mean is not None else (0, 2 * inp[-1] + 1)

    macs = no_macs

    def flops(self, r) -> int:
        """A subtraction and a division per value."""
        return 2 * product(r.output_shape)

    rf = rf_same

    def make_weights(self, r, rng, dtype) -> dict:
        """mean (C,), variance (C,), count () when Keras holds them."""
        if self.mean is not None:
            return {}
        np, c = numpy_ops().np, r.input_shape[-1]
        return {"mean": (rng.standard_normal(c) * 0.1).astype(dtype), "variance": rng.uniform(0.5, 1.5, c).astype(dtype),
                "count": np.array(0, dtype=dtype)}

    def forward(self, x, w, r):
        np = numpy_ops().np
        mean = w["mean"] if w else np.zeros(x.shape[-1]) + np.asarray(self.mean)
        var = w["variance"] if w else np.zeros(x.shape[-1]) + np.asarray(self.variance)
        std = np.maximum(np.sqrt(var), 1e-7)
        return ((x - mean) / std).astype(x.dtype)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    BUFFERS: ClassVar[tuple[str, ...]] = ("mean", "variance", "count")  # adapted, not trained

    backward = no_backward("not written yet")

    def weight_shapes(self, r, order: str = "torch") -> dict[str, Shape]:
        """mean, variance (C,) and count () when Keras holds them (no `mean:` given), in both."""
        c = r.input_shape[-1]
        return {} if self.mean is not None else {"mean": (c,), "variance": (c,), "count": ()}

    def to_torch(self, r, ctx) -> list:
        ctx.helper(self, "torch")
        given = f", {_nums(self.mean)}, {_nums(self.variance)}" if self.mean is not None else ""
        return [Part(f"Normalization({r.input_shape[-1]}{given})")]

    def to_keras(self, r, ctx) -> list:
        given = f"mean={_nums(self.mean)}, variance={_nums(self.variance)}" if self.mean is not None else ""
        return [Part(f"layers.Normalization({given})")]

    def explain(self, r) -> list[str]:
        if self.mean is not None:
            return ["params = 0 (mean and variance given)"]
        c = r.input_shape[-1]
        return [f"params = 2*{c} + 1 = {X.num(r.params)} non-trainable (mean, variance per channel, and the "
                "count Keras adapts them with)"]

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes


def _nums(value) -> str:
    """A number, or a list of one per channel, as exact code text."""
    return "[" + ", ".join(exact_num(v) for v in value) + "]" if isinstance(value, tuple) else num(value)
