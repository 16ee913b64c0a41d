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

from .errors import ArgumentError
from .infer import LayerResult, Summary
from .kinds.base import Layer
from .kinds.measure import RF, AxisRF  # noqa: F401 (AxisRF: part of this module's interface)

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

def _check_choice(what: str, value: str, choices) -> str:
    key = value.strip().lower()
    if key not in choices:
        raise ArgumentError(f"unknown {what} '{value}'; use one of: {', '.join(choices)}")
    return key


def parse_batch(text: str | int) -> int:
    """--batch: a whole number >= 1."""
    value = str(text).strip().replace("_", "")
    if not value.isdigit() or len(value) > 12 or int(value) < 1:
        raise ArgumentError(f"--batch must be a whole number of samples >= 1, got '{text}'; "
                            "use e.g. --batch 32")
    return int(value)


# ---------------------------------------------------------------------------------------------
# Per layer: each kind's facets (cnncalc/kinds); a kind without a formula returns None (unknown)
# ---------------------------------------------------------------------------------------------

def layer_macs(r: LayerResult) -> int | None:
    """MACs of one sample; None when cnncalc has no formula for the kind."""
    return r.layer.macs(r)


def layer_flops(r: LayerResult, convention: str) -> int | None:
    """FLOPs of one sample under `convention`; None when unknown."""
    if convention == "full":
        return r.layer.flops(r)
    macs = layer_macs(r)
    if macs is None:
        return None
    return 2 * macs if convention == "2macs" else macs


def input_rf(shape: tuple[int, ...]) -> tuple[AxisRF, ...]:
    """At the network input each unit is one pixel: size 1, jump 1, start at its index."""
    spatial = shape[:-1] if len(shape) >= 2 else ()
    return tuple(AxisRF(size=1, jump=1, start=0, n=n) for n in spatial)


def receptive_fields(summary: Summary) -> list[RF]:
    """The receptive field of every layer, in order, following `inputs` through branches;
    unknown (None) from an unknown layer on."""
    def step(r: LayerResult, ins) -> RF:
        if any(x is None for x in ins):
            return None
        return r.layer.rf(r, ins)
    return summary.fold(input_rf(summary.spec.input), step)


# ---------------------------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)  # one per layer: no __dict__
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

@dataclass(frozen=True, slots=True)  # one per layer: no __dict__
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
    def layer(self) -> Layer:
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


def given(metrics):
    """The computed metrics a renderer shows: renderers format them and never compute them (the
    caller passes compute()'s result; cnncalc.summarize does)."""
    if metrics is None:
        raise TypeError("render formats computed metrics: pass metrics=metrics.compute(summary)")
    return metrics


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
