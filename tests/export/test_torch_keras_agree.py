"""The PyTorch and the Keras export of one spec compute the same function: Keras' weights are
copied into the torch model and every layer's output is compared on a random input. This
checks the translations value by value (which side an asymmetric 'same' pad or a transposed
crop goes to, -inf versus zero padding in max pooling, padding excluded from averages, the
flatten order), not only the shapes. Needs torch and keras (e.g. /work/venv-torch)."""
from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402

from cnncalc import CnncalcError, infer, load_spec, parse_spec  # noqa: E402
from cnncalc.export import ExportError, export  # noqa: E402
from cnncalc.kinds import ACTIVATIONS  # noqa: E402
from tests.conftest import ZOO  # noqa: E402
from tests.export.test_torch_runs import GOLDEN_SPECS, LAYER_SPECS, channels_last, window_layer  # noqa: E402

GOLDEN = ZOO.parent / "tests" / "golden" / "export"


def load(code: str, name: str):
    ns: dict = {"__name__": "exported"}
    exec(compile(code, "exported.py", "exec"), ns)
    return ns[name]


ELEMENTWISE = ("dropout", *ACTIVATIONS)


def flat_orders(summary) -> dict:
    """Layers whose outputs torch holds in another order than Keras: a flatten of (*S, C)
    (torch flattens (C, *S)) and the element-wise layers after it -> the shape (*S, C)."""
    out: dict = {}
    previous = None
    for r in summary.layers:
        src = r.sources[0] if getattr(r, "sources", ()) else previous
        if r.layer.kind == "flatten" and len(r.input_shape) > 1:
            out[r.layer.name] = r.input_shape
        elif r.layer.kind in ELEMENTWISE and src in out:
            out[r.layer.name] = out[src]
        previous = r.layer.name
    return out


def source_of(summary, r):
    if getattr(r, "sources", ()):
        return r.sources[0]
    i = summary.layers.index(r)
    return summary.layers[i - 1].layer.name if i else None


def copy_weights(summary, kmodel, kex, tmodel, tex, rng) -> None:
    tmods = dict(tmodel.named_modules())
    orders = flat_orders(summary)
    for r in summary.layers:
        kl = kmodel.get_layer(kex.main[r.layer.name])
        tm = tmods[tex.main[r.layer.name]]
        ws = [np.asarray(rng.standard_normal(w.shape) * 0.5, dtype="float32") for w in kl.get_weights()]
        if not ws:
            continue
        kind = r.layer.kind
        if kind == "batchnorm":
            ws[-1] = np.abs(ws[-1]) + 0.5  # a positive moving variance
        elif kind.startswith(("conv", "depthwise", "dense")):
            ws[0] /= np.sqrt(np.prod(ws[0].shape[:-1]))  # keep deep nets' activations near 1
        kl.set_weights(ws)
        t = [torch.from_numpy(w) for w in ws]
        with torch.no_grad():
            if kind == "depthwise_conv2d":
                k = t[0]  # (kh, kw, C, m) -> (C*m, 1, kh, kw)
                tm.weight.copy_(k.reshape(k.shape[0], k.shape[1], -1).permute(2, 0, 1)[:, None])
                if len(t) > 1:
                    tm.bias.copy_(t[1])
            elif kind.startswith("conv"):  # conv (*k, C_in/g, C_out); transposed (*k, C_out, C_in)
                d = t[0].dim() - 2
                tm.weight.copy_(t[0].permute(d + 1, d, *range(d)))
                if len(t) > 1:
                    tm.bias.copy_(t[1])
            elif kind == "dense":
                k = t[0]
                shape = orders.get(source_of(summary, r))
                if shape is not None:  # Keras flattened (*S, C), torch (C, *S)
                    k = k.reshape(*shape, -1).movedim(len(shape) - 1, 0).reshape(k.shape)
                tm.weight.copy_(k.T)
                if len(t) > 1:
                    tm.bias.copy_(t[1])
            elif kind == "batchnorm":  # Keras: gamma (scale), beta (center), moving mean, variance
                learned = [a for a, on in (("weight", r.layer.has_gamma), ("bias", r.layer.has_beta)) if on]
                for a, v in zip(learned, t):
                    getattr(tm, a).copy_(v)
                tm.running_mean.copy_(t[-2]), tm.running_var.copy_(t[-1])
            elif kind == "embedding":
                tm.weight.copy_(t[0])
            elif kind == "layer_scale":
                tm.gamma.copy_(t[0])
            elif kind in ("layernorm", "groupnorm"):  # Keras: gamma, beta
                tm.weight.copy_(t[0]), tm.bias.copy_(t[1])
            elif kind == "prelu":  # Keras: alpha, the channels-last slope shape
                target = tm.weight if isinstance(tm, torch.nn.PReLU) else tm.alpha
                target.copy_(t[0].reshape(target.shape))
            elif kind == "normalization":  # Keras: mean, variance, count
                t[1] = t[1].abs() + 0.5
                kl.set_weights([w if i != 1 else np.abs(w) + 0.5 for i, w in enumerate(ws)])
                tm.running_mean.copy_(t[0]), tm.running_var.copy_(t[1])
            else:
                raise AssertionError(f"no weight mapping for {kind}")


def compare(summary, seed: int = 0) -> None:
    try:
        kex = export(summary, "keras")
    except ExportError:
        return  # Keras cannot say it (test_export_keras checks the refusals)
    tex = export(summary, "pytorch")
    kmodel = load(kex.code, "build_model")()
    tmodel = load(tex.code, tex.class_name)().eval()
    rng = np.random.default_rng(seed)
    copy_weights(summary, kmodel, kex, tmodel, tex, rng)

    ids = any(r.layer.kind == "embedding" for r in summary.layers)
    inp = summary.spec.input
    x = rng.integers(0, 50, (2, *inp)).astype("int32") if ids else \
        rng.standard_normal((2, *inp)).astype("float32")
    names = [r.layer.name for r in summary.layers]
    probe = keras.Model(kmodel.input, [kmodel.get_layer(kex.outputs[n]).output for n in names])
    kouts = probe(x, training=False)
    kouts = kouts if isinstance(kouts, (list, tuple)) else [kouts]

    touts = {}
    tmods = dict(tmodel.named_modules())
    for n in names:
        tmods[tex.outputs[n]].register_forward_hook(
            lambda m, i, o, n=n: touts.__setitem__(n, o.detach().numpy()))
    tx = torch.from_numpy(x.astype("int64")) if ids else \
        torch.from_numpy(x if len(inp) == 1 else np.moveaxis(x, -1, 1).copy())
    with torch.no_grad():
        tmodel(tx)
    orders = flat_orders(summary)
    for r, k in zip(summary.layers, kouts):
        n = r.layer.name
        k = np.asarray(k.detach().cpu() if hasattr(k, "detach") else k)
        t = touts[n]
        if n in orders:  # torch's (C, *S) order -> Keras' (*S, C)
            shape = orders[n]
            t = np.moveaxis(t.reshape(len(t), shape[-1], *shape[:-1]), 1, -1).reshape(len(t), -1)
        t = t if t.ndim == 2 else np.moveaxis(t, 1, -1)
        assert k.shape == t.shape, n
        scale = max(1.0, float(np.abs(k).max()))  # float32 sums in another order differ by ~1e-6
        np.testing.assert_allclose(t, k, rtol=1e-4, atol=1e-4 * scale, err_msg=f"layer {n}")
    return kmodel, kex, x, np.asarray(kouts[-1].detach().cpu() if hasattr(kouts[-1], "detach") else kouts[-1])


def executor_weights(r, ws: list) -> dict:
    """A layer's Keras weights in the NumPy executor's layout (torch's, channels last values)."""
    kind, L = r.layer.kind, r.layer
    if not ws:
        return {}
    if kind == "depthwise_conv2d":  # (kh, kw, C, m) -> (C*m, 1, kh, kw)
        k = ws[0]
        w = {"weight": np.moveaxis(k.reshape(*k.shape[:-2], -1), -1, 0)[:, None].copy()}
        return {**w, "bias": ws[1]} if len(ws) > 1 else w
    if kind.startswith("conv") and not kind.startswith("conv_transpose"):  # (*k, in/g, out) -> (out, in/g, *k)
        w = {"weight": np.moveaxis(ws[0], (-1, -2), (0, 1)).copy()}
        return {**w, "bias": ws[1]} if len(ws) > 1 else w
    if kind == "dense":
        return {"weight": ws[0].T.copy(), **({"bias": ws[1]} if len(ws) > 1 else {})}
    if kind == "batchnorm":
        names = [n for n, on in (("gamma", L.has_gamma), ("beta", L.has_beta)) if on] + ["running_mean", "running_var"]
        return dict(zip(names, ws))
    if kind in ("layernorm", "groupnorm"):
        return {"gamma": ws[0], "beta": ws[1]}
    if kind == "layer_scale":
        return {"gamma": ws[0]}
    if kind == "normalization":
        return {"mean": ws[0], "variance": ws[1], "count": ws[2]}
    if kind == "prelu":
        return {"alpha": ws[0]}
    raise AssertionError(f"no executor weights for {kind}")


def executor_output(summary, kmodel, kex, x):
    """The NumPy executor's output of the network on `x`, with the Keras model's weights."""
    from cnncalc.executor import run_layer

    def step(r, xs):
        w = executor_weights(r, kmodel.get_layer(kex.main[r.layer.name]).get_weights())
        return run_layer(r.layer, xs if getattr(r.layer, "MULTI_INPUT", False) else xs[0], w, result=r)[0]
    return summary.fold(x, step)[-1]


@pytest.mark.parametrize("name", GOLDEN_SPECS)
def test_golden_specs(name):
    from cnncalc.kinds import KINDS
    if name == "branched.yaml" and "add" not in KINDS:
        pytest.skip("branch kinds (add, concat, ...) not in this checkout")
    compare(infer(load_spec(str(GOLDEN / name))))


SMALL_ZOO = [n for n in ("lenet5.yaml", "signal1d.yaml", "lenet_homework.yaml", "unet_small.yaml")
             if (ZOO / n).exists()]  # U-Net: branches (concat) and transposed convolutions


@pytest.mark.parametrize("name", SMALL_ZOO)
def test_small_zoo(name):
    compare(infer(load_spec(str(ZOO / name))))


@pytest.mark.parametrize("inp,layer", LAYER_SPECS)
def test_layer(inp, layer):
    compare(infer(parse_spec(f"input: {inp}\nlayers:\n  - {layer}\n")))


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(window_layer())
def test_sweep(text):
    try:
        summary = infer(parse_spec(text))
    except CnncalcError:
        assume(False)
    try:
        export(summary, "pytorch")
    except ExportError:
        assume(False)
    compare(summary)
