"""Export, then import: the helper classes cnncalc's exports write where a framework has no such
layer (BatchNormPartial, LayerNormChannels, LinearChannelsLast, LayerScale, Normalization,
Rescaling, Merge, PReLUChannelsLast, PermuteChannelsLast, ChannelSlice, ChannelShuffle,
GeluTanh) read back as the kinds that wrote them (cnncalc/readers/helpers.py), every layer with
the same kind, shape and parameters. Only the syntax tree is read: no framework is needed."""
from __future__ import annotations

import ast

import pytest

from cnncalc import infer, parse_spec
from cnncalc.export import export_code
from cnncalc.metrics import compute
from cnncalc.readers import helpers, load_model

SPECS = {
    "batchnorm_partial": """input: [8, 8, 4]
layers:
  - conv2d: {filters: 4, kernel: 3, padding: 1}
  - batchnorm: {scale: false}
  - batchnorm: {center: false, epsilon: 0.001, momentum: 0.01}
""",
    "layernorm_layer_scale_dense": """input: [8, 8, 4]
layers:
  - layernorm: {epsilon: 0.000001}
  - dense: 6
  - layernorm: {affine: false}
  - dense: {units: 4, bias: false}
  - layer_scale: {init: 0.1}
""",
    "normalization_rescaling_gelu": """input: [8, 8, 3]
layers:
  - rescaling: {scale: 0.5, offset: -1}
  - normalization
  - normalization: {mean: 0.5, variance: 4}
  - gelu: {approximate: tanh}
  - conv2d: {filters: 4, kernel: 3}
""",
    "prelu_permute": """input: [8, 6, 4]
layers:
  - prelu: {shared_axes: [1]}
  - prelu: {shared_axes: [1, 2]}
  - prelu
  - permute: [2, 1, 3]
  - conv2d: {filters: 2, kernel: 1}
""",
    "broadcast_merges": """input: [8, 8, 4]
layers:
  - conv2d: {filters: 4, kernel: 1, id: x}
  - global_avgpool2d: {keepdims: true}
  - conv2d: {filters: 4, kernel: 1, activation: sigmoid, id: g}
  - multiply: {inputs: [x, g], id: se}
  - global_maxpool2d: {inputs: x, id: v}
  - maximum: {inputs: [se, v], id: m}
  - subtract: {inputs: [m, g], id: s}
  - average: {inputs: [s, x, g]}
""",
    "split_shuffle": """input: [8, 8, 8]
layers:
  - split: {sections: 2, id: sp}
  - conv2d: {filters: 4, kernel: 1, inputs: sp.1, id: b}
  - concat: {inputs: [sp.0, b]}
  - channel_shuffle: 2
  - chunk: {sizes: [2, 6], id: c}
  - conv2d: {filters: 2, kernel: 1, inputs: c.1, id: d}
  - add: {inputs: [c.0, d]}
""",
}


@pytest.mark.parametrize("to", ["pytorch", "keras"])
@pytest.mark.parametrize("name", SPECS)
def test_the_export_reads_back_to_the_same_network(name, to, tmp_path):
    """The same totals, output, MACs and layers with weights; every kind a helper stands for
    is back (the torch export also splits fused activations and global pooling into layers
    of their own, so the layer lists differ there)."""
    original = infer(parse_spec(SPECS[name], f"{name}.yaml"))
    path = tmp_path / f"{name}_{to}.py"
    path.write_text(export_code(original, to))
    back = infer(load_model(str(path), input=original.spec.input))
    a, b = compute(original), compute(back)
    t, u = original.totals, back.totals
    assert (u.params, u.trainable_params, u.non_trainable_params) == (t.params, t.trainable_params, t.non_trainable_params)
    assert (back.output_shape, b.totals.macs) == (original.output_shape, a.totals.macs)
    weighted = lambda s, m: [(r.layer.kind, r.params, x.macs) for r, x in zip(s.layers, m.layers) if r.params]  # noqa: E731
    assert weighted(back, b) == weighted(original, a)
    helped = {r.layer.kind for r in original.layers} & HELPED
    assert helped <= {r.layer.kind for r in back.layers}


HELPED = {"batchnorm", "layernorm", "dense", "layer_scale", "normalization", "rescaling", "gelu", "prelu", "permute",
          "multiply", "maximum", "subtract", "average", "channel_slice", "channel_shuffle"}


def test_every_helper_an_export_writes_is_declared_and_read():
    """The helper classes in the exports above are all declared by a kind (HELPERS), so the
    readers know them; a class of the same name with other code is the user's, not a helper."""
    seen = set()
    for text in SPECS.values():
        s = infer(parse_spec(text))
        for to, fw in (("pytorch", "torch"), ("keras", "keras")):
            tree = ast.parse(export_code(s, to))
            for node in tree.body:
                if isinstance(node, ast.ClassDef) and helpers.match(fw, node) is not None:
                    seen.add((fw, node.name))
    declared = {(fw, name) for fw in ("torch", "keras") for name in helpers.table(fw)}
    assert seen == declared


def test_a_class_of_the_same_name_with_other_code_is_not_a_helper():
    node = ast.parse("class LayerScale(nn.Module):\n    def __init__(self, c):\n        super().__init__()\n").body[0]
    assert helpers.match("torch", node) is None


@pytest.mark.parametrize("call, words", [
    ("Merge()", "Merge needs `op`"),
    ("Merge('add', 2)", "Merge takes 1 positional arguments, got 2"),
    ("Merge(op='add', other=1)", "Merge got an unexpected or repeated argument `other`"),
    ("LayerScale(4, init=self.training)", "LayerScale's arguments must be numbers or words written in the file"),
    ("Merge(3)", "Merge names 3, which is not one of add, multiply, subtract, maximum, minimum, average"),
    ("Merge('concat')", "Merge names 'concat', which is not one of add"),
])
def test_a_helper_called_wrongly_is_one_line(call, words, tmp_path):
    """A file with cnncalc's helper class, called as the export never calls it."""
    from cnncalc.kinds.merge import TORCH_MERGE
    from cnncalc.kinds.scale import LAYER_SCALE_TORCH
    from cnncalc.readers import ReaderError
    code = ("import torch\nfrom torch import nn\n\n\n" + TORCH_MERGE + "\n\n\n" + LAYER_SCALE_TORCH + "\n\n\n"
            "class Net(nn.Module):\n    def __init__(self, k=None):\n        super().__init__()\n"
            "        self.conv = nn.Conv2d(3, 4, 3)\n"
            f"        self.h = {call}\n\n    def forward(self, x):\n        return self.h(self.conv(x))\n")
    path = tmp_path / "net.py"
    path.write_text(code)
    with pytest.raises(ReaderError) as e:
        load_model(str(path), input=(8, 8, 3))
    assert words in str(e.value) and "\n" not in str(e.value)
