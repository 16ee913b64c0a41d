"""The executor's Keras modes (`padding: same` / `valid`) against Keras 3 itself, on values.

Keras is never a dependency: skipped where it is not importable. Run with
KERAS_BACKEND=torch /work/venv-torch/bin/python -m pytest tests/executor/test_against_keras.py
(Keras 3.15 on torch 2.13.0). Weights go from torch's layouts to Keras's.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from cnncalc.executor import run_layer  # noqa: E402
from tests.executor.test_numpy import build  # noqa: E402


def keras_out(layer, x, weights):
    model_in = keras.Input(shape=x.shape[1:], dtype="float64")
    out = layer(model_in)
    if weights is not None:
        layer.set_weights(weights)
    y = keras.Model(model_in, out)(x)
    return np.asarray(keras.ops.convert_to_numpy(y))


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("op", [None, 0, 1])
@pytest.mark.parametrize("n, f, s, d", [(5, 3, 2, 1), (6, 3, 2, 1), (4, 4, 2, 1), (5, 2, 3, 1), (3, 5, 1, 1),
                                        (4, 3, 1, 2), (4, 2, 3, 1)])
def test_conv_transpose_same_and_valid(padding, op, n, f, s, d):
    if op is not None and op >= s:
        pytest.skip("output_padding must be smaller than the stride")
    args = dict(filters=2, kernel=f, stride=s, padding=padding, dilation=d)
    if op is not None:
        args["output_padding"] = op
    layer, r = build("conv_transpose2d", (n, n + 1, 3), **args)
    rng = np.random.default_rng(n * 10 + f)
    x = rng.standard_normal((2, n, n + 1, 3))
    y, w = run_layer(layer, x, rng=rng, result=r)
    k = keras.layers.Conv2DTranspose(2, f, strides=s, padding=padding, dilation_rate=d, output_padding=op,
                                     dtype="float64")
    ref = keras_out(k, x, [w["weight"].transpose(2, 3, 1, 0), w["bias"]])  # (kh, kw, C_out, C_in)
    assert ref.shape == y.shape
    np.testing.assert_allclose(y, ref, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("n, f, s, d", [(7, 3, 2, 1), (6, 4, 1, 1), (8, 3, 1, 2), (5, 5, 3, 1)])
def test_conv_same(n, f, s, d):
    layer, r = build("conv2d", (n, n, 3), filters=4, kernel=f, stride=s, dilation=d, padding="same")
    rng = np.random.default_rng(n + f)
    x = rng.standard_normal((1, n, n, 3))
    y, w = run_layer(layer, x, rng=rng, result=r)
    k = keras.layers.Conv2D(4, f, strides=s, dilation_rate=d, padding="same", dtype="float64")
    ref = keras_out(k, x, [w["weight"].transpose(2, 3, 1, 0), w["bias"]])  # (kh, kw, C_in, C_out)
    np.testing.assert_allclose(y, ref, rtol=1e-9, atol=1e-9)


# Keras 'same' pooling with symmetric padding (n=5, f=3, s=1 pads 1 and 1; n=7, f=3, s=2 pads 1
# and 1). Where the split is uneven (n=6, f=3, s=2 pads 0 and 1), Keras 3.15's torch backend
# zero-pads the tensor by hand before average pooling, so the padded zeros join the count
# (measured: corner -0.3054 against -0.3120); TensorFlow excludes them, as cnncalc does. Max
# pooling agrees either way.
@pytest.mark.parametrize("op", ["max", "avg"])
@pytest.mark.parametrize("n, f, s", [(5, 3, 1), (7, 3, 2), (4, 2, 2)])
def test_pool_same(op, n, f, s):
    layer, r = build(f"{op}pool2d", (n, n, 2), kernel=f, stride=s, padding="same")
    x = np.random.default_rng(n).standard_normal((2, n, n, 2))
    y, _ = run_layer(layer, x, result=r)
    cls = keras.layers.MaxPooling2D if op == "max" else keras.layers.AveragePooling2D
    ref = keras_out(cls(f, strides=s, padding="same", dtype="float64"), x, None)
    np.testing.assert_allclose(y, ref, rtol=1e-9, atol=1e-9)
