"""readers/onnxfile.py: ONNX through onnx's generated schema, without onnx's __init__ and without
the data of large initializers; the same models, values and specs as onnx.load gives."""
from __future__ import annotations

import math
import os
import random
import struct
import subprocess
import sys

import pytest

from cnncalc.readers.modelfiles import MAX_CONSTANT, tensor_values
from cnncalc.readers.onnx_reader import OnnxReader
from cnncalc.readers.onnxfile import SKIP_BYTES, float32_decimal, load_model

from .common import CORPUS

onnx = pytest.importorskip("onnx")
np = pytest.importorskip("numpy")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(CORPUS))
CAP = 1 << 30


def _large_model(tmp_path):
    """A conv of 256 x 256 x 3 x 3 weights (2.4 MB, more than SKIP_BYTES), a bias of zeros shared
    through Identity as torch exports it, a Constant shape and a small float initializer."""
    w = np.arange(256 * 256 * 9, dtype=np.float32).reshape(256, 256, 3, 3) / 7
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.zeros(256, np.float32), "b"),
             numpy_helper.from_array(np.array([0.25, 1e-5], np.float32), "small")]
    shape = helper.make_tensor("s", TensorProto.INT64, [2], [1, -1])
    nodes = [helper.make_node("Identity", ["b"], ["b2"]),
             helper.make_node("Conv", ["x", "w", "b2"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("LeakyRelu", ["c"], ["r"], alpha=0.1),
             helper.make_node("Constant", [], ["shape"], value=shape),
             helper.make_node("Reshape", ["r", "shape"], ["y"])]
    graph = helper.make_graph(nodes, "big", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 256, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    path = str(tmp_path / "big.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return path


def _files(tmp_path):
    return [os.path.join(CORPUS, "small_resnet.onnx"), _large_model(tmp_path)]


def test_the_model_is_onnx_loads_without_the_large_data(tmp_path):
    for path in _files(tmp_path):
        slim, full = load_model(path, CAP, "x"), onnx.load(path)
        for t in full.graph.initializer:
            if len(t.raw_data) > SKIP_BYTES or math.prod(max(d, 1) for d in t.dims) > MAX_CONSTANT:
                t.ClearField("raw_data")
        assert slim.SerializeToString() == full.SerializeToString()
        assert any(len(t.raw_data) > SKIP_BYTES for t in onnx.load(path).graph.initializer) == path.endswith("big.onnx")


def test_small_tensors_are_the_numbers_numpy_helper_gives(tmp_path):
    for path in _files(tmp_path):
        tensors = list(onnx.load(path).graph.initializer)
        tensors += [a.t for n in onnx.load(path).graph.node for a in n.attribute if a.type == a.TENSOR]
        for t in tensors:
            small = t.ByteSize() <= SKIP_BYTES and math.prod(max(d, 1) for d in t.dims) <= MAX_CONSTANT
            expected = numpy_helper.to_array(t).tolist() if small else None
            assert tensor_values(t, path) == expected, t.name


def test_the_reader_gives_the_spec_onnx_load_gives(tmp_path):
    for path in _files(tmp_path):
        fast = OnnxReader(path, load_model(path, CAP, "x")).read()
        slow = OnnxReader(path, onnx.load(path)).read()
        assert fast == slow and repr(fast) == repr(slow) and len(fast[0]) >= 3


def test_a_damaged_file_is_parsed_whole_and_refused_by_protobuf(tmp_path):
    data = open(os.path.join(CORPUS, "small_resnet.onnx"), "rb").read()
    path = tmp_path / "cut.onnx"
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(Exception, match="is not an ONNX model"):
        load_model(str(path), CAP, "x")


def test_float32_attributes_read_as_numpy_writes_them():
    rng = random.Random(30)
    values = [1e-5, 0.1, 1e-3, 0.2, 3.4028234663852886e38, 1e-45, float("inf"), -0.0]
    values += [struct.unpack("<f", struct.pack("<I", rng.getrandbits(32)))[0] for _ in range(2000)]
    for v in values:
        if v == v:
            assert repr(float32_decimal(v)) == repr(float(str(np.float32(v)))), v


def test_a_summary_of_an_onnx_file_never_imports_the_onnx_package():
    code = ("import sys\nfrom cnncalc.main import main\n"
            f"sys.argv = ['cnncalc', 'summary', {os.path.join(CORPUS, 'small_resnet.onnx')!r}, '--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('onnx' in sys.modules, 'numpy' in sys.modules, file=sys.stderr)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": ROOT})
    assert p.returncode == 0, p.stderr
    assert '"layers"' in p.stdout
    assert p.stderr.split() == ["False", "False"]
