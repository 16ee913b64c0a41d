"""The input shape: from the file, from --input, or asked for with an example."""
from __future__ import annotations

import os

import pytest

from cnncalc.errors import CnncalcError
from cnncalc.readers import ReaderError, load_model, read_model

from .common import CORPUS, line_of, summary_of


@pytest.mark.parametrize("given, shape", [
    ((32, 32), (32, 32, 1)),        # the spatial sizes; the channels come from conv1
    ((32, 32, 1), (32, 32, 1)),     # or all of them
    ((64, 48), (64, 48, 1)),
])
def test_a_torch_input_needs_only_the_spatial_sizes(given, shape):
    assert load_model(os.path.join(CORPUS, "blitz_cnn.py"), input=given).input == shape


def test_no_input_asks_for_one_with_an_example():
    path = os.path.join(CORPUS, "blitz_cnn.py")
    with pytest.raises(ReaderError) as e:
        read_model(path)
    text = str(e.value)
    assert "--input" in text and "e.g. --input 32x32" in text and "conv1" in text and "\n" not in text


def test_wrong_channels_are_a_shape_error_at_conv1():
    path = os.path.join(CORPUS, "blitz_cnn.py")
    with pytest.raises(CnncalcError) as e:
        summary_of(path, input=(32, 32, 3))
    assert f":{line_of(path, 'self.conv1 =')}:" in str(e.value) and "in_channels" in str(e.value)


def test_input_overrides_the_keras_input():
    s = summary_of(os.path.join(CORPUS, "keras_mnist_convnet.py"), input=(32, 32, 1))
    assert s.spec.input == (32, 32, 1) and s.layers[0].output_shape == (30, 30, 32)
