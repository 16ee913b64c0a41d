"""LayerScale and Keras' Normalization (issue 15), as Keras 3 and torchvision count them."""
from __future__ import annotations

import os

import pytest

from cnncalc import CnncalcError, infer, parse_spec
from cnncalc.metrics import compute
from tests.conftest import exports_agree

CONVNEXT_TAIL = "input: [7, 7, 96]\nlayers:\n  - dense: 384\n  - gelu\n  - dense: 96\n  - layer_scale: 1e-6\n"


def test_layer_scale_counts_c_and_no_macs():
    s = infer(parse_spec(CONVNEXT_TAIL))
    m = compute(s)
    r = s.layers[-1]
    assert (r.output_shape, r.trainable_params, r.non_trainable_params) == ((7, 7, 96), 96, 0)
    assert m.layers[-1].macs == 0 and r.layer.flops(r) == 7*7*96


@pytest.mark.parametrize("args, frozen", [("", 2*3 + 1), ("{mean: 0.5, variance: 4}", 0),
                                          ("{mean: [0.485, 0.456, 0.406], variance: [0.052, 0.05, 0.051]}", 0)])
def test_normalization_counts_as_keras(args, frozen):
    s = infer(parse_spec(f"input: [8, 8, 3]\nlayers:\n  - normalization{': ' + args if args else ''}\n"))
    assert (s.totals.trainable_params, s.totals.non_trainable_params) == (0, frozen)


def test_normalization_keras_live():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    layer = keras.layers.Normalization()
    layer.build((None, 8, 8, 3))
    assert layer.count_params() == 2*3 + 1 and not layer.trainable_weights


def test_layer_scale_keras_application_live():
    """keras.applications.convnext.LayerScale holds C weights, as here."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    from keras.src.applications.convnext import LayerScale
    layer = LayerScale(1e-6, 96)
    layer.build((None, 7, 7, 96))
    assert layer.count_params() == 96


@pytest.mark.parametrize("text, words", [
    ("input: [8, 8, 3]\nlayers:\n  - normalization: {mean: 0.5}\n", "both mean and variance"),
    ("input: [8, 8, 3]\nlayers:\n  - normalization: {mean: 0.5, variance: -1}\n", "variance -1.0 must be 0 or more"),
    ("input: [8, 8, 3]\nlayers:\n  - normalization: {mean: [1, 2], variance: 1}\n", "mean has 2 values for 3 channels"),
    ("input: [8, 8, 3]\nlayers:\n  - normalization: {mean: 0, variance: [1, -2, 1]}\n", "variance -2.0 must be 0"),
    ("input: [8, 8, 3]\nlayers:\n  - normalization: {mean: [], variance: 1}\n", "a list of numbers (one per channel)"),
])
def test_normalization_mistakes(text, words):
    with pytest.raises(CnncalcError) as e:
        infer(parse_spec(text, "s.yaml"))
    assert words in str(e.value)


@pytest.mark.parametrize("text", [
    CONVNEXT_TAIL,
    "input: [6, 6, 3]\nlayers:\n  - normalization\n  - conv2d: {filters: 4, kernel: 3}\n",
    "input: [6, 6, 3]\nlayers:\n  - normalization: {mean: 0.5, variance: 4}\n  - conv2d: {filters: 4, kernel: 3}\n",
    "input: [6, 6, 3]\nlayers:\n  - normalization: {mean: [0.485, 0.456, 0.406], variance: [0.052441, 0.050176, 0.050625]}\n"
    "  - conv2d: {filters: 4, kernel: 3}\n",
])
def test_exports_compute_the_same_and_verify(text):
    exports_agree(text)


@pytest.mark.slow
def test_per_channel_normalization_reads_from_keras_files_and_source(tmp_path):
    """ImageNet's per-channel statistics given to Keras' Normalization: 0 weights (Keras 3's
    count_params), read from .keras, JSON and source, with the statistics kept."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    from cnncalc.readers import load_model
    mean, variance = [0.485, 0.456, 0.406], [0.229 ** 2, 0.224 ** 2, 0.225 ** 2]
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Normalization(mean=mean, variance=variance),
                              keras.layers.Conv2D(4, 3)])
    model.save(str(tmp_path / "m.keras"))
    (tmp_path / "m.json").write_text(model.to_json())
    (tmp_path / "m.py").write_text("import keras\nfrom keras import layers\nmodel = keras.Sequential([keras.Input("
                                   "(8, 8, 3)), layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229 ** 2, "
                                   "0.224 ** 2, 0.225 ** 2]), layers.Conv2D(4, 3)])\n")
    for name in ("m.keras", "m.json", "m.py"):
        spec = load_model(str(tmp_path / name))
        assert infer(spec).totals.params == model.count_params() == 3 * 3 * 3 * 4 + 4
        assert spec.layers[0].mean == tuple(mean) and spec.layers[0].variance == tuple(variance)
