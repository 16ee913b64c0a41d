"""Per-layer golden shapes and parameter counts of the zoo, written by hand in PyTorch.

Not part of the test suite: run by hand with torch 2.13.0 CPU (no torchvision):

    /work/venv-torch/bin/python tests/golden/make_zoo_torch.py

It writes tests/golden/zoo_torch.json. Each network is typed out here from its paper /
torchvision source, independently of the YAML in architectures/: one torch module per row of
the cnncalc spec (a row may be a small nn.Sequential, e.g. ZeroPad2d + Conv2d for Keras's
asymmetric 'same' padding). Shapes are channels-last without the batch axis. `params` counts
parameters plus BatchNorm's running mean and variance (Keras's count, which cnncalc follows);
`trainable_params` counts parameters only.
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "zoo_torch.json")


def vgg(cfg):
    rows, c = [], 3
    for v in cfg:
        if v == "M":
            rows.append(nn.MaxPool2d(2, 2))
        else:
            rows.append(nn.Conv2d(c, v, 3, padding=1))
            c = v
    return rows + [nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.Linear(4096, 4096), nn.Linear(4096, 1000)]


def mobilenet_v1():
    def bn_relu(c):
        return [nn.BatchNorm2d(c), nn.ReLU6()]
    # conv1: 'same' with stride 2 on 224: Keras pads (0, 1) on each axis
    rows = [nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(3, 32, 3, 2, bias=False)), *bn_relu(32)]
    c = 32
    for out, stride in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
                        (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]:
        dw = (nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(c, c, 3, 2, groups=c, bias=False))
              if stride == 2 else nn.Conv2d(c, c, 3, 1, padding=1, groups=c, bias=False))
        rows += [dw, *bn_relu(c), nn.Conv2d(c, out, 1, bias=False), *bn_relu(out)]
        c = out
    return rows + [nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), nn.Dropout(0.001), nn.Linear(1024, 1000),
                   ]


NETS = {
    # LeNet-5 (LeCun 1998, modern form)
    "lenet5.yaml": ((1, 32, 32), [nn.Conv2d(1, 6, 5), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.AvgPool2d(2),
                                  nn.Flatten(), nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)]),
    # the course's homework LeNet: 32x32x3, 8 and 16 filters, max pooling
    "lenet_homework.yaml": ((3, 32, 32), [nn.Conv2d(3, 8, 5), nn.MaxPool2d(2, 2), nn.Conv2d(8, 16, 5),
                                          nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(400, 120),
                                          nn.Linear(120, 84), nn.Linear(84, 10)]),
    # torchvision.models.alexnet, typed out (features, avgpool, classifier)
    "alexnet_torchvision.yaml": ((3, 224, 224), [
        nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(),
        nn.MaxPool2d(3, 2), nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1),
        nn.ReLU(), nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.AdaptiveAvgPool2d(6),
        nn.Flatten(), nn.Dropout(), nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096),
        nn.ReLU(), nn.Linear(4096, 1000)]),
    # Krizhevsky et al. 2012 on 227, single tower, LRN after conv1 and conv2
    "alexnet.yaml": ((3, 227, 227), [
        nn.Conv2d(3, 96, 11, 4), nn.LocalResponseNorm(5), nn.MaxPool2d(3, 2), nn.Conv2d(96, 256, 5, padding=2),
        nn.LocalResponseNorm(5), nn.MaxPool2d(3, 2), nn.Conv2d(256, 384, 3, padding=1),
        nn.Conv2d(384, 384, 3, padding=1), nn.Conv2d(384, 256, 3, padding=1), nn.MaxPool2d(3, 2), nn.Flatten(),
        nn.Linear(9216, 4096), nn.Dropout(), nn.Linear(4096, 4096), nn.Dropout(), nn.Linear(4096, 1000)]),
    "vgg16.yaml": ((3, 224, 224), vgg([64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                                       512, 512, 512, "M"])),
    "vgg19.yaml": ((3, 224, 224), vgg([64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512,
                                       "M", 512, 512, 512, 512, "M"])),
    "mobilenet_v1.yaml": ((3, 224, 224), mobilenet_v1()),
    # the course's 1-D signal classifier on 100 samples of one channel
    "signal1d.yaml": ((1, 100), [nn.Conv1d(1, 16, 3), nn.MaxPool1d(2), nn.Conv1d(16, 32, 3), nn.MaxPool1d(2),
                                 nn.Flatten(), nn.Linear(23 * 32, 1)]),
}


def channels_last(shape):
    return list(shape[1:]) + [shape[0]] if len(shape) > 1 else list(shape)


def run(chw, rows):
    x = torch.zeros((1, *chw))
    out = []
    with torch.no_grad():
        for index, m in enumerate(rows, start=1):
            m.eval()
            x = m(x)
            trainable = sum(p.numel() for p in m.parameters())
            stats = sum(b.numel() for name, b in m.named_buffers() if name.endswith(("running_mean", "running_var")))
            out.append({"index": index, "output_shape": channels_last(tuple(x.shape[1:])),
                        "params": trainable + stats, "trainable_params": trainable})
    return out


def main():
    nets = {}
    for name, (chw, rows) in NETS.items():
        layers = run(chw, rows)
        nets[name] = {"input": channels_last(chw), "layers": layers,
                      "params": sum(r["params"] for r in layers),
                      "trainable_params": sum(r["trainable_params"] for r in layers)}
        print(name, nets[name]["params"])
    doc = {"source": f"PyTorch {torch.__version__}, typed out by hand in tests/golden/make_zoo_torch.py",
           "nets": nets}
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
