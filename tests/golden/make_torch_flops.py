"""Golden FLOPs from PyTorch's own counter (torch.utils.flop_counter.FlopCounterMode).

Run with the torch venv (see /work/notes/torch_env.md), from the repository root:

    /work/venv-torch/bin/python tests/golden/make_torch_flops.py

It writes tests/golden/torch_flops.json: for each case the cnncalc spec, the torch version and
the FLOPs torch counts for one sample (2 per multiply-accumulate of conv / linear weights, no
bias, no pooling or activations: cnncalc's `2macs` convention). Deterministic.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

OUT = Path(__file__).with_name("torch_flops.json")


def vgg16() -> nn.Module:
    layers, c = [], 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU()]
            c = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(25088, 4096), nn.ReLU(),
                         nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))


def alexnet_torchvision() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.AdaptiveAvgPool2d(6),
        nn.Flatten(), nn.Dropout(), nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))


# (name, cnncalc spec, torch module, input shape NCHW)
CASES = [
    ("vgg16", "zoo:vgg16.yaml", vgg16, (1, 3, 224, 224)),
    ("alexnet_torchvision", "zoo:alexnet_torchvision.yaml", alexnet_torchvision, (1, 3, 224, 224)),
    ("conv_grouped", "input: [8, 8, 8]\nlayers:\n  - conv2d: {filters: 16, kernel: 3, padding: 1, groups: 4}\n",
     lambda: nn.Conv2d(8, 16, 3, padding=1, groups=4), (1, 8, 8, 8)),
    ("conv_nonsquare_dilated", "input: [11, 9, 3]\nlayers:\n  - conv2d: {filters: 5, kernel: [3, 2], dilation: [2, 1], stride: [1, 2]}\n",
     lambda: nn.Conv2d(3, 5, (3, 2), dilation=(2, 1), stride=(1, 2)), (1, 3, 11, 9)),
    ("depthwise_m2", "input: [10, 10, 4]\nlayers:\n  - depthwise_conv2d: {kernel: 3, depth_multiplier: 2}\n",
     lambda: nn.Conv2d(4, 8, 3, groups=4), (1, 4, 10, 10)),
    ("conv_transpose_s2", "input: [4, 4, 8]\nlayers:\n  - conv_transpose2d: {filters: 16, kernel: 3, stride: 2}\n",
     lambda: nn.ConvTranspose2d(8, 16, 3, stride=2), (1, 8, 4, 4)),
    ("conv_transpose_groups_pad", "input: [5, 5, 8]\nlayers:\n  - conv_transpose2d: {filters: 6, kernel: 4, stride: 2, padding: 1, groups: 2}\n",
     lambda: nn.ConvTranspose2d(8, 6, 4, stride=2, padding=1, groups=2), (1, 8, 5, 5)),
    ("conv1d", "input: [100, 1]\nlayers:\n  - conv1d: {filters: 16, kernel: 3}\n",
     lambda: nn.Conv1d(1, 16, 3), (1, 1, 100)),
    ("conv3d", "input: [6, 6, 6, 2]\nlayers:\n  - conv3d: {filters: 3, kernel: 3, stride: 2}\n",
     lambda: nn.Conv3d(2, 3, 3, stride=2), (1, 2, 6, 6, 6)),
    ("dense", "input: [400]\nlayers:\n  - dense: 120\n", lambda: nn.Linear(400, 120), (1, 400)),
]


def main() -> None:
    torch.manual_seed(0)
    out = {"source": "torch.utils.flop_counter.FlopCounterMode", "torch": torch.__version__, "cases": []}
    for name, spec, build, shape in CASES:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            build().eval()(torch.zeros(shape))
        out["cases"].append({"name": name, "spec": spec, "flops": int(counter.get_total_flops())})
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT} ({len(out['cases'])} cases, torch {torch.__version__})")


if __name__ == "__main__":
    main()
