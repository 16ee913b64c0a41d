"""The 'same'/'valid' sweep against Keras 3 itself, on the torch backend (skipped without keras).

Hypothesis draws Conv1D/Conv2D, DepthwiseConv2D, Conv1DTranspose/Conv2DTranspose (with and
without output_padding) and 2-D pooling with padding 'same' or 'valid'; Keras runs the layer on
a zero batch. cnncalc must refuse exactly when Keras refuses, and otherwise give Keras's output
shape and `count_params()`.
Run it with the torch venv: KERAS_BACKEND=torch /work/venv-torch/bin/python -m pytest tests/infer/test_sweep_against_keras.py
"""
from __future__ import annotations

import os
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc import CnncalcError
from tests.infer.layer_sweep import expand, run

os.environ.setdefault("KERAS_BACKEND", "torch")
pytest.importorskip("torch")
keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")

KINDS = {"conv1d": 1, "conv2d": 2, "conv3d": 3, "depthwise_conv2d": 2, "conv_transpose1d": 1,
         "conv_transpose2d": 2, "conv_transpose3d": 3, "maxpool1d": 1, "maxpool2d": 2, "maxpool3d": 3,
         "avgpool1d": 1, "avgpool2d": 2, "avgpool3d": 3}


@st.composite
def keras_cases(draw):
    kind = draw(st.sampled_from(sorted(KINDS)))
    dims = KINDS[kind]
    inp = [draw(st.integers(1, 7 if dims == 3 else 16)) for _ in range(dims)] + [draw(st.integers(1, 6))]
    args = {"kernel": draw(st.integers(1, 6)), "stride": draw(st.integers(1, 4)),
            "padding": draw(st.sampled_from(["same", "valid"]))}
    if "pool" not in kind:
        args["dilation"] = draw(st.sampled_from([1, 1, 2, 3]))
        args["bias"] = draw(st.booleans())
    if kind.startswith("conv"):
        args["filters"] = draw(st.integers(1, 6))
    if kind == "depthwise_conv2d":
        args["depth_multiplier"] = draw(st.integers(1, 3))
    if kind.startswith("conv_transpose") and draw(st.booleans()):
        args["output_padding"] = draw(st.integers(0, 3))
    return kind, inp, args


def keras_layer(kind: str, a: dict):
    dims = KINDS[kind]
    t = {k: expand(v, dims) for k, v in a.items() if k in ("kernel", "stride", "dilation")}
    L = keras.layers
    if kind in ("conv1d", "conv2d", "conv3d"):
        return getattr(L, f"Conv{dims}D")(a["filters"], t["kernel"], strides=t["stride"], padding=a["padding"],
                                          dilation_rate=t["dilation"], use_bias=a["bias"])
    if kind.startswith("conv_transpose"):
        op = a.get("output_padding")
        return getattr(L, f"Conv{dims}DTranspose")(
            a["filters"], t["kernel"], strides=t["stride"], padding=a["padding"],
            output_padding=None if op is None else expand(op, dims), dilation_rate=t["dilation"],
            use_bias=a["bias"])
    if kind == "depthwise_conv2d":
        return L.DepthwiseConv2D(t["kernel"], strides=t["stride"], padding=a["padding"],
                                 depth_multiplier=a["depth_multiplier"], dilation_rate=t["dilation"],
                                 use_bias=a["bias"])
    cls = getattr(L, f"{'Max' if kind.startswith('max') else 'Average'}Pooling{dims}D")
    return cls(t["kernel"], strides=t["stride"], padding=a["padding"])


def keras_result(kind: str, inp: list, args: dict):
    """(output shape, count_params) from Keras running the layer, or None when Keras refuses."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer = keras_layer(kind, args)
            y = layer(np.zeros((1, *inp), dtype="float32"))
        shape = list(y.shape[1:])
    except Exception:  # Keras wraps backend errors in its own types; any refusal counts
        return None
    if min(shape) < 1:
        return None
    return shape, layer.count_params()


@settings(max_examples=150, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(keras_cases())
def test_single_layer_matches_keras(case):
    kind, inp, args = case
    if kind in ("conv1d", "conv2d", "conv3d") and args["padding"] == "valid" and args["stride"] > 1 < args["dilation"]:
        # Keras refuses stride > 1 with dilation > 1 at construction; 'valid' is padding 0,
        # where PyTorch (the truth there) computes it: covered by tests/infer/test_sweep_against_torch.py
        return
    if kind == "avgpool3d" and args["padding"] == "same" and min(inp[:-1]) < args["kernel"]:
        # Keras on the torch backend hands this to torch's avg_pool3d, which refuses an input
        # smaller than the kernel before padding; TensorFlow's 'same' gives ceil(n/s), as cnncalc
        return
    expected = keras_result(kind, inp, args)
    try:
        r = run(kind, inp, args)
        got, message = (list(r.output_shape), r.params), ""
    except CnncalcError as e:
        got, message = None, str(e)
    if expected is None:
        assert got is None, f"keras refuses {kind} {inp} {args} but cnncalc gives {got}"
    else:
        assert got == expected, f"{kind} {inp} {args}: keras {expected}, cnncalc {got or message}"
