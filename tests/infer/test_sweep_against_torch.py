"""The single-layer sweep against PyTorch itself (skipped where torch is not importable).

Hypothesis draws one conv / depthwise / transposed / pool layer with random n, f, s, p, d,
groups, ceil_mode and output_padding (tests/infer/layer_sweep.py); torch builds the same layer on a
(1, C, *spatial) zero tensor. cnncalc must refuse exactly when torch refuses, and otherwise
give torch's output shape (moved to channels last) and torch's parameter count.
Run it with the torch venv: /work/venv-torch/bin/python -m pytest tests/infer/test_sweep_against_torch.py
"""
from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, given, settings

from cnncalc import CnncalcError
from tests.infer.layer_sweep import expand, layer_cases, run

torch = pytest.importorskip("torch")
nn = torch.nn


def torch_result(kind: str, inp: list, args: dict):
    """(output shape channels-last, params) from torch, or None when torch refuses the layer."""
    dims = len(inp) - 1
    c = inp[-1]
    x = torch.zeros((1, c, *inp[:-1]))
    a = {k: expand(v, dims) if k in ("kernel", "stride", "padding", "dilation", "output_padding")
         and v != "same" else v for k, v in args.items()}
    if isinstance(a.get("padding"), tuple) and isinstance(a["padding"][0], list):
        flat = [side for before, after in reversed(a["padding"]) for side in (before, after)]
        x = torch.nn.functional.pad(x, flat)  # F.pad lists the last axis first
        a["padding"] = 0
    try:
        if kind.startswith("conv_transpose"):
            m = getattr(nn, f"ConvTranspose{dims}d")(
                c, a["filters"], a["kernel"], stride=a["stride"], padding=a["padding"],
                output_padding=a["output_padding"], dilation=a["dilation"], groups=a["groups"],
                bias=a["bias"])
        elif kind.startswith("conv") or kind == "depthwise_conv2d":
            depthwise = kind == "depthwise_conv2d"
            m = getattr(nn, f"Conv{dims}d")(
                c, c * a["depth_multiplier"] if depthwise else a["filters"], a["kernel"],
                stride=a["stride"], padding=a["padding"], dilation=a["dilation"],
                groups=c if depthwise else a["groups"], bias=a["bias"])
        elif kind.startswith("maxpool"):
            m = getattr(nn, f"MaxPool{dims}d")(a["kernel"], a["stride"], a["padding"], a["dilation"],
                                               ceil_mode=a["ceil_mode"])
        else:
            m = getattr(nn, f"AvgPool{dims}d")(a["kernel"], a["stride"], a["padding"],
                                               ceil_mode=a["ceil_mode"])
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = m(x)
    except (RuntimeError, ValueError):
        return None
    if y.numel() == 0 or min(y.shape) < 1:
        return None
    return [*y.shape[2:], y.shape[1]], sum(p.numel() for p in m.parameters())


@settings(max_examples=400, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(layer_cases())
def test_single_layer_matches_torch(case):
    kind, inp, args = case
    expected = torch_result(kind, inp, args)
    try:
        r = run(kind, inp, args)
        got = (list(r.output_shape), r.params)
    except CnncalcError as e:
        got = None
        message = str(e)
    if expected is None:
        assert got is None, f"torch refuses {kind} {inp} {args} but cnncalc gives {got}"
    else:
        assert got == expected, f"{kind} {inp} {args}: torch {expected}, cnncalc {got or message}"
