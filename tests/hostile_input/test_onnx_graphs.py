"""ONNX graphs made to break the reader: nodes without inputs or outputs, attributes of the wrong
type, NaN or infinite, short `pads`, rank-1 conv weights, pooling without `kernel_shape`, huge
constants and reshapes. One validation per node (readers/onnxshape.py) makes each one line
naming the node; hypothesis mutates a real exported graph."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

onnx = pytest.importorskip("onnx")
np = pytest.importorskip("numpy")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from cnncalc import CnncalcError  # noqa: E402
from cnncalc.readers import read_model  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
BASE = onnx.load(str(ROOT / "tests" / "readers" / "small_resnet.onnx"))
FUZZ = settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
VALUES = [float("nan"), float("inf"), -float("inf"), [1], [float("nan")], [1, 2, 3], 2 ** 40, -1, 0, 1.5,
          [2 ** 40, 2 ** 40], [0] * 7, "x"]
ATTRS = ["pads", "kernel_shape", "strides", "dilations", "axis", "alpha", "epsilon", "momentum", "group", "ratio"]
OPS = ["MaxPool", "AveragePool", "Conv", "Reshape", "Gemm", "MatMul", "BatchNormalization", "Pad", "Clip",
       "Dropout", "Concat", "Softmax", "Flatten", "Add", "LeakyRelu", "HardSigmoid", "Shape", "Gather"]


def _mutate(model, draw) -> None:
    g = model.graph
    node = g.node[draw(st.integers(0, len(g.node) - 1))]
    how = draw(st.sampled_from(["inputs", "outputs", "attr", "drop-attr", "weights", "op", "constant"]))
    if how == "inputs":
        del node.input[:]
    elif how == "outputs":
        del node.output[:]
    elif how == "attr":
        name = draw(st.sampled_from(ATTRS))
        for a in list(node.attribute):
            if a.name == name:
                node.attribute.remove(a)
        node.attribute.append(helper.make_attribute(name, draw(st.sampled_from(VALUES))))
    elif how == "drop-attr" and node.attribute:
        node.attribute.remove(node.attribute[draw(st.integers(0, len(node.attribute) - 1))])
    elif how == "weights" and g.initializer:
        init = g.initializer[draw(st.integers(0, len(g.initializer) - 1))]
        flat = numpy_helper.to_array(init).reshape(-1)[:draw(st.sampled_from([0, 1, 3]))]
        init.CopyFrom(numpy_helper.from_array(flat, init.name))
    elif how == "op":
        node.op_type = draw(st.sampled_from(OPS))
    elif how == "constant" and node.input:
        value = draw(st.sampled_from([[1, 2 ** 40], [-1, 2 ** 20, 2 ** 20], [0], [1, -1, -1]]))
        tensor = numpy_helper.from_array(np.array(value, dtype=np.int64))
        g.node.insert(0, helper.make_node("Constant", [], [node.input[-1]], value=tensor))


@FUZZ
@given(data=st.data())
def test_any_mutated_graph_is_read_or_refused_in_one_line(data, tmp_path_factory):
    model = copy.deepcopy(BASE)
    for _ in range(data.draw(st.integers(1, 2))):
        _mutate(model, data.draw)
    path = tmp_path_factory.mktemp("onnx") / "m.onnx"
    onnx.save(model, str(path))
    try:
        read_model(str(path), input=(16, 16, 3))
    except CnncalcError as e:
        assert "\n" not in str(e)


def _graph(tmp_path, nodes, inits=(), shape=(1, 3, 8, 8)) -> str:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    path = tmp_path / "g.onnx"
    onnx.save(helper.make_model(helper.make_graph(nodes, "g", [x], [y], list(inits))), str(path))
    return str(path)


def _weights(shape):
    return numpy_helper.from_array(np.zeros(shape, dtype=np.float32), "w")


@pytest.mark.parametrize("nodes,inits,words", [
    ([helper.make_node("MaxPool", ["x"], ["y"])], [], "no kernel_shape"),
    ([helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], pads=[1])], [], "`pads` has 1 values"),
    ([helper.make_node("Conv", ["x", "w"], ["y"])], [_weights((4,))], "weights of 1 dimensions"),
    ([helper.make_node("LeakyRelu", ["x"], ["y"], alpha=float("nan"))], [], "`alpha` is nan"),
    ([helper.make_node("BatchNormalization", ["x", "w"], ["y"], epsilon=float("inf"))], [_weights((3,))],
     "`epsilon` is inf"),
    ([helper.make_node("Relu", [], ["y"])], [], "0 inputs where Relu needs 1"),
    ([helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3])], [_weights((4, 3, 3, 3))],
     "`kernel_shape` has 1 values for 2 axes"),
])
def test_each_refusal_names_the_node(nodes, inits, words, tmp_path):
    with pytest.raises(CnncalcError) as e:
        read_model(_graph(tmp_path, nodes, inits), input=(8, 8, 3))
    assert "node 1 (" in str(e.value) and words in str(e.value), str(e.value)


def test_a_huge_constant_is_not_made_a_list(tmp_path):
    big = numpy_helper.from_array(np.zeros(1 << 20, dtype=np.int64), "s")
    nodes = [helper.make_node("Reshape", ["x", "s"], ["y"])]
    with pytest.raises(CnncalcError, match="a shape computed from values"):
        read_model(_graph(tmp_path, nodes, [big]), input=(8, 8, 3))


def test_a_reshape_to_2_40_elements(tmp_path):
    shape = numpy_helper.from_array(np.array([1, 2 ** 40], dtype=np.int64), "s")
    with pytest.raises(CnncalcError, match="absurdly large"):
        read_model(_graph(tmp_path, [helper.make_node("Reshape", ["x", "s"], ["y"])], [shape]), input=(8, 8, 3))
