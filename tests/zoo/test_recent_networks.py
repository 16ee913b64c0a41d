"""The modern zoo (issue 15) against the frameworks' own counts: tests/golden/modern_zoo.json
(tests/golden/make_modern_zoo.py: torch 2.13 hand-built torchvision modules with
FlopCounterMode MACs, and keras.applications 3.15)."""
from __future__ import annotations

import json

import pytest

from cnncalc import api
from tests.conftest import ROOT, ZOO

GOLDEN = json.loads((ROOT / "tests" / "golden" / "modern_zoo.json").read_text())


@pytest.mark.parametrize("spec, key", [("mobilenet_v2.yaml", "mobilenet_v2"), ("convnext_tiny.yaml", "convnext_tiny"),
                                       ("shufflenet_v2.yaml", "shufflenet_v2"),
                                       ("mobilenet_v3_small.yaml", "mobilenet_v3_small"),
                                       ("regnet_y_400mf.yaml", "regnet_y_400mf")])
def test_torchvision_counts(spec, key):
    """torchvision's num_params is cnncalc's trainable count; its batchnorm buffers are the rest."""
    g = GOLDEN[key]
    s = api.summarize(str(ZOO / spec))
    assert s.totals.trainable_params == g["params"]
    assert s.totals.non_trainable_params == g["bn_running_stats"]
    assert s.to_dict()["totals"]["macs"] == g["macs"]
    assert list(s.layers[-1].output_shape) == g["output_shape"]
    assert list(s.spec.input) == g["input"]


def test_published_figures():
    assert api.summarize(str(ZOO / "mobilenet_v2.yaml")).totals.trainable_params == 3_504_872
    s = api.summarize(str(ZOO / "convnext_tiny.yaml"))
    assert (s.totals.params, s.to_dict()["totals"]["macs"]) == (28_589_128, 4_455_531_264)


def test_keras_mobilenet_v2_counts_the_same():
    """keras.applications.MobileNetV2 has the same 3,538,984 = 3,504,872 + 34,112 as torchvision."""
    g = GOLDEN["keras"]["MobileNetV2"]
    s = api.summarize(str(ZOO / "mobilenet_v2.yaml"))
    assert (s.totals.params, s.totals.trainable_params) == (g["params"], g["trainable"])


def _stage_shapes(s, stages):
    """The output shape of each named block use: its last layer's."""
    last = {}
    for r in s.layers:
        last[r.layer.name.split(".")[0]] = list(r.output_shape)
    return {k: last[k] for k in stages}


@pytest.mark.parametrize("spec, golden", [("mobilenet_v3_small.yaml", lambda g: g["mobilenet_v3_small"]),
                                          ("regnet_y_400mf.yaml", lambda g: g["regnet_y_400mf"]),
                                          ("shufflenet_v2.yaml", lambda g: g["shufflenet_v2"]),
                                          ("inception_v3.yaml", lambda g: g["keras"]["InceptionV3"]),
                                          ("efficientnet_b0.yaml", lambda g: g["keras"]["EfficientNetB0"])])
def test_per_stage_shapes(spec, golden):
    """Stage outputs: torch's (hooked modules) and Keras' (named layers: mixed3 is cnncalc's
    block use mixed3, block2b_add its block2b)."""
    g = golden(GOLDEN)["stages"]
    ours = {k.split("_")[0] if k.startswith("block") and "_" in k else k: k for k in g}
    got = _stage_shapes(api.summarize(str(ZOO / spec)), list(ours))
    assert {ours[k]: v for k, v in got.items()} == g


def test_published_figures_of_the_newer_nets():
    """torchvision's num_params (trainable), Keras' count_params()."""
    s = api.summarize(str(ZOO / "inception_v3.yaml"))
    assert (s.totals.params, s.totals.trainable_params) == (23_851_784, 23_817_352)
    s = api.summarize(str(ZOO / "mobilenet_v3_small.yaml"))
    assert (s.totals.trainable_params, s.to_dict()["totals"]["macs"]) == (2_542_856, 56_510_400)
    assert s.totals.params == GOLDEN["keras"]["MobileNetV3Small"]["params"]  # Keras' count: the same net
    s = api.summarize(str(ZOO / "regnet_y_400mf.yaml"))
    assert (s.totals.trainable_params, s.to_dict()["totals"]["macs"]) == (4_344_144, 401_842_848)


def test_regnet_stages_are_torchvisions():
    """The widths and depths written in the YAML are what BlockParams.from_init_params gives."""
    s = api.summarize(str(ZOO / "regnet_y_400mf.yaml"))
    g = GOLDEN["regnet_y_400mf_stages"]
    stages = [f"block{i}" for i in range(1, 5)]
    copies = {st: {r.layer.name.split(".")[1] for r in s.layers if r.layer.name.startswith(st + ".")} for st in stages}
    assert [shape[-1] for shape in _stage_shapes(s, stages).values()] == g["widths"]
    assert [len(copies[st]) for st in stages] == g["depths"]


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["mobilenet_v2.yaml", "convnext_tiny.yaml", "shufflenet_v2.yaml", "efficientnet_b0.yaml",
                                  "inception_v3.yaml", "mobilenet_v3_small.yaml", "regnet_y_400mf.yaml"])
def test_verify_runs(spec):
    pytest.importorskip("numpy")
    assert api.verify(str(ZOO / spec)).agree


def test_a_left_out_merge_passes_on_its_first_input():
    s = api.infer(api.load("input: [8, 8, 4]\nblocks:\n  b:\n    params: {res: false}\n    layers:\n"
                           "      - conv2d: {filters: 4, kernel: 1, name: c}\n"
                           "      - add: {inputs: [c, in], name: add, when: $res}\n"
                           "layers:\n  - b: {name: x}\n  - relu: {name: r}\n  - b: {res: true, name: y}\n"))
    assert [r.layer.name for r in s.layers] == ["x.c", "r", "y.c", "y.add"]
    assert s.layers[1].sources == ("x.c",)


@pytest.mark.parametrize("spec, key", [("efficientnet_b0.yaml", "EfficientNetB0"), ("mobilenet_v2.yaml", "MobileNetV2"),
                                       ("inception_v3.yaml", "InceptionV3"), ("mobilenet_v3_small.yaml", "MobileNetV3Small")])
def test_keras_application_counts(spec, key):
    g = GOLDEN["keras"][key]
    s = api.summarize(str(ZOO / spec))
    assert (s.totals.params, s.totals.trainable_params) == (g["params"], g["trainable"])
    assert list(s.layers[-1].output_shape) == g["output_shape"]


def test_efficientnet_b0_published():
    s = api.summarize(str(ZOO / "efficientnet_b0.yaml"))
    assert (s.totals.params, s.totals.trainable_params) == (5_330_571, 5_288_548)
    assert [r.output_shape for r in s.layers if r.layer.name.endswith("project_bn")][-1] == (7, 7, 320)


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["mobilenet_v2.yaml", "convnext_tiny.yaml", "shufflenet_v2.yaml", "efficientnet_b0.yaml",
                                  "inception_v3.yaml", "mobilenet_v3_small.yaml", "regnet_y_400mf.yaml"])
def test_exports_agree_with_each_other_and_the_executor(spec):
    """Both exports build; with the same random weights, torch's and Keras' outputs agree layer
    by layer, and the NumPy executor gives Keras' output (96x96 inputs, to keep it quick)."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    from tests.export.test_torch_keras_agree import compare, executor_output
    s = api.infer(api.load(str(ZOO / spec), input=(96, 96, 3)))
    kmodel, kex, x, y_keras = compare(s)
    y = executor_output(s, kmodel, kex, x)
    np.testing.assert_allclose(y, y_keras, rtol=1e-4, atol=1e-4 * max(1.0, float(np.abs(y_keras).max())))
