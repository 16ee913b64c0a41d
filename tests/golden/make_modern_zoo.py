"""Golden counts of the modern zoo (issue 15), from real PyTorch and Keras.

Not part of the test suite: run by hand with torch 2.13 and Keras 3 (KERAS_BACKEND=torch),

    KERAS_BACKEND=torch python tests/golden/make_modern_zoo.py

It writes tests/golden/modern_zoo.json. torchvision is not installed, so the torchvision
networks are built here by hand, module for module as torchvision/models/mobilenetv2.py,
convnext.py, shufflenetv2.py, mobilenetv3.py and regnet.py build them; the Keras ones come from
keras.applications (weights=None). For each: the total of parameters() (torch) or
count_params() and the trainable count (Keras), torch's batchnorm running statistics, the
output shape, per-stage output shapes where recorded (channels last), and for torch the MACs:
FlopCounterMode's count / 2 (it counts 2 per multiply-accumulate of conv and matmul ops,
nothing else).
"""

import json
import os

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "modern_zoo.json")


# -- MobileNetV2 (torchvision mobilenetv2.py) -------------------------------------------------
def conv_bn(cin, cout, k=3, s=1, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, k, s, (k - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    return nn.Sequential(*layers, nn.ReLU6()) if act else nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        self.use_res = stride == 1 and cin == cout
        layers = [conv_bn(cin, hidden, 1)] if t != 1 else []
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden), conv_bn(hidden, cout, 1, act=False)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.use_res else self.conv(x)


def mobilenet_v2():
    features = [conv_bn(3, 32, 3, 2)]
    cin = 32
    for t, c, n, s in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                       (6, 160, 3, 2), (6, 320, 1, 1)):
        for i in range(n):
            features.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
            cin = c
    features.append(conv_bn(cin, 1280, 1))
    return nn.Sequential(*features, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1280, 1000))


# -- ConvNeXt-Tiny (torchvision convnext.py) ---------------------------------------------------
class LayerNorm2d(nn.LayerNorm):
    def forward(self, x):
        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class CNBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.block = nn.Sequential(nn.Conv2d(dim, dim, 7, padding=3, groups=dim), Permute((0, 2, 3, 1)),
                                   nn.LayerNorm(dim, eps=1e-6), nn.Linear(dim, 4 * dim), nn.GELU(),
                                   nn.Linear(4 * dim, dim), Permute((0, 3, 1, 2)))
        self.layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * 1e-6)

    def forward(self, x):
        return x + self.layer_scale * self.block(x)


class Permute(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return x.permute(*self.dims)


def convnext_tiny():
    layers = [nn.Sequential(nn.Conv2d(3, 96, 4, 4), LayerNorm2d(96, eps=1e-6))]
    dims, depths = (96, 192, 384, 768), (3, 3, 9, 3)
    for i, (d, n) in enumerate(zip(dims, depths)):
        layers.append(nn.Sequential(*[CNBlock(d) for _ in range(n)]))
        if i < 3:
            layers.append(nn.Sequential(LayerNorm2d(d, eps=1e-6), nn.Conv2d(d, dims[i + 1], 2, 2)))
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), LayerNorm2d(768, eps=1e-6), nn.Flatten(),
                         nn.Linear(768, 1000))


# -- ShuffleNetV2 x1.0 (torchvision shufflenetv2.py) -----------------------------------------
def channel_shuffle(x, groups):
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).contiguous().view(n, c, h, w)


class ShuffleUnit(nn.Module):
    def __init__(self, inp, oup, stride):
        super().__init__()
        self.stride = stride
        bf = oup // 2
        if stride > 1:
            self.branch1 = nn.Sequential(nn.Conv2d(inp, inp, 3, stride, 1, groups=inp, bias=False), nn.BatchNorm2d(inp),
                                         nn.Conv2d(inp, bf, 1, bias=False), nn.BatchNorm2d(bf), nn.ReLU())
        self.branch2 = nn.Sequential(nn.Conv2d(inp if stride > 1 else bf, bf, 1, bias=False), nn.BatchNorm2d(bf), nn.ReLU(),
                                     nn.Conv2d(bf, bf, 3, stride, 1, groups=bf, bias=False), nn.BatchNorm2d(bf),
                                     nn.Conv2d(bf, bf, 1, bias=False), nn.BatchNorm2d(bf), nn.ReLU())

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), dim=1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(nn.Module):
    def __init__(self, repeats=(4, 8, 4), channels=(24, 116, 232, 464, 1024)):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, channels[0], 3, 2, 1, bias=False), nn.BatchNorm2d(channels[0]), nn.ReLU())
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        units, inp = [], channels[0]
        for n, out in zip(repeats, channels[1:4]):
            units += [ShuffleUnit(inp, out, 2)] + [ShuffleUnit(out, out, 1) for _ in range(n - 1)]
            inp = out
        self.stages = nn.Sequential(*units)
        self.conv5 = nn.Sequential(nn.Conv2d(inp, channels[-1], 1, bias=False), nn.BatchNorm2d(channels[-1]), nn.ReLU())
        self.fc = nn.Linear(channels[-1], 1000)

    def forward(self, x):
        x = self.conv5(self.stages(self.maxpool(self.conv1(x))))
        return self.fc(x.mean([2, 3]))


# -- MobileNetV3-Small (torchvision mobilenetv3.py: _mobilenet_v3_conf("mobilenet_v3_small")) --
def make_divisible(v, divisor=8):
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def cna(cin, cout, k=1, s=1, groups=1, act=None, eps=0.001, momentum=0.01):
    """torchvision Conv2dNormActivation: conv (padding (k-1)//2, no bias), BatchNorm2d, activation."""
    layers = [nn.Conv2d(cin, cout, k, s, (k - 1) // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout, eps=eps, momentum=momentum)]
    return nn.Sequential(*layers, act()) if act else nn.Sequential(*layers)


class SqueezeExcitation(nn.Module):
    """torchvision.ops.SqueezeExcitation."""

    def __init__(self, cin, squeeze, scale_activation=nn.Sigmoid):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1, self.fc2 = nn.Conv2d(cin, squeeze, 1), nn.Conv2d(squeeze, cin, 1)
        self.activation, self.scale_activation = nn.ReLU(), scale_activation()

    def forward(self, x):
        return x * self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))


class V3Block(nn.Module):
    def __init__(self, cin, k, exp, cout, se, hs, stride):
        super().__init__()
        act = nn.Hardswish if hs else nn.ReLU
        self.use_res = stride == 1 and cin == cout
        layers = [cna(cin, exp, act=act)] if exp != cin else []
        layers.append(cna(exp, exp, k, stride, groups=exp, act=act))
        if se:
            layers.append(SqueezeExcitation(exp, make_divisible(exp // 4, 8), nn.Hardsigmoid))
        layers.append(cna(exp, cout))
        self.block = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.block(x) if self.use_res else self.block(x)


V3_SMALL = [(16, 3, 16, 16, True, False, 2), (16, 3, 72, 24, False, False, 2), (24, 3, 88, 24, False, False, 1),
            (24, 5, 96, 40, True, True, 2), (40, 5, 240, 40, True, True, 1), (40, 5, 240, 40, True, True, 1),
            (40, 5, 120, 48, True, True, 1), (48, 5, 144, 48, True, True, 1), (48, 5, 288, 96, True, True, 2),
            (96, 5, 576, 96, True, True, 1), (96, 5, 576, 96, True, True, 1)]


def mobilenet_v3_small():
    features = [cna(3, 16, 3, 2, act=nn.Hardswish)] + [V3Block(*c) for c in V3_SMALL]
    features.append(cna(96, 576, act=nn.Hardswish))
    model = nn.Sequential(nn.Sequential(*features), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Sequential(nn.Linear(576, 1024), nn.Hardswish(), nn.Dropout(0.2), nn.Linear(1024, 1000)))
    return model, {f"block{i}": features[i] for i in range(1, 12)}


# -- RegNetY-400MF (torchvision regnet.py: BlockParams.from_init_params, ResBottleneckBlock) ----
def regnet_stages(depth=16, w_0=48, w_a=27.89, w_m=2.09, group_width=8, quant=8):
    """(stage widths, stage depths) as BlockParams.from_init_params computes them (bottleneck
    multiplier 1, so _adjust_widths_groups_compatibilty rounds each width to its group width)."""
    import math
    widths_cont = torch.arange(depth) * w_a + w_0
    capacity = torch.round(torch.log(widths_cont / w_0) / math.log(w_m))
    widths = (torch.round(torch.divide(w_0 * torch.pow(w_m, capacity), quant)) * quant).int().tolist()
    splits = [w != wp for w, wp in zip(widths + [0], [0] + widths)]
    stage_widths = [w for w, t in zip(widths, splits[:-1]) if t]
    stage_depths = torch.diff(torch.tensor([d for d, t in enumerate(splits) if t])).int().tolist()
    stage_widths = [make_divisible(w, min(group_width, w)) for w in stage_widths]
    return stage_widths, stage_depths


class ResBottleneck(nn.Module):
    def __init__(self, win, wout, stride, group_width=8, se_ratio=0.25):
        super().__init__()
        bn = dict(eps=1e-5, momentum=0.1)
        self.proj = cna(win, wout, 1, stride, **bn) if win != wout or stride != 1 else None
        self.f = nn.Sequential(cna(win, wout, act=nn.ReLU, **bn),
                               cna(wout, wout, 3, stride, groups=wout // group_width, act=nn.ReLU, **bn),
                               SqueezeExcitation(wout, int(round(se_ratio * win))), cna(wout, wout, **bn))
        self.activation = nn.ReLU()

    def forward(self, x):
        return self.activation((self.proj(x) if self.proj is not None else x) + self.f(x))


def regnet_y_400mf():
    widths, depths = regnet_stages()
    stem = cna(3, 32, 3, 2, act=nn.ReLU, eps=1e-5, momentum=0.1)
    stages, win = [], 32
    for w, d in zip(widths, depths):
        stages.append(nn.Sequential(*[ResBottleneck(win if i == 0 else w, w, 2 if i == 0 else 1) for i in range(d)]))
        win = w
    model = nn.Sequential(stem, *stages, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(win, 1000))
    return model, {f"block{i + 1}": st for i, st in enumerate(stages)}


def torch_record(model, stages=None, size=224):
    from torch.utils.flop_counter import FlopCounterMode
    model.eval()
    x = torch.zeros(1, 3, size, size)
    shapes = {}
    for name, module in (stages or {}).items():  # per-stage output shapes, channels last
        module.register_forward_hook(lambda m, i, o, name=name: shapes.__setitem__(name, [*o.shape[2:], o.shape[1]]))
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        y = model(x)
    bn = sum(2 * m.num_features for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    out = {"params": sum(p.numel() for p in model.parameters()), "bn_running_stats": bn,
           "macs": counter.get_total_flops() // 2, "output_shape": list(y.shape[1:]), "input": [size, size, 3]}
    return {**out, "stages": shapes} if stages else out


def keras_record(name, stages=(), **kwargs):
    import keras
    model = getattr(keras.applications, name)(weights=None, **kwargs)
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    out = {"params": model.count_params(), "trainable": trainable, "layers": len(model.layers),
           "input": list(model.input_shape[1:]), "output_shape": list(model.output_shape[1:])}
    if stages:  # per-stage output shapes (the named layers')
        out["stages"] = {n: list(model.get_layer(n).output.shape[1:]) for n in stages}
    return out


EFFICIENTNET_STAGES = ["block1a_project_bn", "block2b_add", "block3b_add", "block4c_add", "block5c_add", "block6d_add",
                       "block7a_project_bn"]


def shufflenet_record():
    model = ShuffleNetV2()
    return torch_record(model, stages={"stage2": model.stages[3], "stage3": model.stages[11], "stage4": model.stages[15]})


def regnet_record():
    model, stages = regnet_y_400mf()
    return torch_record(model, stages=stages)


def main():
    import keras
    out = {"source": f"torch {torch.__version__} (hand-built torchvision modules), keras {keras.__version__} "
                     "keras.applications(weights=None), KERAS_BACKEND=torch; tests/golden/make_modern_zoo.py",
           "mobilenet_v2": torch_record(mobilenet_v2()),
           "convnext_tiny": torch_record(convnext_tiny()),
           "shufflenet_v2": shufflenet_record(),
           "mobilenet_v3_small": torch_record(*mobilenet_v3_small()),
           "regnet_y_400mf": regnet_record(),
           "regnet_y_400mf_stages": dict(zip(("widths", "depths"), regnet_stages())),
           "keras": {n: keras_record(n) for n in ("EfficientNetB0", "MobileNetV2", "ConvNeXtTiny")}}
    out["keras"]["InceptionV3"] = keras_record("InceptionV3", stages=[f"mixed{i}" for i in range(11)])
    out["keras"]["EfficientNetB0"] = keras_record("EfficientNetB0", stages=EFFICIENTNET_STAGES)
    out["keras"]["MobileNetV3Small"] = keras_record("MobileNetV3Small")
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
