"""Metric building blocks that several kinds share: the receptive-field record and its steps,
the kernel volume, and the operation counts of weight layers and activations.

Light on purpose (formulas only): every kind module imports it at import time. The walks and
totals that use the kinds' `macs`, `flops` and `rf` facets are in `cnncalc.metrics`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .. import formulas as F
from ..formulas import product


@dataclass(frozen=True, slots=True)  # one per layer: no __dict__
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


def kernel_volume(r) -> int:
    """prod(f) over the spatial axes: 3*3 = 9 for a 3x3 kernel."""
    return product(a.f for a in r.axes)


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


def activation_ops(r, name: str | None) -> int | None:
    """Ops of an activation applied to every output value; None for one without a count."""
    if name is None:
        return 0
    per = ACTIVATION_OPS.get(name)
    return None if per is None else per * product(r.output_shape)


def weighted_flops(r, macs: int, dot: bool) -> int | None:
    """FLOPs of a weight layer: products and sums, bias adds, the fused activation."""
    out = product(r.output_shape)
    if dot:
        ops = 2 * macs - out  # a K-term dot product is K multiplies and K-1 adds: 2K-1 per output
    else:
        ops = 2 * macs        # scatter (transposed): every product is added into the output
    ops += out if r.layer.bias else 0  # one bias add per output value
    act = activation_ops(r, r.layer.activation)
    return None if act is None else ops + act


# -- shared facet implementations, bound by name in the kinds --------------------------------

def no_macs(self, r) -> int:
    """No weights to multiply: pooling, activations, batchnorm (as a scale, counted in FLOPs),
    dropout, reshapes, padding, embedding lookups, merges."""
    return 0


def zero_flops(self, r) -> int:
    """Data movement or a lookup, no arithmetic: flatten, zero padding, embedding, concat,
    and dropout at inference (it is the identity there)."""
    return 0


def rf_window(self, r, ins) -> RF:
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


def rf_same(self, r, ins) -> RF:
    """Element-wise layers (activations, batchnorm, dropout, LRN across channels) and
    flatten (a reshape: each value is still one unit of its input)."""
    (prev,) = ins
    return prev


def whole_axis(x: AxisRF) -> AxisRF:
    """One window over all n units of an axis: f = s = n, no padding."""
    size, jump, start = F.rf_step(x.size, x.jump, x.start, f=x.n, s=x.n)
    return AxisRF(size=size, jump=jump, start=start, n=1)


def rf_global(self, r, ins) -> RF:
    """Global pooling and dense: every output reads every unit of every axis."""
    (prev,) = ins
    return tuple(whole_axis(x) for x in prev)


def rf_unknown(self, r, ins) -> RF:
    """No single receptive field (e.g. a transposed conv: an output unit reads a different
    number of inputs depending on its position): unknown, never a guess."""
    return None


def rf_merged(self, r, ins) -> RF:
    """Merges take the union of their inputs' windows: the maximum over the paths. With the
    windows nested (the usual case) the size is the largest input's size. Inputs whose units
    are spaced differently (different jumps) have no single receptive field: unknown."""
    return rf_union(r, ins)


def rf_union(r, ins) -> RF:
    """The union of the inputs' windows (merges): the maximum over the paths; unknown when the
    inputs' units are spaced differently, or a concat puts paths side by side on a spatial axis."""
    if len({len(x) for x in ins}) != 1:
        return None
    axis = getattr(r.layer, "axis", -1)
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
