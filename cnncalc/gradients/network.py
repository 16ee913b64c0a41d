"""One forward and backward pass of a small network, every number kept (`cnncalc backprop`).

The forward pass is the executor's: each kind's `forward` facet, in float64, batch 1, values
channels last as the spec's shapes. Weights are in the executor's layouts (cnncalc/ops.py,
the same as `make_weights`, which is torch's):

    conv1d/2d/3d  weight (C_out, C_in/groups, *f)   bias (C_out,)
    dense         weight (units, n_in)              bias (units,)
    batchnorm     gamma, beta, running_mean, running_var   (C,) each

A weights file is JSON mapping layer names to their arrays as nested lists:
    {"conv1d_1": {"weight": [[[1, -1, 2]]]}, "dense_1": {"weight": [[1, -2, 3, 1, 2]], "bias": [0]}}
(a bare nested list is the weight of a layer that has nothing else). Every layer that learns
must be there; without a file the weights are drawn from `seed` as `cnncalc verify` draws them.

The backward pass of each supported kind is a small pure function in BACKWARD, keyed by the
kind's class: (r, inputs, weights, upstream) -> (gradients of the inputs, of the weights), r
an infer.LayerResult. A fused `activation:` is differentiated first (ACTIVATION_GRADS).
Losses: mse = mean (y - t)^2; cross_entropy = -sum t log p, p the output when the network ends
in softmax, else softmax of the output (read as logits, as torch's CrossEntropyLoss); bce =
-mean(t log p + (1-t) log(1-p)), p the output when it ends in sigmoid, else sigmoid of it.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from ..errors import ArgumentError, CnncalcError
from .conv import jsonable
from ..infer import LayerResult, Summary, infer
from ..kinds import (Activation, BatchNorm, Concat, Conv, Dense, Dropout, Flatten, GlobalPool, Merge, Pool,
                    fmt_shape)
from ..spec import Spec
from .inputs import check_weights, input_array, target_array
from .inputs import layout, load_weights, parse_array  # noqa: F401 (the interface)

MAX_VALUES = 1_000_000  # input + activations + parameters of a worked example
LOSSES = ("mse", "cross_entropy", "bce")


# ---------------------------------------------------------------- windows (as ops.conv_nd reads them)

def _view(xp, offs, axes, out):
    """The strided view of padded `xp` (B, *spatial, C) that kernel tap `offs` reads: one cell per
    output position."""
    idx = [slice(None)]
    for j, a, o in zip(offs, axes, out):
        idx.append(slice(j * a.d, j * a.d + (o - 1) * a.s + 1, a.s))
    return xp[tuple(idx)]


def _pad(x, pads, value=0.0):
    return np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=value) if any(b or a for b, a in pads) else x.copy()


def _crop(xp, pads, shape):
    return xp[(slice(None), *(slice(b, b + n) for (b, _), n in zip(pads, shape)), slice(None))]


def _taps(axes):
    return itertools.product(*(range(a.f) for a in axes))


# ---------------------------------------------------------------- backward of each kind

def conv_backward(r: LayerResult, xs, w, g):
    """Every tap t reads the window view V_t of the padded input: Z += V_t @ W[:, :, t].T, so
    dW[:, :, t] = G^T V_t (the input cross-correlated with G), dV_t += G @ W[:, :, t] (G spread
    back through the kernel: the full convolution), db = sum of G."""
    x, W, groups = xs[0], w["weight"], r.layer.groups
    pads, out = [a.pad for a in r.axes], r.output_shape[:-1]
    xp = _pad(x, pads)
    dxp, dW = np.zeros_like(xp), np.zeros_like(W)
    cg, og = W.shape[1], W.shape[0] // groups
    for offs in _taps(r.axes):
        v, dv = _view(xp, offs, r.axes, out), _view(dxp, offs, r.axes, out)
        for k in range(groups):
            ci, co = slice(k * cg, (k + 1) * cg), slice(k * og, (k + 1) * og)
            gk = g[..., co].reshape(-1, og)
            dW[(co, slice(None), *offs)] += gk.T @ v[..., ci].reshape(-1, cg)
            dv[..., ci] += (gk @ W[(co, slice(None), *offs)]).reshape(dv[..., ci].shape)
    grads = {"weight": dW}
    if "bias" in w:
        grads["bias"] = g.reshape(-1, g.shape[-1]).sum(axis=0)
    return (_crop(dxp, pads, x.shape[1:-1]),), grads


def dense_backward(r, xs, w, g):
    """Z = X W^T + b: dW = G^T X, db = sum of G, dX = G W."""
    x = xs[0].reshape(-1, xs[0].shape[-1])  # on a feature map: every position is a row
    g2 = g.reshape(-1, g.shape[-1])
    grads = {"weight": g2.T @ x}
    if "bias" in w:
        grads["bias"] = g2.sum(axis=0)
    return (g @ w["weight"],), grads


def flatten_backward(r, xs, w, g):
    """Flatten only reorders: the gradient is reshaped back."""
    return (g.reshape(xs[0].shape),), {}


def identity_backward(r, xs, w, g):
    """Dropout at inference passes values, and gradients, unchanged."""
    return (g,), {}


def _pool_pads(r):
    """The padding of each axis, with the extra cells after it that the last ceil_mode window
    reads (as ops.pool_nd pads)."""
    from ..formulas import effective_kernel, padded
    out = r.output_shape[:-1]
    return [(a.pad[0], a.pad[1] + max(0, (o - 1) * a.s + effective_kernel(a.f, a.d) - padded(a.n, a.pad)))
            for a, o in zip(r.axes, out)]


def pool_backward(r, xs, w, g):
    """Max: each output's gradient goes to the cell that won its window (the first maximum in
    the window's row-major order, as torch picks). Average: spread evenly over the cells it
    divided by."""
    x, L = xs[0], r.layer
    out, pads = r.output_shape[:-1], _pool_pads(r)
    taps = list(_taps(r.axes))
    if L.kind.startswith("max"):
        xp = _pad(x, pads, -np.inf)
        best = np.full(g.shape, -np.inf)
        arg = np.zeros(g.shape, dtype=np.intp)
        for t, offs in enumerate(taps):
            v = _view(xp, offs, r.axes, out)
            better = v > best
            best = np.where(better, v, best)
            arg[better] = t
        dxp = np.zeros_like(xp)
        for t, offs in enumerate(taps):
            _view(dxp, offs, r.axes, out)[...] += np.where(arg == t, g, 0.0)
        return (_crop(dxp, pads, x.shape[1:-1]),), {}
    include = L.count_include_pad and L.padding != "same"
    mask = np.zeros((1, *(n + b + a for n, (b, a) in zip(x.shape[1:-1], pads)), 1))
    inner = tuple(slice(0, a.n + a.pad[0] + a.pad[1]) if include else slice(a.pad[0], a.pad[0] + a.n) for a in r.axes)
    mask[(slice(None), *inner, slice(None))] = 1
    count = sum(_view(mask, offs, r.axes, out) for offs in taps)
    dxp = np.zeros((x.shape[0], *mask.shape[1:-1], x.shape[-1]))
    for offs in taps:
        _view(dxp, offs, r.axes, out)[...] += g / count
    return (_crop(dxp, pads, x.shape[1:-1]),), {}


def global_pool_backward(r, xs, w, g):
    """Average: G / n to every position. Max: G to the first position holding the maximum."""
    x = xs[0]
    b, c = x.shape[0], x.shape[-1]
    g = g.reshape(b, c)
    flat = x.reshape(b, -1, c)
    if r.layer.kind == "global_avgpool":
        return (np.broadcast_to((g / flat.shape[1])[:, None, :], flat.shape).reshape(x.shape).copy(),), {}
    dx = np.zeros_like(flat)
    first = flat.argmax(axis=1)  # numpy's argmax is the first maximum
    for i in range(b):
        dx[i, first[i], np.arange(c)] = g[i]
    return (dx.reshape(x.shape),), {}


def batchnorm_backward(r, xs, w, g):
    """Inference: y = (x - mean) / sqrt(var + eps) * gamma + beta with the running statistics
    fixed, so dX = G * gamma / sqrt(var + eps), dgamma = sum G * x_hat, dbeta = sum G."""
    x = xs[0]
    scale = 1.0 / np.sqrt(w["running_var"] + r.layer.epsilon)
    axes = tuple(range(x.ndim - 1))
    grads = {}
    if "gamma" in w:
        grads["gamma"] = (g * (x - w["running_mean"]) * scale).sum(axis=axes)
    if "beta" in w:
        grads["beta"] = g.sum(axis=axes)
    return (g * scale * w.get("gamma", 1.0),), grads


def merge_backward(r, xs, w, g):
    """add: every input gets G; subtract: G and -G; average: G/k; multiply: G times the
    product of the others. An input that was broadcast gets G summed over the axes it grew."""
    kind, k = r.layer.kind, len(xs)
    if kind in ("maximum", "minimum"):
        raise ArgumentError(f"backprop does not work {kind} merges (layer {r.layer.name}); "
                            "use add, subtract, multiply, average or concat")
    rank = g.ndim
    full = [x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:]) for x in xs]
    out = []
    for i, x in enumerate(full):
        if kind == "multiply":
            gi = g
            for j, v in enumerate(full):
                if j != i:
                    gi = gi * v
        else:
            gi = g / k if kind == "average" else (-g if kind == "subtract" and i == 1 else g.copy())
        grown = tuple(a for a in range(1, rank) if x.shape[a] == 1 and g.shape[a] != 1)
        gi = gi.sum(axis=grown, keepdims=True) if grown else gi
        out.append(gi.reshape(xs[i].shape))
    return tuple(out), {}


def concat_backward(r, xs, w, g):
    """Each input gets its own slice of G back."""
    axis = r.layer.axis
    cuts = np.cumsum([v.shape[axis] for v in xs])[:-1]
    return tuple(np.split(g, cuts, axis=axis)), {}


def activation_backward(r, xs, w, g):
    L = r.layer
    z = xs[0]
    return (activation_grad(L.kind, z, _activate(L.kind, z, L.negative_slope), g, L.negative_slope),), {}


BACKWARD: dict[type, Callable] = {
    Conv: conv_backward, Dense: dense_backward, Flatten: flatten_backward, Pool: pool_backward,
    GlobalPool: global_pool_backward, Activation: activation_backward, Dropout: identity_backward,
    BatchNorm: batchnorm_backward, Merge: merge_backward, Concat: concat_backward,
}


# ---------------------------------------------------------------- activations

def _erf(z):
    from ..ops import _erf as erf
    return erf(z)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# d a / d z times the upstream g, element-wise (softmax and log_softmax: over the last axis)
ACTIVATION_GRADS: dict[str, Callable] = {
    "linear": lambda z, a, g, slope: g,
    "relu": lambda z, a, g, slope: g * (z > 0),
    "relu6": lambda z, a, g, slope: g * ((z > 0) & (z < 6)),
    "leaky_relu": lambda z, a, g, slope: np.where(z > 0, g, g * slope),
    "elu": lambda z, a, g, slope: np.where(z > 0, g, g * np.exp(np.minimum(z, 0))),
    "selu": lambda z, a, g, slope: g * 1.0507009873554805 * np.where(z > 0, 1.0, 1.6732632423543772 * np.exp(np.minimum(z, 0))),
    "sigmoid": lambda z, a, g, slope: g * a * (1 - a),
    "tanh": lambda z, a, g, slope: g * (1 - a * a),
    "softplus": lambda z, a, g, slope: np.where(z > 20, g, g * _sigmoid(z)),  # torch's threshold 20
    "silu": lambda z, a, g, slope: g * _sigmoid(z) * (1 + z * (1 - _sigmoid(z))),
    "swish": lambda z, a, g, slope: g * _sigmoid(z) * (1 + z * (1 - _sigmoid(z))),
    "softsign": lambda z, a, g, slope: g / (1 + np.abs(z)) ** 2,
    "mish": lambda z, a, g, slope: g * (np.tanh(np.logaddexp(0, z)) + z * _sigmoid(z) * (1 - np.tanh(np.logaddexp(0, z)) ** 2)),
    "hard_sigmoid": lambda z, a, g, slope: np.where((z > -3) & (z < 3), g / 6, 0.0),
    # gelu = z * Phi(z): Phi(z) + z * phi(z), Phi the normal CDF, phi its density
    "gelu": lambda z, a, g, slope: g * (0.5 * (1 + _erf(z / math.sqrt(2))) + z * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)),
    "hardswish": lambda z, a, g, slope: np.where(z < -3, 0.0, np.where(z <= 3, g * (z / 3 + 0.5), g)),
    "softmax": lambda z, a, g, slope: a * (g - (g * a).sum(axis=-1, keepdims=True)),
    "log_softmax": lambda z, a, g, slope: g - _softmax(z) * g.sum(axis=-1, keepdims=True),
}


def _activate(name, z, slope=None):
    from ..ops import activate
    return activate(name, z, slope)


def activation_grad(name: str, z, a, g, slope=None):
    """dL/dz from dL/da = g for a = name(z)."""
    from ..ops import LEAKY_SLOPE
    return ACTIVATION_GRADS[name](z, a, g, LEAKY_SLOPE if slope is None else slope)


def _fused(layer) -> str | None:
    act = getattr(layer, "activation", None)
    return None if act in (None, "linear") else act


def activate_grid(name: str, values, negative_slope: float | None = None):
    """A = g(Z) element-wise on nested lists (`conv --activation`): linear, relu and relu6 keep
    exact numbers; the others are the executor's functions (cnncalc.ops) in float64."""
    from ..ops import ACTIVATION_FUNCS, activate
    exact = {"linear": lambda v: v, "relu": lambda v: max(v, 0), "relu6": lambda v: min(max(v, 0), 6)}.get(name)
    if exact is not None:
        return [activate_grid(name, v) for v in values] if isinstance(values, list) else exact(values)
    if name in ("softmax", "log_softmax") or (name not in ACTIVATION_FUNCS and name != "leaky_relu"):
        usable = ", ".join(n for n in (*ACTIVATION_FUNCS, "leaky_relu") if n not in ("softmax", "log_softmax"))
        raise ArgumentError(f"--activation `{name}` is not an element-wise activation; use one of {usable}")
    with np.errstate(over="ignore"):
        return jsonable(activate(name, np.array(values, dtype=np.float64), negative_slope).tolist())


# ---------------------------------------------------------------- losses

def _reads_probabilities(summary: Summary, loss: str) -> bool:
    last = summary.layers[-1].layer
    final = last.kind if isinstance(last, Activation) else _fused(last)
    return final == {"cross_entropy": "softmax", "bce": "sigmoid"}.get(loss)


def loss_and_grad(loss: str, y, t, probabilities: bool) -> tuple[float, Any, str]:
    """(L, dL/dy, the formula) for output y (no batch axis) and target t."""
    n = y.size
    if loss == "mse":
        d = y - t
        value = float((d * d).sum() / n)
        text = "L = (1/N) sum (y - t)^2"
        if n <= 10:
            from ..grids import fmt
            terms = " + ".join(f"({fmt(a)} - {fmt(b)})^2" for a, b in zip(y.ravel(), t.ravel()))
            text += f" = ({terms}) / {n} = {fmt(value)}"
        return value, 2 * d / n, text
    if loss == "cross_entropy":
        if probabilities:
            with np.errstate(divide="ignore", invalid="ignore"):
                value = float(-(t * np.log(y)).sum())
                grad = np.where(t != 0, -t / y, 0.0)
            return value, grad, "L = -sum_k t_k log p_k, p = the network's softmax output"
        z = y - y.max()
        logp = z - np.log(np.exp(z).sum())
        return (float(-(t * logp).sum()), np.exp(logp) * t.sum() - t,
                "L = -sum_k t_k log softmax(y)_k, the output read as logits (torch's CrossEntropyLoss)")
    if probabilities:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = float(-(t * np.log(y) + (1 - t) * np.log(1 - y)).sum() / n)
            grad = (-(t / y) + (1 - t) / (1 - y)) / n
        return value, grad, "L = -(1/N) sum (t log p + (1-t) log(1-p)), p = the network's sigmoid output"
    value = float((np.maximum(y, 0) - y * t + np.log1p(np.exp(-np.abs(y)))).sum() / n)
    return (value, (_sigmoid(y) - t) / n,
            "L = -(1/N) sum (t log s + (1-t) log(1-s)), s = sigmoid(y): the output read as logits "
            "(torch's BCEWithLogitsLoss)")


# ---------------------------------------------------------------- the pass

@dataclass(frozen=True)
class Backprop:
    """One forward and backward pass. Per layer (summary order): `outputs` (after a fused
    activation), `pre` (before it, or None), `grads` {"output": dL/d output, "pre_activation":
    dL/dz when fused, and one entry per weight array}; arrays without the batch axis."""
    summary: Summary
    loss_name: str
    loss: float
    loss_formula: str
    probabilities: bool
    x: Any
    target: Any
    weights: tuple
    outputs: tuple
    pre: tuple
    grads: tuple
    input_grad: Any

    def as_dict(self) -> dict[str, Any]:
        """{"loss", "outputs": {layer: ...}, "gradients": {layer: {"weight", "bias", "output"}}}
        as nested lists, and the rest that was computed on the way."""
        def lst(a):
            return None if a is None else jsonable(np.asarray(a).tolist())
        outputs, pre, grads, weights = {}, {}, {}, {}
        for r, y, z, g, w in zip(self.summary.layers, self.outputs, self.pre, self.grads, self.weights):
            name = r.layer.name
            outputs[name] = lst(y)
            if z is not None:
                pre[name] = lst(z)
            entry = {"weight": lst(g.get("weight", g.get("gamma"))), "bias": lst(g.get("bias", g.get("beta"))),
                     "output": lst(g["output"])}
            if "pre_activation" in g:
                entry["pre_activation"] = lst(g["pre_activation"])
            grads[name] = entry
            if w:
                weights[name] = {k: lst(v) for k, v in w.items()}
        return {"loss": jsonable(self.loss), "loss_name": self.loss_name, "loss_formula": self.loss_formula,
                "outputs": outputs, "pre_activations": pre, "gradients": grads,
                "input_gradient": lst(self.input_grad), "weights": weights,
                "weights_layout": "torch's: conv weight (C_out, C_in/groups, *f), dense weight (units, n_in), "
                                  "bias (C_out,); values channels last"}


def check_supported(summary: Summary) -> None:
    """Every layer has a backward pass here (and a differentiable activation)."""
    for r in summary.layers:
        L = r.layer
        if type(L) not in BACKWARD:
            raise CnncalcError(f"{L.label}: backprop has no backward pass for `{L.kind}`; it works conv1d/2d/3d, "
                               "dense, flatten, max/avg pooling, global pooling, activations, dropout, batchnorm, "
                               "add, multiply and concat")
        act = L.kind if isinstance(L, Activation) else _fused(L)
        if act is not None and act not in ACTIVATION_GRADS:
            raise CnncalcError(f"{L.label}: backprop has no derivative for activation `{act}`; use one of "
                               f"{', '.join(ACTIVATION_GRADS)}")
        if getattr(L, "approximate", "none") != "none":
            raise CnncalcError(f"{L.label}: backprop works the exact gelu, not approximate: {L.approximate}; "
                               "leave approximate out")


def check_size(summary: Summary) -> None:
    t = summary.totals
    values = t.input_size + t.activation_size + t.params
    if values > MAX_VALUES:
        raise CnncalcError(f"the network has {values:,} values (input {t.input_size:,} + activations "
                           f"{t.activation_size:,} + parameters {t.params:,}), more than the {MAX_VALUES:,} a worked "
                           "backprop shows; use a smaller input or fewer filters and units")


def backprop(spec: Spec, x: Any, target: Any, loss: str = "mse", weights: dict | None = None,
             seed: int = 0) -> Backprop:
    """Forward and backward through `spec` for one input `x` (nested lists, the spec's input
    shape) and `target`; `weights` a mapping as a weights file holds, or None to draw them."""
    if loss not in LOSSES:
        raise ArgumentError(f"--loss `{loss}` is not one of {', '.join(LOSSES)}")
    summary = infer(spec)
    check_size(summary)
    check_supported(summary)
    xa = input_array(x, spec.input)[None]
    ws = check_weights(summary, weights, seed)
    t = target_array(target, summary.output_shape, loss)
    ins, pres = [], []

    def forward(r: LayerResult, xs: tuple):
        """The layer's own forward facet; a fused activation applied apart, so z is kept."""
        act = None if isinstance(r.layer, Activation) else _fused(r.layer)
        core = replace(r.layer, activation=None) if act else r.layer
        z = core.forward(xs if getattr(r.layer, "MULTI_INPUT", False) else xs[0], ws[len(ins)], r)
        ins.append(xs)
        pres.append(z if act else None)
        return _activate(act, z) if act else z
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        outs = summary.fold(xa, forward)
        y = outs[-1][0]
        probabilities = _reads_probabilities(summary, loss)
        value, dy, formula = loss_and_grad(loss, y, t, probabilities)
        ups: list = [None] * len(outs)
        ups[-1] = dy[None]
        dx = np.zeros_like(xa)
        grads: list[dict] = [{} for _ in outs]
        for k in range(len(outs) - 1, -1, -1):
            r = summary.layers[k]
            g = ups[k] if ups[k] is not None else np.zeros_like(outs[k])
            grads[k]["output"] = g[0]
            act = None if isinstance(r.layer, Activation) else _fused(r.layer)
            if act:
                g = activation_grad(act, pres[k], outs[k], g)
                grads[k]["pre_activation"] = g[0]
            dxs, dws = BACKWARD[type(r.layer)](r, ins[k], ws[k], g)
            grads[k].update(dws)
            for j, d in zip(r.inputs, dxs):
                if j < 0:
                    dx = dx + d
                else:
                    ups[j] = d if ups[j] is None else ups[j] + d
    if not math.isfinite(value) or not all(np.all(np.isfinite(v)) for gr in grads for v in gr.values()):
        raise CnncalcError(f"the {loss} loss or a gradient is not finite (loss {value}); the output saturates "
                           "(a probability of exactly 0 or 1) or the numbers overflow: use smaller weights or inputs")
    return Backprop(summary, loss, value, formula, probabilities, xa[0], t, tuple(ws),
                    tuple(o[0] for o in outs), tuple(None if p is None else p[0] for p in pres), tuple(grads), dx[0])


# ---------------------------------------------------------------- text

def _array_text(a, indent: str = "    ", weight: bool = False) -> str:
    """Values channels last: (L, C) as one row per channel, (H, W, C) one grid per channel.
    Weights (C_out, C_in, *f): one grid per filter (1-D: rows = input channels), or per (o, c)."""
    from ..grids import fmt, grid_text
    a = np.asarray(a)
    if a.ndim <= 1:
        return indent + " ".join(fmt(v) for v in np.atleast_1d(a))
    if a.ndim == 2:
        return grid_text(a if weight else a.T, indent)
    parts = []
    if weight:
        for o in range(a.shape[0]):
            parts += [f"{indent}[{o}]:", _array_text(a[o], indent + "  ", True)]
    else:
        for c in range(a.shape[-1]):
            parts += [f"{indent}[..., {c}]:", _array_text(a[..., c], indent + "  ", True)]
    return "\n".join(parts)


def result_text(b: Backprop) -> str:
    from ..grids import fmt
    lines = [f"input {fmt_shape(b.x.shape)} (values channels last; (L, C) shown one row per channel):",
             _array_text(b.x)]
    for r, y, z, g in zip(b.summary.layers, b.outputs, b.pre, b.grads):
        L = r.layer
        lines.append(f"{L.name} ({L.kind}) -> {fmt_shape(r.output_shape)}")
        if z is not None:
            lines += [f"  z (before {L.activation}):", _array_text(z)]
        lines += ["  output:", _array_text(y)]
    lines.append(f"loss ({b.loss_name}) = {fmt(b.loss)}")
    lines.append(f"  {b.loss_formula}")
    lines.append("gradients, last layer first:")
    for r, g in reversed(list(zip(b.summary.layers, b.grads))):
        L = r.layer
        lines += [f"{L.name} ({L.kind})", "  dL/d output:", _array_text(g["output"])]
        if "pre_activation" in g:
            lines += [f"  dL/dz (through {L.activation}):", _array_text(g["pre_activation"])]
        for key, v in g.items():
            if key not in ("output", "pre_activation"):
                lines += [f"  dL/d {key} {fmt_shape(np.shape(v))}:", _array_text(v, weight=True)]
    lines += ["dL/d input:", _array_text(b.input_grad)]
    return "\n".join(lines) + "\n"
