"""Keras scripts as keras.io writes them (tests/readers/real/keras_*.py): what does not build the
named model is passed over (augmentation pipelines, plots, compile/fit, load_model, a GAN wrapper
class, callbacks); augmentation layers inside a model are the identity at inference. The counts
themselves are test_real_files' (counts.json, from Keras)."""
import os

import pytest

from cnncalc.errors import CnncalcError
from cnncalc.readers import read_model

from .common import CORPUS, line_of, summary_of

REAL = os.path.join(CORPUS, "real")


def test_the_builder_is_called_with_the_files_own_arguments():
    path = os.path.join(REAL, "keras_cats_dogs.py")
    s = summary_of(path, class_name="make_model")
    assert s.spec.input == (180, 180, 3) and s.output_shape == (1,)
    assert s.totals.params == summary_of(path, class_name="model").totals.params == summary_of(path).totals.params


def test_augmentation_inside_the_model_is_the_identity_with_its_class_named():
    path = os.path.join(REAL, "keras_augmented.py")
    s = summary_of(path)
    random = [r for r in s.layers if r.layer.kind == "linear"]
    assert len(random) == 4 and all(r.params == 0 and r.output_shape == r.input_shape for r in random)
    text = read_model(path)
    for cls in ("RandomFlip", "RandomRotation", "RandomZoom", "GaussianNoise"):
        assert f"{cls}: random augmentation, the identity at inference" in text


def test_a_gan_file_names_its_two_models_and_refuses_the_wrapper():
    path = os.path.join(REAL, "keras_dcgan.py")
    with pytest.raises(CnncalcError, match=r"builds 2 Keras models \(discriminator, generator\).*--class"):
        summary_of(path)
    with pytest.raises(CnncalcError) as e:
        summary_of(path, class_name="GAN")
    assert f":{line_of(path, 'class GAN(')}:" in str(e.value)
    assert "subclass of keras.Model" in str(e.value) and "discriminator, generator" in str(e.value)


def test_builder_called_with_two_different_arguments_is_not_guessed(tmp_path):
    path = tmp_path / "two.py"
    path.write_text("import keras\nfrom keras import layers\n\n\ndef make(n):\n"
                    "    return keras.Sequential([keras.Input((4,)), layers.Dense(n)])\n\n\n"
                    "a = make(2)\nb = make(3)\n")
    with pytest.raises(CnncalcError, match=r"make\(\) is called with different arguments \(lines 9, 10\)"):
        summary_of(str(path), class_name="make")
    assert summary_of(str(path), class_name="b").totals.params == 15


def test_a_keras_op_on_a_model_tensor_is_still_refused(tmp_path):
    path = tmp_path / "op.py"
    path.write_text("import keras\nfrom keras import layers\ninputs = keras.Input((4,))\n"
                    "x = keras.utils.normalize(inputs)\nmodel = keras.Model(inputs, layers.Dense(2)(x))\n")
    with pytest.raises(CnncalcError, match=r":4:5: `keras.utils.normalize` of a model tensor"):
        summary_of(str(path))


FROZEN = """import keras
from keras import layers
base = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.BatchNormalization()], name="base")
inputs = keras.Input((8, 8, 3))
x = base(inputs, training=False)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dense(5, trainable=False)(x)
outputs = layers.Dense(2)(x)
model = keras.Model(inputs, outputs)
base.trainable = False
"""


@pytest.mark.parametrize("tail, trainable", [("", 12), ("base.trainable = True\n", 12 + 112 + 8)])
def test_trainable_in_source_is_the_files_last_word(tmp_path, tail, trainable):
    """Keras 3.15.1 gives these: model.count_params() 165, trainable_weights 12 (132 unfrozen)."""
    path = tmp_path / "frozen.py"
    path.write_text(FROZEN + tail)
    t = summary_of(str(path)).totals
    assert (t.params, t.trainable_params) == (165, trainable)
    assert read_model(str(path)).count("trainable: false") == (3 if not tail else 1)


def test_trainable_of_a_functional_model_in_source_is_refused(tmp_path):
    path = tmp_path / "frozen.py"
    path.write_text(FROZEN + "model.trainable = False\n")
    with pytest.raises(CnncalcError, match=r":11:1: setting the attribute `trainable` of the model"):
        summary_of(str(path))
