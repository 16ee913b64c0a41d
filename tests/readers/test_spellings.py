"""The framework spellings the kinds declare, and the readers' handler tables built on them:
every group a kind declares has one handler, and every handler serves a declared group."""
import pytest

from cnncalc.kinds import classes
from cnncalc.readers import keras_layers, onnx_reader, torch_layers, torch_ops
from cnncalc.readers.spellings import groups, lookup, spellings


@pytest.mark.parametrize("framework, table", [
    ("KERAS", keras_layers.CONVERT),
    ("TORCH", {**torch_layers.LAYERS, **torch_ops.FUNCTIONS}),
    ("ONNX", onnx_reader.OPS),
])
def test_every_declared_group_has_one_handler(framework, table):
    assert groups(framework) == set(table)


def test_a_name_is_declared_once_and_by_its_kind():
    for framework in ("KERAS", "TORCH", "ONNX"):
        index = spellings(framework)  # raises on a name two groups declare
        for name, s in index.items():
            assert s.kind is None or any(s.kind_at(1) in cls.NAMES for cls in classes()), (framework, name, s.kind)


@pytest.mark.parametrize("framework, name, group, kind", [
    ("KERAS", "Conv2D", "Conv", None), ("KERAS", "Convolution1D", "Conv", None),
    ("KERAS", "GlobalAvgPool2D", "GlobalPool", None), ("KERAS", "SpatialDropout2D", "Dropout", None),
    ("TORCH", "LogSoftmax", "Softmax", "log_softmax"), ("TORCH", "hardsigmoid", "F.act", "hard_sigmoid"),
    ("TORCH", "feature_alpha_dropout2d", "F.dropout", None), ("TORCH", "amax", "F.mean", "global_maxpool"),
    ("ONNX", "AveragePool", "Pool", None), ("ONNX", "HardSwish", "Act", "hardswish"),
])
def test_names_are_found_in_their_group(framework, name, group, kind):
    s = lookup(framework, name)
    assert (s.group, s.kind) == (group, kind)


def test_keyword_only_keys_are_known_but_not_positional():
    s = lookup("KERAS", "LeakyReLU")
    assert s.positional == ("negative_slope",) and "alpha" in s.known


@pytest.mark.parametrize("framework, name", [("KERAS", "SeparableConv3D"), ("KERAS", "InputLayer"),
                                             ("TORCH", "CircularPad2d"), ("ONNX", "LpNormalization")])
def test_undeclared_names_are_not_found(framework, name):
    assert lookup(framework, name) is None
