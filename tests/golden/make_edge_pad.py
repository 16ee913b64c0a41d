"""Golden outputs and input gradients of reflection and replication padding from torch.

Run: python tests/golden/make_edge_pad.py > tests/golden/edge_pad.json
Each case is a cnncalc layer line, its channels-last input shape, torch's output shape, and
for the input x = 0, 1, 2, ... (channels last) torch's output and dL/dx where L = sum(out * G),
G = 1, 2, 3, ... in the output's channels-last order.
"""
from __future__ import annotations

import json

import torch

CASES = [  # (cnncalc layer, channels-last input, torch module)
    ("reflectpad1d: [[2, 1]]", [4, 2], lambda: torch.nn.ReflectionPad1d((2, 1))),
    ("replicatepad1d: 3", [3, 1], lambda: torch.nn.ReplicationPad1d(3)),
    ("reflectpad2d: [[1, 2], [2, 0]]", [3, 4, 2], lambda: torch.nn.ReflectionPad2d((2, 0, 1, 2))),
    ("replicatepad2d: [[0, 2], [3, 1]]", [2, 3, 1], lambda: torch.nn.ReplicationPad2d((3, 1, 0, 2))),
    ("reflectpad3d: 1", [2, 3, 2, 1], lambda: torch.nn.ReflectionPad3d(1)),
    ("replicatepad3d: [[1, 0], [0, 1], [2, 1]]", [2, 2, 2, 1], lambda: torch.nn.ReplicationPad3d((2, 1, 0, 1, 1, 0))),
]


def main() -> None:
    cases = []
    for layer, inp, make in CASES:
        last = [0, len(inp), *range(1, len(inp))]  # channels last -> torch's channels first
        back = [0, *range(2, len(inp) + 1), 1]
        x = torch.arange(torch.Size(inp).numel(), dtype=torch.float64).reshape(1, *inp)
        x = x.permute(*last).contiguous().requires_grad_(True)
        y = make()(x)
        out = y.permute(*back)
        g = torch.arange(1, out.numel() + 1, dtype=torch.float64).reshape(out.shape)
        (out * g).sum().backward()
        cases.append({"layer": layer, "input": inp, "output_shape": list(out.shape[1:]),
                      "output": out[0].detach().tolist(), "input_grad": x.grad.permute(*back)[0].tolist()})
    print(json.dumps({"source": f"torch {torch.__version__}", "cases": cases}, indent=1))


if __name__ == "__main__":
    main()
