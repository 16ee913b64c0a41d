"""Compute, memory and receptive field per layer, folded from infer's LayerResults.

torch-scan style: one small function per (metric, layer kind). A metric cnncalc has no formula
for is `None` ("unknown"), never a silent 0, and a total with an unknown part is unknown too.
Nothing here re-derives an output size: shapes come from infer, window geometry from
`LayerResult.axes` (= `layer.axes(inp)`), spans from `formulas.effective_kernel`.

Definitions (the README's "Compute, memory and receptive field" section says the same):
- MACs: multiply-accumulates of conv / dense / depthwise / transposed weights for a forward pass
  of `batch` samples; bias additions are NOT included (fvcore's count; torchinfo's "mult-adds"
  adds one per biased output). Layers without weights have 0 MACs.
- FLOPs: one of FLOPS_CONVENTIONS (2*MACs by default).
- Memory: bytes of the summary's dtype. Parameters (trainable and buffers), the layer's output
  for `batch` samples, and for training also the gradients of the trainable parameters and the
  optimizer state (OPTIMIZERS).
- Receptive field per spatial axis of the network input: size, jump (effective stride) and
  start (the first input index the first output unit sees; -start is the effective padding).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from . import formulas as F
from . import kinds as L
from .errors import ArgumentError
from .formulas import product
from .infer import LayerResult, Summary

FLOPS_CONVENTIONS = {
    "2macs": "2 x MACs: a multiply and an add per MAC (torch.utils.flop_counter, most papers)",
    "macs": "FLOPs = MACs, what fvcore and ptflops print as FLOPs/GMac",
    "full": "every operation: 2K-1 per K-term dot product, bias adds, batchnorm, pooling, "
            "activations and merges (torch-scan's counts)",
}
# The short form shown next to the total.
CONVENTION_LABELS = {"2macs": "2 x MACs", "macs": "= MACs",
                     "full": "every op: dot products, bias, batchnorm, pooling, activations, merges"}
DEFAULT_CONVENTION = "2macs"

# Optimizer state kept per trainable parameter, in parameter-sized copies.
OPTIMIZERS = {"sgd": 0, "momentum": 1, "nesterov": 1, "rmsprop": 1, "adagrad": 1,
              "adam": 2, "adamw": 2}
DEFAULT_OPTIMIZER = "sgd"

MetricFn = Callable[[LayerResult], Optional[int]]


def _check_choice(what: str, value: str, choices) -> str:
    key = value.strip().lower()
    if key not in choices:
        raise ArgumentError(f"unknown {what} '{value}'; use one of: {', '.join(choices)}")
    return key


def parse_batch(text: str | int) -> int:
    """--batch: a whole number >= 1."""
    value = str(text).strip().replace("_", "")
    if not value.isdigit() or int(value) < 1:
        raise ArgumentError(f"--batch must be a whole number of samples >= 1, got '{text}'; "
                            "use e.g. --batch 32")
    return int(value)


# ---------------------------------------------------------------------------------------------
# MACs: one function per layer kind
# ---------------------------------------------------------------------------------------------

def _kernel_volume(r: LayerResult) -> int:
    """prod(f) over the spatial axes: 3*3 = 9 for a 3x3 kernel."""
    return product(a.f for a in r.axes)


def macs_conv(r: LayerResult) -> int:
    """Conv: every output value is a dot product of kernel volume * C_in/groups terms."""
    out = product(r.output_shape)             # H_out * W_out * C_out output values
    c_in = r.input_shape[-1] // r.layer.groups  # each filter sees only its group's channels
    return out * _kernel_volume(r) * c_in       # groups divide once, here


def macs_depthwise(r: LayerResult) -> int:
    """Depthwise: groups = C_in, so every output value reads one channel's f x f window."""
    out = product(r.output_shape)  # H_out * W_out * C_in * depth_multiplier
    return out * _kernel_volume(r)  # * (C_in / groups) = * 1


def macs_transposed(r: LayerResult) -> int:
    """Transposed conv: what it really computes, the scatter form. Every input value is
    multiplied by the kernel volume * C_out/groups weights it is connected to. (Counting
    output size * kernel instead, as many counters do, over-counts by about stride^dims.)"""
    inputs = product(r.input_shape)               # H_in * W_in * C_in input values
    c_out = r.output_shape[-1] // r.layer.groups  # each input channel feeds C_out/groups filters
    return inputs * _kernel_volume(r) * c_out


def macs_dense(r: LayerResult) -> int:
    """Dense: in * units weights, each used once."""
    return r.input_shape[0] * r.layer.units


def macs_separable(r: LayerResult) -> int:
    """Separable: the depthwise part, out positions * kernel volume * C_in*m, plus the pointwise
    1x1 part, out positions * C_in*m * filters."""
    positions = product(r.output_shape[:-1])               # H_out * W_out
    cm = r.input_shape[-1] * r.layer.depth_multiplier      # depthwise outputs per position
    return positions * (_kernel_volume(r) * cm + cm * r.output_shape[-1])


def macs_none(r: LayerResult) -> int:
    """No weights to multiply: pooling, activations, batchnorm (as a scale, counted in FLOPs),
    dropout, reshapes, padding, embedding lookups, merges."""
    return 0


MACS: dict[type, MetricFn] = {
    L.Conv: macs_conv, L.DepthwiseConv: macs_depthwise, L.ConvTranspose: macs_transposed,
    L.Dense: macs_dense, L.Pool: macs_none, L.GlobalPool: macs_none, L.AdaptivePool: macs_none,
    L.Flatten: macs_none, L.Dropout: macs_none, L.BatchNorm: macs_none, L.ZeroPad: macs_none,
    L.LRN: macs_none, L.Embedding: macs_none, L.Activation: macs_none,
    L.SeparableConv: macs_separable, L.Reshape: macs_none, L.Cropping: macs_none,
    L.LayerNorm: macs_none, L.GroupNorm: macs_none,
}

# Merge and resampling kinds are matched by kind name, whichever class implements them.
MERGE_KINDS = ("add", "multiply", "concat", "concatenate")


def _by_kind(table: dict[type, MetricFn], kinds: dict[str, MetricFn], r: LayerResult):
    """The function for this layer: by class first, then by kind name; None if neither."""
    fn = table.get(type(r.layer))
    if fn is None:
        kind = r.layer.kind
        fn = kinds.get(kind) or next((f for k, f in kinds.items() if k.endswith("*")
                                      and kind.startswith(k[:-1])), None)
    return fn


MACS_BY_KIND: dict[str, MetricFn] = {"add": macs_none, "multiply": macs_none, "concat": macs_none,
                                     "concatenate": macs_none, "upsample*": macs_none}


def layer_macs(r: LayerResult) -> int | None:
    """MACs of one sample; None when cnncalc has no formula for the kind."""
    fn = _by_kind(MACS, MACS_BY_KIND, r)
    return None if fn is None else fn(r)


# ---------------------------------------------------------------------------------------------
# FLOPs, convention "full": one function per layer kind (inference, one sample)
# ---------------------------------------------------------------------------------------------

# Operations per element of each activation (torch-scan's counts where it has one).
ACTIVATION_OPS = {
    "linear": 0,        # identity
    "relu": 1,          # max(x, 0)
    "relu6": 2,         # max, min
    "leaky_relu": 4,    # two compares, a multiply, a sum (torch-scan)
    "elu": 6,           # compare, exp, sub 1, mul alpha, compare, sum (torch-scan)
    "selu": 7,          # elu, then * scale
    "gelu": 5,          # x/sqrt(2), erf, + 1, * x, * 0.5
    "silu": 5,          # sigmoid (4) then * x
    "swish": 5,
    "mish": 10,         # softplus (3), tanh (6), * x
    "hardswish": 5,     # + 3, max, min, * x, / 6
    "hard_sigmoid": 4,  # + 3, max, min, / 6
    "sigmoid": 4,       # negate, exp, + 1, divide (torch-scan)
    "tanh": 6,          # torch-scan
    "softmax": 3,       # exp, add into the sum, divide
    "log_softmax": 3,   # exp, add into the sum, subtract the log-sum
    "softplus": 3,      # exp, + 1, log
    "softsign": 3,      # abs, + 1, divide
}


def _activation_ops(r: LayerResult, name: str | None) -> int | None:
    """Ops of an activation applied to every output value; None for one without a count."""
    if name is None:
        return 0
    per = ACTIVATION_OPS.get(name)
    return None if per is None else per * product(r.output_shape)


def _weighted_flops(r: LayerResult, macs: int, dot: bool) -> int | None:
    """FLOPs of a weight layer: products and sums, bias adds, the fused activation."""
    out = product(r.output_shape)
    if dot:
        ops = 2 * macs - out  # a K-term dot product is K multiplies and K-1 adds: 2K-1 per output
    else:
        ops = 2 * macs        # scatter (transposed): every product is added into the output
    ops += out if r.layer.bias else 0  # one bias add per output value
    act = _activation_ops(r, r.layer.activation)
    return None if act is None else ops + act


def flops_conv(r: LayerResult) -> int | None:
    return _weighted_flops(r, macs_conv(r), dot=True)


def flops_depthwise(r: LayerResult) -> int | None:
    return _weighted_flops(r, macs_depthwise(r), dot=True)


def flops_transposed(r: LayerResult) -> int | None:
    return _weighted_flops(r, macs_transposed(r), dot=False)


def flops_dense(r: LayerResult) -> int | None:
    return _weighted_flops(r, macs_dense(r), dot=True)


def flops_separable(r: LayerResult) -> int | None:
    """Two dot products per position: depthwise outputs kv-term (2kv-1 each, C_in*m of them),
    pointwise outputs C_in*m-term (2*C_in*m - 1 each); bias and activation on the output."""
    positions = product(r.output_shape[:-1])
    cm = r.input_shape[-1] * r.layer.depth_multiplier
    depthwise = positions * cm * (2 * _kernel_volume(r) - 1)
    pointwise = product(r.output_shape) * (2 * cm - 1)
    act = _activation_ops(r, r.layer.activation)
    bias = product(r.output_shape) if r.layer.bias else 0
    return None if act is None else depthwise + pointwise + bias + act


def flops_pool(r: LayerResult) -> int:
    """Max: kv-1 compares per output value. Average: kv-1 adds and one divide = kv.
    (Windows cut by ceil_mode are counted whole: an upper bound there.)"""
    out, kv = product(r.output_shape), _kernel_volume(r)
    return out * (kv - 1) if r.layer.kind.startswith("max") else out * kv


def flops_global_pool(r: LayerResult) -> int:
    """One window over all n spatial positions per channel: n-1 compares (max) or n-1 adds
    and one divide (average)."""
    n, c = product(r.input_shape[:-1]), r.input_shape[-1]
    return c * (n - 1) if "max" in r.layer.kind else c * n


def flops_adaptive_pool(r: LayerResult) -> int:
    """Adaptive windows (PyTorch): output o of m on an axis of n reads inputs
    floor(o*n/m) .. ceil((o+1)*n/m) - 1. Summed exactly over every window."""
    reads = 1
    for n, m in zip(r.input_shape[:-1], r.output_shape[:-1]):
        # total window length along this axis: sum over o of (end - start)
        reads *= sum(end - begin for begin, end in (F.adaptive_window(o, n, m) for o in range(m)))
    reads *= r.input_shape[-1]     # every channel
    out = product(r.output_shape)
    return reads - out if "max" in r.layer.kind else reads  # max: kv-1 per window; avg: kv


def flops_batchnorm(r: LayerResult) -> int:
    """Inference batchnorm (torch-scan's count): per channel add eps to the variance and take
    the square root (2C); per value subtract the mean and divide (2), then * gamma + beta (2)."""
    c, values = r.input_shape[-1], product(r.input_shape)
    return 2 * c + 2 * values + (2 * values if r.layer.affine else 0)


def flops_norm(r: LayerResult) -> int:
    """Layer / group normalisation from the sample's own statistics. Per value: add into the
    mean (1), subtract the mean (1), square and add into the variance (2), divide (1) = 5; per
    group of statistics (each position for layernorm, each group for groupnorm): the mean's
    and the variance's divisions, + eps and sqrt (4); * gamma + beta (2 per value)."""
    values = product(r.input_shape)
    if r.layer.kind == "layernorm":
        stats = product(r.input_shape[:-1])  # one mean and variance per position
    else:
        stats = r.layer.groups               # one per group, over every position
    return 5 * values + 4 * stats + (2 * values if r.layer.affine else 0)


def flops_lrn(r: LayerResult) -> int:
    """Per value: square `size` neighbours and sum them (2*size - 1), * alpha and + k (2),
    the power beta (1), divide (1): 2*size + 3."""
    return (2 * r.layer.size + 3) * product(r.output_shape)


def flops_activation(r: LayerResult) -> int | None:
    return _activation_ops(r, r.layer.kind)


def flops_zero(r: LayerResult) -> int:
    """Data movement or a lookup, no arithmetic: flatten, zero padding, embedding, concat,
    and dropout at inference (it is the identity there)."""
    return 0


def flops_elementwise_merge(r: LayerResult) -> int:
    """add / multiply of k inputs: k-1 operations per output value."""
    return (len(r.input_shapes) - 1) * product(r.output_shape)


def flops_upsample(r: LayerResult) -> int | None:
    """Nearest upsampling copies values (0); other interpolations have no count here."""
    mode = getattr(r.layer, "mode", None) or getattr(r.layer, "interpolation", None) or "nearest"
    return 0 if mode == "nearest" else None


FULL_FLOPS: dict[type, MetricFn] = {
    L.Conv: flops_conv, L.DepthwiseConv: flops_depthwise, L.ConvTranspose: flops_transposed,
    L.Dense: flops_dense, L.Pool: flops_pool, L.GlobalPool: flops_global_pool,
    L.AdaptivePool: flops_adaptive_pool, L.BatchNorm: flops_batchnorm, L.LRN: flops_lrn,
    L.Activation: flops_activation, L.Flatten: flops_zero, L.Dropout: flops_zero,
    L.ZeroPad: flops_zero, L.Embedding: flops_zero,
    L.SeparableConv: flops_separable, L.Reshape: flops_zero, L.Cropping: flops_zero,
    L.LayerNorm: flops_norm, L.GroupNorm: flops_norm,
}
FULL_FLOPS_BY_KIND: dict[str, MetricFn] = {
    "add": flops_elementwise_merge, "multiply": flops_elementwise_merge, "concat": flops_zero,
    "concatenate": flops_zero, "upsample*": flops_upsample,
}


def layer_flops(r: LayerResult, convention: str) -> int | None:
    """FLOPs of one sample under `convention`; None when unknown."""
    if convention == "full":
        fn = _by_kind(FULL_FLOPS, FULL_FLOPS_BY_KIND, r)
        return None if fn is None else fn(r)
    macs = layer_macs(r)
    if macs is None:
        return None
    return 2 * macs if convention == "2macs" else macs


# ---------------------------------------------------------------------------------------------
# Receptive field: one function per layer kind, folded over the graph
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AxisRF:
    """Receptive field of one output unit along one spatial axis of the network input.

    size: input positions one unit sees; jump: input positions between neighbouring units
    (the effective stride); start: input index of the first position the FIRST unit sees
    (negative when it reaches into padding); n: units along the axis (kept through flatten so
    a dense layer knows how many it reads).
    """
    size: int
    jump: int
    start: int
    n: int

    @property
    def padding(self) -> int:
        """Effective padding: how far the first unit's window reaches before index 0."""
        return -self.start

    @property
    def center(self) -> float | int:
        """Centre of the first unit's window: start + (size-1)/2 (a half for even sizes)."""
        twice = 2 * self.start + self.size - 1
        return twice // 2 if twice % 2 == 0 else twice / 2


RF = Optional[tuple[AxisRF, ...]]  # None: unknown; (): no spatial axes (e.g. an MLP)


def rf_window(r: LayerResult, ins: tuple[tuple[AxisRF, ...], ...]) -> RF:
    """A sliding window (conv, depthwise, pooling, zero padding) on each axis."""
    (prev,) = ins
    out = []
    for x, a, n in zip(prev, r.axes, r.output_shape):
        # size + d*(f-1)*jump: each extra unit under the (dilated) window adds one input jump;
        # jump*s: neighbours move s units = s*jump inputs;
        # start - p_before*jump: padding before the first unit shifts its window left
        size, jump, start = F.rf_step(x.size, x.jump, x.start, a.f, a.s, a.pad[0], a.d)
        out.append(AxisRF(size=size, jump=jump, start=start, n=n))
    return tuple(out)


def rf_same(r: LayerResult, ins) -> RF:
    """Element-wise layers (activations, batchnorm, dropout, LRN across channels) and
    flatten (a reshape: each value is still one unit of its input)."""
    (prev,) = ins
    return prev


def _whole_axis(x: AxisRF) -> AxisRF:
    """One window over all n units of an axis: f = s = n, no padding."""
    size, jump, start = F.rf_step(x.size, x.jump, x.start, f=x.n, s=x.n)
    return AxisRF(size=size, jump=jump, start=start, n=1)


def rf_global(r: LayerResult, ins) -> RF:
    """Global pooling and dense: every output reads every unit of every axis."""
    (prev,) = ins
    return tuple(_whole_axis(x) for x in prev)


def rf_adaptive(r: LayerResult, ins) -> RF:
    """Adaptive pooling is a regular window f = s = n/m when m divides n; otherwise the
    windows differ in size from unit to unit and the receptive field is unknown."""
    (prev,) = ins
    out = []
    for x, n, m in zip(prev, r.input_shape[:-1], r.output_shape[:-1]):
        if n % m:
            return None
        k = n // m  # every window is k wide and k apart
        size, jump, start = F.rf_step(x.size, x.jump, x.start, f=k, s=k)
        out.append(AxisRF(size=size, jump=jump, start=start, n=m))
    return tuple(out)


def rf_reshape(r: LayerResult, ins) -> RF:
    """A reshape keeps each unit's window when it keeps the spatial sizes (only the channels
    change); a network input without spatial axes stays without; otherwise units move between
    axes and the receptive field is unknown."""
    (prev,) = ins
    if prev == () or tuple(r.input_shape[:-1]) == tuple(r.output_shape[:-1]):
        return prev
    return None


def rf_cropping(r: LayerResult, ins) -> RF:
    """Cropping c_before off an axis: the first unit is the one c_before jumps later."""
    (prev,) = ins
    return tuple(AxisRF(size=x.size, jump=x.jump, start=x.start + b * x.jump, n=n)
                 for x, (b, _), n in zip(prev, r.layer.crops(r.input_shape), r.output_shape))


def rf_embedding(r: LayerResult, ins) -> RF:
    """Token ids (L,) become (L, dim): the sequence becomes a spatial axis, one token a unit."""
    return (AxisRF(size=1, jump=1, start=0, n=r.output_shape[0]),)


def rf_merge(r: LayerResult, ins) -> RF:
    """Merges take the union of their inputs' windows: the maximum over the paths. With the
    windows nested (the usual case) the size is the largest input's size. Inputs whose units
    are spaced differently (different jumps) have no single receptive field: unknown."""
    if len({len(x) for x in ins}) != 1:
        return None
    axis = getattr(r.layer, "axis", -1)  # concat along a spatial axis puts paths side by side
    if axis not in (-1, len(r.output_shape)):
        return None
    out = []
    for axis in zip(*ins):
        if len({x.jump for x in axis}) != 1:
            return None
        start = min(x.start for x in axis)            # leftmost window start
        end = max(x.start + x.size for x in axis)     # rightmost window end (exclusive)
        out.append(AxisRF(size=end - start, jump=axis[0].jump, start=start,
                          n=max(x.n for x in axis)))
    return tuple(out)


RF_FNS: dict[type, Callable] = {
    L.Conv: rf_window, L.DepthwiseConv: rf_window, L.Pool: rf_window, L.ZeroPad: rf_window,
    L.GlobalPool: rf_global, L.Dense: rf_global, L.AdaptivePool: rf_adaptive,
    L.Flatten: rf_same, L.Dropout: rf_same, L.BatchNorm: rf_same, L.LRN: rf_same,
    L.Activation: rf_same, L.Embedding: rf_embedding,
    L.SeparableConv: rf_window, L.Reshape: rf_reshape, L.Cropping: rf_cropping,
    # normalisation statistics are not counted as reading (as for batchnorm); groupnorm's
    # mean and variance do depend on every position of the sample
    L.LayerNorm: rf_same, L.GroupNorm: rf_same,
    # L.ConvTranspose: not listed on purpose. An output unit reads a different number of
    # inputs depending on its position (jump 1/s): no single size, so unknown.
}
RF_BY_KIND: dict[str, Callable] = {k: rf_merge for k in MERGE_KINDS}


def input_rf(shape: tuple[int, ...]) -> tuple[AxisRF, ...]:
    """At the network input each unit is one pixel: size 1, jump 1, start at its index."""
    spatial = shape[:-1] if len(shape) >= 2 else ()
    return tuple(AxisRF(size=1, jump=1, start=0, n=n) for n in spatial)


def receptive_fields(summary: Summary) -> list[RF]:
    """The receptive field of every layer, in order, following `inputs` through branches."""
    by_ref: dict[str, RF] = {"input": input_rf(summary.spec.input)}
    previous: RF = by_ref["input"]
    out: list[RF] = []
    for r in summary.layers:
        layer = r.layer
        ins = (previous,) if layer.inputs is None else tuple(by_ref.get(ref) for ref in layer.inputs)
        fn = RF_FNS.get(type(layer)) or RF_BY_KIND.get(layer.kind)
        if fn is None or any(x is None for x in ins):
            rf = None   # unknown layer kind, or an unknown input: unknown from here on
        elif len(ins) > 1 and fn is not rf_merge:
            rf = None
        else:
            rf = fn(r, ins)
        out.append(rf)
        previous = by_ref[layer.name] = rf
        if layer.id is not None:
            by_ref[layer.id] = rf
    return out


# ---------------------------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Memory:
    """Bytes of one layer: weights, its output for the batch, and for training the gradients
    of the trainable weights and the optimizer state."""
    params: int
    activations: int
    gradients: int
    optimizer: int

    @property
    def training(self) -> int:
        return self.params + self.gradients + self.optimizer + self.activations


def layer_memory(r: LayerResult, bytes_per_value: int, batch: int, state_copies: int) -> Memory:
    return Memory(
        params=r.params * bytes_per_value,                       # trainable + buffers
        activations=batch * r.activation_size * bytes_per_value,  # output kept for backward
        gradients=r.trainable_params * bytes_per_value,           # one gradient per weight
        optimizer=state_copies * r.trainable_params * bytes_per_value)


# ---------------------------------------------------------------------------------------------
# Records and the entry point
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LayerMetrics:
    """Every metric of one layer; `None` means unknown. Compute covers `batch` samples."""
    result: LayerResult
    macs: int | None
    flops: int | None
    rf: RF
    memory: Memory
    params_share: float | None   # fraction of the total parameters
    macs_share: float | None     # fraction of the total MACs

    @property
    def layer(self) -> L.Layer:
        return self.result.layer


@dataclass(frozen=True)
class MetricTotals:
    macs: int | None
    flops: int | None
    memory: Memory
    input_bytes: int             # the input batch itself, not part of any layer
    unknown_macs: tuple[str, ...]   # labels of the layers whose MACs are unknown
    unknown_flops: tuple[str, ...]


@dataclass(frozen=True)
class Metrics:
    layers: tuple[LayerMetrics, ...]
    totals: MetricTotals
    batch: int
    optimizer: str
    flops_convention: str
    dtype: str
    bytes_per_value: int


def _total(values) -> int | None:
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


def _share(part: int | None, whole: int | None) -> float | None:
    if part is None or whole is None:
        return None
    return part / whole if whole else 0.0


def compute_options(batch: int, optimizer: str, flops_convention: str) -> tuple[int, str, str]:
    """Checked (batch, optimizer, convention); an ArgumentError names the bad value and the choices."""
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ArgumentError(f"batch must be a whole number >= 1, got {batch!r}; use e.g. batch=32")
    return (batch, _check_choice("optimizer", optimizer, OPTIMIZERS),
            _check_choice("FLOPs convention", flops_convention, FLOPS_CONVENTIONS))


def compute(summary: Summary, batch: int = 1, optimizer: str = DEFAULT_OPTIMIZER,
            flops_convention: str = DEFAULT_CONVENTION) -> Metrics:
    """Per-layer metric records and totals for a forward pass of `batch` samples."""
    batch, optimizer, convention = compute_options(batch, optimizer, flops_convention)
    t = summary.totals
    bpv = t.bytes_per_value
    macs = [None if m is None else batch * m for m in map(layer_macs, summary.layers)]
    flops = [None if f is None else batch * f for f in (layer_flops(r, convention) for r in summary.layers)]
    rfs = receptive_fields(summary)
    mems = [layer_memory(r, bpv, batch, OPTIMIZERS[optimizer]) for r in summary.layers]
    total_macs = _total(macs)
    records = tuple(
        LayerMetrics(r, m, f, rf, mem, _share(r.params, t.params), _share(m, total_macs))
        for r, m, f, rf, mem in zip(summary.layers, macs, flops, rfs, mems))
    memory = Memory(*(sum(getattr(m, k) for m in mems)
                      for k in ("params", "activations", "gradients", "optimizer")))
    totals = MetricTotals(
        macs=total_macs, flops=_total(flops), memory=memory,
        input_bytes=batch * t.input_size * bpv,
        unknown_macs=tuple(r.layer.label for r, m in zip(summary.layers, macs) if m is None),
        unknown_flops=tuple(r.layer.label for r, f in zip(summary.layers, flops) if f is None))
    return Metrics(records, totals, batch, optimizer, convention, t.dtype, bpv)
