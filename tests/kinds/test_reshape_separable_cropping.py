"""Kinds added on branch more-kinds: `padding: causal` (conv1d), reshape, separable_conv1d/2d,
cropping1d/2d/3d. Shapes, parameters, MACs/FLOPs/RF, the executor, both exports.

Golden cases: tests/golden/keras_kinds.json from Keras 3.15.1 on the torch backend
(tests/golden/make_keras_kinds.py, seed 20261123). Refused cases carry `error`.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cnncalc import CnncalcError, ShapeError, infer, parse_spec
from cnncalc.metrics import compute

GOLDEN = Path(__file__).parent.parent / "golden"


def one(kind: str, inp, args) -> "object":
    text = yaml.safe_dump({"input": list(inp), "layers": [{kind: args}]}, default_flow_style=None, sort_keys=False)
    return infer(parse_spec(text, "case.yaml")).layers[0]


def _golden():
    data = json.loads((GOLDEN / "keras_kinds.json").read_text())
    return [pytest.param(c, id=f"keras_kinds-{i}-{c['kind']}") for i, c in enumerate(data["cases"])]


@pytest.mark.parametrize("case", _golden())
def test_keras_golden(case):
    if "error" in case:
        with pytest.raises(ShapeError):
            one(case["kind"], case["input"], case["args"])
    else:
        r = one(case["kind"], case["input"], case["args"])
        assert (list(r.output_shape), r.params) == (case["output_shape"], case["params"])


def test_golden_file_is_complete():
    cases = json.loads((GOLDEN / "keras_kinds.json").read_text())["cases"]
    assert (len(cases), sum("error" in c for c in cases)) == (91, 7)


# (kind, input, args, output shape, params)
SHAPES = [
    # Keras Conv1D causal: d*(f-1) zeros before -> floor((n - 1)/s) + 1
    ("conv1d", (10, 2), {"filters": 4, "kernel": 3, "padding": "causal"}, (10, 4), 3 * 2 * 4 + 4),
    ("conv1d", (10, 2), {"filters": 4, "kernel": 3, "padding": "causal", "stride": 2},
     ((10 - 1) // 2 + 1, 4), 3 * 2 * 4 + 4),
    ("conv1d", (10, 2), {"filters": 4, "kernel": 3, "padding": "causal", "stride": 3},
     ((10 - 1) // 3 + 1, 4), 3 * 2 * 4 + 4),
    ("Conv1D", (16, 8), {"filters": 8, "kernel_size": 2, "padding": "causal", "dilation_rate": 4},
     (16, 8), 2 * 8 * 8 + 8),
    # DCGAN generator (Radford et al. 2016; the TensorFlow DCGAN tutorial): dense 7*7*256 -> reshape
    ("reshape", (7 * 7 * 256,), {"target": [7, 7, 256]}, (7, 7, 256), 0),
    ("Reshape", (7, 7, 256), {"target_shape": [-1, 256]}, (7 * 7, 256), 0),
    ("reshape", (6, 4), [2, -1, 3], (2, 6 * 4 // (2 * 3), 3), 0),
    # SeparableConv2D: depthwise f*f*C*m (no bias) + pointwise C*m*filters + filters
    ("separable_conv2d", (32, 32, 3), {"filters": 64, "kernel": 3}, (32 - 3 + 1, 32 - 3 + 1, 64),
     3 * 3 * 3 + 3 * 64 + 64),
    ("SeparableConv2D", (32, 32, 3), {"filters": 64, "kernel_size": 3, "padding": "same", "depth_multiplier": 2},
     (32, 32, 64), 3 * 3 * 3 * 2 + 3 * 2 * 64 + 64),
    ("separable_conv2d", (15, 17, 8), {"filters": 16, "kernel": 5, "stride": 2, "padding": "same", "bias": False},
     (-(-15 // 2), -(-17 // 2), 16), 5 * 5 * 8 + 8 * 16),
    ("SeparableConvolution1D", (50, 16), {"filters": 32, "kernel_size": 7, "dilation_rate": 2, "padding": "same"},
     (50, 32), 7 * 16 + 16 * 32 + 32),
    ("separable_conv1d", (20, 4), {"filters": 8, "kernel": 3, "padding": [[2, 0]]}, (20 + 2 - 3 + 1, 8),
     3 * 4 + 4 * 8 + 8),
    # Cropping: n - before - after
    ("cropping2d", (28, 28, 3), {"cropping": 2}, (28 - 2 - 2, 28 - 2 - 2, 3), 0),
    ("Cropping2D", (28, 28, 3), {"cropping": [[1, 2], [3, 4]]}, (28 - 1 - 2, 28 - 3 - 4, 3), 0),
    ("cropping1d", (10, 4), {"cropping": [3, 1]}, (10 - 3 - 1, 4), 0),  # Keras Cropping1D((3, 1))
    ("cropping1d", (10, 4), 2, (10 - 2 - 2, 4), 0),
    ("cropping3d", (8, 9, 10, 2), {"cropping": [1, [2, 0], [0, 3]]}, (8 - 1 - 1, 9 - 2 - 0, 10 - 0 - 3, 2), 0),
    # LayerNormalization / GroupNormalization: gamma and beta per channel, 2C
    ("LayerNormalization", (8, 8, 6), {}, (8, 8, 6), 2 * 6),
    ("layernorm", (100,), {"epsilon": 1e-3}, (100,), 2 * 100),
    ("LayerNorm", (16, 3), {"normalized_shape": 3, "elementwise_affine": False}, (16, 3), 0),
    ("GroupNormalization", (8, 8, 64), {}, (8, 8, 64), 2 * 64),  # Keras' default groups=32
    ("GroupNorm", (8, 8, 12), {"num_groups": 4, "num_channels": 12}, (8, 8, 12), 2 * 12),
    ("groupnorm", (4, 4, 4, 6), 2, (4, 4, 4, 6), 2 * 6),
]


@pytest.mark.parametrize("kind, inp, args, shape, params", SHAPES)
def test_shape_and_params(kind, inp, args, shape, params):
    r = one(kind, inp, args)
    assert (r.output_shape, r.params) == (shape, params)


ERRORS = [
    ("reshape", (6, 4), {"target": [5, 5]}, "target [5, 5] holds 5 * 5 = 25 values but the input (6, 4) holds 6 * 4 = 24"),
    ("reshape", (6, 4), {"target": [5, -1]}, "holds 6 * 4 = 24 values, which the other sizes of [5, -1] (5) do not divide: 24 % 5 = 4"),
    ("reshape", (6, 4), {"target": [-1, -1]}, "one -1"),
    ("cropping2d", (5, 5, 1), {"cropping": [[2, 3], 0]}, "cropping 2 + 3 from H = 5 leaves 5 - 2 - 3 = 0"),
    ("cropping2d", (5, 5, 1), {"cropping": "same"}, "cropping takes sizes"),
    ("conv2d", (8, 8, 1), {"filters": 2, "kernel": 3, "padding": "causal"}, "for 1-D convolutions only"),
    ("separable_conv1d", (8, 1), {"filters": 2, "kernel": 3, "padding": "causal"}, "padding: [[2, 0]]"),
    ("maxpool1d", (8, 1), {"kernel": 2, "padding": "causal"}, "for 1-D convolutions only"),
    ("conv_transpose1d", (8, 1), {"filters": 2, "kernel": 3, "padding": "causal"}, "not transposed"),
    ("groupnorm", (8, 8, 12), {"groups": 5}, "groups 5 does not divide the 12 channels (12 % 5 = 2); use one of [1, 2, 3, 4, 6, 12]"),
    ("groupnorm", (8, 8, 16), {}, "groups 32 does not divide the 16 channels"),
    ("layernorm", (8, 8, 16), {"normalized_shape": 8}, "num_features is 8 but the input has 16 channels"),
]


@pytest.mark.parametrize("kind, inp, args, words", ERRORS)
def test_refusals(kind, inp, args, words):
    with pytest.raises(ShapeError) as e:
        one(kind, inp, args)
    assert words in str(e.value)


def test_reshape_message_has_both_products():
    with pytest.raises(CnncalcError) as e:
        one("reshape", (6, 4), {"target": [5, 5]})
    assert str(e.value) == ("case.yaml:4:13: layer 1 (reshape, reshape): target [5, 5] holds 5 * 5 = 25 values "
                            "but the input (6, 4) holds 6 * 4 = 24; make the products equal (or use -1 for one size)")


def test_cli_error_is_one_line(cli, spec_file):
    path = spec_file("input: [6, 4]\nlayers:\n  - reshape: [5, 5]\n")
    run = cli("summary", path)
    assert run.code == 2 and "Traceback" not in run.err and "5 * 5 = 25" in run.err


DCGAN = """name: DCGAN generator
input: [100]
layers:
  - dense: {units: 12544, bias: false}
  - batchnorm: {}
  - leaky_relu: {negative_slope: 0.3}
  - reshape: [7, 7, 256]
  - conv_transpose2d: {filters: 128, kernel: 5, padding: same, bias: false}
  - separable_conv2d: {filters: 64, kernel: 3, padding: same, depth_multiplier: 2, activation: relu}
  - cropping2d: {cropping: [[1, 2], 3]}
  - reshape: [-1, 64]
  - conv1d: {filters: 8, kernel: 3, padding: causal, dilation: 2}
  - separable_conv1d: {filters: 4, kernel: 3, padding: [[2, 0]], stride: 2}
  - layernorm: {epsilon: 0.001}
  - groupnorm: {groups: 2}
"""


def metrics_of(text: str):
    return compute(infer(parse_spec(text, "s.yaml")))


def test_macs_flops_rf():
    m = metrics_of(DCGAN)
    sep2 = m.layers[5]
    # positions * (f*f*C*m + C*m*filters)
    assert sep2.macs == 7 * 7 * (3 * 3 * 128 * 2 + 128 * 2 * 64)
    assert sep2.flops == 2 * sep2.macs
    sep1 = m.layers[9]
    assert sep1.macs == ((4 + 2 - 3) // 2 + 1) * (3 * 8 + 8 * 4)
    assert m.layers[3].macs == m.layers[6].macs == m.layers[7].macs == 0  # reshape, crop, reshape
    assert m.totals.macs is not None and m.totals.flops is not None


def test_full_flops_separable():
    r = metrics_of("input: [8, 8, 3]\nlayers:\n  - separable_conv2d: {filters: 4, kernel: 3}\n")
    pos, cm = 6 * 6, 3
    # depthwise 2*9-1 per value, pointwise 2*cm-1 per output value, one bias add per output value
    want = pos * cm * (2 * 9 - 1) + pos * 4 * (2 * cm - 1) + pos * 4
    assert compute(infer(parse_spec("input: [8, 8, 3]\nlayers:\n  - separable_conv2d: {filters: 4, kernel: 3}\n",
                                    "s.yaml")), flops_convention="full").layers[0].flops == want
    assert r.layers[0].macs == pos * (9 * cm + cm * 4)


def test_norm_flops():
    text = "input: [4, 4, 6]\nlayers:\n  - layernorm: {}\n  - groupnorm: {groups: 3, affine: false}\n"
    m = compute(infer(parse_spec(text, "s.yaml")), flops_convention="full")
    values = 4 * 4 * 6
    # 5 per value, 4 per set of statistics (16 positions / 3 groups), 2 per value for gamma, beta
    assert [r.flops for r in m.layers] == [5 * values + 4 * 16 + 2 * values, 5 * values + 4 * 3]
    assert [r.macs for r in m.layers] == [0, 0]


RF_CASES = [
    # causal conv1d k=3 d=2: size 1 + 2*(3-1) = 5, start -d*(f-1) = -4
    ("input: [16, 1]\nlayers:\n  - conv1d: {filters: 1, kernel: 3, dilation: 2, padding: causal}\n",
     [(1 + 2 * (3 - 1), 1, -4)]),
    # crop 2 before: start 0 + 2*1; then a 3x3 separable: size 3, start 2
    ("input: [16, 16, 1]\nlayers:\n  - cropping2d: [[2, 0], 1]\n  - separable_conv2d: {filters: 2, kernel: 3}\n",
     [(3, 1, 2), (3, 1, 1)]),
    # a reshape that keeps the spatial sizes keeps the receptive field
    ("input: [8, 8, 4]\nlayers:\n  - conv2d: {filters: 4, kernel: 3}\n  - reshape: [6, 6, 2, 2]\n",
     None),
    ("input: [8, 8, 4]\nlayers:\n  - conv2d: {filters: 4, kernel: 3}\n  - reshape: [6, 6, 4]\n",
     [(3, 1, 0), (3, 1, 0)]),
]


@pytest.mark.parametrize("text, want", RF_CASES)
def test_receptive_field(text, want):
    rf = metrics_of(text).layers[-1].rf
    if want is None:
        assert rf is None
    else:
        assert [(a.size, a.jump, a.start) for a in rf] == want


def test_dcgan_rf_is_spatially_empty():
    assert metrics_of(DCGAN).layers[3].rf == ()  # no spatial axes in a (100,) input


def test_executor_norm_values():
    np = pytest.importorskip("numpy")
    from cnncalc.executor import run_layer
    s = infer(parse_spec("input: [3, 4]\nlayers:\n  - layernorm: {affine: false, epsilon: 1e-12}\n"
                         "  - groupnorm: {groups: 2, affine: false, epsilon: 1e-12}\n", "s.yaml"))
    x = np.array([[[1, 2, 3, 4], [0, 0, 2, 2], [5, 1, 5, 1]]], dtype=np.float64)
    y, _ = run_layer(s.layers[0].layer, x, {}, result=s.layers[0])
    # row [0, 0, 2, 2]: mean 1, variance 1 -> [-1, -1, 1, 1]
    assert np.allclose(y[0, 1], [-1, -1, 1, 1])
    g, _ = run_layer(s.layers[1].layer, x, {}, result=s.layers[1])
    # group 1 = channels 0, 1 over the 3 positions: 1, 2, 0, 0, 5, 1 (mean 9/6 = 1.5)
    vals = np.array([1, 2, 0, 0, 5, 1.0])
    assert np.allclose(g[0, :, :2].ravel(), (vals - vals.mean()) / vals.std())


def test_executor_agrees():
    np = pytest.importorskip("numpy")
    from cnncalc.executor import verify
    v = verify(parse_spec(DCGAN, "d.yaml"), batch=2)
    assert v.agree, [c.error for c in v.checks]
    assert np is not None


def test_executor_values():
    np = pytest.importorskip("numpy")
    from cnncalc.executor import run_layer
    spec = parse_spec("input: [6, 2]\nlayers:\n  - conv1d: {filters: 1, kernel: 2, padding: causal, bias: false}\n"
                      "  - cropping1d: [1, 2]\n  - reshape: [3, 1]\n", "s.yaml")
    s = infer(spec)
    x = np.arange(12, dtype=np.float32).reshape(1, 6, 2)
    w = {"weight": np.ones((1, 2, 2), dtype=np.float32)}
    y, _ = run_layer(s.layers[0].layer, x, w, result=s.layers[0])
    # causal: y[t] = x[t-1] + x[t] summed over channels, with x[-1] = 0
    sums = x[0].sum(axis=1)
    want = sums + np.concatenate([[0], sums[:-1]])
    assert np.allclose(y[0, :, 0], want)
    c, _ = run_layer(s.layers[1].layer, y, {}, result=s.layers[1])
    assert np.allclose(c[0, :, 0], want[1:6 - 2])


def test_export_code_mentions_the_translation():
    from cnncalc.export import export
    s = infer(parse_spec(DCGAN, "d.yaml"))
    torch_code = export(s, "pytorch").code
    keras_code = export(s, "keras").code
    assert "ReshapeChannelsLast(7, 7, 256)" in torch_code and "nn.ZeroPad1d((4, 0))" in torch_code
    assert "groups=128, bias=False" in torch_code and "nn.ZeroPad2d((-3, -3, -1, -2))" in torch_code
    assert "layers.Reshape((7, 7, 256)" in keras_code and 'padding="causal"' in keras_code
    assert "layers.SeparableConv2D(\n        64, 3" in keras_code and "layers.Cropping2D(((1, 2), (3, 3))" in keras_code


def test_explain_plugs_in_the_numbers(cli, spec_file, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # whole working lines (at 80 they wrap at an operator)
    path = spec_file(DCGAN)
    run = cli("summary", path, "--explain", "--format", "table")
    assert run.code == 0, run.err
    for line in ("params = 3*3*128*2 + 128*2*64 + 64 = 18,752 (depthwise, pointwise 1x1, bias)",
                 "H: out = 7 - 1 - 2 = 4", "-1 = 4*1*64 / (64) = 4",
                 "causal: d*(f-1) = 2*(3-1) = 4 zeros before", "params = 2*4 = 8 (gamma, beta per channel)"):
        assert line in run.out


def test_check_grades_a_separable_conv_row():
    from cnncalc.check import check_table, parse_answers
    spec = "input: [8, 8, 3]\nlayers:\n  - separable_conv2d: {filters: 4, kernel: 3}\n  - layernorm\n"
    table = ("| Layer | Activation shape | # parameters |\n|---|---|---|\n"
             "| CONV1 | (6, 6, 4) | 3*3*3 + 3*4 + 4 |\n| LN1 | (6, 6, 4) | 9 |\n")
    report = check_table(parse_answers(table, "a.md", "md"), infer(parse_spec(spec, "s.yaml")))
    wrong = {(v.layer, v.column): v for v in report.wrong}
    assert set(wrong) == {("layer_normalization", "params")} and wrong[("layer_normalization", "params")].expected == 2 * 4


def test_dcgan_generator_zoo_published_totals():
    from cnncalc import load_spec
    from tests.conftest import ZOO
    s = infer(load_spec(str(ZOO / "dcgan_generator.yaml")))
    # TensorFlow DCGAN tutorial, generator.summary(): 2,330,944 total, 25,472 non-trainable
    dense, convs = 100 * 7 * 7 * 256, 5 * 5 * 256 * 128 + 5 * 5 * 128 * 64 + 5 * 5 * 64 * 1
    bn = 4 * (7 * 7 * 256 + 128 + 64)
    assert (s.totals.params, s.totals.non_trainable_params) == (dense + convs + bn, 2 * (7 * 7 * 256 + 128 + 64))
    assert (s.totals.params, s.totals.non_trainable_params) == (2_330_944, 25_472)
    assert [r.output_shape for r in s.layers if r.layer.kind != "batchnorm"][2:] == [
        (7, 7, 256), (7, 7, 128), (7, 7, 128), (14, 14, 64), (14, 14, 64), (28, 28, 1)]


def test_hyper_text_names_causal():
    from cnncalc.render.table import hyper_text
    s = infer(parse_spec("input: [16, 2]\nlayers:\n  - conv1d: {filters: 2, kernel: 3, dilation: 2, padding: causal}\n",
                         "s.yaml"))
    assert hyper_text(s.layers[0]) == "f=3 s=1 p=causal(4,0) d=2"


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None, derandomize=True)
@given(n=st.integers(3, 12), c=st.integers(1, 4), f=st.integers(1, 3), s=st.integers(1, 2),
       m=st.integers(1, 2), pad=st.sampled_from(["valid", "same", 1]), crop=st.integers(0, 1),
       causal_f=st.integers(1, 3), d=st.integers(1, 2))
def test_executor_matches_infer_on_random_stacks(n, c, f, s, m, pad, crop, causal_f, d):
    pytest.importorskip("numpy")
    from cnncalc.executor import verify
    text = (f"input: [{n}, {n}, {c}]\nlayers:\n"
            f"  - separable_conv2d: {{filters: 3, kernel: {f}, stride: {s}, padding: {pad}, depth_multiplier: {m}}}\n"
            f"  - cropping2d: [{crop}, 0]\n  - groupnorm: 3\n  - layernorm\n  - reshape: [-1, 3]\n"
            f"  - conv1d: {{filters: 2, kernel: {causal_f}, dilation: {d}, padding: causal}}\n")
    try:
        spec = parse_spec(text, "s.yaml")
        infer(spec)
    except ShapeError:
        return  # a window that does not fit: refused before running
    v = verify(spec, batch=2)
    assert v.agree, [c.error for c in v.checks]


def test_torch_export_refuses_reshape_after_flatten():
    from cnncalc.export import ExportError, export
    text = "input: [4, 4, 2]\nlayers:\n  - flatten\n  - relu\n  - reshape: [4, 4, 2]\n"
    s = infer(parse_spec(text, "s.yaml"))
    with pytest.raises(ExportError) as e:
        export(s, "pytorch")
    assert "reads `flatten`, a flatten of (4, 4, 2)" in str(e.value) and "layer 3 (reshape, reshape)" in str(e.value)
    assert "layers.Reshape((4, 4, 2)" in export(s, "keras").code
    # a flat network input, or a dense in between, is fine
    ok = infer(parse_spec("input: [4, 4, 2]\nlayers:\n  - flatten\n  - dense: 32\n  - reshape: [4, 4, 2]\n", "s.yaml"))
    assert "ReshapeChannelsLast(4, 4, 2)" in export(ok, "pytorch").code


def test_cli_export_refusal_is_exit_1(cli, spec_file):
    path = spec_file("input: [4, 4, 2]\nlayers:\n  - flatten\n  - reshape: [4, 4, 2]\n")
    run = cli("export", path, "--to", "pytorch")
    assert run.code == 1 and "Traceback" not in run.err and "nn.Flatten orders the values" in run.err
