"""torchvision's own model files (copies under torchvision/, BSD-3, each naming what it keeps),
read as torchvision builds them: `--class` names a factory function and takes literal
arguments; the plumbing that builds no layer is passed over; `from ._utils import ...` is
followed inside the folder only; torchvision.ops' blocks are known. The counts are torch's
(torchvision 0.28.0 on torch 2.13: sum(p.numel() for p in model.parameters()), the BatchNorm
running statistics, FlopCounterMode's total / 2 on a 1x3x224x224 input, model.eval())."""
from __future__ import annotations

import os

import pytest

import cnncalc
from cnncalc.errors import CnncalcError

from .common import TORCH_HEAD, summary_of, write

TV = os.path.join(os.path.dirname(__file__), "torchvision")

# (file, --class, trainable params, BatchNorm statistics, MACs, output shape), as torch 2.13.0 with
# torchvision 0.28 gives them for a (1, 3, 224, 224) input in eval mode: sum(p.numel()) of the parameters,
# the running_mean/running_var buffers, FlopCounterMode's total / 2 (checked again 2026-12-08; the slow
# test_torchvision_installed.py recomputes every factory live).
CASES = [
    ("alexnet.py", "alexnet", 61_100_840, 0, 714_188_480, (1000,)),
    ("alexnet.py", "alexnet(num_classes=10)", 57_044_810, 0, 710_133_440, (10,)),
    ("alexnet.py", "AlexNet(num_classes=10)", 57_044_810, 0, 710_133_440, (10,)),
    ("resnet.py", "resnet18", 11_689_512, 9_600, 1_814_073_344, (1000,)),
    ("resnet.py", "resnext50_32x4d", 25_028_904, 68_224, 4_230_479_872, (1000,)),
    ("mobilenetv2.py", "mobilenet_v2", 3_504_872, 34_112, 300_774_272, (1000,)),
    ("mobilenetv2.py", "mobilenet_v2(width_mult=0.5, num_classes=10)", 700_490, 18_544, 95_864_640, (10,)),
]


@pytest.mark.parametrize("name,choice,trainable,stats,macs,out", CASES)
def test_torchvision_files_read_as_torch_counts(name, choice, trainable, stats, macs, out):
    t = cnncalc.summarize(cnncalc.load(os.path.join(TV, name), class_name=choice, input="224x224")).to_dict()["totals"]
    assert (t["trainable_params"], t["non_trainable_params"], t["macs"]) == (trainable, stats, macs)
    assert tuple(t["output_shape"]) == out


def test_the_class_without_its_arguments_names_the_factory_functions():
    with pytest.raises(CnncalcError) as e:
        summary_of(os.path.join(TV, "resnet.py"), class_name="ResNet", input=(224, 224))
    assert "class `ResNet` needs the argument `block`" in str(e.value)
    assert "--class resnet18 (resnet18, resnext50_32x4d)" in str(e.value)


def test_pretrained_weights_are_refused_in_one_line():
    with pytest.raises(CnncalcError) as e:
        summary_of(os.path.join(TV, "alexnet.py"), class_name="alexnet(weights='IMAGENET1K_V1')", input=(224, 224))
    assert "pretrained weights" in str(e.value) and "leave `weights` out" in str(e.value)


@pytest.mark.parametrize("choice,why", [
    ("Net(width=foo)", "not a literal"), ("Net(", "not a Python name or call"),
    ("Net()()", "not a name or a call of a name"), ("Net(**{'a': 1})", "`**`"),
])
def test_class_arguments_are_literals_only(tmp_path, choice, why):
    path = write(tmp_path, "net.py", TORCH_HEAD + "class Net(nn.Module):\n    def __init__(self, width=4):\n"
                 "        super().__init__()\n        self.fc = nn.Linear(8, width)\n"
                 "    def forward(self, x):\n        return self.fc(x)\n")
    with pytest.raises(CnncalcError) as e:
        summary_of(path, class_name=choice)
    assert why in str(e.value) and "\n" not in str(e.value)


def test_constructor_arguments_reach_the_class(tmp_path):
    path = write(tmp_path, "sr.py", TORCH_HEAD + """
class Net(nn.Module):
    def __init__(self, upscale_factor, inplace=False):
        super(Net, self).__init__()
        self.conv = nn.Conv2d(1, upscale_factor ** 2, 3, 1, 1)

    def forward(self, x):
        return self.conv(x)
""")
    s = summary_of(path, class_name="Net(upscale_factor=3)", input=(8, 8))
    assert s.totals.params == 3 * 3 * 1 * 9 + 9 and s.output_shape == (8, 8, 9)


PLUMBING = TORCH_HEAD + """import warnings
from functools import partial
from ..utils import _log_api_usage_once
from ._helpers import scaled

CFGS = {"small": [8, "M", 16], "big": [8, 8, "M", 16, 16]}
if torch.cuda.is_available():
    DEVICE = "cuda"
else:
    DEVICE = "cpu"


class Block(nn.Module):
    expansion: int = 2

    def __init__(self, c_in, c, norm=nn.BatchNorm2d):
        super().__init__()
        _log_api_usage_once(self)
        self.conv = nn.Conv2d(c_in, c * self.expansion, 3, padding=1, bias=False)
        self.bn = norm(c * Block.expansion)

    def forward(self, x):
        torch._assert(x.dim() == 4, "4-D input")
        return torch.relu(self.bn(self.conv(x)))


class Net(nn.Module):
    def __init__(self, features, num_classes=10, block=Block, init_weights=True):
        super().__init__()
        if not isinstance(features, nn.Sequential) or isinstance(num_classes, bool):
            raise TypeError("features")
        self.features = features
        self.head = block(16, 4, norm=partial(nn.BatchNorm2d, eps=1e-3))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4 * block.expansion, num_classes)
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out")
                    n = m.kernel_size[0] * m.out_channels
                    m.weight.data.normal_(0, (2.0 / n) ** 0.5)
                elif isinstance(m, nn.Linear):
                    nn.init.zeros_(m.bias)
        if self.training and init_weights is None:
            warnings.warn("never")

    def forward(self, x):
        x = self.head(self.features(x))
        return self.fc(torch.flatten(self.pool(x), 1))


def make_layers(cfg):
    layers, c = [], 3
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(2)]
        else:
            layers += [nn.Conv2d(c, scaled(v, 1), 3, padding=1), nn.ReLU(inplace=True)]
            c = v
    return nn.Sequential(*layers)


def _net(cfg, weights, **kwargs):
    if weights is not None:
        kwargs["init_weights"] = False
    return Net(make_layers(CFGS[cfg]), **kwargs)


def net_small(*, weights=None, **kwargs) -> Net:
    return _net("small", weights, **kwargs)
"""


def _plumbing(tmp_path, helpers="def scaled(v, k):\n    return v * k\n"):
    pkg = tmp_path / "models"
    pkg.mkdir()
    (pkg / "_helpers.py").write_text(helpers)
    return write(pkg, "net.py", PLUMBING)


def test_plumbing_that_builds_no_layer_is_passed_over(tmp_path):
    path = _plumbing(tmp_path)
    s = summary_of(path, class_name="net_small(num_classes=5)", input=(32, 32))
    convs = (3 * 3 * 3 * 8 + 8) + (3 * 3 * 8 * 16 + 16)
    head = 3 * 3 * 16 * 8 + 2 * 8  # the block's conv (no bias) and its BatchNorm's scale and shift
    assert s.totals.trainable_params == convs + head + 8 * 5 + 5
    assert s.totals.non_trainable_params == 2 * 8 and s.output_shape == (5,)


def test_a_sibling_function_using_its_own_files_names_is_not_followed(tmp_path):
    path = _plumbing(tmp_path, "K = 2\ndef scaled(v, k):\n    return v * K\n")
    with pytest.raises(CnncalcError) as e:
        summary_of(path, class_name="net_small", input=(32, 32))
    assert "`._helpers.scaled`" in str(e.value)


def test_a_relative_import_is_never_read_outside_the_folder(tmp_path):
    outside = tmp_path / "_elsewhere.py"
    outside.write_text("def scaled(v, k):\n    return v * k\n")
    pkg = tmp_path / "models"
    pkg.mkdir()
    os.symlink(outside, pkg / "_helpers.py")
    path = write(pkg, "net.py", PLUMBING)
    with pytest.raises(CnncalcError) as e:
        summary_of(path, class_name="net_small", input=(32, 32))
    assert "`._helpers.scaled`" in str(e.value)


def test_the_files_own_raise_is_one_line(tmp_path):
    with pytest.raises(CnncalcError) as e:
        summary_of(_plumbing(tmp_path), class_name="net_small(num_classes=True)", input=(32, 32))
    assert "raises `TypeError('features')`" in str(e.value)



SHUFFLE = TORCH_HEAD + '''from torch import Tensor


def channel_shuffle(x: Tensor, groups: int) -> Tensor:
    batchsize, num_channels, height, width = x.size()
    channels_per_group = num_channels // groups
    # reshape
    x = x.view(batchsize, groups, channels_per_group, height, width)
    x = torch.transpose(x, 1, 2).contiguous()
    # flatten
    x = x.view(batchsize, num_channels, height, width)
    return x


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = self.depthwise(c // 2, 3)

    @staticmethod
    def depthwise(c, k):
        return nn.Conv2d(c, c, k, padding=1, groups=c)

    @torch.jit._overload_method
    def forward(self, x: list) -> Tensor:
        pass

    def forward(self, x):
        if isinstance(x, Tensor):
            x = [x]
        x1, x2 = torch.cat(x, 1).chunk(2, dim=1)
        return channel_shuffle(torch.cat((x1, self.conv(x2)), dim=1), 2)


class Block(nn.ModuleDict):
    def __init__(self, n, c):
        super().__init__()
        for i in range(n):
            self.add_module("layer%d" % (i + 1), Layer(c << 0))
        setattr(self, "last", Layer(c))

    def forward(self, x):
        for name, layer in self.items():
            x = layer(x)
        return x
'''


def test_channel_shuffle_chunk_and_a_module_dict_subclass(tmp_path):
    s = summary_of(write(tmp_path, "shuffle.py", SHUFFLE), class_name="Block(2, 8)", input=(6, 6, 8))
    assert s.spec.input == (6, 6, 8) and s.totals.params == 3 * (3 * 3 * 4 + 4)
    kinds = [r.layer.kind for r in s.layers]
    assert kinds.count("channel_shuffle") == 3 and kinds.count("channel_slice") == 6
    assert [r.layer.name for r in s.layers if r.params] == ["layer1.conv", "layer2.conv", "last.conv"]


CONFIGS = TORCH_HEAD + '''import copy
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class _Config:
    channels: int
    repeats: int
    kernel: int = 3


class Config(_Config):
    def __init__(self, channels, repeats, width_mult=1.0):
        super().__init__(int(channels * width_mult), repeats)


class Net(nn.Module):
    def __init__(self, setting):
        super().__init__()
        if not (isinstance(setting, Sequence) and all([isinstance(s, _Config) for s in setting])):
            raise TypeError("setting")
        layers, c = [], 3
        for cnf in setting:
            for _ in range(cnf.repeats):
                block = copy.copy(cnf)
                layers.append(nn.Conv2d(c, block.channels, block.kernel, padding=1))
                c = block.channels
        self.features = nn.Sequential(*layers)

    def forward(self, x):
        return self.features(x)


def net(arch="net_small", **kwargs) -> Net:
    if arch.startswith("net_s"):
        return Net([Config(8, 1, **kwargs), Config(16, 2, **kwargs)])
    return Net([Config(8, 1)])
'''


def test_configuration_classes_dataclasses_and_copies_are_followed(tmp_path):
    s = summary_of(write(tmp_path, "cfg.py", CONFIGS), class_name="net(width_mult=0.5)", input=(8, 8))
    assert s.totals.params == (3 * 3 * 3 * 4 + 4) + (3 * 3 * 4 * 8 + 8) + (3 * 3 * 8 * 8 + 8)


LAYER_SCALE = TORCH_HEAD + '''from torch import Tensor


class LayerNorm2d(nn.LayerNorm):
    def forward(self, x: Tensor) -> Tensor:
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        x = x.permute(0, 3, 1, 2)
        return x


class Block(nn.Module):
    def __init__(self, dim, use=True):
        super().__init__()
        self.norm = LayerNorm2d(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))
        self.layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * 0.5)
        self.use = use

    def forward(self, x):
        y = self.norm(x).permute(0, 2, 3, 1)
        y = self.mlp(y).permute(0, 3, 1, 2)
        if self.use:
            y = self.layer_scale * y
        y += x
        return y
'''


def test_channels_last_linear_layer_norm_2d_and_layer_scale(tmp_path):
    path = write(tmp_path, "cn.py", LAYER_SCALE)
    s = summary_of(path, class_name="Block(8)", input=(5, 5, 8))
    assert s.totals.params == 2 * 8 + (8 * 16 + 16) + (16 * 8 + 8) + 8
    assert [r.layer.kind for r in s.layers if r.params] == ["layernorm", "dense", "dense", "layer_scale"]
    with pytest.raises(CnncalcError) as e:
        summary_of(path, class_name="Block(8, use=False)", input=(5, 5, 8))
    assert "`layer_scale` (nn.Parameter of shape (8, 1, 1)) is never used in forward()" in str(e.value)


WIDTHS = TORCH_HEAD + '''import math
from torchvision.ops.misc import Conv2dNormActivation


class Stem(Conv2dNormActivation):
    def __init__(self, c_in, c_out):
        super().__init__(c_in, c_out, kernel_size=3, stride=2)


class Params:
    def __init__(self, widths):
        self.widths = widths

    @classmethod
    def make(cls, depth, w_0, w_a, w_m):
        widths_cont = torch.arange(depth) * w_a + w_0
        capacity = torch.round(torch.log(widths_cont / w_0) / math.log(w_m))
        widths = (torch.round(torch.divide(w_0 * torch.pow(w_m, capacity), 8)) * 8).int().tolist()
        return cls(sorted(set(widths)))


class Net(nn.Module):
    def __init__(self, params):
        super().__init__()
        layers, c = [Stem(3, 8)], 8
        for w in params.widths:
            layers.append(nn.Conv2d(c, w, 1))
            c = w
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(x)


def net(depth=6, w_0=8, w_a=9.5, w_m=2.5) -> Net:
    return Net(Params.make(depth, w_0, w_a, w_m))
'''


def test_class_methods_torch_arithmetic_and_a_block_subclass(tmp_path):
    path = write(tmp_path, "widths.py", WIDTHS)
    s = summary_of(path, class_name="net", input=(16, 16))
    # widths 8 + 9.5k (k = 0..5), log base 2.5 rounded: capacities 0, 1, 1, 2, 2, 2; 8 * 2.5^c / 8 rounded
    # half to even (2.5 -> 2, as torch.round does) times 8: torch gives [8, 16, 16, 48, 48, 48]
    assert [r.output_shape[-1] for r in s.layers if r.layer.kind == "conv2d"][1:] == [8, 16, 48]
    assert s.totals.trainable_params == 3 * 3 * 3 * 8 + 2 * 8 + (8 * 8 + 8) + (8 * 16 + 16) + (16 * 48 + 48)
    with pytest.raises(CnncalcError) as e:
        summary_of(path, class_name="net(depth=2.5)", input=(16, 16))
    assert "torch.arange of numbers that are not whole" in str(e.value)


@pytest.mark.parametrize("expr, said", [
    ("torch.arange(10**30)", "too large for a torch tensor"),
    ("torch.tensor([10**30])", "too large for a torch tensor"),
    ("torch.tensor([1]) + 10**30", "too large for a torch tensor"),
    ("torch.log(2, torch.tensor([1]))", "torch.log of 2 arguments"),
])
def test_torch_arithmetic_refused_not_an_internal_error(tmp_path, expr, said):
    path = write(tmp_path, "m.py", TORCH_HEAD + f"""
class M(nn.Module):
    def __init__(self):
        super().__init__()
        w = {expr}
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)
""")
    with pytest.raises(CnncalcError) as e:
        summary_of(path, input=(4,))
    assert said in str(e.value)


def test_two_models_without_class_name_the_factory_functions_too(tmp_path):
    path = write(tmp_path, "two.py", TORCH_HEAD + """
class A(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.fc = nn.Linear(4, n)

    def forward(self, x):
        return self.fc(x)


class C(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


def make_a(n=3) -> A:
    return A(n)
""")
    with pytest.raises(CnncalcError) as e:
        summary_of(path)
    assert "pass --class NAME (or a function that builds one: make_a)" in str(e.value)
    assert summary_of(path, class_name="make_a").output_shape == (3,)
