"""What torch's two ONNX exporters write for torchvision's CNNs, built small with onnx.helper:
ReduceMean as global pooling, a one-input Concat, and the notes on batch norm folded into the
convolutions and on all-zero biases dropped (readers/onnxnotes.py)."""
from __future__ import annotations

import json
import os

import pytest

from cnncalc.readers import ReaderError, load_model
from cnncalc.readers.onnxnotes import Changes

from . import onnx_zoo
from .common import CORPUS, summary_of

onnx = pytest.importorskip("onnx")
np = pytest.importorskip("numpy")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def _save(tmp_path, nodes, inits, opset=18, producer="pytorch", name="g.onnx"):
    tensors = [numpy_helper.from_array(np.array(v, dtype=np.int64) if isinstance(v, list) else
                                       np.zeros(v, dtype=np.float32), k) for k, v in inits.items()]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)], tensors)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name=producer)
    path = str(tmp_path / name)
    onnx.save(model, path)
    return path


@pytest.mark.parametrize("keep, shape", [(1, (1, 1, 4)), (0, (4,))])
@pytest.mark.parametrize("opset", [13, 18])
def test_reduce_mean_over_height_and_width_is_global_average_pooling(tmp_path, keep, shape, opset):
    make = helper.make_node
    axes = {"axes": [-1, -2]} if opset < 18 else {}
    ins = ["c"] if opset < 18 else ["c", "axes"]
    path = _save(tmp_path, [make("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3]),
                            make("ReduceMean", ins, ["y"], name="mean", keepdims=keep, **axes)],
                 {"w": (4, 3, 3, 3), "axes": [-1, -2]}, opset=opset)
    s = summary_of(path)
    assert [(r.layer.kind, r.output_shape) for r in s.layers] == [("conv2d", (6, 6, 4)), ("global_avgpool", shape)]


def test_reduce_mean_over_the_channels_is_refused(tmp_path):
    make = helper.make_node
    path = _save(tmp_path, [make("ReduceMean", ["x", "axes"], ["y"], name="mean")], {"axes": [1]})
    with pytest.raises(ReaderError, match=r"node 1 \(mean, ReduceMean\): ReduceMean over the axes \[1\] of a "
                                          r"4-dim tensor \(cnncalc reads it over every spatial axis"):
        load_model(path)


def test_a_one_input_concat_is_its_input(tmp_path):
    make = helper.make_node
    path = _save(tmp_path, [make("Relu", ["x"], ["r"]), make("Concat", ["r"], ["y"], axis=1)], {})
    assert [r.layer.kind for r in summary_of(path).layers] == ["relu"]


FOLDED = ("the exporter folded batch norm into 1 convolution (4 channels): the PyTorch module has 2 x 4 = 8 more "
          "trainable parameters (the batch norms' weights and biases) and 8 running statistics")


def test_torchscript_folded_batch_norm_is_noted(tmp_path):
    """dynamo=False names a folded convolution's weight and bias onnx::Conv_N, computed, where a
    module parameter keeps its name."""
    make = helper.make_node
    nodes = [make("Conv", ["x", "onnx::Conv_7", "onnx::Conv_8"], ["c"], kernel_shape=[3, 3]),
             make("Conv", ["c", "head.weight", "head.bias"], ["y"], kernel_shape=[1, 1])]
    path = _save(tmp_path, nodes, {"onnx::Conv_7": (4, 3, 3, 3), "onnx::Conv_8": (4,), "head.weight": (2, 4, 1, 1),
                                   "head.bias": (2,)}, opset=17)
    spec = load_model(path)
    assert spec.notes == (FOLDED + ", and 4 fewer where its convolutions have no bias (the file's biases of those "
                          "convolutions are the fold's); export with dynamo=False, training=TrainingMode.PRESERVE "
                          "to keep them",)
    assert summary_of(path).totals.trainable_params == (3 * 3 * 3 * 4 + 4) + (4 * 2 + 2)  # the file's own


def _dynamo_conv(inputs, rules, fx, out="y"):
    node = helper.make_node("Conv", inputs, [out], kernel_shape=[3, 3])
    for key, value in (("pkg.onnxscript.rewriter.rule_name", rules), ("pkg.torch.onnx.fx_node", fx)):
        node.metadata_props.add(key=key, value=value)
    return node


def test_dynamo_folded_batch_norm_and_dropped_zero_biases_are_noted(tmp_path):
    """dynamo=True records its optimizer's rewrite rules on each node, and the torch call (which
    names the module's bias, %p_..._bias, when it had one)."""
    bn = "call_function[target=torch.ops.aten._native_batch_norm_legit_no_training.default](args = (%conv2d, " \
         "%p_bn1_weight, %p_bn1_bias, %b_bn1_running_mean, %b_bn1_running_var, 0.1, 1e-05), kwargs = {})"
    conv = "call_function[target=torch.ops.aten.conv2d.default](args = (%relu, %p_conv2_weight, %p_conv2_bias, " \
           "[1, 1], [1, 1]), kwargs = {})"
    nodes = [_dynamo_conv(["x", "w1"], "RemoveOptionalBiasFromConv, FuseBatchNormIntoConv, "
                          "RemoveOptionalBiasFromConv", bn, "c"),
             _dynamo_conv(["c", "w2"], "RemoveOptionalBiasFromConv", conv)]
    path = _save(tmp_path, nodes, {"w1": (4, 3, 3, 3), "w2": (5, 4, 3, 3)})
    assert load_model(path).notes == (
        FOLDED + "; 1 of those convolutions have no bias in the file (4 channels): the exporter dropped it as all "
        "zero, the module's own too if it had one; export with dynamo=False, training=TrainingMode.PRESERVE to keep "
        "them",
        "the exporter dropped the all-zero biases of 1 layer (5 values, as an untrained model has): the PyTorch "
        "module has them")


def test_no_note_without_the_exporters_marks(tmp_path):
    make = helper.make_node
    nodes = [make("Conv", ["x", "onnx::Conv_7", "onnx::Conv_8"], ["y"], kernel_shape=[3, 3])]
    inits = {"onnx::Conv_7": (4, 3, 3, 3), "onnx::Conv_8": (4,)}
    assert load_model(_save(tmp_path, nodes, inits, producer="other")).notes == ()
    assert Changes().notes() == []


def test_summary_prints_the_notes(tmp_path, main):
    make = helper.make_node
    nodes = [make("Conv", ["x", "onnx::Conv_7", "onnx::Conv_8"], ["y"], kernel_shape=[3, 3])]
    path = _save(tmp_path, nodes, {"onnx::Conv_7": (4, 3, 3, 3), "onnx::Conv_8": (4,)})
    out = main("summary", path, "--format", "json").out
    assert '"notes": [\n    "the exporter folded batch norm into 1 convolution' in out
    assert "\nNote: the exporter folded batch norm into 1 convolution" in main("summary", path, "--width", "200").out
    assert "# Note: the exporter folded batch norm" in main("import", path).out


def test_the_fast_summary_prints_the_notes_too(tmp_path, proc):
    make = helper.make_node
    nodes = [make("Conv", ["x", "onnx::Conv_7", "onnx::Conv_8"], ["y"], kernel_shape=[3, 3])]
    path = _save(tmp_path, nodes, {"onnx::Conv_7": (4, 3, 3, 3), "onnx::Conv_8": (4,)})
    out = " ".join(proc("summary", path).out.split())  # the totals' lines wrap at the terminal's width
    assert out.endswith("Note: " + FOLDED + ", and 4 fewer where its convolutions have no bias (the file's biases "
                        "of those convolutions are the fold's); export with dynamo=False, training=TrainingMode.PRESERVE "
                        "to keep them")


def _shuffle_nodes(first, second):
    make = helper.make_node
    return [make("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1]),
            make("Reshape", ["c", first], ["v"], name="view"), make("Transpose", ["v"], ["t"], perm=[0, 2, 1, 3, 4]),
            make("Reshape", ["t", second], ["s"], name="shuffle"),
            make("Split", ["s"], ["a", "b"], axis=1, num_outputs=2), make("Relu", ["b"], ["r"]),
            make("Concat", ["a", "r"], ["y"], axis=1)]


@pytest.mark.parametrize("first, second", [([1, 2, 4, 8, 8], [1, 8, 8, 8]), ([-1, 2, 4, 8, 8], [-1, 8, 8, 8])])
def test_dynamo_channel_shuffle_and_split(tmp_path, first, second):
    """dynamo=True: Reshape to (N, g, C/g, H, W), Transpose, Reshape back, then Split in two."""
    path = _save(tmp_path, _shuffle_nodes("first", "second"), {"w": (8, 3, 1, 1), "first": first, "second": second})
    s = summary_of(path)
    assert [(r.layer.kind, r.output_shape) for r in s.layers] == [
        ("conv2d", (8, 8, 8)), ("channel_shuffle", (8, 8, 8)), ("channel_slice", (8, 8, 4)),
        ("channel_slice", (8, 8, 4)), ("relu", (8, 8, 4)), ("concat", (8, 8, 8))]
    assert s.layers[1].layer.groups == 2


def test_torchscript_channel_shuffle_and_chunk_through_shape(tmp_path):
    """dynamo=False with a dynamic batch: the sizes come from Shape (N, C/2, H, W), the chunk's
    bounds from (C + 1) / 2."""
    make = helper.make_node
    c = helper.make_tensor

    def const(name, values):
        return make("Constant", [], [name], value=c(name, TensorProto.INT64, [len(values)], values))
    nodes = [make("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1]), make("Shape", ["c"], ["shape"])]
    for i in range(4):
        nodes += [const(f"i{i}", [i]), make("Gather", ["shape", f"i{i}"], [f"d{i}"], axis=0)]
    nodes += [const("two", [2]), const("one", [1]), make("Div", ["d1", "two"], ["half"]),
              make("Cast", ["half"], ["half64"], to=7),
              make("Concat", ["d0", "two", "half64", "d2", "d3"], ["first"], axis=0),
              make("Concat", ["d0", "minus", "d2", "d3"], ["second"], axis=0),
              make("Reshape", ["c", "first"], ["v"]), make("Transpose", ["v"], ["t"], perm=[0, 2, 1, 3, 4]),
              make("Reshape", ["t", "second"], ["s"]), make("Shape", ["s"], ["shape2"]),
              make("Gather", ["shape2", "i1"], ["c2"], axis=0), make("Add", ["c2", "one"], ["c3"]),
              make("Div", ["c3", "two"], ["step"]), make("Mul", ["step", "one"], ["end1"]),
              make("Mul", ["step", "two"], ["end2"]),
              make("Slice", ["s", "zero", "end1", "one"], ["a"]), make("Slice", ["s", "end1", "end2", "one"], ["b"]),
              make("Add", ["a", "b"], ["y"])]
    path = _save(tmp_path, nodes, {"w": (8, 3, 1, 1), "minus": [-1], "zero": [0]}, opset=17)
    s = summary_of(path)
    assert [(r.layer.kind, r.output_shape) for r in s.layers] == [
        ("conv2d", (8, 8, 8)), ("channel_shuffle", (8, 8, 8)), ("channel_slice", (8, 8, 4)),
        ("channel_slice", (8, 8, 4)), ("add", (8, 8, 4))]


def test_a_transpose_other_than_a_channel_shuffle_is_refused(tmp_path):
    make = helper.make_node
    path = _save(tmp_path, [make("Transpose", ["x"], ["y"], name="t", perm=[0, 3, 2, 1])], {})
    with pytest.raises(ReaderError, match=r"node 1 \(t, Transpose\): a Transpose \[0, 3, 2, 1\] other than a "
                                          r"channel shuffle's"):
        load_model(path)


def test_a_slice_of_the_height_is_refused(tmp_path):
    make = helper.make_node
    path = _save(tmp_path, [make("Slice", ["x", "zero", "two", "h"], ["y"], name="crop")],
                 {"zero": [0], "two": [2], "h": [2]})
    with pytest.raises(ReaderError, match=r"node 1 \(crop, Slice\): Slice along axis 2 of a 4-dim tensor"):
        load_model(path)


EXPORTS = os.path.join(CORPUS, "exports")
TRUTH = json.load(open(os.path.join(EXPORTS, "exports.json")))  # tests/readers/make_onnx_exports.py, torch 2.13


@pytest.mark.parametrize("name", sorted(TRUTH["files"]))
def test_torch_exports_give_the_modules_counts_once_the_notes_are_undone(name):
    """Files torch 2.13 wrote (both exporters): the counts are the file's, and with what the notes
    say the exporter changed (folded batch norm, dropped zero biases) they are the module's."""
    want = {**TRUTH["files"][name], "output": tuple(TRUTH["files"][name]["output"])}
    got = onnx_zoo.read(os.path.join(EXPORTS, name))
    assert onnx_zoo.compare(want, got) == []
    assert len(got["notes"]) == (got["changes"].folded > 0) + (got["changes"].dropped > 0) >= 1


def test_the_exports_hold_the_constructs():
    kinds = {name: [r.layer.kind for r in summary_of(os.path.join(EXPORTS, name)).layers] for name in TRUTH["files"]}
    assert "global_avgpool" in kinds["pool_dynamo.onnx"] and "batchnorm" not in kinds["pool_dynamo.onnx"]
    for name in ("shuffle_torchscript.onnx", "shuffle_dynamo.onnx"):
        assert kinds[name].count("channel_shuffle") == 2 and kinds[name].count("channel_slice") == 2
    assert kinds["folded_torchscript.onnx"] == ["conv2d", "relu"]


def _convnext_block(tmp_path, after=None):
    """ConvNeXt's block as TorchScript writes it: depthwise conv, permute channels last, layer
    norm, linear (bias first in the Add), GELU, linear, permute back, layer scale, residual."""
    make = helper.make_node
    nodes = [make("Conv", ["x", "dw"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=3),
             make("Transpose", ["c"], ["p"], perm=[0, 2, 3, 1]),
             make("LayerNormalization", ["p", "g", "b"], ["n"], axis=-1, epsilon=1e-6),
             make("MatMul", ["n", "w1"], ["m1"]), make("Add", ["b1", "m1"], ["l1"]), make("Gelu", ["l1"], ["a"]),
             make("MatMul", ["a", "w2"], ["m2"]), make("Add", ["b", "m2"], ["l2"]),
             make("Transpose", ["l2"], ["q"], perm=[0, 3, 1, 2]), make("Mul", ["scale", "q"], ["s"]),
             make("Add", ["s", "x"], ["y"]), *([after] if after else [])]
    return _save(tmp_path, nodes, {"dw": (3, 1, 3, 3), "g": (3,), "b": (3,), "w1": (3, 12), "b1": (12,),
                                   "w2": (12, 3), "scale": (3, 1, 1)}, opset=20)


def test_convnext_block_permuted_channels_last(tmp_path):
    s = summary_of(_convnext_block(tmp_path))
    assert [(r.layer.kind, r.output_shape, r.params) for r in s.layers] == [
        ("conv2d", (8, 8, 3), 3 * 3 * 3 + 3 - 3), ("layernorm", (8, 8, 3), 2 * 3), ("dense", (8, 8, 12), 3 * 12 + 12),
        ("gelu", (8, 8, 12), 0), ("dense", (8, 8, 3), 12 * 3 + 3), ("layer_scale", (8, 8, 3), 3), ("add", (8, 8, 3), 0)]


def test_a_convolution_of_values_permuted_channels_last_is_refused(tmp_path):
    make = helper.make_node
    nodes = [make("Transpose", ["x"], ["p"], perm=[0, 2, 3, 1]), make("Relu", ["p"], ["r"]),
             make("MaxPool", ["r"], ["y"], name="pool", kernel_shape=[2, 2])]
    with pytest.raises(ReaderError, match=r"node 3 \(pool, MaxPool\): MaxPool of values permuted channels last"):
        load_model(_save(tmp_path, nodes, {}))
