"""Golden counts and shapes of PReLU and Permute from Keras 3 and torch (issue 15).

Run: KERAS_BACKEND=torch python tests/golden/make_prelu_permute.py > tests/golden/prelu_permute.json
Each case is a cnncalc layer line, its input, and the parameters and output shape both
frameworks give (the script asserts that Keras and torch agree where torch has the layer).
"""
from __future__ import annotations

import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import torch  # noqa: E402

CASES = [  # (cnncalc layer, input, Keras layer, torch module or None, torch input NCHW permutation)
    ("prelu", [6, 5, 4], lambda: keras.layers.PReLU(), None),
    ("prelu: {shared_axes: [1, 2]}", [6, 5, 4], lambda: keras.layers.PReLU(shared_axes=[1, 2]), lambda: torch.nn.PReLU(4)),
    ("prelu: {shared_axes: [1, 2, 3]}", [6, 5, 4], lambda: keras.layers.PReLU(shared_axes=[1, 2, 3]), lambda: torch.nn.PReLU()),
    ("prelu: {shared_axes: 3}", [6, 5, 4], lambda: keras.layers.PReLU(shared_axes=[3]), None),
    ("prelu: {num_parameters: 4}", [6, 5, 4], lambda: keras.layers.PReLU(shared_axes=[1, 2]), lambda: torch.nn.PReLU(num_parameters=4)),
    ("prelu", [10], lambda: keras.layers.PReLU(), lambda: torch.nn.PReLU(10)),
    ("permute: [2, 1, 3]", [6, 5, 4], lambda: keras.layers.Permute((2, 1, 3)), None),
    ("permute: [3, 1, 2]", [6, 5, 4], lambda: keras.layers.Permute((3, 1, 2)), None),
    ("permute: {torch_dims: [0, 2, 1, 3]}", [6, 5, 4], lambda: keras.layers.Permute((2, 1, 3)), None),
]


def main() -> None:
    cases = []
    for layer, inp, make_k, make_t in CASES:
        k = make_k()
        x = keras.Input(tuple(inp))
        out = list(k(x).shape[1:])
        params = k.count_params()
        if make_t is not None:
            assert sum(p.numel() for p in make_t().parameters()) == params, layer
        if layer.startswith("permute: {torch_dims"):  # torch's permute on the same channels-last tensor
            t = torch.zeros(1, *inp).permute(0, 2, 1, 3)
            assert list(t.shape[1:]) == out
        cases.append({"layer": layer, "input": inp, "params": params, "output": out})
    print(json.dumps({"source": f"keras {keras.__version__} (backend torch), torch {torch.__version__}",
                      "cases": cases}, indent=1))


if __name__ == "__main__":
    main()
