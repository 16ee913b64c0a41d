"""Which files are model files, and how their paths appear in the spec written."""
from __future__ import annotations

import os

import pytest

from cnncalc.readers import is_model_file, model_format, read_model

from .common import CORPUS, ZOO, write


def test_a_path_with_a_newline_stays_in_the_comment(tmp_path):
    path = write(tmp_path, "we\nird.json", open(os.path.join(CORPUS, "mobilenet.json")).read())
    text = read_model(path)
    assert text.splitlines()[0].endswith("(Keras model JSON, Functional model mobilenet_1.00_224).")
    assert "\\n" in text.splitlines()[0]


@pytest.mark.parametrize("name, fmt", [
    ("blitz_cnn.py", "torch"), ("keras_mnist_convnet.py", "keras-source"), ("mnist_convnet.keras", "keras-file"),
    ("mobilenet.json", "keras-json"), ("small_resnet.onnx", "onnx"), ("counts.json", None),
])
def test_model_format(name, fmt):
    path = os.path.join(CORPUS, name)
    assert model_format(path) == fmt and is_model_file(path) == (fmt is not None)


def test_yaml_specs_are_not_model_files():
    assert not is_model_file(ZOO[0])
