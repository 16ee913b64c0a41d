"""The zoo against its published totals, per-layer shapes from the papers, and per-layer goldens
built layer by layer in Keras 3 on the torch backend (tests/golden/make_zoo.py -> zoo_keras.json)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cnncalc import infer, load_spec
from tests.conftest import ZOO

GOLDEN = json.loads((Path(__file__).parent.parent / "golden" / "zoo_keras.json").read_text())


def summary(name: str):
    return infer(load_spec(str(ZOO / name)))


@pytest.mark.parametrize("name, params, non_trainable", [
    # keras.applications.VGG16 / torchvision vgg16 (VGG16_Weights "num_params")
    ("vgg16.yaml", 138_357_544, 0),
    # keras.applications.VGG19 / torchvision vgg19
    ("vgg19.yaml", 143_667_240, 0),
    # torchvision alexnet, AlexNet_Weights.IMAGENET1K_V1 "num_params"
    ("alexnet_torchvision.yaml", 61_100_840, 0),
    # Krizhevsky et al. 2012, single tower at 227: 34,944 + 614,656 + 885,120 + 1,327,488
    # + 884,992 + 37,752,832 + 16,781,312 + 4,097,000
    ("alexnet.yaml", 34_944 + 614_656 + 885_120 + 1_327_488 + 884_992 + 37_752_832 + 16_781_312 + 4_097_000, 0),
    # LeNet-5 (LeCun 1998, modern form; d2l.ai): 156 + 2,416 + 48,120 + 10,164 + 850
    ("lenet5.yaml", 61_706, 0),
    # keras.applications.MobileNet (alpha 1.0, 224): 4,253,864 total, 21,888 non-trainable
    ("mobilenet_v1.yaml", 4_253_864, 21_888),
    # the course's homework LeNet (seeds/002): 608 + 3,216 + 48,120 + 10,164 + 850
    ("lenet_homework.yaml", 608 + 3_216 + 48_120 + 10_164 + 850, 0),
    # the course's 1-D signal classifier (seeds/000), input [100, 1]:
    # (3*1+1)*16 + (3*16+1)*32 + (((100-2)//2 - 2)//2*32 + 1)
    ("signal1d.yaml", (3*1 + 1)*16 + (3*16 + 1)*32 + (((100 - 2)//2 - 2)//2*32 + 1), 0),
])
def test_published_totals(name, params, non_trainable):
    t = summary(name).totals
    assert (t.params, t.non_trainable_params, t.trainable_params) == (params, non_trainable, params - non_trainable)


def test_published_figures_are_the_sums():
    assert 34_944 + 614_656 + 885_120 + 1_327_488 + 884_992 + 37_752_832 + 16_781_312 + 4_097_000 == 62_378_344
    assert 608 + 3_216 + 48_120 + 10_164 + 850 == 62_958
    assert 156 + 2_416 + 48_120 + 10_164 + 850 == 61_706


ISSUE_ZOO = {"alexnet.yaml", "alexnet_torchvision.yaml", "lenet5.yaml", "lenet_homework.yaml",
             "mobilenet_v1.yaml", "signal1d.yaml", "vgg16.yaml", "vgg19.yaml"}


def test_every_zoo_file_of_the_issue_is_checked():
    # later additions to architectures/ get their own goldens (make_zoo.py picks them up)
    assert ISSUE_ZOO <= {p.name for p in ZOO.glob("*.yaml")}
    assert ISSUE_ZOO <= set(GOLDEN["nets"])


@pytest.mark.parametrize("name", sorted(GOLDEN["nets"]))
def test_per_layer_matches_keras(name):
    want = GOLDEN["nets"][name]
    s = summary(name)
    assert list(s.spec.input) == want["input"]
    got = [{"index": r.layer.index, "kind": r.layer.kind, "output_shape": list(r.output_shape),
            "params": r.params, "trainable_params": r.trainable_params} for r in s.layers]
    assert got == want["layers"]
    assert (s.totals.params, s.totals.trainable_params) == (want["params"], want["trainable_params"])


def _shapes(name: str, kind_prefix: str):
    return [r.output_shape for r in summary(name).layers if r.layer.kind.startswith(kind_prefix)]


def test_vgg16_block_outputs():
    # Simonyan & Zisserman, Table 1 / keras VGG16 summary: every block halves 224
    assert _shapes("vgg16.yaml", "maxpool") == [(224//2, 224//2, 64), (224//4, 224//4, 128),
                                                  (224//8, 224//8, 256), (224//16, 224//16, 512),
                                                  (224//32, 224//32, 512)]
    fc = [(r.output_shape, r.params) for r in summary("vgg16.yaml").layers if r.layer.kind == "dense"]
    assert fc == [((4096,), 7*7*512*4096 + 4096), ((4096,), 4096*4096 + 4096), ((1000,), 4096*1000 + 1000)]


def test_vgg19_block_outputs():
    assert _shapes("vgg19.yaml", "maxpool")[-1] == (7, 7, 512)
    assert len(_shapes("vgg19.yaml", "conv")) == 16


def test_alexnet_227_shapes():
    # (227-11)//4+1 = 55, (55-3)//2+1 = 27, (27-3)//2+1 = 13, (13-3)//2+1 = 6
    assert [s[0] for s in _shapes("alexnet.yaml", "conv")] == [55, 27, 13, 13, 13]
    assert _shapes("alexnet.yaml", "maxpool") == [(27, 27, 96), (13, 13, 256), (6, 6, 256)]
    assert summary("alexnet.yaml").layers[0].params == 11*11*3*96 + 96


def test_alexnet_torchvision_shapes():
    # (224+2*2-11)//4+1 = 55 -> 27 -> 27 -> 13 -> 13 -> 6
    assert _shapes("alexnet_torchvision.yaml", "maxpool") == [(27, 27, 64), (13, 13, 192), (6, 6, 256)]


def test_lenet5_shapes():
    assert [r.output_shape for r in summary("lenet5.yaml").layers] == [
        (28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (5*5*16,), (120,), (84,), (10,)]


def test_mobilenet_shapes():
    dw = _shapes("mobilenet_v1.yaml", "depthwise")
    # 'same' with stride 2 halves (ceil): 112 -> 56 -> 28 -> 14 -> 7
    assert [s[0] for s in dw] == [112, 56, 56, 28, 28, 14, 14, 14, 14, 14, 14, 7, 7]
    assert summary("mobilenet_v1.yaml").output_shape == (1000,)


def test_signal1d_shapes():
    assert [r.output_shape for r in summary("signal1d.yaml").layers] == [
        (100 - 2, 16), ((100 - 2)//2, 16), ((100 - 2)//2 - 2, 32), (((100 - 2)//2 - 2)//2, 32),
        ((((100 - 2)//2 - 2)//2)*32,), (1,)]


TORCH = json.loads((Path(__file__).parent.parent / "golden" / "zoo_torch.json").read_text())


@pytest.mark.parametrize("name", sorted(TORCH["nets"]))
def test_per_layer_matches_torch_by_hand(name):
    # tests/golden/make_zoo_torch.py types each net out in torch (no torchvision), one module
    # per spec row; params include BatchNorm's running mean and variance, as Keras counts them
    want = TORCH["nets"][name]
    s = summary(name)
    assert list(s.spec.input) == want["input"]
    got = [{"index": r.layer.index, "output_shape": list(r.output_shape), "params": r.params,
            "trainable_params": r.trainable_params} for r in s.layers]
    assert got == want["layers"]


def test_every_zoo_file_of_the_issue_is_built_in_torch():
    assert ISSUE_ZOO <= set(TORCH["nets"])
