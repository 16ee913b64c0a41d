"""Golden per-stage shapes and parameter counts of the branched zoo, from real PyTorch.

Not part of the test suite: run by hand with torch 2.13 (no torchvision needed), e.g.

    /work/venv-torch/bin/python tests/golden/make_torch_zoo.py

It writes tests/golden/torch_zoo.json. The networks are built by hand here, module for module
as torchvision/models/{resnet,googlenet,densenet}.py build them (torchvision itself is not
installed), plus the small U-Net of architectures/unet_small.yaml. For each network: the total
of parameters() (what torchvision's "num_params" reports), the batchnorm running statistics
(buffers, 2C per batchnorm, without num_batches_tracked), and per stage the output shape of a
forward pass on a zero image (channels last, no batch) and the parameters() of that stage.
A stage is named by its last cnncalc layer (`layer2.block4.relu`); it runs from the layer after
the previous stage's last one. Deterministic.
"""

import json
import os

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "torch_zoo.json")


# -- ResNet (torchvision resnet.py) ----------------------------------------------------------
class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)  # v1.5: stride here
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], 2)
        self.layer3 = self._make_layer(block, 256, layers[2], 2)
        self.layer4 = self._make_layer(block, 512, layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet_stages(model, blocks, last):
    stages = [("maxpool", "", model.maxpool, [model.conv1, model.bn1])]
    for i, n in enumerate(blocks, start=1):
        stages.append((f"layer{i}.block{n}.relu", f"layer{i}.", getattr(model, f"layer{i}"), None))
    stages.append(("fc", "fc", model.fc, None))
    return stages


# -- GoogLeNet (torchvision googlenet.py, aux_logits=False) -------------------------------------
class BasicConv2d(nn.Module):
    def __init__(self, cin, cout, **kw):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, bias=False, **kw)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    def __init__(self, cin, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = BasicConv2d(cin, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(BasicConv2d(cin, ch3x3red, kernel_size=1),
                                     BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1))
        self.branch3 = nn.Sequential(BasicConv2d(cin, ch5x5red, kernel_size=1),
                                     BasicConv2d(ch5x5red, ch5x5, kernel_size=3, padding=1))  # sic
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     BasicConv2d(cin, pool_proj, kernel_size=1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class GoogLeNet(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = BasicConv2d(3, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = Inception(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = Inception(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = Inception(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = Inception(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = Inception(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = Inception(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = Inception(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a = Inception(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = Inception(832, 384, 192, 384, 48, 128, 128)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x):
        for name in ("conv1", "maxpool1", "conv2", "conv3", "maxpool2", "inception3a", "inception3b",
                     "maxpool3", "inception4a", "inception4b", "inception4c", "inception4d",
                     "inception4e", "maxpool4", "inception5a", "inception5b", "avgpool"):
            x = getattr(self, name)(x)
        return self.fc(self.dropout(torch.flatten(x, 1)))


def googlenet_stages(model):
    stages = []
    for name in ("conv1", "maxpool1", "conv2", "conv3", "maxpool2", "inception3a", "inception3b",
                 "maxpool3", "inception4a", "inception4b", "inception4c", "inception4d",
                 "inception4e", "maxpool4", "inception5a", "inception5b"):
        module = getattr(model, name)
        if name.startswith("inception"):
            last, prefix = f"{name}.concat", f"{name}."
        elif name.startswith("conv"):
            last, prefix = f"{name}.relu", f"{name}."
        else:
            last, prefix = name, name
        stages.append((last, prefix, module, None))
    stages.append(("fc", "fc", model.fc, None))
    return stages


# -- DenseNet-121 (torchvision densenet.py) ------------------------------------------------------
class DenseLayer(nn.Module):
    def __init__(self, cin, growth, bn_size):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, bn_size * growth, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth)
        self.conv2 = nn.Conv2d(bn_size * growth, growth, 3, padding=1, bias=False)

    def forward(self, x):
        new = self.conv2(torch.relu(self.norm2(self.conv1(torch.relu(self.norm1(x))))))
        return torch.cat([x, new], 1)


class Transition(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, cout, 1, bias=False),
                         nn.AvgPool2d(2, 2))


class DenseNet(nn.Module):
    def __init__(self, growth=32, config=(6, 12, 24, 16), init=64, bn_size=4, num_classes=1000):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, init, 7, 2, 3, bias=False), nn.BatchNorm2d(init),
                                  nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        self.blocks = nn.ModuleList()
        self.transitions = nn.ModuleList()
        c = init
        for i, n in enumerate(config):
            self.blocks.append(nn.Sequential(*[DenseLayer(c + k * growth, growth, bn_size) for k in range(n)]))
            c += n * growth
            if i != len(config) - 1:
                self.transitions.append(Transition(c, c // 2))
                c //= 2
        self.norm5 = nn.BatchNorm2d(c)
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.stem(x)
        for i, block in enumerate(self.blocks):
            x = block(x)
            if i < len(self.transitions):
                x = self.transitions[i](x)
        x = torch.relu(self.norm5(x))
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def densenet_stages(model, config=(6, 12, 24, 16)):
    stages = [("pool0", "", model.stem, None)]
    for i, n in enumerate(config, start=1):
        stages.append((f"denseblock{i}.block{n}.concat", f"denseblock{i}.", model.blocks[i - 1], None))
        if i < len(config):
            stages.append((f"transition{i}.pool", f"transition{i}.", model.transitions[i - 1], None))
    stages.append(("classifier", "classifier", model.classifier, [model.norm5]))
    return stages


# -- the small U-Net of architectures/unet_small.yaml ---------------------------------------------
def double_conv(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                         nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class Up(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.upconv = nn.ConvTranspose2d(cin, cout, 2, stride=2)
        self.conv = double_conv(2 * cout, cout)

    def forward(self, x, skip):
        return self.conv(torch.cat([skip, self.upconv(x)], 1))


class UNetSmall(nn.Module):
    def __init__(self, cin=3, classes=2):
        super().__init__()
        self.enc1, self.enc2, self.enc3 = double_conv(cin, 16), double_conv(16, 32), double_conv(32, 64)
        self.bottleneck = double_conv(64, 128)
        self.pool = nn.MaxPool2d(2)
        self.dec3, self.dec2, self.dec1 = Up(128, 64), Up(64, 32), Up(32, 16)
        self.logits = nn.Conv2d(16, classes, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        e3 = self.enc3(self.pool(e2))
        b = self.bottleneck(self.pool(e3))
        return self.logits(self.dec1(self.dec2(self.dec3(b, e3), e2), e1))


def unet_stages(model):
    names = ("enc1", "enc2", "enc3", "bottleneck", "dec3", "dec2", "dec1")
    stages = [(f"{n}.relu2" if not n.startswith("dec") else f"{n}.conv.relu2", f"{n}.", getattr(model, n), None)
              for n in names]
    stages.append(("logits", "logits", model.logits, None))
    return stages


# -- run --------------------------------------------------------------------------------------
def count(modules) -> int:
    return sum(p.numel() for m in modules for p in m.parameters())


def bn_stats(model) -> int:
    return sum(m.running_mean.numel() + m.running_var.numel()
               for m in model.modules() if isinstance(m, nn.BatchNorm2d))


def record(model, stages, size):
    model.eval()
    shapes = {}
    hooks = [module.register_forward_hook(lambda m, i, o, key=last: shapes.__setitem__(key, o.shape))
             for last, _, module, _ in stages]
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    for h in hooks:
        h.remove()
    out = []
    for last, prefix, module, extra in stages:
        shape = list(shapes[last][1:])
        hwc = shape[1:] + shape[:1] if len(shape) == 3 else shape
        out.append({"layer": last, "output_shape": hwc,
                    "params": count([module] + (extra or []))})
    return {"params": count([model]), "bn_running_stats": bn_stats(model), "input": [size, size, 3],
            "stages": out}


def main():
    torch.manual_seed(0)
    nets = {}
    for name, block, blocks in (("resnet18", BasicBlock, (2, 2, 2, 2)), ("resnet34", BasicBlock, (3, 4, 6, 3)),
                                ("resnet50", Bottleneck, (3, 4, 6, 3))):
        model = ResNet(block, blocks)
        nets[name] = record(model, resnet_stages(model, blocks, None), 224)
    model = GoogLeNet()
    nets["googlenet"] = record(model, googlenet_stages(model), 224)
    model = DenseNet()
    nets["densenet121"] = record(model, densenet_stages(model), 224)
    model = UNetSmall()
    nets["unet_small"] = record(model, unet_stages(model), 128)
    doc = {"source": f"torch {torch.__version__}, networks built by hand in tests/golden/make_torch_zoo.py "
                     "after torchvision/models/{resnet,googlenet,densenet}.py", **nets}
    text = json.dumps(doc, indent=1)
    for net in nets.values():
        for stage in net["stages"]:
            text = text.replace(json.dumps(stage, indent=1).replace("\n", "\n   "), json.dumps(stage), 1)
    with open(OUT, "w") as fh:
        fh.write(text + "\n")
    for name, net in nets.items():
        print(f"{name}: {net['params']:,} params, {net['bn_running_stats']:,} batchnorm running stats")


if __name__ == "__main__":
    main()
