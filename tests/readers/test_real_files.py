"""Real files (this folder; sources in counts.json and in each file's header) give the
frameworks' own counts, and the live frameworks agree."""
from __future__ import annotations

import os

import pytest

from cnncalc.errors import CnncalcError
from cnncalc.infer import infer
from cnncalc.readers import read_model
from cnncalc.spec import parse_spec

from .common import CORPUS, COUNTS, line_of, summary_of


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_real_files_give_the_frameworks_counts(name):
    if name.endswith(".onnx"):
        pytest.importorskip("onnx")
    entry = COUNTS[name]
    s = summary_of(os.path.join(CORPUS, name.split(":")[0]), input=tuple(entry["input"]) if "input" in entry else None,
                   class_name=entry.get("class"))
    assert (s.totals.params, s.totals.trainable_params) == (entry["params"], entry["trainable"])
    if "output" in entry:
        assert list(s.output_shape) == entry["output"]


def test_blitz_cnn_reads_as_lenet_with_the_torch_names():
    path = os.path.join(CORPUS, "blitz_cnn.py")
    s = summary_of(path, input=(32, 32))
    assert s.spec.input == (32, 32, 1)  # the channels come from conv1 = nn.Conv2d(1, 6, 5)
    assert [r.layer.name for r in s.layers if r.params] == ["conv1", "conv2", "fc1", "fc2", "fc3"]
    assert [r.params for r in s.layers if r.params] == [
        5 * 5 * 1 * 6 + 6, 5 * 5 * 6 * 16 + 16, 16 * 5 * 5 * 120 + 120, 120 * 84 + 84, 84 * 10 + 10]
    assert s.layers[0].layer.line == line_of(path, "self.conv1 =")
    assert s.output_shape == (10,)


def test_the_spec_text_names_its_source_and_reads_back():
    path = os.path.join(CORPUS, "blitz_cnn.py")
    text = read_model(path, input=(32, 32))
    assert text.startswith("# Read by `cnncalc import` from ") and "blitz_cnn.py" in text.splitlines()[0]
    assert "- conv2d: {filters: 6, kernel: 5, in_channels: 1, name: conv1}" in text
    spec = parse_spec(text, "again.yaml")
    assert infer(spec).totals.params == COUNTS["blitz_cnn.py"]["params"]


def test_a_shape_error_points_at_the_source_line():
    path = os.path.join(CORPUS, "blitz_cnn.py")
    with pytest.raises(CnncalcError) as e:
        summary_of(path, input=(28, 28))  # 4x4 maps reach fc1, which wants 5x5
    line = line_of(path, "self.fc1 =")
    assert str(e.value).startswith(f"{path}:{line}:")
    assert "layer 8 (fc1, dense)" in str(e.value) and "400" in str(e.value)


def test_keras_mnist_script_is_read_without_its_training_code():
    path = os.path.join(CORPUS, "keras_mnist_convnet.py")
    s = summary_of(path)
    assert s.spec.input == (28, 28, 1)
    assert [r.layer.name for r in s.layers] == ["conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1",
                                                "flatten", "dropout", "dense"]
    assert s.layers[0].params == 3 * 3 * 1 * 32 + 32
    assert s.layers[-1].params == 5 * 5 * 64 * 10 + 10


def test_mobilenet_json_keeps_keras_names_and_counts():
    s = summary_of(os.path.join(CORPUS, "mobilenet.json"))
    names = [r.layer.name for r in s.layers]
    assert names[:3] == ["conv1", "conv1_bn", "conv1_relu"] and "conv_dw_13" in names
    assert s.totals.non_trainable_params == 4253864 - 4231976  # batchnorm moving statistics


def test_onnx_small_resnet_keeps_the_residual_branches():
    pytest.importorskip("onnx")
    s = summary_of(os.path.join(CORPUS, "small_resnet.onnx"))
    adds = [r for r in s.layers if r.layer.kind == "add"]
    assert len(adds) == 2 and all(len(r.inputs) == 2 for r in adds)
    assert sum(r.layer.kind == "batchnorm" for r in s.layers) == 6


def test_live_torch_modules_have_the_counts(tmp_path):
    torch = pytest.importorskip("torch")
    import runpy
    for name, cls, shape in (("blitz_cnn.py", "Net", (1, 1, 32, 32)), ("small_resnet.py", "SmallResNet", (1, 3, 32, 32))):
        net = runpy.run_path(os.path.join(CORPUS, name))[cls]()  # our own corpus file
        s = summary_of(os.path.join(CORPUS, name), input=shape[2:])
        assert s.totals.trainable_params == sum(p.numel() for p in net.parameters())
        stats = sum(b.numel() for k, b in net.named_buffers() if "running" in k)
        assert s.totals.non_trainable_params == stats
        assert tuple(net.eval()(torch.zeros(shape)).shape[1:]) == s.output_shape


@pytest.mark.slow
def test_live_keras_models_have_the_counts():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    text = open(os.path.join(CORPUS, "mobilenet.json")).read()
    model = keras.models.model_from_json(text)
    assert summary_of(os.path.join(CORPUS, "mobilenet.json")).totals.params == model.count_params()
    saved = keras.saving.load_model(os.path.join(CORPUS, "mnist_convnet.keras"))
    assert summary_of(os.path.join(CORPUS, "mnist_convnet.keras")).totals.params == saved.count_params()
    assert summary_of(os.path.join(CORPUS, "keras_mnist_convnet.py")).totals.params == saved.count_params()


def test_live_onnx_graph_has_the_counts():
    onnx = pytest.importorskip("onnx")
    from math import prod
    model = onnx.load(os.path.join(CORPUS, "small_resnet.onnx"))
    weights = {i.name: prod(i.dims) for i in model.graph.initializer}
    s = summary_of(os.path.join(CORPUS, "small_resnet.onnx"))
    assert s.totals.params == sum(v for k, v in weights.items() if "num_batches" not in k)
    assert s.totals.non_trainable_params == sum(v for k, v in weights.items() if "running" in k)
    assert sum(n.op_type in ("Conv", "Gemm", "BatchNormalization") for n in model.graph.node) == \
        sum(r.params > 0 for r in s.layers)
