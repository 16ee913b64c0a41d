"""Writes the small ONNX files of tests/readers/exports/ and their truth, exports.json: what
torch 2.13's two exporters write for the constructs of torchvision's CNNs, each a few KB.

Not part of the test suite: run by hand with torch 2.13, torchvision 0.28 and onnxscript,

    python tests/readers/make_onnx_exports.py

- pool_dynamo.onnx: conv, batch norm, ReLU, AdaptiveAvgPool2d(1), flatten, linear by
  torch.onnx.export(dynamo=True): batch norm folded, the pooling a ReduceMean;
- shuffle_torchscript.onnx / shuffle_dynamo.onnx: two of torchvision's ShuffleNet V2 blocks
  (channel split, channel shuffle) by each exporter, the batch dynamic;
- folded_torchscript.onnx: conv and batch norm by dynamo=False in eval mode (folded: the
  convolution's weight and bias computed, onnx::Conv_N).
The truth of each is the module's: parameters, running statistics, MACs (FlopCounterMode / 2)
and the output shape (channels last).
"""
from __future__ import annotations

import json
import os
import sys
import types

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "exports")


def models():
    sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
    from torchvision.models.shufflenetv2 import InvertedResidual
    torch.manual_seed(0)
    pool = nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(4, 2))
    shuffle = nn.Sequential(InvertedResidual(8, 16, 2), InvertedResidual(16, 16, 1))
    folded = nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4), nn.ReLU())
    return [("pool_dynamo.onnx", pool, (3, 8, 8), True), ("shuffle_torchscript.onnx", shuffle, (8, 8, 8), False),
            ("shuffle_dynamo.onnx", shuffle, (8, 8, 8), True), ("folded_torchscript.onnx", folded, (3, 8, 8), False)]


def main() -> None:
    sys.path.insert(0, HERE)
    from onnx_zoo import truth
    os.makedirs(OUT, exist_ok=True)
    out = {"torch": torch.__version__, "files": {}}
    for name, model, shape, dynamo in models():
        model.eval()
        x = torch.zeros(1, *shape)
        path = os.path.join(OUT, name)
        if dynamo:
            torch.onnx.export(model, (x,), path, input_names=["x"], dynamo=True, external_data=False,
                              dynamic_shapes=({0: torch.export.Dim("batch", min=1, max=1024)},) if "shuffle" in name
                              else None)
        else:
            torch.onnx.export(model, (x,), path, input_names=["x"], dynamo=False,
                              dynamic_axes={"x": {0: "batch"}} if "shuffle" in name else None)
        got = truth(model, shape[-1]) if shape[0] == 3 else _truth(model, shape)
        out["files"][name] = {**got, "output": list(got["output"]), "input": [*shape[1:], shape[0]]}
    with open(os.path.join(OUT, "exports.json"), "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")


def _truth(model, shape):
    from torch.utils.flop_counter import FlopCounterMode
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        y = model(torch.zeros(1, *shape))
    return {"trainable": sum(p.numel() for p in model.parameters()),
            "stats": sum(b.numel() for k, b in model.named_buffers() if "running" in k),
            "output": (*y.shape[2:], y.shape[1]), "macs": counter.get_total_flops() // 2}


if __name__ == "__main__":
    main()
