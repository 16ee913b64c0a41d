"""Golden counts of the modern zoo (issue 15), from real PyTorch and Keras.

Not part of the test suite: run by hand with torch 2.13 and Keras 3 (KERAS_BACKEND=torch),

    KERAS_BACKEND=torch python tests/golden/make_modern_zoo.py

It writes tests/golden/modern_zoo.json. torchvision is not installed, so the torchvision
networks are built here by hand, module for module as torchvision/models/mobilenetv2.py and
convnext.py build them; the Keras ones come from keras.applications (weights=None). For each:
the total of parameters() (torch) or count_params() and the trainable count (Keras), torch's
batchnorm running statistics, the output shape, and for torch the MACs: FlopCounterMode's count
/ 2 (it counts 2 per multiply-accumulate of conv and matmul ops, nothing else).
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


def torch_record(model, size=224):
    from torch.utils.flop_counter import FlopCounterMode
    model.eval()
    x = torch.zeros(1, 3, size, size)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        y = model(x)
    bn = sum(2 * m.num_features for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    return {"params": sum(p.numel() for p in model.parameters()), "bn_running_stats": bn,
            "macs": counter.get_total_flops() // 2, "output_shape": list(y.shape[1:]), "input": [size, size, 3]}


def keras_record(name, **kwargs):
    import keras
    model = getattr(keras.applications, name)(weights=None, **kwargs)
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    return {"params": model.count_params(), "trainable": trainable, "layers": len(model.layers),
            "input": list(model.input_shape[1:]), "output_shape": list(model.output_shape[1:])}


def main():
    import keras
    out = {"source": f"torch {torch.__version__} (hand-built torchvision modules), keras {keras.__version__} "
                     "keras.applications(weights=None), KERAS_BACKEND=torch; tests/golden/make_modern_zoo.py",
           "mobilenet_v2": torch_record(mobilenet_v2()),
           "convnext_tiny": torch_record(convnext_tiny()),
           "shufflenet_v2": torch_record(ShuffleNetV2()),
           "keras": {n: keras_record(n) for n in ("EfficientNetB0", "InceptionV3", "MobileNetV2", "ConvNeXtTiny")}}
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
