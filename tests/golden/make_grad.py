"""Generate golden gradient cases from real PyTorch autograd (float64).

Not part of the test suite: run by hand in a venv that has torch==2.13.0 (CPU), from the
repository root:

    /work/venv/bin/python tests/golden/make_grad.py

It writes tests/golden/torch_grad.json next to this file, which tests/gradients/test_conv.py and
tests/gradients/test_network.py check without torch. Deterministic: configs come from
random.Random(SEED), numbers from numpy's default_rng(seed of the case).

  * "conv": one convolution (1-D or 2-D, C_in and C_out 1-3, sizes 1-8, kernels 1-4, strides
    1-3, padding 0-2, with/without bias, cross-correlation or flipped), the upstream gradient
    given; torch's Z, dL/dK, dL/dX, dL/db. Grids are per channel: image[c], kernel[o][c].
  * "backprop": one forward and backward pass of a small network (tests/gradients/grad_torch.py builds it
    in torch from the spec's layer graph): the notes' 1-D network, the branched nets with
    add / concat / multiply / batchnorm / global pooling, and random conv-pool-dense nets.
"""
from __future__ import annotations

import json
import os
import random
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

from cnncalc.errors import CnncalcError  # noqa: E402
from cnncalc.infer import infer  # noqa: E402
from cnncalc.spec import parse_spec  # noqa: E402
from tests.gradients.grad_torch import BRANCHED, Picker, numbers, random_net, torch_backprop  # noqa: E402

SEED = 20240618
OUT = os.path.join(HERE, "torch_grad.json")
VERSION = "2.13.0"


def grid(rnd, shape, ints):
    if len(shape) == 1:
        return [rnd.randint(-5, 5) if ints else round(rnd.uniform(-3, 3), 3) for _ in range(shape[0])]
    return [grid(rnd, shape[1:], ints) for _ in range(shape[0])]


def conv_case(rnd):
    dims = rnd.randint(1, 2)
    c_in, c_out = rnd.randint(1, 3), rnd.randint(1, 3)
    f = [rnd.randint(1, 4) for _ in range(dims)]
    s, p = rnd.randint(1, 3), rnd.randint(0, 2)
    n = [rnd.randint(max(1, fi - 2 * p), 8) for fi in f]
    ints = rnd.random() < 0.5
    out = [(ni + 2 * p - fi) // s + 1 for ni, fi in zip(n, f)]
    case = {"dims": dims, "stride": s, "padding": p, "flip": rnd.random() < 0.3,
            "image": [grid(rnd, n, ints) for _ in range(c_in)],
            "kernel": [[grid(rnd, f, ints) for _ in range(c_in)] for _ in range(c_out)],
            "upstream": [grid(rnd, out, ints) for _ in range(c_out)],
            "bias": grid(rnd, [c_out], ints) if rnd.random() < 0.6 else None}
    T = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)  # noqa: E731
    x, k = T([case["image"]]), T(case["kernel"])
    b = T(case["bias"]) if case["bias"] is not None else None
    kk = torch.flip(k, dims=list(range(2, k.dim()))) if case["flip"] else k
    conv = torch.nn.functional.conv1d if dims == 1 else torch.nn.functional.conv2d
    z = conv(x, kk, b, stride=s, padding=p)
    z.backward(torch.tensor([case["upstream"]], dtype=torch.float64))
    case.update(Z=z[0].tolist(), dL_dK=k.grad.tolist(), dL_dX=x.grad[0].tolist(),
                dL_db=None if b is None else b.grad.tolist())
    return case


NOTES_NET = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "examples",
                              "notes_1d.yaml")).read()  # the notes' tiny 1-D network, as docs/gradients.md uses it


def short(v):
    """Inputs and weights to 4 decimals (the golden file stays small; the values are exactly these)."""
    if isinstance(v, dict):
        return {k: short(x) for k, x in v.items()}
    if isinstance(v, list):
        return [short(x) for x in v]
    return round(v, 4) if isinstance(v, float) else v


def backprop_case(text, loss, seed, name, given=None):
    x, target, weights = given or short(list(numbers(np.random.default_rng(seed), text, loss)))
    if loss == "cross_entropy" and isinstance(target, list):
        target = [t / sum(target) for t in target]  # probabilities that sum to 1 again
    return {"name": name, "spec": text, "loss": loss, "input": x, "target": target, "weights": weights,
            "torch": torch_backprop(torch, text, x, target, loss, weights)}


def main():
    if not torch.__version__.startswith(VERSION):
        sys.exit(f"torch {torch.__version__} found; these goldens are made with torch {VERSION}")
    torch.use_deterministic_algorithms(True)
    rnd = random.Random(SEED)
    convs = [conv_case(rnd) for _ in range(40)]
    cases = [backprop_case(NOTES_NET, "mse", 0, "notes_1d_network",
                           ([1, 3, 2, 0, 1], 6, {"z1": {"weight": [[[1, -1, 2]]]}, "a2": {"weight": [[1, -2, 3, 1, 2]]}}))]
    for name, text in sorted(BRANCHED.items()):
        for k, loss in enumerate(("mse", "cross_entropy", "bce")):
            cases.append(backprop_case(text, loss, k, f"{name}_{loss}"))
    made = 0
    while made < 24:
        text, loss = random_net(Picker(rnd=rnd))
        try:
            infer(parse_spec(text))
        except CnncalcError:
            continue
        cases.append(backprop_case(text, loss, made, f"random_{made}"))
        made += 1
    data = {"source": f"PyTorch {torch.__version__} CPU autograd, float64, generated by tests/golden/make_grad.py "
                      f"(seed {SEED})", "conv": convs, "backprop": cases}
    with open(OUT, "w") as fh:
        json.dump(data, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {OUT}: {len(convs)} convolutions, {len(cases)} networks")


if __name__ == "__main__":
    main()
