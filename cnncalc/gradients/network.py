"""One forward and backward pass of a small network, every number kept (`cnncalc backprop`).

The forward pass is the executor's: each kind's `forward` facet, in float64, batch 1, values
channels last as the spec's shapes. Weights are in the executor's layouts, each kind's
`make_weights` (its `weight_shapes(r, "torch")`), which are torch's:

    conv1d/2d/3d  weight (C_out, C_in/groups, *f)   bias (C_out,)
    dense         weight (units, n_in)              bias (units,)
    batchnorm     gamma, beta, running_mean, running_var   (C,) each

A weights file is JSON mapping layer names to their arrays as nested lists:
    {"conv1d": {"weight": [[[1, -1, 2]]]}, "dense": {"weight": [[1, -2, 3, 1, 2]], "bias": [0]}}
(a bare nested list is the weight of a layer that has nothing else). Every layer that learns
must be there; without a file the weights are drawn from `seed` as `cnncalc verify` draws them.

The backward pass of each kind is its own `backward` facet, beside its forward
(cnncalc/kinds/backward.py says what it takes and gives); a fused `activation:` is
differentiated first, by the activation's derivative (kinds/activation.py).
Losses: mse = mean (y - t)^2; cross_entropy = -sum t log p, p the output when the network ends
in softmax, else softmax of the output (read as logits, as torch's CrossEntropyLoss); bce =
-mean(t log p + (1-t) log(1-p)), p the output when it ends in sigmoid, else sigmoid of it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import ArgumentError, CnncalcError
from .conv import jsonable
from ..infer import LayerResult, Summary, infer
from ..kinds import fmt_shape
from ..kinds.activation import DERIVATIVES, PROBABILITIES, derivative
from ..spec import Spec
from .inputs import check_weights, input_array, target_array

MAX_VALUES = 1_000_000  # input + activations + parameters of a worked example
LOSSES = ("mse", "cross_entropy", "bce")


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _activate(name, z):
    from ..ops import activate
    return activate(name, z)


# ---------------------------------------------------------------- losses

def _reads_probabilities(summary: Summary, loss: str) -> bool:
    return summary.layers[-1].layer.final_activation() == PROBABILITIES.get(loss)


def loss_and_grad(loss: str, y, t, probabilities: bool) -> tuple[float, Any, str]:
    """(L, dL/dy, the formula) for output y (no batch axis) and target t."""
    n = y.size
    if loss == "mse":
        d = y - t
        value = float((d * d).sum() / n)
        text = "L = (1/N) sum (y - t)^2"
        if n <= 10:
            from ..render.grids import fmt
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

    def text(self) -> str:
        """`cnncalc backprop`'s text: the input, every layer's output, the loss, then every
        gradient, last layer first."""
        return _text(self)

    def to_dict(self) -> dict[str, Any]:
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
        why = L.backward_refusal()
        if why is not None:
            raise CnncalcError(f"{L.label}: {why}")
        act = L.fused_activation()
        if act is not None and act not in DERIVATIVES:
            raise CnncalcError(f"{L.label}: backprop has no derivative for activation `{act}`; use one of "
                               f"{', '.join(DERIVATIVES)}")


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
        act = r.layer.fused_activation()
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
            act = r.layer.fused_activation()
            if act:
                g = derivative(act, pres[k], outs[k], g)
                grads[k]["pre_activation"] = g[0]
            multi = getattr(r.layer, "MULTI_INPUT", False)
            dxs, dws = r.layer.backward(ins[k] if multi else ins[k][0], ws[k], r, pres[k] if act else outs[k], g)
            dxs = dxs if multi else (dxs,)
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
    from ..render.grids import fmt, grid_text
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


def _text(b: Backprop) -> str:
    from ..render.grids import fmt
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
