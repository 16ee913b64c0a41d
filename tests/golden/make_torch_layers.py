"""Generate golden single-layer shape/param cases from real PyTorch.

Not part of the test suite: run by hand in a venv that has torch==2.13.0
(CPU), e.g.

    /work/venv-torch/bin/python tests/golden/make_torch_layers.py

It writes tests/golden/torch_layers.json next to this file.  The output is
deterministic: configs are drawn with pure-python ``random.Random(SEED)``.

Shapes are channels-last without the batch axis (input [L, C], [H, W, C],
[D, H, W, C]); torch is fed (1, C, *spatial) and the result is moved back.

Argument conventions (cnncalc spec names):
  * spatial args are an int (same on every axis) or a list, one per axis;
  * ``padding`` may also be a list of per-axis ``[before, after]`` pairs.
    torch has no asymmetric padding, so such cases are computed as
    F.pad(x, ...) followed by the layer with padding=0 (value -inf for max
    pooling, 0 otherwise).  Asymmetric pool cases always keep every side
    <= kernel//2 and use ceil_mode=False, so they mean the same thing under
    either reading ("explicit pad then pool" vs "pool with that padding").
  * refused configs record ``error`` (first line of torch's message)
    instead of ``output_shape``/``params``.
"""

import json
import math
import os
import random
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20240613
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "torch_layers.json")

NDIM = {
    "conv1d": 1, "conv2d": 2, "conv3d": 3,
    "conv_transpose1d": 1, "conv_transpose2d": 2,
    "maxpool1d": 1, "maxpool2d": 2,
    "avgpool1d": 1, "avgpool2d": 2,
    "depthwise_conv2d": 2,
}


# ----------------------------------------------------------------------------
# helpers


def norm(v, nd):
    """Spec spatial arg -> tuple of nd ints."""
    if isinstance(v, int):
        return (v,) * nd
    assert len(v) == nd, (v, nd)
    return tuple(v)


def norm_pad(v, nd):
    """Spec padding -> (symmetric tuple or None, pairs tuple or None)."""
    if isinstance(v, int):
        return (v,) * nd, None
    assert len(v) == nd
    if all(isinstance(p, int) for p in v):
        return tuple(v), None
    pairs = tuple(tuple(p) for p in v)
    return None, pairs


def explicit_pad(x, pairs, value=0.0):
    # F.pad wants the last axis first: (before_last, after_last, ...)
    flat = []
    for before, after in reversed(pairs):
        flat += [before, after]
    return F.pad(x, flat, value=value)


def first_line(e):
    s = str(e).strip()
    return s.splitlines()[0] if s else type(e).__name__


def build_and_run(kind, inp, args):
    """Return (torch module or None, output tensor)."""
    nd = NDIM[kind]
    spatial, c = inp[:-1], inp[-1]
    x = torch.zeros((1, c) + tuple(spatial))
    a = args

    if kind in ("conv1d", "conv2d", "conv3d", "depthwise_conv2d"):
        cls = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[nd]
        if kind == "depthwise_conv2d":
            out_ch, groups = c * a["depth_multiplier"], c
        else:
            out_ch, groups = a["filters"], a["groups"]
        sym, pairs = norm_pad(a["padding"], nd)
        m = cls(c, out_ch, norm(a["kernel"], nd), stride=norm(a["stride"], nd),
                padding=sym if sym is not None else 0,
                dilation=norm(a["dilation"], nd), groups=groups, bias=a["bias"])
        if pairs is not None:
            x = explicit_pad(x, pairs)
        return m, m(x)

    if kind.startswith("conv_transpose"):
        cls = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d}[nd]
        m = cls(c, a["filters"], norm(a["kernel"], nd), stride=norm(a["stride"], nd),
                padding=norm(a["padding"], nd),
                output_padding=norm(a["output_padding"], nd),
                dilation=norm(a["dilation"], nd), groups=a["groups"], bias=a["bias"])
        return m, m(x)

    if kind.startswith("maxpool") or kind.startswith("avgpool"):
        is_max = kind.startswith("max")
        sym, pairs = norm_pad(a["padding"], nd)
        if pairs is not None:
            x = explicit_pad(x, pairs, value=float("-inf") if is_max else 0.0)
            sym = (0,) * nd
        kw = dict(kernel_size=norm(a["kernel"], nd), stride=norm(a["stride"], nd),
                  padding=sym, ceil_mode=a["ceil_mode"])
        if is_max:
            cls = {1: nn.MaxPool1d, 2: nn.MaxPool2d}[nd]
            kw["dilation"] = norm(a["dilation"], nd)
        else:
            cls = {1: nn.AvgPool1d, 2: nn.AvgPool2d}[nd]
        m = cls(**kw)
        return m, m(x)

    raise ValueError(kind)


def record(kind, inp, args):
    case = {"kind": kind, "input": list(inp), "args": args}
    try:
        with torch.no_grad():
            m, y = build_and_run(kind, inp, args)
        shape = list(y.shape[2:]) + [y.shape[1]]
        case["output_shape"] = shape
        case["params"] = int(sum(p.numel() for p in m.parameters()))
    except Exception as e:  # torch refused the config
        case["error"] = first_line(e)
    return case


# ----------------------------------------------------------------------------
# random config generators


def spatial_arg(rng, nd, lo, hi, allow_nonsquare=True):
    """int, or list (possibly non-square) of nd values in [lo, hi]."""
    if nd == 1:
        v = rng.randint(lo, hi)
        return v if rng.random() < 0.6 else [v]
    if not allow_nonsquare or rng.random() < 0.45:
        v = rng.randint(lo, hi)
        return v if rng.random() < 0.7 else [v] * nd
    return [rng.randint(lo, hi) for _ in range(nd)]


def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def rand_input(rng, nd, cmax=12):
    hi = {1: 40, 2: 40, 3: 14}[nd]
    if rng.random() < 0.35:
        spatial = [rng.randint(1, 8) for _ in range(nd)]   # small: edge cases
    elif rng.random() < 0.5 or nd == 1:
        n = rng.randint(1, hi)
        spatial = [n] * nd
    else:
        spatial = [rng.randint(1, hi) for _ in range(nd)]
    return spatial + [rng.randint(1, cmax)]


def conv_padding(rng, nd, kernel):
    k = norm(kernel, nd)
    r = rng.random()
    if r < 0.3:
        return 0
    if r < 0.55:
        return rng.randint(0, max(k) + 1)
    if r < 0.78:
        return [rng.randint(0, ki + 1) for ki in k]
    # asymmetric per-axis [before, after]
    return [[rng.randint(0, ki), rng.randint(0, ki)] for ki in k]


def gen_conv(rng, kind):
    nd = NDIM[kind]
    inp = rand_input(rng, nd)
    c = inp[-1]
    kmax = {1: 9, 2: 7, 3: 4}[nd]
    kernel = spatial_arg(rng, nd, 1, kmax)
    stride = spatial_arg(rng, nd, 1, 4) if rng.random() < 0.6 else 1
    dilation = spatial_arg(rng, nd, 1, 3) if rng.random() < 0.3 else 1
    if rng.random() < 0.08:
        groups = rng.randint(2, 5)              # may not divide -> refused
        filters = rng.randint(1, 16)
    else:
        groups = rng.choice(divisors(c)) if rng.random() < 0.4 else 1
        filters = groups * rng.randint(1, max(1, 16 // groups))
    args = {"filters": filters, "kernel": kernel, "stride": stride,
            "padding": conv_padding(rng, nd, kernel), "dilation": dilation,
            "groups": groups, "bias": rng.random() < 0.75}
    return inp, args


def gen_depthwise(rng, kind):
    inp = rand_input(rng, 2)
    kernel = spatial_arg(rng, 2, 1, 7)
    stride = spatial_arg(rng, 2, 1, 3) if rng.random() < 0.6 else 1
    dilation = spatial_arg(rng, 2, 1, 3) if rng.random() < 0.25 else 1
    args = {"kernel": kernel, "depth_multiplier": rng.randint(1, 4), "stride": stride,
            "padding": conv_padding(rng, 2, kernel), "dilation": dilation,
            "bias": rng.random() < 0.75}
    return inp, args


def gen_conv_t(rng, kind):
    nd = NDIM[kind]
    inp = rand_input(rng, nd)
    inp = [min(s, 20) for s in inp[:-1]] + [inp[-1]]
    c = inp[-1]
    kernel = spatial_arg(rng, nd, 1, 6)
    stride = spatial_arg(rng, nd, 1, 4) if rng.random() < 0.75 else 1
    dilation = spatial_arg(rng, nd, 1, 3) if rng.random() < 0.3 else 1
    k, s, d = norm(kernel, nd), norm(stride, nd), norm(dilation, nd)
    if rng.random() < 0.25:
        padding = [rng.randint(0, ki + 1) for ki in k] if nd > 1 else rng.randint(0, k[0] + 1)
    else:
        padding = rng.randint(0, max(k))
    r = rng.random()
    if r < 0.4:
        output_padding = 0
    elif r < 0.85:   # legal: < stride or < dilation on every axis
        output_padding = [rng.randint(0, max(si, di) - 1) for si, di in zip(s, d)]
        if nd == 1 and rng.random() < 0.5:
            output_padding = output_padding[0]
    else:            # probably illegal
        output_padding = [max(si, di) + rng.randint(0, 1) for si, di in zip(s, d)]
    if rng.random() < 0.08:
        groups = rng.randint(2, 5)
        filters = rng.randint(1, 12)
    else:
        groups = rng.choice(divisors(c)) if rng.random() < 0.4 else 1
        filters = groups * rng.randint(1, max(1, 12 // groups))
    args = {"filters": filters, "kernel": kernel, "stride": stride, "padding": padding,
            "output_padding": output_padding, "dilation": dilation,
            "groups": groups, "bias": rng.random() < 0.75}
    return inp, args


def gen_pool(rng, kind):
    nd = NDIM[kind]
    is_max = kind.startswith("max")
    inp = rand_input(rng, nd)
    kernel = spatial_arg(rng, nd, 1, 6)
    k = norm(kernel, nd)
    r = rng.random()
    stride = kernel if r < 0.35 else spatial_arg(rng, nd, 1, 4)
    dilation = 1
    if is_max and rng.random() < 0.25:
        dilation = spatial_arg(rng, nd, 1, 3)
    ceil_mode = rng.random() < 0.5
    r = rng.random()
    if r < 0.3:
        padding = 0
    elif r < 0.8:                 # legal symmetric: <= k//2 per axis
        if rng.random() < 0.5:
            padding = rng.randint(0, min(k) // 2)
        else:
            padding = [rng.randint(0, ki // 2) for ki in k]
    elif r < 0.9:                 # too large -> refused
        padding = min(k) // 2 + 1
    else:                         # asymmetric, each side <= k//2, no ceil
        padding = [[rng.randint(0, ki // 2), rng.randint(0, ki // 2)] for ki in k]
        ceil_mode = False
    args = {"kernel": kernel, "stride": stride, "padding": padding}
    if is_max:
        args["dilation"] = dilation
    args["ceil_mode"] = ceil_mode
    return inp, args


GEN = {
    "conv1d": gen_conv, "conv2d": gen_conv, "conv3d": gen_conv,
    "conv_transpose1d": gen_conv_t, "conv_transpose2d": gen_conv_t,
    "maxpool1d": gen_pool, "maxpool2d": gen_pool,
    "avgpool1d": gen_pool, "avgpool2d": gen_pool,
    "depthwise_conv2d": gen_depthwise,
}

COUNTS = {
    "conv1d": 30, "conv2d": 55, "conv3d": 20,
    "conv_transpose1d": 22, "conv_transpose2d": 35,
    "maxpool1d": 25, "maxpool2d": 45,
    "avgpool1d": 25, "avgpool2d": 40,
    "depthwise_conv2d": 35,
}


# ----------------------------------------------------------------------------
# hand-picked edge cases (always included)


def curated():
    C = []
    add = lambda kind, inp, args: C.append((kind, inp, args))
    conv = lambda **kw: dict({"filters": 4, "kernel": 3, "stride": 1, "padding": 0,
                              "dilation": 1, "groups": 1, "bias": True}, **kw)
    convt = lambda **kw: dict({"filters": 4, "kernel": 3, "stride": 1, "padding": 0,
                               "output_padding": 0, "dilation": 1, "groups": 1,
                               "bias": True}, **kw)
    mp = lambda **kw: dict({"kernel": 2, "stride": 2, "padding": 0, "dilation": 1,
                            "ceil_mode": False}, **kw)
    ap = lambda **kw: dict({"kernel": 2, "stride": 2, "padding": 0,
                            "ceil_mode": False}, **kw)
    dw = lambda **kw: dict({"kernel": 3, "depth_multiplier": 1, "stride": 1,
                            "padding": 0, "dilation": 1, "bias": True}, **kw)

    # conv: kernel exactly fits / too large / too large only after dilation
    add("conv2d", [3, 3, 2], conv())
    add("conv2d", [4, 4, 3], conv(kernel=5))
    add("conv2d", [4, 6, 3], conv(kernel=[3, 7]))
    add("conv2d", [4, 4, 3], conv(dilation=2))
    add("conv2d", [4, 4, 3], conv(kernel=5, padding=1))   # 6 >= 5: ok
    add("conv2d", [4, 4, 3], conv(kernel=7, padding=[[1, 2], [2, 0]]))
    add("conv1d", [4, 3], conv(kernel=5))
    add("conv3d", [4, 4, 4, 3], conv(kernel=5))
    add("conv3d", [2, 5, 3, 1], conv(kernel=[1, 3, 3], padding=[0, 1, 1]))
    # groups
    add("conv2d", [8, 8, 3], conv(groups=2))               # in not divisible
    add("conv2d", [8, 8, 4], conv(filters=3, groups=2))    # out not divisible
    add("conv2d", [8, 8, 6], conv(filters=6, groups=6))
    add("conv1d", [8, 6], conv(filters=9, groups=3))
    add("conv_transpose2d", [4, 4, 4], convt(filters=3, groups=2))
    add("conv_transpose2d", [4, 4, 3], convt(filters=4, groups=2))
    add("conv_transpose2d", [4, 4, 4], convt(filters=6, groups=2))
    # stride larger than kernel, bias False
    add("conv2d", [10, 7, 3], conv(kernel=[1, 2], stride=[4, 3], bias=False))
    # conv transpose: output_padding rules
    add("conv_transpose2d", [4, 4, 3], convt(stride=2, output_padding=1))
    add("conv_transpose2d", [4, 4, 3], convt(stride=2, output_padding=2))   # == stride
    add("conv_transpose2d", [4, 4, 3], convt(stride=1, dilation=2, output_padding=1))  # < dilation ok
    add("conv_transpose2d", [4, 4, 3], convt(stride=2, dilation=2, output_padding=2))  # refused
    add("conv_transpose2d", [4, 4, 3], convt(stride=[2, 1], output_padding=[1, 0]))
    add("conv_transpose2d", [4, 4, 3], convt(stride=[2, 1], output_padding=[1, 1]))  # refused
    add("conv_transpose1d", [5, 2], convt(stride=3, output_padding=2))
    add("conv_transpose1d", [5, 2], convt(stride=3, output_padding=3))
    # conv transpose: output size < 1 and == 1
    add("conv_transpose2d", [4, 4, 3], convt(kernel=1, padding=3))
    add("conv_transpose1d", [4, 3], convt(kernel=1, padding=2))     # (4-1)-4+1 = 0
    add("conv_transpose1d", [1, 3], convt(kernel=3, padding=1))     # 1
    add("conv_transpose2d", [1, 1, 1], convt(kernel=1))
    # max pool: kernel too big, padding limits, dilation
    add("maxpool2d", [4, 4, 3], mp(kernel=5))
    add("maxpool1d", [4, 3], mp(kernel=5))
    add("maxpool2d", [4, 4, 3], mp(kernel=3, padding=2))
    add("maxpool1d", [4, 3], mp(kernel=3, padding=2))
    add("maxpool2d", [5, 5, 3], mp(kernel=[3, 1], padding=[1, 1]))
    add("maxpool2d", [10, 10, 3], mp(kernel=2, dilation=3, padding=1))
    add("maxpool2d", [10, 10, 3], mp(kernel=2, dilation=3, padding=2))
    add("maxpool2d", [4, 4, 3], mp(kernel=3, dilation=2))
    add("maxpool2d", [1, 1, 2], mp(kernel=4, padding=2))          # 1+4 >= 4: ok
    add("maxpool2d", [1, 1, 2], mp(kernel=1, stride=1))
    # avg pool: kernel too big, padding too large
    add("avgpool2d", [4, 4, 3], ap(kernel=5))
    add("avgpool1d", [4, 3], ap(kernel=5))
    add("avgpool2d", [4, 4, 3], ap(kernel=3, padding=2))
    add("avgpool1d", [4, 3], ap(kernel=3, padding=2))
    # ceil_mode: extra window kept / dropped because it starts in right padding
    for kind, mk in (("maxpool1d", mp), ("avgpool1d", ap)):
        add(kind, [5, 3], mk(kernel=2, stride=2, ceil_mode=True))              # 3 (kept)
        add(kind, [5, 3], mk(kernel=2, stride=2, padding=1, ceil_mode=True))   # 3 (dropped)
        add(kind, [5, 3], mk(kernel=2, stride=2, padding=1, ceil_mode=False))  # 3
        add(kind, [6, 3], mk(kernel=2, stride=2, padding=1, ceil_mode=True))   # 4 (kept)
        add(kind, [7, 3], mk(kernel=3, stride=3, padding=1, ceil_mode=True))   # 3 (dropped)
        add(kind, [8, 3], mk(kernel=3, stride=3, padding=1, ceil_mode=True))   # 4? kept
        add(kind, [1, 3], mk(kernel=2, stride=2, padding=1, ceil_mode=True))
        add(kind, [2, 3], mk(kernel=3, stride=4, padding=1, ceil_mode=True))
        add(kind, [10, 3], mk(kernel=4, stride=3, padding=2, ceil_mode=True))
        add(kind, [9, 3], mk(kernel=4, stride=3, padding=2, ceil_mode=True))
    for kind, mk in (("maxpool2d", mp), ("avgpool2d", ap)):
        add(kind, [5, 6, 3], mk(kernel=2, stride=2, padding=1, ceil_mode=True))
        add(kind, [7, 8, 3], mk(kernel=[3, 3], stride=[3, 3], padding=[1, 1], ceil_mode=True))
        add(kind, [5, 5, 3], mk(kernel=[2, 3], stride=[2, 3], ceil_mode=True))
        add(kind, [3, 3, 3], mk(kernel=3, stride=2, ceil_mode=True))
    add("maxpool2d", [7, 7, 3], mp(kernel=3, stride=2, padding=1, dilation=2, ceil_mode=True))
    add("maxpool2d", [6, 6, 3], mp(kernel=3, stride=2, padding=1, dilation=2, ceil_mode=True))
    # ceil_mode lets a kernel larger than the input (by less than a stride)
    # still give one window; without ceil_mode, or with stride 1, refused
    add("maxpool1d", [3, 3], mp(kernel=4, stride=2, ceil_mode=True))
    add("maxpool1d", [3, 3], mp(kernel=4, stride=2, ceil_mode=False))
    add("avgpool1d", [3, 3], ap(kernel=4, stride=2, ceil_mode=True))
    add("maxpool1d", [3, 3], mp(kernel=5, stride=1, ceil_mode=True))
    add("avgpool1d", [3, 3], ap(kernel=5, stride=1, ceil_mode=True))
    add("maxpool2d", [3, 3, 3], mp(kernel=4, stride=3, ceil_mode=True))
    add("avgpool2d", [2, 3, 3], ap(kernel=4, stride=3, ceil_mode=True))
    add("avgpool2d", [2, 3, 3], ap(kernel=4, stride=3, ceil_mode=False))
    # asymmetric pool padding (explicit pad then pool)
    add("maxpool2d", [5, 5, 3], mp(kernel=3, padding=[[0, 1], [1, 0]]))
    add("avgpool2d", [5, 5, 3], ap(kernel=3, padding=[[0, 1], [1, 1]]))
    add("maxpool1d", [5, 3], mp(kernel=2, padding=[[0, 1]]))
    # depthwise
    add("depthwise_conv2d", [8, 8, 3], dw())
    add("depthwise_conv2d", [8, 8, 3], dw(depth_multiplier=4, bias=False))
    add("depthwise_conv2d", [2, 2, 3], dw())
    add("depthwise_conv2d", [7, 9, 5], dw(kernel=[3, 5], stride=[2, 1], padding=[[1, 1], [2, 2]]))
    add("depthwise_conv2d", [6, 6, 2], dw(kernel=3, padding=[[0, 1], [0, 1]], stride=2))
    return C


def main():
    rng = random.Random(SEED)
    torch.manual_seed(SEED)
    cases = [record(k, i, a) for k, i, a in curated()]
    for kind, n in COUNTS.items():
        for _ in range(n):
            inp, args = GEN[kind](rng, kind)
            cases.append(record(kind, inp, args))

    lines = [json.dumps(c, separators=(", ", ": ")) for c in cases]
    src = (f"PyTorch {torch.__version__.split('+')[0]} CPU, generated by "
           f"tests/golden/make_torch_layers.py (seed {SEED})")
    with open(OUT, "w") as f:
        f.write('{"source": ' + json.dumps(src) + ',\n "cases": [\n  ')
        f.write(",\n  ".join(lines))
        f.write("\n]}\n")
    nerr = sum("error" in c for c in cases)
    print(f"wrote {OUT}: {len(cases)} cases, {nerr} refused, "
          f"{os.path.getsize(OUT)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
