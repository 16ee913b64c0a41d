"""The single-layer sweep without any framework: cnncalc agrees with its own formulas.

The same hypothesis cases as tests/infer/test_sweep_against_torch.py (tests/infer/layer_sweep.py). Here each output
axis must equal formulas.conv_out / pool_out / transposed_out on that axis, the channels and
parameters must follow the documented formulas, and cnncalc refuses exactly when one of the
documented rules does (a formula raising, groups not dividing, pool padding over half the kernel,
output_padding not below stride or dilation). Regressions found against torch/keras follow.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings

from cnncalc import CnncalcError, ShapeError
from cnncalc import formulas as F
from tests.infer.layer_sweep import expand, layer_cases, run


def expected(kind: str, inp: list, args: dict):
    """(output shape, params) by the documented rules, or None where a rule refuses."""
    dims, c = len(inp) - 1, inp[-1]
    f, s = expand(args["kernel"], dims), expand(args["stride"], dims)
    d = expand(args.get("dilation", 1), dims)
    if args["padding"] == "same":
        pads = [F.same_padding(inp[i], f[i], s[i], d[i]) for i in range(dims)]
    else:
        pads = [tuple(p) if isinstance(p, list) else (p, p) for p in expand(args["padding"], dims)]
    try:
        if kind.startswith("conv_transpose"):
            op = expand(args["output_padding"], dims)
            g, n_out = args["groups"], args["filters"]
            if c % g or n_out % g:
                return None
            sizes = [F.transposed_out(inp[i], f[i], s[i], pads[i], d[i], op[i]) for i in range(dims)]
            return [*sizes, n_out], F.product(f) * c * (n_out // g) + (n_out if args["bias"] else 0)
        if kind.startswith(("conv", "depthwise")):
            if kind == "depthwise_conv2d":
                g, n_out = c, c * args["depth_multiplier"]
            else:
                g, n_out = args["groups"], args["filters"]
            if c % g or n_out % g:
                return None
            sizes = [F.conv_out(inp[i], f[i], s[i], pads[i], d[i]) for i in range(dims)]
            return [*sizes, n_out], F.conv_params(F.product(f), c, n_out, g, args["bias"])
        if any(2 * max(pads[i]) > f[i] for i in range(dims)):  # torch: pad at most half the raw kernel
            return None
        if kind == "avgpool3d" and any(inp[i] < f[i] for i in range(dims)):  # torch's avg_pool3d
            return None
        sizes = [F.pool_out(inp[i], f[i], s[i], pads[i], d[i], args["ceil_mode"]) for i in range(dims)]
        return [*sizes, c], 0
    except ShapeError:
        return None


@settings(max_examples=300, derandomize=True, deadline=None)
@given(layer_cases())
def test_single_layer_follows_formulas(case):
    kind, inp, args = case
    want = expected(kind, inp, args)
    try:
        r = run(kind, inp, args)
        got = (list(r.output_shape), r.params)
        assert r.trainable_params == r.params and r.non_trainable_params == 0
    except CnncalcError:
        got = None
    assert got == want, f"{kind} {inp} {args}"


# Regressions the live sweeps found (torch 2.13.0, keras 3.15.1 on the torch backend).
@pytest.mark.parametrize("kind, inp, args, shape, params", [
    # conv_transpose without output_padding used to crash (internal error, exit 3);
    # torch ConvTranspose2d(3, 4, 3, stride=2): (5-1)*2 + 3 = 11, 3*3*3*4 + 4 = 112
    ("conv_transpose2d", [5, 5, 3], {"filters": 4, "kernel": 3, "stride": 2},
     [(5 - 1)*2 + 3, (5 - 1)*2 + 3, 4], 3*3*3*4 + 4),
    # keras Conv2DTranspose(4, 3, strides=2, padding='same'): n*s
    ("conv_transpose2d", [5, 5, 3], {"filters": 4, "kernel": 3, "stride": 2, "padding": "same"},
     [5*2, 5*2, 4], 3*3*3*4 + 4),
    # keras 'valid': n*s + max(f - s, 0)
    ("conv_transpose1d", [5, 2], {"filters": 4, "kernel": 3, "stride": 2, "padding": "valid"},
     [5*2 + max(3 - 2, 0), 4], 3*2*4 + 4),
])
def test_transposed_regressions(kind, inp, args, shape, params):
    r = run(kind, inp, args)
    assert (list(r.output_shape), r.params) == (shape, params)


@pytest.mark.parametrize("kind, inp, args", [
    # keras: "`strides > 1` not supported in conjunction with `dilation_rate > 1`"
    ("conv_transpose2d", [6, 6, 2], {"filters": 3, "kernel": 3, "stride": 2, "dilation": 2, "padding": "same"}),
    ("conv_transpose1d", [6, 2], {"filters": 3, "kernel": 3, "stride": 2, "dilation": 2, "padding": "valid"}),
    ("conv2d", [9, 9, 2], {"filters": 3, "kernel": 3, "stride": 2, "dilation": 2, "padding": "same"}),
    # keras Conv1DTranspose(1, 2, padding='same', dilation_rate=3, output_padding=0) on length 1
    # gives length (1-1)*1 + 4 - 2*2 + 0 = 0: an empty output
    ("conv_transpose1d", [1, 1], {"filters": 1, "kernel": 2, "dilation": 3, "padding": "same", "output_padding": 0}),
])
def test_keras_refusals(kind, inp, args):
    with pytest.raises(ShapeError):
        run(kind, inp, args)


def test_avgpool3d_refuses_input_smaller_than_kernel_before_padding():
    # torch 2.13.0: nn.AvgPool3d(3, 1, 1) on (1, 4, 9, 7, 1) -> "input image (T: 9 H: 7 W: 1)
    # smaller than kernel size (kT: 3 kH: 3 kW: 3)", though 1 + 2*1 >= 3; max_pool3d accepts it
    with pytest.raises(ShapeError, match=r"on axis W of input \(9, 7, 1, 4\): the input 1 is smaller than the kernel 3"):
        run("avgpool3d", [9, 7, 1, 4], {"kernel": 3, "stride": 1, "padding": 1})
    assert run("maxpool3d", [9, 7, 1, 4], {"kernel": 3, "stride": 1, "padding": 1}).output_shape == (9, 7, 1, 4)
    assert run("avgpool3d", [9, 7, 3, 4], {"kernel": 3, "stride": 1, "padding": 1}).output_shape == (9, 7, 3, 4)


def test_valid_conv_with_stride_and_dilation_follows_torch():
    # Keras refuses it, torch computes it: nn.Conv2d(2, 3, 3, stride=2, dilation=2) on 9x9
    # -> (9 - 2*(3-1) - 1)//2 + 1 = 3
    r = run("conv2d", [9, 9, 2], {"filters": 3, "kernel": 3, "stride": 2, "dilation": 2, "padding": "valid"})
    assert r.output_shape == ((9 - 2*(3 - 1) - 1)//2 + 1, (9 - 2*(3 - 1) - 1)//2 + 1, 3)


def test_avgpool_accepts_dilation_of_ones():
    # `dilation: [1, 1]` is no dilation: it used to be refused as "average pooling has no dilation"
    assert run("avgpool2d", [8, 8, 3], {"kernel": 2, "dilation": [1, 1]}).output_shape == (8//2, 8//2, 3)
    with pytest.raises(ShapeError, match="average pooling has no dilation"):
        run("avgpool2d", [8, 8, 3], {"kernel": 2, "dilation": [1, 2]})
