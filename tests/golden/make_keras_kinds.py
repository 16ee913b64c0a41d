"""Generate golden cases for the kinds added on branch more-kinds from real Keras 3.

Not part of the test suite: run by hand with Keras 3 on the torch backend, e.g.

    KERAS_BACKEND=torch /work/venv-torch/bin/python tests/golden/make_keras_kinds.py

It writes tests/golden/keras_kinds.json next to this file (Keras 3.15.1, torch 2.13.0 CPU).
Deterministic: a fixed list of cases plus configs from pure-python random.Random(SEED).
Shapes are channels-last without the batch axis; `args` are the cnncalc spec arguments;
params are layer.count_params(). Configs Keras refuses record `error` (its first line).
"""

import json
import os
import random

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402

SEED = 20261123
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "keras_kinds.json")
L = keras.layers


def make_layer(kind, a):
    if kind == "conv1d":
        return L.Conv1D(a["filters"], a["kernel"], strides=a.get("stride", 1), padding=a["padding"],
                        dilation_rate=a.get("dilation", 1))
    if kind.startswith("separable_conv"):
        cls = L.SeparableConv1D if kind.endswith("1d") else L.SeparableConv2D
        return cls(a["filters"], a["kernel"], strides=a.get("stride", 1), padding=a.get("padding", "valid"),
                   dilation_rate=a.get("dilation", 1), depth_multiplier=a.get("depth_multiplier", 1),
                   use_bias=a.get("bias", True))
    if kind == "reshape":
        return L.Reshape(tuple(a["target"]))
    if kind.startswith("cropping"):
        cls = {"1": L.Cropping1D, "2": L.Cropping2D, "3": L.Cropping3D}[kind[-2]]
        c = a["cropping"]
        if kind == "cropping1d" and isinstance(c, list):  # Cropping1D takes the pair itself
            c = c[0] if isinstance(c[0], list) else c
        return cls(tuple(tuple(p) if isinstance(p, list) else p for p in c) if isinstance(c, list) else c)
    if kind == "layernorm":
        return L.LayerNormalization(center=a.get("affine", True), scale=a.get("affine", True))
    if kind == "groupnorm":
        return L.GroupNormalization(groups=a.get("groups", 32), center=a.get("affine", True),
                                    scale=a.get("affine", True))
    raise ValueError(kind)


def case(kind, inp, args):
    out = {"kind": kind, "input": list(inp), "args": args}
    try:
        layer = make_layer(kind, args)
        shape = layer.compute_output_shape((None, *inp))
        x = keras.ops.zeros((1, *inp))
        y = layer(x)  # build and run: the real output shape
        assert tuple(y.shape[1:]) == tuple(shape[1:]), (y.shape, shape)
        if min(y.shape[1:]) < 1:
            raise ValueError(f"empty output {tuple(y.shape)}")
        out["output_shape"] = list(y.shape[1:])
        out["params"] = int(layer.count_params())
    except Exception as e:  # noqa: BLE001 - the framework's refusal is the datum
        out["error"] = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
    return out


def cases():
    fixed = [
        ("conv1d", (10, 2), {"filters": 4, "kernel": 3, "padding": "causal"}),
        ("conv1d", (10, 2), {"filters": 4, "kernel": 3, "padding": "causal", "dilation": 2}),
        ("conv1d", (10, 2), {"filters": 4, "kernel": 3, "padding": "causal", "stride": 2}),
        ("conv1d", (10, 2), {"filters": 4, "kernel": 3, "padding": "causal", "stride": 3}),
        ("conv1d", (1, 3), {"filters": 2, "kernel": 5, "padding": "causal", "dilation": 4}),
        ("separable_conv2d", (32, 32, 3), {"filters": 64, "kernel": 3}),
        ("separable_conv2d", (32, 32, 3), {"filters": 64, "kernel": 3, "padding": "same", "depth_multiplier": 2}),
        ("separable_conv2d", (15, 17, 8), {"filters": 16, "kernel": 5, "stride": 2, "padding": "same",
                                           "bias": False}),
        ("separable_conv2d", (4, 4, 3), {"filters": 4, "kernel": 5}),
        ("separable_conv1d", (50, 16), {"filters": 32, "kernel": 7, "dilation": 2, "padding": "same"}),
        ("reshape", (12544,), {"target": [7, 7, 256]}),
        ("reshape", (7, 7, 256), {"target": [-1, 256]}),
        ("reshape", (6, 4), {"target": [2, -1, 3]}),
        ("reshape", (6, 4), {"target": [5, 5]}),
        ("reshape", (6, 4), {"target": [5, -1]}),
        ("cropping2d", (28, 28, 3), {"cropping": 2}),
        ("cropping2d", (28, 28, 3), {"cropping": [[1, 2], [3, 4]]}),
        ("cropping2d", (28, 28, 3), {"cropping": [4, 0]}),
        ("cropping2d", (5, 5, 1), {"cropping": [[2, 3], 0]}),
        ("cropping1d", (10, 4), {"cropping": [[3, 1]]}),
        ("cropping1d", (10, 4), {"cropping": 2}),
        ("cropping3d", (8, 9, 10, 2), {"cropping": [1, [2, 0], [0, 3]]}),
        ("layernorm", (8, 8, 6), {}),
        ("layernorm", (100,), {}),
        ("layernorm", (16, 3), {"affine": False}),
        ("groupnorm", (8, 8, 64), {}),
        ("groupnorm", (8, 8, 12), {"groups": 4}),
        ("groupnorm", (10, 12), {"groups": 3, "affine": False}),
        ("groupnorm", (4, 4, 4, 6), {"groups": 2}),
        ("groupnorm", (8, 8, 12), {"groups": 5}),
        ("groupnorm", (8, 8, 16), {}),
    ]
    rng = random.Random(SEED)
    for _ in range(30):
        n, c = rng.randint(1, 20), rng.randint(1, 6)
        f, s, d = rng.randint(1, 5), rng.choice([1, 1, 2, 3]), rng.choice([1, 1, 2])
        if s > 1 and d > 1:
            d = 1  # Keras refuses both; cnncalc follows torch's arithmetic there
        fixed.append(("conv1d", (n, c), {"filters": 3, "kernel": f, "stride": s, "dilation": d,
                                         "padding": "causal"}))
    for _ in range(30):
        h, w, c = rng.randint(3, 20), rng.randint(3, 20), rng.randint(1, 8)
        f, s, m = rng.randint(1, 4), rng.choice([1, 2]), rng.choice([1, 2, 3])
        pad = rng.choice(["valid", "same"])
        fixed.append(("separable_conv2d", (h, w, c), {"filters": rng.randint(1, 16), "kernel": f, "stride": s,
                                                       "padding": pad, "depth_multiplier": m}))
    return [case(*c) for c in fixed]


if __name__ == "__main__":
    data = {"source": f"Keras {keras.__version__} (torch backend), tests/golden/make_keras_kinds.py",
            "seed": SEED, "cases": cases()}
    with open(OUT, "w") as fh:
        json.dump(data, fh, indent=1)
    print(len(data["cases"]), "cases,", sum("error" in c for c in data["cases"]), "refused ->", OUT)
