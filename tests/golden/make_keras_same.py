"""Generate golden 'same'/'valid' padding cases from real Keras 3.

Not part of the test suite: run by hand with Keras 3 on the torch backend
(no tensorflow / jax needed), e.g.

    KERAS_BACKEND=torch /work/venv-torch/bin/python tests/golden/make_keras_same.py

It writes tests/golden/keras_same.json next to this file.  Deterministic:
configs come from pure-python ``random.Random(SEED)``.

Shapes are channels-last without the batch axis.  Case format matches
torch_layers.json; ``padding`` is the string "same" or "valid".  Params are
``layer.count_params()`` (for BatchNormalization that is 4*C: gamma, beta,
moving mean and moving variance).  Refused configs record ``error``.
"""

import json
import os
import random
import re
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402

SEED = 20240614
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "keras_same.json")

NDIM = {"conv1d": 1, "conv2d": 2, "maxpool2d": 2, "avgpool2d": 2,
        "depthwise_conv2d": 2}


def tup(v, nd):
    return (v,) * nd if isinstance(v, int) else tuple(v)


def make_layer(kind, a):
    nd = NDIM.get(kind)
    L = keras.layers
    if kind in ("conv1d", "conv2d"):
        cls = L.Conv1D if kind == "conv1d" else L.Conv2D
        return cls(a["filters"], tup(a["kernel"], nd), strides=tup(a["stride"], nd),
                   padding=a["padding"], dilation_rate=tup(a["dilation"], nd),
                   groups=a["groups"], use_bias=a["bias"])
    if kind == "depthwise_conv2d":
        return L.DepthwiseConv2D(tup(a["kernel"], 2), strides=tup(a["stride"], 2),
                                 padding=a["padding"],
                                 depth_multiplier=a["depth_multiplier"],
                                 dilation_rate=tup(a["dilation"], 2),
                                 use_bias=a["bias"])
    if kind == "maxpool2d":
        return L.MaxPooling2D(tup(a["kernel"], 2), strides=tup(a["stride"], 2),
                              padding=a["padding"])
    if kind == "avgpool2d":
        return L.AveragePooling2D(tup(a["kernel"], 2), strides=tup(a["stride"], 2),
                                  padding=a["padding"])
    if kind == "batchnorm":
        return L.BatchNormalization()
    if kind == "dense":
        return L.Dense(a["units"])
    raise ValueError(kind)


def first_line(e):
    """First line of the message; Keras wraps backend errors in an
    'Exception encountered when calling X.call().' header, so skip that."""
    lines = [ln.strip() for ln in re.sub(r"\x1b\[[0-9;]*m", "", str(e)).splitlines()]
    lines = [ln for ln in lines if ln]
    if len(lines) > 1 and lines[0].startswith("Exception encountered when calling"):
        lines = lines[1:]
    return lines[0] if lines else type(e).__name__


def record(kind, inp, args):
    case = {"kind": kind, "input": list(inp), "args": args}
    try:
        layer = make_layer(kind, args)
        y = layer(np.zeros((1,) + tuple(inp), dtype="float32"))
        case["output_shape"] = [int(v) for v in y.shape[1:]]
        case["params"] = int(layer.count_params())
    except Exception as e:
        case["error"] = first_line(e)
    return case


def spatial(rng, nd, lo, hi):
    if nd == 1 or rng.random() < 0.5:
        v = rng.randint(lo, hi)
        return v if rng.random() < 0.7 else [v] * nd
    return [rng.randint(lo, hi) for _ in range(nd)]


def gen(rng, kind):
    nd = NDIM[kind]
    if rng.random() < 0.3:
        sp = [rng.randint(1, 6) for _ in range(nd)]
    else:
        sp = [rng.randint(1, 40) for _ in range(nd)]
    c = rng.randint(1, 12)
    inp = sp + [c]
    padding = rng.choice(["same", "valid"])
    kernel = spatial(rng, nd, 1, 7)
    if kind in ("conv1d", "conv2d", "depthwise_conv2d") and rng.random() < 0.3:
        stride, dilation = 1, spatial(rng, nd, 2, 3)   # Keras: dilation needs stride 1
    else:
        stride, dilation = spatial(rng, nd, 1, 4), 1
    if kind in ("conv1d", "conv2d"):
        groups = 1
        if rng.random() < 0.15:
            divs = [g for g in range(2, c + 1) if c % g == 0]
            groups = rng.choice(divs) if divs else 1
        filters = groups * rng.randint(1, max(1, 16 // groups))
        return inp, {"filters": filters, "kernel": kernel, "stride": stride,
                     "padding": padding, "dilation": dilation, "groups": groups,
                     "bias": rng.random() < 0.75}
    if kind == "depthwise_conv2d":
        return inp, {"kernel": kernel, "depth_multiplier": rng.randint(1, 3),
                     "stride": stride, "padding": padding, "dilation": dilation,
                     "bias": rng.random() < 0.75}
    return inp, {"kernel": kernel, "stride": stride, "padding": padding}


COUNTS = {"conv1d": 18, "conv2d": 26, "maxpool2d": 20, "avgpool2d": 18,
          "depthwise_conv2d": 18}


def curated():
    C = []
    conv = lambda **kw: dict({"filters": 4, "kernel": 3, "stride": 1, "padding": "same",
                              "dilation": 1, "groups": 1, "bias": True}, **kw)
    pool = lambda **kw: dict({"kernel": 2, "stride": 2, "padding": "same"}, **kw)
    # 'same' gives ceil(n / stride) even when the kernel exceeds the input
    C.append(("conv2d", [3, 3, 2], conv(kernel=7)))
    C.append(("conv2d", [3, 3, 2], conv(kernel=7, padding="valid")))
    C.append(("conv2d", [7, 8, 3], conv(kernel=[2, 4], stride=[2, 3])))
    C.append(("conv1d", [1, 3], conv(kernel=5, stride=3)))
    C.append(("conv1d", [10, 3], conv(kernel=4, dilation=3)))
    C.append(("maxpool2d", [1, 1, 3], pool(kernel=3, stride=2)))
    C.append(("maxpool2d", [1, 1, 3], pool(kernel=3, stride=2, padding="valid")))
    C.append(("avgpool2d", [5, 5, 3], pool(kernel=2, stride=2)))
    C.append(("avgpool2d", [5, 5, 3], pool(kernel=2, stride=2, padding="valid")))
    C.append(("depthwise_conv2d", [5, 5, 3],
              {"kernel": 3, "depth_multiplier": 2, "stride": 2, "padding": "same",
               "dilation": 1, "bias": True}))
    for c in (1, 3, 16, 64):
        C.append(("batchnorm", [8, 8, c], {}))
    C.append(("batchnorm", [10], {}))
    for n, u in ((1, 1), (10, 3), (128, 64), (7, 1)):
        C.append(("dense", [n], {"units": u}))
    return C


def main():
    rng = random.Random(SEED)
    keras.utils.set_random_seed(SEED)
    cases = [record(k, i, a) for k, i, a in curated()]
    for kind, n in COUNTS.items():
        for _ in range(n):
            inp, args = gen(rng, kind)
            cases.append(record(kind, inp, args))
    lines = [json.dumps(c, separators=(", ", ": ")) for c in cases]
    import torch
    src = (f"Keras {keras.__version__} (backend torch, PyTorch "
           f"{torch.__version__.split('+')[0]} CPU), generated by "
           f"tests/golden/make_keras_same.py (seed {SEED})")
    with open(OUT, "w") as f:
        f.write('{"source": ' + json.dumps(src) + ',\n "cases": [\n  ')
        f.write(",\n  ".join(lines))
        f.write("\n]}\n")
    nerr = sum("error" in c for c in cases)
    print(f"wrote {OUT}: {len(cases)} cases, {nerr} refused, "
          f"{os.path.getsize(OUT)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
