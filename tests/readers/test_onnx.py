"""ONNX graphs made with onnx.helper: the ops read, and the one line naming every unknown op."""
from __future__ import annotations

import os

import pytest

from cnncalc.readers import ReaderError, load_model

from .common import CORPUS, summary_of


def test_onnx_without_the_package_names_the_pip_command(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ReaderError, match=r"pip install 'cnncalc\[onnx\]'"):
        load_model(os.path.join(CORPUS, "small_resnet.onnx"))


def _onnx_graph(tmp_path, nodes, inits, shape=(1, 3, 8, 8), opset=13):
    onnx = pytest.importorskip("onnx")
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper
    tensors = [numpy_helper.from_array(np.zeros(dims, dtype=np.int64 if name.startswith("shape") else np.float32)
                                       if not isinstance(dims, list) else np.array(dims, dtype=np.int64), name)
               for name, dims in inits.items()]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
                              [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)], tensors)
    path = str(tmp_path / "g.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), path)
    return path


def test_onnx_ops(tmp_path):
    onnx = pytest.importorskip("onnx")
    h = onnx.helper
    nodes = [
        h.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv_same", auto_pad="SAME_UPPER", strides=[2, 2],
                    kernel_shape=[3, 3]),
        h.make_node("Clip", ["c1", "zero", "six"], ["r1"], name="relu6"),
        h.make_node("Conv", ["r1", "w2"], ["c2"], name="dw", group=8, pads=[2, 2, 2, 2], dilations=[2, 2]),
        h.make_node("AveragePool", ["c2"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node("Mul", ["p", "p"], ["m"], name="square"),
        h.make_node("Concat", ["m", "p"], ["cat"], name="cat", axis=1),
        h.make_node("Shape", ["cat"], ["s"]),
        h.make_node("Gather", ["s", "zero_i"], ["b"], axis=0),
        h.make_node("Unsqueeze", ["b", "axes"], ["b1"]),
        h.make_node("Concat", ["b1", "minus1"], ["target"], axis=0),
        h.make_node("Reshape", ["cat", "target"], ["flat"], name="flatten"),
        h.make_node("Dropout", ["flat"], ["d"], name="drop"),
        h.make_node("MatMul", ["d", "w3"], ["mm"], name="fc"),
        h.make_node("Add", ["mm", "b3"], ["y"], name="fc_bias"),
    ]
    import numpy as np
    from onnx import numpy_helper
    path = _onnx_graph(tmp_path, nodes, {"w1": (8, 3, 3, 3), "b1": (8,), "w2": (8, 1, 3, 3), "w3": (64, 5),
                                         "b3": (5,)})
    model = onnx.load(path)
    for name, value in (("zero", np.float32(0)), ("six", np.float32(6)), ("zero_i", np.int64(0)),
                        ("axes", np.array([0], np.int64)), ("minus1", np.array([-1], np.int64))):
        model.graph.initializer.append(numpy_helper.from_array(np.array(value), name))
    onnx.save(model, path)
    s = summary_of(path)
    kinds = [(r.layer.kind, r.output_shape) for r in s.layers]
    assert kinds == [("conv2d", (4, 4, 8)), ("relu6", (4, 4, 8)), ("conv2d", (4, 4, 8)), ("avgpool2d", (2, 2, 8)),
                     ("multiply", (2, 2, 8)), ("concat", (2, 2, 16)), ("flatten", (64,)), ("dropout", (64,)),
                     ("dense", (5,))]
    assert s.totals.params == (3 * 3 * 3 * 8 + 8) + (3 * 3 * 1 * 8) + (64 * 5 + 5)


def test_an_unknown_onnx_op_is_refused_by_name(tmp_path):
    onnx = pytest.importorskip("onnx")
    path = _onnx_graph(tmp_path, [onnx.helper.make_node("LpNormalization", ["x"], ["y"], name="norm")], {})
    with pytest.raises(ReaderError, match=r"node 1 \(norm, LpNormalization\): the op LpNormalization is not one"):
        load_model(path)


def test_every_unknown_onnx_op_of_the_file_is_named_in_one_line(tmp_path):
    onnx = pytest.importorskip("onnx")
    make = onnx.helper.make_node
    nodes = [make("Relu", ["x"], ["a"]), make("LpNormalization", ["a"], ["b"], name="norm"),
             make("Erf", ["b"], ["c"]), make("Erf", ["c"], ["d"]), make("Sin", ["d"], ["y"])]
    path = _onnx_graph(tmp_path, nodes, {})
    with pytest.raises(ReaderError) as e:
        load_model(path)
    assert str(e.value).endswith("node 2 (norm, LpNormalization): the op LpNormalization is not one cnncalc reads, "
                                 "nor are Erf (2 nodes) and Sin (1 node); write this part in YAML")
    assert "\n" not in str(e.value)


def test_a_reshape_with_two_minus_ones_is_refused(tmp_path):
    """ONNX lets one size be -1; a file with two is not one an exporter writes, never a flatten."""
    onnx = pytest.importorskip("onnx")
    import numpy as np
    from onnx import numpy_helper
    path = _onnx_graph(tmp_path, [onnx.helper.make_node("Reshape", ["x", "target"], ["y"], name="view")], {})
    model = onnx.load(path)
    model.graph.initializer.append(numpy_helper.from_array(np.array([-1, -1], np.int64), "target"))
    onnx.save(model, path)
    with pytest.raises(ReaderError, match=r"node 1 \(view, Reshape\): a Reshape to \[-1, -1\]: ONNX allows one -1"):
        load_model(path)
