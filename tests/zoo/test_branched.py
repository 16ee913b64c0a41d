"""The branched zoo: totals, per-stage shapes and parameters against published figures, torch and Keras.

cnncalc counts batchnorm as Keras does: 4C, of which 2C (moving mean and variance) are
non-trainable. torchvision's "num_params" is sum(p.numel() for p in model.parameters()), which
leaves those running statistics out (torch keeps them as buffers), so torchvision's figure is
cnncalc's TRAINABLE params, and cnncalc's total adds 2C per batchnorm.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from cnncalc import infer, load_spec
from tests.conftest import ZOO, zoo

GOLDEN = Path(__file__).parent.parent / "golden"
TORCH = json.loads((GOLDEN / "torch_zoo.json").read_text())  # make_torch_zoo.py, torch 2.13.0
KERAS = json.loads((GOLDEN / "keras_zoo.json").read_text())  # make_keras_zoo.py, keras 3.15.1


@lru_cache(maxsize=None)
def summary(name: str):
    return infer(load_spec(str(ZOO / f"{name}.yaml")))


# (spec, published trainable params, batchnorm running statistics = 2 * sum of BN channels)
PUBLISHED = [
    # torchvision ResNet18_Weights.IMAGENET1K_V1 num_params; BN channels: 64 + 2*2*(64+128+256+512)
    #   + the three projections 128+256+512
    ("resnet18", 11_689_512, 2 * (64 + 2 * 2 * (64 + 128 + 256 + 512) + 128 + 256 + 512)),
    # torchvision ResNet34_Weights.IMAGENET1K_V1 num_params
    ("resnet34", 21_797_672, 2 * (64 + 2 * (3 * 64 + 4 * 128 + 6 * 256 + 3 * 512) + 128 + 256 + 512)),
    # torchvision ResNet50_Weights.IMAGENET1K_V1 num_params; a bottleneck has BN of c, c, 4c
    ("resnet50", 25_557_032, 2 * (64 + 6 * (3 * 64 + 4 * 128 + 6 * 256 + 3 * 512)
                                  + 4 * (64 + 128 + 256 + 512))),
    # torchvision GoogLeNet_Weights.IMAGENET1K_V1 num_params (aux_logits=False)
    ("googlenet", 6_624_904, 14_560),
    # torchvision DenseNet121_Weights.IMAGENET1K_V1 num_params
    ("densenet121", 7_978_856, 83_648),
    # no published figure: torch 2.13 on the hand-built model (tests/golden/make_torch_zoo.py)
    ("unet_small", 482_754, 2 * 2 * (16 + 32 + 64 + 128 + 64 + 32 + 16)),
]


@pytest.mark.parametrize("name, trainable, bn_stats", PUBLISHED)
def test_published_totals(name, trainable, bn_stats):
    t = summary(name).totals
    assert t.trainable_params == trainable
    assert t.non_trainable_params == bn_stats
    assert t.params == trainable + bn_stats


@pytest.mark.parametrize("name", [n for n, _, _ in PUBLISHED])
def test_torch_totals(name):
    t = summary(name).totals
    assert (t.trainable_params, t.non_trainable_params) == (TORCH[name]["params"], TORCH[name]["bn_running_stats"])


STAGES = [(name, i) for name in ("resnet18", "resnet34", "resnet50", "googlenet", "densenet121", "unet_small")
          for i in range(len(TORCH[name]["stages"]))]


@pytest.mark.parametrize("name, i", STAGES)
def test_stage_shapes_and_params_match_torch(name, i):
    s = summary(name)
    stages = TORCH[name]["stages"]
    index = {r.layer.name: k for k, r in enumerate(s.layers)}
    start = index[stages[i - 1]["layer"]] + 1 if i else 0
    end = index[stages[i]["layer"]]
    assert s.layers[end].output_shape == tuple(stages[i]["output_shape"])
    assert sum(r.trainable_params for r in s.layers[start:end + 1]) == stages[i]["params"]


@pytest.mark.parametrize("name, stage, shape", [
    ("resnet50", "maxpool", ((112 + 2*1 - 3)//2 + 1, (112 + 2*1 - 3)//2 + 1, 64)),
    ("resnet50", "layer1.block3.relu", (56, 56, 64*4)),
    ("resnet50", "layer2.block4.relu", ((56 + 2*1 - 3)//2 + 1, 28, 128*4)),
    ("resnet50", "layer4.block3.relu", (7, 7, 2048)),
    ("googlenet", "maxpool1", (-(-(112 - 3)//2) + 1, 56, 64)),          # ceil_mode
    ("googlenet", "inception3a.concat", (28, 28, 64 + 128 + 32 + 32)),
    ("googlenet", "inception5b.concat", (7, 7, 384 + 384 + 128 + 128)),
    ("densenet121", "denseblock1.block6.concat", (56, 56, 64 + 6*32)),
    ("densenet121", "transition3.pool", (7, 7, (256 + 24*32)//2)),
    ("unet_small", "dec1.concat", (128, 128, 16 + 16)),
    ("unet_small", "logits", (128, 128, 2)),
])
def test_stage_shapes_by_hand(name, stage, shape):
    assert {r.layer.name: r.output_shape for r in summary(name).layers}[stage] == shape


def test_resnet50_keras_total():
    # Keras Applications table: ResNet50 25,636,712 (count_params includes the BN moving stats)
    t = summary("resnet50_keras").totals
    assert t.params == 25_636_712 == KERAS["resnet50"]["total_params"]
    assert t.trainable_params == KERAS["resnet50"]["trainable_params"]
    # the difference from torchvision: a bias per filter of its 53 convs, and the BN statistics
    convs = [r for r in summary("resnet50_keras").layers if r.layer.kind == "conv2d"]
    biases = sum(r.output_shape[-1] for r in convs)
    assert (len(convs), t.non_trainable_params) == (53, 53_120)
    assert 25_636_712 - 25_557_032 == biases + 53_120


def keras_name(name: str) -> str:
    """cnncalc `conv3.block2.1_conv` is Keras `conv3_block2_1_conv`."""
    return name.replace(".", "_")


def test_resnet50_keras_every_layer():
    s = summary("resnet50_keras")
    ours = {keras_name(r.layer.name): r for r in s.layers}
    golden = KERAS["resnet50"]["layers"]
    assert set(ours) == {g["name"] for g in golden}
    for g in golden:
        r = ours[g["name"]]
        assert (g["name"], r.output_shape, r.params) == (g["name"], tuple(g["output_shape"]), g["params"])
        sources = {"input_layer" if x == "input" else keras_name(x) for x in r.sources}
        assert sources == set(g["inputs"]), g["name"]


def test_names_are_readable_and_unique():
    names = [r.layer.name for r in summary("resnet50").layers]
    assert len(names) == len(set(names))
    assert names[4:8] == ["layer1.block1.conv1", "layer1.block1.bn1", "layer1.block1.relu1",
                          "layer1.block1.conv2"]
    assert "layer3.block6.conv3" in names and "layer2.block1.downsample" in names
    assert "layer2.block2.downsample" not in names  # `when: false` leaves it out


@pytest.mark.parametrize("name", ["resnet18", "resnet34", "resnet50", "resnet50_keras", "googlenet",
                                  "densenet121", "unet_small"])
def test_cli_summary_shows_connections(cli, name):
    r = cli("summary", ZOO / f"{name}.yaml", "--width", "200")
    assert r.code == 0 and "Connected to" in r.out and "Traceback" not in r.err


def test_json_inputs(cli):
    doc = json.loads(cli("summary", ZOO / "resnet18.yaml", "--format", "json").out)
    by_name = {layer["name"]: layer for layer in doc["layers"]}
    assert by_name["conv1"]["inputs"] == ["input"]
    assert by_name["layer1.block1.add"]["inputs"] == ["layer1.block1.bn2", "maxpool"]
    assert by_name["layer2.block1.add"]["inputs"] == ["layer2.block1.bn2", "layer2.block1.downsample_bn"]
    assert by_name["layer2.block1.downsample"]["inputs"] == ["layer1.block2.relu"]
    assert by_name["fc"]["inputs"] == ["flatten"]


@pytest.mark.parametrize("name", zoo(["resnet18", "resnet34", "resnet50", "resnet50_keras", "googlenet",
                                      "densenet121", "unet_small"]))
def test_verify_runs_every_branched_network(cli, name):
    r = cli("verify", ZOO / f"{name}.yaml")
    assert r.code == 0 and "layers agree" in r.out.splitlines()[-1] and "Traceback" not in r.err
