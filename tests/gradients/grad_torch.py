"""The torch side of the gradient tests: random small networks and one forward/backward pass of
them through torch autograd (float64), for tests/gradients/test_network.py and tests/golden/make_grad.py.

The layer graph (which layer reads which, paddings as (before, after) pairs) is read from
cnncalc's infer; every number is torch's. Values are kept channels last as cnncalc keeps them
and moved to channels first around each torch op; weights are in torch's layouts already.
"""
from __future__ import annotations

from cnncalc.infer import infer
from cnncalc.spec import parse_spec

# hard_sigmoid is left out: torch 2.13's hardsigmoid_backward multiplies by float32(1/6) even in
# float64 (3e-8 off); gradients/test_network.py::test_hard_sigmoid_gradient_is_exactly_a_sixth
ACTS = ("relu", "sigmoid", "tanh", "leaky_relu", "linear", "elu", "softplus", "silu", "relu6", "softsign",
        "hardswish", "selu", "mish", "gelu")

# nets with branches, merges and batchnorm (inference), checked on seeded random numbers
BRANCHED = {
    "residual_add_bn": """
input: [4, 4, 2]
layers:
  - conv2d: {filters: 3, kernel: 3, padding: 1, id: a}
  - batchnorm: {id: bn}
  - relu: {id: r}
  - conv2d: {filters: 3, kernel: 1, inputs: [input], id: short}
  - add: {inputs: [r, short]}
  - maxpool2d: {kernel: 2}
  - flatten
  - dense: {units: 3, activation: softmax}
""",
    "concat_branches": """
input: [7, 2]
layers:
  - conv1d: {filters: 2, kernel: 3, padding: 1, activation: tanh, id: a}
  - conv1d: {filters: 3, kernel: 1, inputs: [input], id: b}
  - concat: {inputs: [a, b]}
  - avgpool1d: {kernel: 2, stride: 1}
  - global_maxpool
  - dense: {units: 2}
""",
    "multiply_dropout_global_avg": """
input: [5, 5, 1]
layers:
  - conv2d: {filters: 2, kernel: 2, stride: 2, padding: 1, activation: sigmoid, id: a}
  - conv2d: {filters: 2, kernel: 2, stride: 2, padding: 1, inputs: [input], id: b}
  - multiply: {inputs: [a, b]}
  - dropout: 0.3
  - leaky_relu: {negative_slope: 0.2}
  - global_avgpool
  - dense: {units: 1, activation: sigmoid}
""",
    "bn_without_affine_grouped_conv": """
input: [6, 4]
layers:
  - conv1d: {filters: 4, kernel: 3, groups: 2, dilation: 2, padding: [[2, 1]]}
  - batchnorm: {affine: false}
  - log_softmax
  - flatten
  - dense: {units: 3, bias: false}
""",
}


class Picker:
    """random.Random or a hypothesis `data` behind one interface."""

    def __init__(self, rnd=None, data=None):
        self.rnd, self.data = rnd, data

    def int(self, lo, hi):
        if self.data is not None:
            from hypothesis import strategies as st
            return self.data.draw(st.integers(lo, hi))
        return self.rnd.randint(lo, hi)

    def choice(self, seq):
        return seq[self.int(0, len(seq) - 1)]


def _args(d: dict) -> str:
    return "{" + ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in d.items()) + "}"


def random_net(pick: Picker) -> tuple[str, str]:
    """(spec text, loss): conv [activation] [pool] [conv [pool]] flatten dense, sizes 1-8,
    kernels 1-4, strides 1-3, padding 0-2; may be refused by infer (the caller draws again)."""
    dims = pick.int(1, 2)
    c = pick.int(1, 3)
    f, p = pick.int(1, 4), pick.int(0, 2)
    n = [pick.int(max(1, f - 2 * p), 8) for _ in range(dims)]
    lines = [f"input: {[*n, c]}", "layers:"]
    for block in range(pick.int(1, 2)):
        if block:
            f, p = pick.int(1, 3), pick.int(0, 1)
        conv = {"filters": pick.int(1, 3), "kernel": f, "stride": pick.int(1, 3), "padding": p,
                "bias": pick.choice([True, False])}
        act = pick.choice([None, *ACTS])
        if act:
            conv["activation"] = act
        lines.append(f"  - conv{dims}d: {_args(conv)}")
        if pick.int(0, 2) == 0:
            layer = pick.choice(["relu", "tanh", "leaky_relu", "sigmoid"])
            lines.append(f"  - {layer}" + (": {negative_slope: 0.1}" if layer == "leaky_relu" and pick.int(0, 1) else ""))
        if pick.int(0, 1):
            k = pick.int(1, 3)
            pool = {"kernel": k, "stride": pick.int(1, 3), "padding": pick.int(0, k // 2),
                    "ceil_mode": pick.choice([False, True])}
            lines.append(f"  - {pick.choice(['max', 'avg'])}pool{dims}d: {_args(pool)}")
    lines.append("  - flatten")
    dense = {"units": pick.int(1, 4), "bias": pick.choice([True, False])}
    last = pick.choice([None, "relu", "tanh", "sigmoid", "softmax"])
    if last:
        dense["activation"] = last
    lines.append(f"  - dense: {_args(dense)}")
    if last == "softmax":
        loss = "cross_entropy"
    elif last == "sigmoid":
        loss = pick.choice(["bce", "mse"])
    else:
        loss = pick.choice(["mse", "mse", "cross_entropy", "bce"])
    return "\n".join(lines) + "\n", loss


def numbers(rng, text: str, loss: str):
    """(input, target, weights) drawn with a numpy Generator, as nested lists."""
    import numpy as np
    summary = infer(parse_spec(text))
    x = rng.standard_normal(summary.spec.input)
    weights = {}
    for r in summary.layers:
        w = r.layer.make_weights(r, rng, np.dtype(np.float64))
        if w:
            if "running_var" in w:
                w["running_var"] = rng.uniform(0.5, 1.5, w["running_var"].shape)
            weights[r.layer.name] = {k: (v + 0.05 * rng.standard_normal(v.shape)).tolist() for k, v in w.items()}
    n = summary.output_shape[-1]
    if loss == "cross_entropy":
        target = int(rng.integers(0, n)) if rng.integers(0, 2) else (lambda t: (t / t.sum()).tolist())(rng.uniform(0.1, 1, n))
    elif loss == "bce":
        target = rng.uniform(0, 1, summary.output_shape).tolist()
    else:
        target = rng.standard_normal(summary.output_shape).tolist()
    return x.tolist(), target, weights


def _act(torch, name, h, slope=None):
    F = torch.nn.functional
    return {
        None: lambda: h, "linear": lambda: h, "relu": lambda: F.relu(h), "sigmoid": lambda: torch.sigmoid(h),
        "tanh": lambda: torch.tanh(h), "leaky_relu": lambda: F.leaky_relu(h, 0.01 if slope is None else slope),
        "elu": lambda: F.elu(h), "selu": lambda: F.selu(h), "softplus": lambda: F.softplus(h),
        "silu": lambda: F.silu(h), "swish": lambda: F.silu(h), "relu6": lambda: F.relu6(h),
        "softsign": lambda: F.softsign(h), "mish": lambda: F.mish(h), "hard_sigmoid": lambda: F.hardsigmoid(h),
        "hardswish": lambda: F.hardswish(h), "gelu": lambda: F.gelu(h), "softmax": lambda: torch.softmax(h, -1),
        "log_softmax": lambda: torch.log_softmax(h, -1),
    }[name]()


def torch_backprop(torch, text: str, x, target, loss: str, weights: dict) -> dict:
    """loss, every layer's output and the gradients, as cnncalc.gradients.network's to_dict names them."""
    F = torch.nn.functional
    summary = infer(parse_spec(text))
    T = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    params = {name: {k: T(v).requires_grad_(True) for k, v in w.items()} for name, w in weights.items()}
    xin = T(x).reshape(1, *summary.spec.input).requires_grad_(True)
    cf = lambda h: h.movedim(-1, 1)  # noqa: E731
    cl = lambda h: h.movedim(1, -1)  # noqa: E731
    outs = []
    for r in summary.layers:
        L, kind = r.layer, r.layer.kind
        hs = [xin if j < 0 else outs[j] for j in r.inputs]
        h = hs[0]
        w = params.get(L.name, {})
        d = len(r.axes)
        if kind.startswith("conv"):
            pads = [v for a in reversed(r.axes) for v in a.pad]
            conv = getattr(F, f"conv{d}d")
            y = cl(conv(F.pad(cf(h), pads), w["weight"], w.get("bias"), stride=[a.s for a in r.axes],
                        dilation=[a.d for a in r.axes], groups=L.groups))
            y = _act(torch, L.activation, y)
        elif kind == "dense":
            y = _act(torch, L.activation, F.linear(h, w["weight"], w.get("bias")))
        elif kind == "flatten":
            y = h.reshape(1, -1)
        elif kind in ("maxpool1d", "maxpool2d"):
            y = cl(getattr(F, f"max_pool{d}d")(cf(h), [a.f for a in r.axes], [a.s for a in r.axes],
                                                  [a.pad[0] for a in r.axes], [a.d for a in r.axes], L.ceil_mode))
        elif kind in ("avgpool1d", "avgpool2d"):
            y = cl(getattr(F, f"avg_pool{d}d")(cf(h), [a.f for a in r.axes], [a.s for a in r.axes],
                                                  [a.pad[0] for a in r.axes], L.ceil_mode, L.count_include_pad))
        elif kind == "global_avgpool":
            y = h.mean(dim=tuple(range(1, h.dim() - 1)))
        elif kind == "global_maxpool":
            dims = h.dim() - 2
            y = getattr(F, f"adaptive_max_pool{dims}d")(cf(h), 1).reshape(1, -1)
        elif kind == "batchnorm":
            y = cl(F.batch_norm(cf(h), T(weights[L.name]["running_mean"]), T(weights[L.name]["running_var"]),
                                w.get("gamma"), w.get("beta"), training=False, eps=L.epsilon))
        elif kind in ("add", "multiply", "subtract", "average", "maximum", "minimum"):
            rank = max(v.dim() for v in hs)  # a lower rank gains axes after the batch, as cnncalc's merges
            hs = [v.reshape(*v.shape[:1], *(1,) * (rank - v.dim()), *v.shape[1:]) for v in hs]
            op = {"add": torch.add, "average": torch.add, "multiply": torch.mul, "subtract": torch.sub,
                  "maximum": torch.maximum, "minimum": torch.minimum}[kind]
            y = hs[0]
            for v in hs[1:]:
                y = op(y, v)
            y = y / len(hs) if kind == "average" else y
        elif kind == "concat":
            y = torch.cat(hs, dim=L.axis)
        elif kind in ("dropout", "drop_path"):
            y = h
        elif kind == "rescaling":
            y = h * L.scale + L.offset
        else:
            y = _act(torch, kind, h, getattr(L, "negative_slope", None))
        y.retain_grad()
        outs.append(y)
    y = outs[-1][0]
    t = T(target)
    last = summary.layers[-1].layer
    final = last.kind if last.kind in ("softmax", "sigmoid") else getattr(last, "activation", None)
    if loss == "mse":
        value = F.mse_loss(y, t.reshape(y.shape))
    elif loss == "cross_entropy":
        if t.dim() == 0:
            t = F.one_hot(t.long(), y.shape[-1]).double()
        value = -(t * torch.log(y)).sum() if final == "softmax" else F.cross_entropy(y[None], t[None])
    else:
        t = t.reshape(y.shape)
        value = F.binary_cross_entropy(y, t) if final == "sigmoid" else F.binary_cross_entropy_with_logits(y, t)
    value.backward()
    lst = lambda v: None if v is None else v.detach().tolist()  # noqa: E731
    grads = {}
    for r, o in zip(summary.layers, outs):
        w = params.get(r.layer.name, {})
        wt = w.get("weight", w.get("gamma"))
        bs = w.get("bias", w.get("beta"))
        grads[r.layer.name] = {"weight": None if wt is None else lst(wt.grad),
                               "bias": None if bs is None else lst(bs.grad), "output": lst(o.grad[0])}
    return {"loss": value.item(), "outputs": {r.layer.name: lst(o[0]) for r, o in zip(summary.layers, outs)},
            "gradients": grads, "input_gradient": lst(xin.grad[0])}
