"""PReLU with Keras' shared_axes (torch's num_parameters as an alias) and Permute with Keras'
1-based dims (torch's 0-based torch_dims as an alias): issue 15."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cnncalc import CnncalcError, infer, parse_spec

GOLDEN = json.loads((Path(__file__).parent.parent / "golden" / "prelu_permute.json").read_text())

SPEC = """input: [6, 5, 4]
layers:
  - conv2d: {filters: 8, kernel: 3, padding: 1}
  - prelu: {shared_axes: [1, 2]}
  - prelu
  - prelu: {num_parameters: 1}
  - permute: [2, 1, 3]
  - prelu: {shared_axes: [1]}
  - permute: {torch_dims: [0, 3, 1, 2]}
  - prelu: {num_parameters: 6}
  - permute: [3, 2, 1]
  - flatten
  - dense: 3
"""


@pytest.mark.parametrize("layer, inp, out, params", [
    ("prelu", (6, 5, 4), (6, 5, 4), 6*5*4),                                  # Keras' default: no sharing
    ("prelu: {shared_axes: [1, 2]}", (6, 5, 4), (6, 5, 4), 4),               # one slope per channel
    ("prelu: {shared_axes: [1, 2, 3]}", (6, 5, 4), (6, 5, 4), 1),
    ("prelu: {shared_axes: 3}", (6, 5, 4), (6, 5, 4), 6*5),
    ("prelu: {num_parameters: 4}", (6, 5, 4), (6, 5, 4), 4),                 # torch's spelling
    ("prelu: {num_parameters: 1}", (6, 5, 4), (6, 5, 4), 1),
    ("prelu", (10,), (10,), 10),
    ("permute: [2, 1, 3]", (6, 5, 4), (5, 6, 4), 0),
    ("permute: [3, 1, 2]", (6, 5, 4), (4, 6, 5), 0),
    ("permute: {torch_dims: [0, 2, 1, 3]}", (6, 5, 4), (5, 6, 4), 0),
    ("permute: [2, 1]", (7, 3), (3, 7), 0),
])
def test_shapes_and_params(layer, inp, out, params):
    import cnncalc
    s = cnncalc.summarize(cnncalc.load(f"input: {list(inp)}\nlayers:\n  - {layer}\n"))
    r = s.layers[0]
    assert (r.output_shape, r.params, s.metrics.layers[0].macs) == (out, params, 0)


@pytest.mark.parametrize("layer, words", [
    ("permute: [1, 1, 3]", "dims [1, 1, 3] is not a permutation of 1 to 3"),
    ("permute: [0, 1, 2]", "is not a permutation of 1 to 3"),
    ("permute: [2, 1]", "is not a permutation of 1 to 3"),
    ("permute: {torch_dims: [1, 0, 2, 3]}", "keeps the batch (0) first"),
    ("permute: {}", "exactly one"),
    ("prelu: {shared_axes: [4]}", "shared_axes [4] must be distinct axes 1 to 3"),
    ("prelu: {shared_axes: [1, 1]}", "must be distinct axes"),
    ("prelu: {num_parameters: 3}", "num_parameters 3 is neither 1 nor the 4 channels"),
    ("prelu: {num_parameters: 4, shared_axes: [1, 2]}", "not both"),
])
def test_mistakes_are_one_line_errors(layer, words):
    with pytest.raises(CnncalcError) as e:
        infer(parse_spec(f"input: [6, 5, 4]\nlayers:\n  - {layer}\n", "s.yaml"))
    assert words in str(e.value) and "\n" not in str(e.value)


def test_cli_exit_2(tmp_path):
    from typer.testing import CliRunner

    from cnncalc.cli import app
    p = tmp_path / "s.yaml"
    p.write_text("input: [6, 5, 4]\nlayers:\n  - permute: [1, 1, 3]\n")
    res = CliRunner().invoke(app, ["summary", str(p)])
    assert res.exit_code == 2 and "not a permutation" in res.output


def test_receptive_field_follows_the_axes():
    import cnncalc
    s = cnncalc.summarize(cnncalc.load("input: [9, 9, 2]\nlayers:\n  - conv2d: {filters: 2, kernel: [3, 1]}\n"
                         "  - permute: [2, 1, 3]\n  - permute: [3, 1, 2]\n"))
    conv, swap, chan = s.metrics.layers
    assert [a.size for a in swap.rf] == [1, 3] and [a.size for a in conv.rf] == [3, 1]
    assert chan.rf is None  # the channels moved into space: no single receptive field


def test_explain_and_verify():
    import cnncalc
    spec = parse_spec(SPEC)
    s = infer(spec)
    lines = cnncalc.working(s)
    assert lines[1] == ["params = 1*1*8 = 8 (one slope per non-shared position)"]
    assert lines[4] == ["out = (in[2], in[1], in[3]) = (5, 6, 8); params = 0"]
    assert cnncalc.verify(spec).agree
    assert s.totals.params == (3*3*4*8 + 8) + 8 + 6*5*8 + 1 + 1*6*8 + 6 + 6*5*8*3 + 3


def test_golden_counts_equal_cnncalc():
    """Keras 3 and torch counts, committed by tests/golden/make_prelu_permute.py."""
    for case in GOLDEN["cases"]:
        s = infer(parse_spec(f"input: {case['input']}\nlayers:\n  - {case['layer']}\n"))
        assert s.layers[0].params == case["params"], case
        assert list(s.layers[0].output_shape) == case["output"], case


def test_frameworks_agree_with_the_executor():
    pytest.importorskip("torch")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    from tests.export.test_torch_keras_agree import compare
    compare(infer(parse_spec(SPEC)))
    compare(infer(parse_spec("input: [12]\nlayers:\n  - dense: 6\n  - prelu\n  - dense: 2\n  - prelu: {num_parameters: 1}\n")))


def test_executor_equals_keras_on_copied_weights():
    """Keras' random weights copied into the NumPy executor (alpha keeps Keras' channels-last
    shape; conv and dense kernels go to torch's layout): the outputs agree to 1e-4."""
    pytest.importorskip("torch")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    import numpy as np

    from cnncalc.executor import run_layer
    from cnncalc.export import export
    from tests.export.test_torch_keras_agree import load
    s = infer(parse_spec(SPEC))
    kex = export(s, "keras")
    kmodel = load(kex.code, "build_model")()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 6, 5, 4)).astype("float32")
    y = x
    for r in s.layers:
        kl = kmodel.get_layer(kex.main[r.layer.name])
        ws = [(rng.standard_normal(w.shape) * 0.3).astype("float32") for w in kl.get_weights()]
        if ws:
            kl.set_weights(ws)
        kind = r.layer.kind
        w = ({"weight": np.moveaxis(ws[0], (-1, -2), (0, 1)).copy(), "bias": ws[1]} if kind == "conv2d" else
             {"weight": ws[0].T.copy(), "bias": ws[1]} if kind == "dense" else
             {"alpha": ws[0]} if kind == "prelu" else {})
        y, _ = run_layer(r.layer, y, w, result=r)
    np.testing.assert_allclose(y, keras.ops.convert_to_numpy(kmodel(x)), rtol=1e-4, atol=1e-4)


SE = """input: [8, 8, 16]
layers:
  - conv2d: {filters: 16, kernel: 3, padding: same, id: x}
  - global_avgpool: {keepdims: true}
  - conv2d: {filters: 4, kernel: 1, activation: relu}
  - conv2d: {filters: 16, kernel: 1, activation: hard_sigmoid}
  - multiply: {inputs: [x, conv2d_2]}
  - global_maxpool: {keepdims: true}
"""


def test_squeeze_excitation_with_keepdims_through_the_exports():
    """Global pooling's keepdims (1, 1, C) broadcast against (H, W, C): shapes, verify, and
    the torch and Keras exports computing the same on copied weights."""
    import cnncalc
    s = infer(parse_spec(SE))
    assert [r.output_shape for r in s.layers] == [(8, 8, 16), (1, 1, 16), (1, 1, 4), (1, 1, 16), (8, 8, 16), (1, 1, 16)]
    assert s.totals.params == (3*3*16*16 + 16) + (16*4 + 4) + (4*16 + 16)
    assert cnncalc.verify(parse_spec(SE)).agree
    pytest.importorskip("torch")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    from tests.export.test_torch_keras_agree import compare
    compare(s)
