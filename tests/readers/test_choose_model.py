"""Which model a Python file means: the only one, or the one --class names; never a guess.

The PyTorch tutorial copies under real/ are BSD-3 files of pytorch/tutorials (named in their
heads); the truth is torch's sum(p.numel() for p in Net().parameters()) on the same classes."""
import os

import pytest

from cnncalc.readers import ReaderError, load_model

from .common import summary_of

REAL = os.path.join(os.path.dirname(__file__), "real")


def params(path, **kw):
    return summary_of(path, **kw).totals.params


def test_the_tutorial_with_loose_layers_is_not_read_as_its_last_layer():
    path = os.path.join(REAL, "buildmodel_tutorial.py")
    assert params(path, input=(28, 28)) == 669_706          # the one nn.Module class
    assert params(path, input=(28, 28), class_name="seq_modules") == 15_910
    with pytest.raises(ReaderError, match=r"`softmax` is one nn.Softmax layer, not a model; "
                                          r"--class takes one of: NeuralNetwork, seq_modules$"):
        load_model(path, input=(28, 28), class_name="softmax")


def test_the_cifar10_tutorial_reads_its_one_class():
    assert params(os.path.join(REAL, "cifar10_tutorial.py"), input=(32, 32, 3)) == 62_006


TWO_SEQUENTIALS = ("import torch.nn as nn\n"
                   "a = nn.Sequential(nn.Linear(4, 2))\n"
                   "b = nn.Sequential(nn.Linear(4, 3))\n"
                   "softmax = nn.Softmax(dim=1)\n")


def test_two_module_level_sequentials_are_refused_in_one_line(tmp_path):
    path = tmp_path / "two.py"
    path.write_text(TWO_SEQUENTIALS)
    with pytest.raises(ReaderError) as e:
        load_model(str(path), input=(4,))
    assert "defines 2 models (a, b)" in str(e.value) and "--class NAME" in str(e.value)
    assert "\n" not in str(e.value)
    assert params(str(path), input=(4,), class_name="b") == 15


KERAS_AUGMENTED = ("import keras\nfrom keras import layers\n"
                   "augment = keras.Sequential([layers.RandomFlip('horizontal')])\n"
                   "inputs = keras.Input((8, 8, 3))\n"
                   "x = augment(inputs)\n"
                   "x = layers.Conv2D(4, 3)(x)\n"
                   "model = keras.Model(inputs, x)\n"
                   "model.summary()\n")

KERAS_TWO = ("import keras\nfrom keras import layers\n"
             "small = keras.Sequential([keras.Input((4,)), layers.Dense(2)])\n"
             "big = keras.Sequential([keras.Input((4,)), layers.Dense(3)])\n")


def test_keras_two_models_are_refused_and_one_inside_another_is_not_a_second(tmp_path):
    path = tmp_path / "two.py"
    path.write_text(KERAS_TWO)
    with pytest.raises(ReaderError, match=r"builds 2 Keras models \(small, big\) .*pass --class NAME"):
        load_model(str(path))
    assert params(str(path), class_name="big") == 15
    inner = tmp_path / "augmented.py"
    inner.write_text(KERAS_AUGMENTED.replace("layers.RandomFlip('horizontal')", "layers.Dense(3)"))
    assert params(str(inner)) == 3 * 3 + 3 + 4 * 3 * 3 * 3 + 4
