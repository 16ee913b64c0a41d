"""BatchNormalization's Keras `scale` and `center` and torch's `affine` (issue 15): gamma C if
scale, beta C if center, and 2C non-trainable moving statistics, as Keras 3 counts them."""
from __future__ import annotations

import os

import pytest

from cnncalc import infer, parse_spec

C = 16


def bn(args: str) -> str:
    return f"input: [6, 6, {C}]\nlayers:\n  - conv2d: {{filters: {C}, kernel: 3, padding: 1, bias: false}}\n  - batchnorm: {{{args}}}\n  - relu\n"


@pytest.mark.parametrize("args, trainable, keras_kwargs", [
    ("", C + C, {}),
    ("scale: false", C, {"scale": False}),
    ("center: false", C, {"center": False}),
    ("scale: false, center: false", 0, {"scale": False, "center": False}),
    ("affine: false", 0, {"scale": False, "center": False}),
])
def test_params(args, trainable, keras_kwargs):
    r = infer(parse_spec(bn(args))).layers[1]
    assert (r.trainable_params, r.non_trainable_params) == (trainable, 2 * C)
    assert r.layer.flops(r) == 2 * C + 2 * 6*6*C + 6*6*C * (trainable // C)


@pytest.mark.parametrize("keras_kwargs", [{}, {"scale": False}, {"center": False}, {"scale": False, "center": False}])
def test_keras_counts_the_same(keras_kwargs):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    layer = keras.layers.BatchNormalization(**keras_kwargs)
    layer.build((None, 6, 6, C))
    args = ", ".join(f"{k}: false" for k in keras_kwargs)
    r = infer(parse_spec(bn(args))).layers[1]
    trainable = sum(int(w.numpy().size) for w in layer.trainable_weights)
    assert (r.trainable_params, r.params) == (trainable, layer.count_params())


@pytest.mark.parametrize("args", ["scale: false", "center: false", "", "affine: false"])
def test_exports_compute_the_same(args):
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    from tests.export.test_torch_keras_agree import compare
    compare(infer(parse_spec(bn(args))))


@pytest.mark.parametrize("args, torch_params", [("scale: false", 9*C*C + C), ("center: false", 9*C*C + C), ("", 9*C*C + 2*C)])
def test_torch_export_has_the_trainable_count(args, torch_params):
    pytest.importorskip("torch")
    from cnncalc.export import export
    ex = export(infer(parse_spec(bn(args))), "pytorch")
    ns: dict = {"__name__": "x"}
    exec(compile(ex.code, "x.py", "exec"), ns)
    model = ns[ex.class_name]()
    assert sum(p.numel() for p in model.parameters()) == torch_params


@pytest.mark.parametrize("args", ["scale: false", "center: false"])
def test_verify_and_backprop(args):
    pytest.importorskip("numpy")
    from cnncalc import api
    spec = parse_spec(bn(args))
    assert api.verify(spec).agree
    b = api.backprop(spec, [[[0.1 * (i + j + c) for c in range(C)] for j in range(6)] for i in range(6)],
                     [0.0] * (6*6*C), seed=1)
    grads = b.to_dict()["gradients"]["batch_normalization"]
    assert (grads["weight"] is None) == (args == "scale: false")
    assert (grads["bias"] is None) == (args == "center: false")


def test_keras_json_with_scale_false_is_read(tmp_path):
    import json
    from cnncalc.readers import load_model
    cfg = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 6, 6, C], "name": "in"}},
        {"class_name": "BatchNormalization", "config": {"name": "bn", "scale": False, "center": True}}]}}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(cfg))
    s = infer(load_model(str(path)))
    assert (s.totals.trainable_params, s.totals.non_trainable_params) == (C, 2 * C)
