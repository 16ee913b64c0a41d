"""Each kind declares the stem of its default name (Layer.STEMS): Keras's own name for its class
(`keras.layers.MaxPooling2D((2, 2)).name` is `max_pooling2d`), numbered per stem as Keras numbers
a fresh session; blocks prefix it."""
from __future__ import annotations

import os

import pytest

from cnncalc.kinds import KINDS, classes
from cnncalc.spec import parse_spec


@pytest.mark.parametrize("cls", classes(), ids=lambda c: c.__name__)
def test_every_kind_name_declares_its_stem(cls):
    assert set(cls.STEMS) == set(cls.NAMES), cls.__name__
    for kind in cls.NAMES:
        assert cls.stem(kind, 2).replace("_", "").isalnum()


def names(text: str) -> list[str]:
    return [layer.name for layer in parse_spec(text).layers]


def test_numbered_per_stem_from_0_past_the_names_taken():
    text = """input: [32, 32, 3]
layers:
  - conv2d: {filters: 4, kernel: 3}
  - relu
  - conv2d: {filters: 4, kernel: 3, name: conv2d_1}
  - conv2d: {filters: 4, kernel: 3}
  - tanh
  - sigmoid
  - maxpool2d: 2
  - global_avgpool
  - dense: 10
"""
    assert names(text) == ["conv2d", "re_lu", "conv2d_1", "conv2d_2", "activation", "activation_1",
                           "max_pooling2d", "global_average_pooling2d", "dense"]


def test_a_user_name_equal_to_a_stem_is_skipped():
    text = "input: [8, 8, 3]\nlayers:\n  - dense: {units: 4, name: dense}\n  - dense: 3\n  - dense: 2\n"
    assert names(text) == ["dense", "dense_1", "dense_2"]


def test_dimension_free_kinds_take_the_inputs_dimensions():
    text = "input: [16, 3]\nlayers:\n  - conv: {filters: 4, kernel: 3}\n  - global_maxpool\n"
    assert names(text) == ["conv1d", "global_max_pooling1d"]


def test_blocks_prefix_the_default_names():
    text = """input: [8, 8, 3]
blocks:
  unit:
    params: {c: 4}
    layers:
      - conv2d: {filters: $c, kernel: 3, padding: 1}
      - batchnorm
      - conv2d: {filters: $c, kernel: 3, padding: 1}
layers:
  - unit: {name: a, repeat: 2}
  - unit
  - conv2d: {filters: 4, kernel: 1}
"""
    assert names(text) == ["a.block1.conv2d", "a.block1.batch_normalization", "a.block1.conv2d_1",
                           "a.block2.conv2d", "a.block2.batch_normalization", "a.block2.conv2d_1",
                           "unit_1.conv2d", "unit_1.batch_normalization", "unit_1.conv2d_1", "conv2d"]


# Keras layers as a student writes them, for every kind Keras has a class for
KERAS = {
    "conv1d": ("Conv1D", (2, 3)), "conv2d": ("Conv2D", (2, 3)), "conv3d": ("Conv3D", (2, 3)),
    "depthwise_conv2d": ("DepthwiseConv2D", (3,)), "conv_transpose2d": ("Conv2DTranspose", (2, 3)),
    "conv_transpose1d": ("Conv1DTranspose", (2, 3)), "separable_conv2d": ("SeparableConv2D", (2, 3)),
    "maxpool2d": ("MaxPooling2D", ((2, 2),)), "avgpool1d": ("AveragePooling1D", (2,)),
    "global_avgpool": ("GlobalAveragePooling2D", ()), "global_maxpool": ("GlobalMaxPooling2D", ()),
    "adaptive_avgpool2d": ("AdaptiveAveragePooling2D", (1,)), "dense": ("Dense", (2,)),
    "embedding": ("Embedding", (3, 2)), "batchnorm": ("BatchNormalization", ()),
    "layernorm": ("LayerNormalization", ()), "groupnorm": ("GroupNormalization", ()),
    "normalization": ("Normalization", ()), "relu": ("ReLU", ()), "leaky_relu": ("LeakyReLU", ()),
    "elu": ("ELU", ()), "softmax": ("Softmax", ()), "linear": ("Identity", ()), "tanh": ("Activation", ("tanh",)),
    "prelu": ("PReLU", ()), "dropout": ("Dropout", (0.5,)), "add": ("Add", ()), "concat": ("Concatenate", ()),
    "average": ("Average", ()), "flatten": ("Flatten", ()), "reshape": ("Reshape", ((2,),)),
    "zeropad2d": ("ZeroPadding2D", ()), "cropping1d": ("Cropping1D", ()), "upsample2d": ("UpSampling2D", ()),
    "upsample": ("UpSampling2D", ()), "permute": ("Permute", ((2, 1),)), "rescaling": ("Rescaling", (1.0,)),
}


@pytest.mark.slow
def test_the_stems_are_the_names_keras_gives():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    keras.backend.clear_session()
    for kind, (cls, args) in KERAS.items():
        keras.backend.clear_session()
        assert getattr(keras.layers, cls)(*args).name == KINDS[kind].stem(kind, 2), kind
