"""Hypothesis strategy for the single-layer sweep: one conv / depthwise / transposed / pool layer
with random n, f, s, p, d, groups, ceil_mode, output_padding, written as a cnncalc spec.

Shared by tests/infer/test_sweep_against_formulas.py (no framework: internal consistency with cnncalc.formulas) and
tests/infer/test_sweep_against_torch.py (against torch itself, where torch is importable).
"""
from __future__ import annotations

import yaml
from hypothesis import strategies as st

from cnncalc import infer, parse_spec

DIMS = {"conv1d": 1, "conv2d": 2, "conv3d": 3, "depthwise_conv2d": 2,
        "conv_transpose1d": 1, "conv_transpose2d": 2,
        "conv_transpose3d": 3, "maxpool1d": 1, "maxpool2d": 2, "maxpool3d": 3, "avgpool1d": 1,
        "avgpool2d": 2, "avgpool3d": 3}
# 3-D kinds are drawn less often: each torch call is slower and the rule is the same per axis
KIND_WEIGHTS = [k for k in DIMS for _ in range(1 if DIMS[k] == 3 else 3)]


def _per_axis(draw, dims: int, lo: int, hi: int):
    """An int, or (sometimes) one int per axis."""
    if dims > 1 and draw(st.booleans()):
        return [draw(st.integers(lo, hi)) for _ in range(dims)]
    return draw(st.integers(lo, hi))


@st.composite
def layer_cases(draw):
    """(kind, input shape channels-last, args) for one layer; sizes small, often refused."""
    kind = draw(st.sampled_from(KIND_WEIGHTS))
    dims = DIMS[kind]
    nmax = 9 if dims == 3 else 24
    c = draw(st.integers(1, 8))
    inp = [draw(st.integers(1, nmax)) for _ in range(dims)] + [c]
    args: dict = {"kernel": _per_axis(draw, dims, 1, 7), "stride": _per_axis(draw, dims, 1, 4)}
    if kind.startswith(("conv", "depthwise")) or kind.startswith("maxpool"):
        args["dilation"] = _per_axis(draw, dims, 1, 3)
    if kind.startswith("conv"):
        g = draw(st.sampled_from([1, 1, 1, 2, 3, 4]))
        args["filters"] = draw(st.integers(1, 8))
        args["groups"] = g
        args["bias"] = draw(st.booleans())
    if kind == "depthwise_conv2d":
        args["depth_multiplier"] = draw(st.integers(1, 3))
        args["bias"] = draw(st.booleans())
    if kind.startswith("conv_transpose"):
        args["padding"] = _per_axis(draw, dims, 0, 4)
        args["output_padding"] = _per_axis(draw, dims, 0, 3)
    elif kind.startswith(("maxpool", "avgpool")):
        args["padding"] = _per_axis(draw, dims, 0, 4)
        args["ceil_mode"] = draw(st.booleans())
    else:
        how = draw(st.sampled_from(["int", "int", "int", "pairs", "same"]))
        if how == "pairs":  # asymmetric [before, after] per axis (torch: F.pad, then padding 0)
            args["padding"] = [[draw(st.integers(0, 4)), draw(st.integers(0, 4))] for _ in range(dims)]
        elif how == "same":  # torch accepts padding='same' only with stride 1
            args["padding"], args["stride"] = "same", 1
        else:
            args["padding"] = _per_axis(draw, dims, 0, 5)
    return kind, inp, args


def spec_text(kind: str, inp: list, args: dict) -> str:
    return yaml.safe_dump({"input": inp, "layers": [{kind: args}]}, default_flow_style=None, sort_keys=False)


def run(kind: str, inp: list, args: dict):
    """cnncalc's LayerResult for the case (raises CnncalcError when it refuses)."""
    return infer(parse_spec(spec_text(kind, inp, args), "sweep.yaml")).layers[0]


def expand(value, dims: int) -> tuple:
    return (value,) * dims if isinstance(value, int) else tuple(value)
