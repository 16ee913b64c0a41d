"""Broadcasting merges (issue 15): add, multiply, subtract, maximum, minimum and average
broadcast by NumPy's rules over the non-batch axes, as Keras 3 does; squeeze-and-excitation is
(1, 1, C) x (H, W, C). Shapes and errors here; values against Keras and torch (live)."""
from __future__ import annotations

import os

import pytest

from cnncalc import CnncalcError, infer, parse_spec
from cnncalc.metrics import compute

SE = """
name: squeeze-and-excitation
input: [8, 8, 16]
layers:
  - conv2d: {filters: 16, kernel: 3, padding: 1, activation: relu, id: x}
  - global_avgpool2d: {keepdims: true}
  - conv2d: {filters: 4, kernel: 1, activation: relu}
  - conv2d: {filters: 16, kernel: 1, activation: sigmoid, id: se}
  - multiply: {inputs: [x, se]}
"""


def merge_spec(kind: str, a: list[int], b: list[int]) -> str:
    """Two branches from one input, reshaped to shapes a and b, merged by `kind`."""
    return (f"input: [{', '.join(map(str, a))}]\nlayers:\n"
            f"  - relu: {{id: a}}\n"
            f"  - global_avgpool2d: {{keepdims: {str(len(b) == 3).lower()}, id: b}}\n"
            f"  - {kind}: {{inputs: [a, b]}}\n")


def test_squeeze_and_excitation():
    s = infer(parse_spec(SE))
    assert s.layers[1].output_shape == (1, 1, 16)
    assert s.layers[-1].output_shape == (8, 8, 16)
    assert s.totals.params == (3*3*16*16 + 16) + (16*4 + 4) + (4*16 + 16)
    m = compute(s)
    assert m.layers[-1].macs == 0
    assert s.layers[-1].layer.flops(s.layers[-1]) == (2 - 1) * 8*8*16


@pytest.mark.parametrize("kind", ["add", "multiply", "subtract", "maximum", "minimum", "average"])
@pytest.mark.parametrize("b_keepdims", [True, False])
def test_every_merge_broadcasts(kind, b_keepdims):
    s = infer(parse_spec(merge_spec(kind, [6, 6, 4], [1, 1, 4] if b_keepdims else [4])))
    r = s.layers[-1]
    assert r.output_shape == (6, 6, 4) and r.params == 0
    k = 2
    assert r.layer.flops(r) == (k if kind == "average" else k - 1) * 6*6*4


@pytest.mark.parametrize("text, words", [
    ("input: [6, 6, 4]\nlayers:\n  - conv2d: {filters: 3, kernel: 1, id: a}\n  - add: {inputs: [input, a]}\n",
     "add cannot broadcast `input` (6, 6, 4) with `a` (6, 6, 3): C is 4 vs 3"),
    ("input: [6, 6, 4]\nlayers:\n  - maxpool2d: {kernel: 2, id: a}\n  - multiply: {inputs: [input, a]}\n",
     "multiply cannot broadcast `input` (6, 6, 4) with `a` (3, 3, 4): H is 6 vs 3"),
    ("input: [6, 6, 4]\nlayers:\n  - relu: {id: a}\n  - subtract: {inputs: [input, a, a]}\n",
     "subtract takes exactly two inputs"),
])
def test_shapes_that_do_not_broadcast_name_both(text, words):
    with pytest.raises(CnncalcError) as e:
        infer(parse_spec(text, "s.yaml"))
    assert words in str(e.value), str(e.value)
    assert str(e.value).startswith("s.yaml:")


@pytest.mark.parametrize("kind", ["add", "multiply", "subtract", "maximum", "minimum", "average"])
@pytest.mark.parametrize("b", [[1, 1, 4], [4]])
def test_forward_equals_keras(kind, b):
    np = pytest.importorskip("numpy")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    s = infer(parse_spec(merge_spec(kind, [5, 5, 4], b)))
    rng = np.random.default_rng(1)
    xa = rng.standard_normal((2, 5, 5, 4)).astype("float32")
    xb = rng.standard_normal((2, *b)).astype("float32")
    r = s.layers[-1]
    ours = r.layer.forward((xa, xb), {}, r)
    layer = getattr(keras.layers, kind.capitalize())()
    theirs = np.asarray(layer([keras.ops.convert_to_tensor(xa), keras.ops.convert_to_tensor(xb)]).cpu())
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kind", ["add", "multiply", "subtract", "maximum", "minimum", "average"])
@pytest.mark.parametrize("b", [[1, 1, 4], [4]])
def test_exports_compute_the_same(kind, b):
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    from tests.export.test_torch_keras_agree import compare
    compare(infer(parse_spec(merge_spec(kind, [5, 5, 4], b))))


def test_squeeze_and_excitation_exports_compute_the_same():
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    from tests.export.test_torch_keras_agree import compare
    compare(infer(parse_spec(SE)))


def test_squeeze_and_excitation_verifies():
    pytest.importorskip("numpy")
    from cnncalc import api
    result = api.verify(parse_spec(SE))
    assert result.agree


KERAS_SE = '''
import keras
from keras import layers

inputs = keras.Input(shape=(8, 8, 16))
x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
s = layers.GlobalAveragePooling2D(keepdims=True)(x)
s = layers.Conv2D(4, 1, activation="relu")(s)
s = layers.Conv2D(16, 1, activation="sigmoid")(s)
y = layers.Multiply()([x, s])
z = layers.Subtract()([y, x])
w = layers.maximum([z, x])
model = keras.Model(inputs, w)
'''


def test_keras_source_with_every_merge_is_read(tmp_path):
    """2,468 = keras 3.15.1 model.count_params() of this file (see the live test below)."""
    from cnncalc.readers import load_model
    path = tmp_path / "se.py"
    path.write_text(KERAS_SE)
    s = infer(load_model(str(path)))
    assert [r.layer.kind for r in s.layers][-3:] == ["multiply", "subtract", "maximum"]
    assert s.totals.params == (3*3*16*16 + 16) + (16*4 + 4) + (4*16 + 16) == 2468


def test_keras_source_live_count(tmp_path):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    ns: dict = {}
    exec(compile(KERAS_SE, "se.py", "exec"), ns)
    assert ns["model"].count_params() == 2468
