"""Dense on a feature map acts on the last axis, as Keras' Dense and torch's Linear on
channels-last values do (issue 15): ConvNeXt's pointwise layers."""
from __future__ import annotations

import os

import pytest

from cnncalc import infer, parse_spec
from cnncalc.metrics import compute
from tests.conftest import exports_agree

POINTWISE = "input: [7, 7, 96]\nlayers:\n  - dense: 384\n  - gelu\n  - dense: 96\n"


def test_shape_params_macs():
    s = infer(parse_spec(POINTWISE))
    m = compute(s)
    assert [r.output_shape for r in s.layers] == [(7, 7, 384), (7, 7, 384), (7, 7, 96)]
    assert [r.params for r in s.layers] == [96*384 + 384, 0, 384*96 + 96]
    assert [x.macs for x in m.layers] == [7*7 * 96*384, 0, 7*7 * 384*96]


def test_a_flat_input_is_unchanged():
    s = infer(parse_spec("input: [400]\nlayers:\n  - dense: 120\n"))
    assert (s.layers[0].output_shape, s.layers[0].params, compute(s).layers[0].macs) == ((120,), 400*120 + 120, 400*120)


def test_receptive_field_is_per_position():
    m = compute(infer(parse_spec("input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3}\n  - dense: 5\n")))
    assert m.layers[1].rf == m.layers[0].rf


def test_keras_counts_the_same():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    x = keras.Input((7, 7, 96))
    model = keras.Model(x, keras.layers.Dense(96)(keras.layers.Dense(384, activation="gelu")(x)))
    assert model.output_shape == (None, 7, 7, 96)
    assert model.count_params() == infer(parse_spec(POINTWISE)).totals.params


def test_exports_compute_the_same_and_verify():
    exports_agree("input: [5, 5, 6]\nlayers:\n  - dense: 8\n  - relu\n  - dense: {units: 3, bias: false}\n")


def test_torch_linear_on_channels_last_has_the_count():
    pytest.importorskip("torch")
    from cnncalc.export import export
    ex = export(infer(parse_spec(POINTWISE)), "pytorch")
    ns: dict = {"__name__": "x"}
    exec(compile(ex.code, "x.py", "exec"), ns)
    assert sum(p.numel() for p in ns[ex.class_name]().parameters()) == (96*384 + 384) + (384*96 + 96)


def test_backprop_through_a_pointwise_dense():
    torch = pytest.importorskip("torch")
    np = pytest.importorskip("numpy")
    from cnncalc import api
    spec = parse_spec("input: [2, 3, 4]\nlayers:\n  - dense: {units: 2, name: d}\n")
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4)), rng.standard_normal(2)
    t = rng.standard_normal((2, 3, 2))
    got = api.backprop(spec, x.tolist(), t.tolist(), weights={"d": {"weight": w.tolist(), "bias": b.tolist()}}).to_dict()
    tx, tw, tb = (torch.tensor(v, requires_grad=True) for v in (x, w, b))
    loss = ((torch.nn.functional.linear(tx, tw, tb) - torch.tensor(t)) ** 2).mean()
    loss.backward()
    np.testing.assert_allclose(got["gradients"]["d"]["weight"], tw.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(got["gradients"]["d"]["bias"], tb.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(got["input_gradient"], tx.grad.numpy(), rtol=1e-9)
