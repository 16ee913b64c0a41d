"""The activations of 2018-2024 networks (issue 15): hard_swish / hard_sigmoid, gelu with its
approximate flag, mish, silu / swish, as layers and as a layer's `activation:`; drop path."""
from __future__ import annotations

import os

import pytest

from cnncalc import CnncalcError, infer, parse_spec
from tests.conftest import exports_agree

ACTS = ["hard_swish", "hardswish", "h_swish", "hard_sigmoid", "gelu", "mish", "silu", "swish"]


@pytest.mark.parametrize("name", ACTS)
def test_spellings_as_a_layer_and_as_activation(name):
    s = infer(parse_spec(f"input: [4, 4, 2]\nlayers:\n  - {name}\n  - conv2d: {{filters: 2, kernel: 1, activation: {name}}}\n"))
    assert s.layers[0].params == 0 and s.layers[1].params == 2*2 + 2


@pytest.mark.parametrize("name, torch_fn", [("hardswish", "hardswish"), ("hard_sigmoid", "hardsigmoid"), ("mish", "mish"),
                                            ("silu", "silu"), ("swish", "silu"), ("gelu", "gelu")])
def test_values_equal_torch(name, torch_fn):
    torch = pytest.importorskip("torch")
    np = pytest.importorskip("numpy")
    s = infer(parse_spec(f"input: [9]\nlayers:\n  - {name}\n"))
    x = np.linspace(-5, 5, 9)[None]
    r = s.layers[0]
    tol = 1e-6 if name == "gelu" else 1e-9  # the executor's erf is a rational approximation (ops._erf)
    np.testing.assert_allclose(r.layer.forward(x, {}, r), getattr(torch.nn.functional, torch_fn)(torch.tensor(x)).numpy(),
                               rtol=1e-6, atol=tol)


def test_gelu_tanh_equals_torch_and_keras():
    torch = pytest.importorskip("torch")
    np = pytest.importorskip("numpy")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    s = infer(parse_spec("input: [9]\nlayers:\n  - gelu: {approximate: tanh}\n"))
    r = s.layers[0]
    x = np.linspace(-5, 5, 9)[None]
    ours = r.layer.forward(x, {}, r)
    np.testing.assert_allclose(ours, torch.nn.functional.gelu(torch.tensor(x), approximate="tanh").numpy(), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ours, np.asarray(keras.activations.gelu(x.astype("float32"), approximate=True).cpu()), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layer, words", [
    ("gelu: {approximate: erf}", "approximate `erf` is not none or tanh"),
    ("relu: {approximate: tanh}", "approximate applies to gelu"),
    ("drop_path: 1.5", "between 0 and 1"),
])
def test_mistakes(layer, words):
    with pytest.raises(CnncalcError) as e:
        infer(parse_spec(f"input: [4, 4, 2]\nlayers:\n  - {layer}\n", "s.yaml"))
    assert words in str(e.value)


@pytest.mark.parametrize("text", [
    "input: [5, 5, 4]\nlayers:\n  - conv2d: {filters: 4, kernel: 3, padding: 1, activation: hard_swish}\n  - gelu: {approximate: tanh}\n"
    "  - mish\n  - drop_path: 0.1\n  - swish\n  - hard_sigmoid\n",
])
def test_exports_compute_the_same_and_verify(text):
    exports_agree(text)


def test_drop_path_is_the_identity_at_inference():
    s = infer(parse_spec("input: [4, 4, 2]\nlayers:\n  - drop_path: 0.2\n"))
    r = s.layers[0]
    assert (r.output_shape, r.params, r.layer.flops(r)) == ((4, 4, 2), 0, 0)
