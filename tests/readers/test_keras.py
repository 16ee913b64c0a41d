"""Keras source, .keras files and Keras JSON: the constructs read and what is refused."""
from __future__ import annotations

import os
import zipfile

import pytest

from cnncalc.readers import ReaderError, load_model

from .common import CORPUS, summary_of, write


KERAS_CASES = {
    "tf.keras model.add with input_shape": (
        "import tensorflow as tf\n"
        "model = tf.keras.models.Sequential()\n"
        "model.add(tf.keras.layers.Dense(64, activation='relu', input_shape=(20,)))\n"
        "model.add(tf.keras.layers.Dense(3, activation='softmax'))\n",
        (20 * 64 + 64) + (64 * 3 + 3), (3,)),
    "tensorflow.keras functional with a helper": (
        "from tensorflow.keras import layers, Model, Input\n"
        "def block(x, filters):\n"
        "    y = layers.Conv2D(filters, 3, padding='same')(x)\n"
        "    y = layers.BatchNormalization()(y)\n"
        "    return layers.add([x, y])\n"
        "inputs = Input(shape=(16, 16, 8))\n"
        "x = block(inputs, 8)\n"
        "x = layers.concatenate([x, inputs])\n"
        "x = layers.GlobalAveragePooling2D()(x)\n"
        "outputs = layers.Dense(4)(x)\n"
        "model = Model(inputs, outputs)\n",
        (9 * 8 * 8 + 8) + 4 * 8 + (16 * 4 + 4), (4,)),
}


@pytest.mark.parametrize("case", sorted(KERAS_CASES))
def test_keras_constructs(case, tmp_path):
    body, params, out = KERAS_CASES[case]
    s = summary_of(write(tmp_path, "model.py", body))
    assert (s.totals.params, s.output_shape) == (params, out)


def test_a_keras_layer_reused_with_weights_is_refused(tmp_path):
    path = write(tmp_path, "m.py", "import keras\nfrom keras import layers\nd = layers.Dense(4)\n"
                                   "i = keras.Input(shape=(4,))\nm = keras.Model(i, d(d(i)))\n")
    with pytest.raises(ReaderError, match="weights are shared"):
        load_model(path)


def _keras_zip(path, config: bytes, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as zf:
        zf.writestr("metadata.json", '{"keras_version": "3.15.1"}')
        zf.writestr("config.json", config)
        zf.writestr("model.weights.h5", b"\x80\x04 never opened")


def test_a_zip_bomb_keras_file_is_refused_with_its_numbers(tmp_path):
    path = str(tmp_path / "bomb.keras")
    _keras_zip(path, b" " * (64 << 20))
    with pytest.raises(ReaderError) as e:
        load_model(path)
    assert f"{64 << 20:,}" in str(e.value)


def test_an_oversized_config_is_refused(tmp_path, monkeypatch):
    path = str(tmp_path / "big.keras")
    config = open(os.path.join(CORPUS, "mobilenet.json"), "rb").read()
    _keras_zip(path, config)
    monkeypatch.setenv("CNNCALC_MAX_INPUT", "10k")
    with pytest.raises(ReaderError, match=f"{len(config):,} bytes, more than the 10,240-byte"):
        load_model(path)


def test_a_keras_file_without_config_is_refused(tmp_path):
    path = str(tmp_path / "nope.keras")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("model.pkl", b"\x80\x04K\x01.")
    with pytest.raises(ReaderError, match="no config.json"):
        load_model(path)
    bad = write(tmp_path, "bad.keras", "not a zip")
    with pytest.raises(ReaderError, match="not a .keras file"):
        load_model(bad)


def test_a_subclassed_keras_model_is_refused_at_its_class(tmp_path):
    path = write(tmp_path, "m.py", "import keras\nfrom keras import layers\n\n"
                                   "class MyModel(keras.Model):\n    def call(self, x):\n        return x\n")
    with pytest.raises(ReaderError) as e:
        load_model(path, input=(4,))
    assert e.value.line == 4 and "subclassed keras.Model `MyModel`" in str(e.value)
