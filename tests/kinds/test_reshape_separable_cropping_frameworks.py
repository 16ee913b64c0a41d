"""The new kinds (causal conv1d, reshape, separable convs, cropping) in real frameworks: both
exports build, every layer's shape and the parameter count equal cnncalc's, and with Keras'
weights copied into the torch model both compute the same output, which the NumPy executor
also computes. Needs torch and keras (e.g. /work/venv-torch, KERAS_BACKEND=torch)."""
from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")

from cnncalc import infer, parse_spec  # noqa: E402
from cnncalc.executor import run_layer  # noqa: E402
from cnncalc.export import export  # noqa: E402
from tests.kinds.test_reshape_separable_cropping import DCGAN  # noqa: E402

SPECS = {
    "dcgan": DCGAN,
    "causal_tcn": """input: [32, 3]
layers:
  - conv1d: {filters: 8, kernel: 3, padding: causal, activation: relu}
  - conv1d: {filters: 8, kernel: 3, padding: causal, dilation: 2}
  - conv1d: {filters: 4, kernel: 2, padding: causal, stride: 2}
  - cropping1d: [3, 1]
  - separable_conv1d: {filters: 6, kernel: 3, depth_multiplier: 2, padding: same}
  - reshape: [-1]
  - dense: {units: 5}
""",
    "crop3d": """input: [6, 7, 8, 2]
layers:
  - cropping3d: [1, [2, 0], [0, 3]]
  - conv3d: {filters: 3, kernel: 2}
  - reshape: [4, 4, -1]
  - separable_conv2d: {filters: 5, kernel: 3, stride: 2, padding: same, bias: false}
  - cropping2d: [[0, 1], [1, 0]]
  - groupnorm: {groups: 5, epsilon: 0.001}
  - layernorm: {}
  - flatten
  - layernorm: {}
""",
}


def load(code: str, name: str):
    ns: dict = {"__name__": "exported"}
    exec(compile(code, "exported.py", "exec"), ns)
    return ns[name]


def channels_last(t) -> np.ndarray:
    a = t.detach().numpy()
    return a if a.ndim == 2 else np.moveaxis(a, 1, -1)


def copy_weights(summary, kmodel, kex, tmodel, tex, rng) -> list:
    """Random Keras weights, the same values in the torch model; returns them per layer in the
    executor's layout (PyTorch's)."""
    mods = dict(tmodel.named_modules())
    out = []
    for r in summary.layers:
        kl = kmodel.get_layer(kex.main[r.layer.name])
        ws = [rng.standard_normal(w.shape).astype("float32") * 0.3 for w in kl.get_weights()]
        kind = r.layer.kind
        if kind == "batchnorm":
            ws[-1] = np.abs(ws[-1]) + 0.5
        if ws:
            kl.set_weights(ws)
        t = [torch.from_numpy(w) for w in ws]
        ex: dict = {}
        with torch.no_grad():
            if kind == "dense":
                ex = {"weight": ws[0].T.copy()}
            elif kind == "batchnorm":
                ex = {"gamma": ws[0], "beta": ws[1], "running_mean": ws[2], "running_var": ws[3]}
            elif kind.startswith("conv_transpose"):  # (*f, out, in) -> (in, out, *f)
                ex = {"weight": np.moveaxis(ws[0], (-1, -2), (0, 1)).copy()}
            elif kind.startswith("conv"):  # (*f, in, out) -> (out, in, *f)
                ex = {"weight": np.moveaxis(ws[0], (-1, -2), (0, 1)).copy()}
            elif kind.startswith("separable"):
                dk, pk = ws[0], ws[1]  # (*f, C, m), (1.., C*m, F)
                dims = dk.ndim - 2
                ex = {"depthwise": np.moveaxis(dk.reshape(*dk.shape[:dims], -1), -1, 0)[:, None].copy(),
                      "pointwise": pk.reshape(pk.shape[-2], pk.shape[-1]).T.reshape(
                          pk.shape[-1], pk.shape[-2], *(1,) * dims).copy()}
            if kind.startswith("separable"):
                dw = next(op for op in tex.ops[r.layer.name] if op.endswith("_dw"))
                mods[dw].weight.copy_(torch.from_numpy(ex["depthwise"]))
                mods[tex.main[r.layer.name]].weight.copy_(torch.from_numpy(ex["pointwise"]))
            elif kind in ("layernorm", "groupnorm"):
                ex = {"gamma": ws[0], "beta": ws[1]}
                tm = mods[tex.main[r.layer.name]]
                tm.weight.copy_(t[0]), tm.bias.copy_(t[1])
            elif kind == "batchnorm":
                tm = mods[tex.main[r.layer.name]]
                tm.weight.copy_(t[0]), tm.bias.copy_(t[1]), tm.running_mean.copy_(t[2]), tm.running_var.copy_(t[3])
            elif "weight" in ex:
                mods[tex.main[r.layer.name]].weight.copy_(torch.from_numpy(ex["weight"]))
            if kind not in ("batchnorm", "layernorm", "groupnorm") and ws and getattr(r.layer, "bias", False):
                mods[tex.main[r.layer.name]].bias.copy_(t[-1])
                ex["bias"] = ws[-1]
        out.append(ex)
    return out


@pytest.mark.parametrize("name", sorted(SPECS))
def test_exports_and_executor_agree(name):
    summary = infer(parse_spec(SPECS[name], f"{name}.yaml"))
    kex, tex = export(summary, "keras"), export(summary, "pytorch")
    kmodel = load(kex.code, "build_model")()
    tmodel = load(tex.code, tex.class_name)().eval()
    assert kmodel.count_params() == summary.totals.params
    stats = sum(r.non_trainable_params for r in summary.layers)  # batchnorm's buffers in torch
    assert sum(p.numel() for p in tmodel.parameters()) == summary.totals.params - stats
    for r in summary.layers:
        assert tuple(kmodel.get_layer(kex.outputs[r.layer.name]).output.shape[1:]) == r.output_shape

    rng = np.random.default_rng(0)
    weights = copy_weights(summary, kmodel, kex, tmodel, tex, rng)
    x = rng.standard_normal((2, *summary.spec.input)).astype("float32")
    y_keras = np.asarray(keras.ops.convert_to_numpy(kmodel(x)))
    tx = torch.from_numpy(x if x.ndim == 2 else np.moveaxis(x, -1, 1).copy())
    with torch.no_grad():
        y_torch = channels_last(tmodel(tx))
    assert y_torch.shape[1:] == summary.output_shape
    np.testing.assert_allclose(y_torch, y_keras, rtol=1e-4, atol=1e-4)

    y = x
    for r, w in zip(summary.layers, weights):
        y, _ = run_layer(r.layer, y, w, result=r)
    np.testing.assert_allclose(y, y_keras, rtol=1e-4, atol=1e-4)
