"""The NumPy executor: the course's worked numbers, naive-loop references, and the whole zoo.

Worked examples are the recomputed ones in notes/seeds_examples.md (D1, D4, D5), citing the
course notes' file and lines. torch comparisons live in executor/test_against_torch.py.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from cnncalc import infer, load_spec, parse_spec
from cnncalc.executor import conv_nd, pool_nd, run_layer, verify
from cnncalc.kinds import KINDS, Axis
from tests.conftest import ZOO, zoo


def _yaml(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_yaml(i) for i in v) + "]"
    return str(v)


def build(kind: str, inp, **args):
    """(layer, LayerResult) for one layer of `kind` on input shape `inp`, through the spec reader."""
    body = ", ".join(f"{k}: {_yaml(v)}" for k, v in args.items())
    text = f"input: {_yaml(list(inp))}\nlayers:\n  - {kind}" + (f": {{{body}}}\n" if body else "\n")
    result = infer(parse_spec(text)).layers[0]
    return result.layer, result


def grid(text: str) -> np.ndarray:
    return np.array([[float(v) for v in row.split()] for row in text.strip().splitlines()])


def xcorr(image: np.ndarray, kernel: np.ndarray, s: int = 1) -> np.ndarray:
    """The executor's conv on one 2-D single-channel image, as the course writes it."""
    axes = tuple(Axis(n, f, s, (0, 0)) for n, f in zip(image.shape, kernel.shape))
    out = tuple((n - f) // s + 1 for n, f in zip(image.shape, kernel.shape))
    return conv_nd(image[None, :, :, None], kernel[None, None], axes, out)[0, :, :, 0]


def pool(image: np.ndarray, f: int, s: int, op: str = "max") -> np.ndarray:
    axes = tuple(Axis(n, f, s, (0, 0)) for n in image.shape)
    out = tuple((n - f) // s + 1 for n in image.shape)
    return pool_nd(image[None, :, :, None], axes, out, op)[0, :, :, 0]


# 003:L206-212: the 5x5 image with its zero border (7x7) and the "lonely 1" filter (L216-218)
LONELY_IMAGE = grid("""
0 0 0 0 0 0 0
0 1 0 1 0 0 0
0 1 0 1 0 1 0
0 1 1 1 0 0 0
0 1 0 1 0 1 0
0 1 0 1 0 1 0
0 0 0 0 0 0 0
""")
LONELY_FILTER = grid("-1 -1 -1\n-1 1 -1\n-1 -1 -1")
# 003:L196-200 "After convolution" (recomputed identical, seeds_examples.md D4)
LONELY_OUT = grid("""
 0 -4  0 -3 -1
-2 -7 -2 -4  1
-2 -5 -2 -5 -2
-2 -7 -2 -5  0
 0 -4  0 -4  0
""")
# 003:L299-304: the 6x6 "conv & ReLU" map with lonely 1s at (1,4) and (3,1)
POOL_MAP = np.zeros((6, 6))
POOL_MAP[1, 4] = POOL_MAP[3, 1] = 1
# 002:L99-104: the 6x6 homework image (seeds_examples.md D2)
HOMEWORK = grid("""
3 0 1 2 7 4
1 5 8 9 3 1
2 7 2 5 1 3
0 1 3 1 7 8
4 2 1 6 2 8
2 4 5 2 3 9
""")


def test_lonely_one_conv_and_relu():
    out = xcorr(LONELY_IMAGE, LONELY_FILTER)
    assert out.shape == ((7 - 3) // 1 + 1,) * 2
    np.testing.assert_array_equal(out, LONELY_OUT)
    relu = np.maximum(out, 0)  # 003:L224-228: only the isolated 1 survives, at (1, 4)
    assert relu.sum() == 1 and relu[1, 4] == 1


def test_max_pool_4x4():
    # 000:L190-199: 2x2 max-pool, stride 2 -> [[20, 30], [108, 22]]
    image = grid("12 8 0 30\n20 12 0 8\n23 40 0 21\n108 32 22 12")
    np.testing.assert_array_equal(pool(image, 2, 2), [[20, 30], [108, 22]])


@pytest.mark.parametrize("s, expected", [
    (1, [[0, 0, 1, 1], [1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 0, 0]]),  # 003:L330-338, (6-3)//1+1 = 4
    (3, [[0, 1], [1, 0]]),                                          # 003:L374-381, (6-3)//3+1 = 2
])
def test_max_pool_6x6_size3(s, expected):
    np.testing.assert_array_equal(pool(POOL_MAP, 3, s), expected)


def test_grayscale_vertical_filter_corrects_the_notes():
    # 004:L42-51 with the OCR "70" read as 10 (seeds_examples.md D3): the notes claim 14 at
    # (0,3) and 2 at (3,2); the right values are (10+8+9) - (4+2+3) = 18 and (3+9+12) - (7+7+9) = 1
    image = grid("1 6 9 10 2 4\n2 5 1 8 4 2\n3 7 4 9 10 3\n9 8 3 6 7 9\n8 0 9 4 7 2\n9 10 12 6 9 8")
    out = xcorr(image, grid("1 0 -1\n1 0 -1\n1 0 -1"))
    np.testing.assert_array_equal(out, [[-8, -9, -2, 18], [6, -3, -13, 9], [4, -4, -8, 5], [2, 2, 1, -3]])


@pytest.mark.parametrize("kernel, expected", [
    # seeds_examples.md D2 (the canonical answer of 002's homework #1), cross-correlation
    ("1 0 -1\n1 0 -1\n1 0 -1", [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]]),
    ("1 1 1\n0 0 0\n-1 -1 -1", [[-7, -11, 2, 4], [10, 17, 9, -3], [4, 5, -1, -7], [-7, -6, 1, 2]]),
    ("1 0 -1\n2 0 -2\n1 0 -1", [[-12, -8, 5, 16], [-10, 0, 3, 5], [-3, -2, -8, -14], [0, -6, -4, -18]]),
    ("3 0 -3\n10 0 -10\n3 0 -3", [[-64, -40, 35, 80], [-30, 8, 13, 23], [-21, -6, -40, -70], [12, -34, -16, -62]]),
])
def test_homework_image_edges(kernel, expected):
    np.testing.assert_array_equal(xcorr(HOMEWORK, grid(kernel)), expected)


# ---------------------------------------------------------------- naive loop references

def naive_conv(x, w, b, axes, out, groups):
    """y[b, o, oc] = bias[oc] + sum over taps t and the group's channels of
    xpad[b, o*s + t*d, ic] * w[oc, ic - group start, t], with explicit loops."""
    xp = np.pad(x, ((0, 0), *(a.pad for a in axes), (0, 0)))
    c_out, cg = w.shape[:2]
    og = c_out // groups
    y = np.zeros((x.shape[0], *out, c_out))
    for bi, o, oc in itertools.product(range(x.shape[0]), itertools.product(*map(range, out)), range(c_out)):
        g = oc // og
        total = b[oc]
        for t in itertools.product(*(range(a.f) for a in axes)):
            pos = tuple(oi * a.s + ti * a.d for oi, ti, a in zip(o, t, axes))
            for icl in range(cg):
                total += xp[(bi, *pos, g * cg + icl)] * w[(oc, icl, *t)]
        y[(bi, *o, oc)] = total
    return y


def naive_conv_transpose(x, w, b, axes, out, crop, groups):
    """Scatter: every input cell adds x * w to the cells i*s + t*d of a full output; then crop."""
    c_in = x.shape[-1]
    cg, og = c_in // groups, w.shape[1]
    full = [max((a.n - 1) * a.s + a.d * (a.f - 1) + 1, c + o) for a, c, o in zip(axes, crop, out)]
    y = np.zeros((x.shape[0], *full, og * groups))
    for bi, i, ic in itertools.product(range(x.shape[0]), itertools.product(*(range(a.n) for a in axes)), range(c_in)):
        g = ic // cg
        for t in itertools.product(*(range(a.f) for a in axes)):
            pos = tuple(ii * a.s + ti * a.d for ii, ti, a in zip(i, t, axes))
            for ocl in range(og):
                y[(bi, *pos, g * og + ocl)] += x[(bi, *i, ic)] * w[(ic, ocl, *t)]
    y = y[(slice(None), *(slice(c, c + o) for c, o in zip(crop, out)))]
    return y + b


@pytest.mark.parametrize("kind, inp, args", [
    ("conv2d", (5, 6, 4), dict(filters=6, kernel=3, groups=2, stride=2, padding=1)),
    ("conv2d", (5, 5, 6), dict(filters=3, kernel=[2, 3], groups=3, dilation=2, padding=[[1, 0], [2, 1]])),
    ("conv2d", (6, 5, 4), dict(filters=8, kernel=3, groups=4, padding="same", stride=2)),  # depthwise, m=2
    ("conv1d", (9, 4), dict(filters=4, kernel=3, groups=2, stride=3, dilation=2)),
    ("conv3d", (4, 5, 3, 2), dict(filters=4, kernel=2, groups=2, stride=[1, 2, 1], padding=1)),
    ("depthwise_conv2d", (5, 6, 3), dict(kernel=3, depth_multiplier=2, stride=2, padding="same")),
    ("depthwise_conv2d", (4, 4, 2), dict(kernel=[3, 1], padding=[[2, 0], [0, 1]])),
    # one filter per channel, stride 1 along W: the whole-row path
    ("depthwise_conv2d", (7, 8, 3), dict(kernel=3, stride=[2, 1], dilation=2, padding=[[1, 2], [2, 0]])),
    ("conv2d", (5, 6, 4), dict(filters=4, kernel=[2, 3], groups=4, padding="same")),
])
def test_grouped_and_depthwise_vs_loops(kind, inp, args):
    layer, r = build(kind, inp, **args)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, *inp))
    y, w = run_layer(layer, x, rng=rng, result=r)
    groups = inp[-1] if kind.startswith("depthwise") else layer.groups
    ref = naive_conv(x, w["weight"], w["bias"], r.axes, r.output_shape[:-1], groups)
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind, inp, args, crop", [
    ("conv_transpose2d", (3, 4, 2), dict(filters=3, kernel=3, stride=2, padding=1, output_padding=1), (1, 1)),
    ("conv_transpose2d", (3, 3, 4), dict(filters=4, kernel=2, stride=3, groups=2, dilation=2), (0, 0)),
    ("conv_transpose1d", (4, 2), dict(filters=2, kernel=3, stride=2, padding=2, output_padding=1, dilation=2), (2,)),
    ("conv_transpose3d", (2, 3, 2, 2), dict(filters=2, kernel=2, stride=2, groups=2), (0, 0, 0)),
    # Keras 'same' (n*s) and 'valid' (n*s + max(f - s, 0)), cropped as Keras 3.15 does (the TF/JAX
    # window): f=3, s=2: pad_len = 2 + 3 - 2 = 3, left_pad = min(2, 2), crop 3 - 1 - 2 = 0;
    # f=4, s=2: pad_len 4, left_pad 2, crop 4 - 1 - 2 = 1
    ("conv_transpose2d", (3, 4, 2), dict(filters=2, kernel=3, stride=2, padding="same"), (0, 0)),
    ("conv_transpose2d", (3, 4, 2), dict(filters=2, kernel=4, stride=2, padding="same"), (1, 1)),
    ("conv_transpose2d", (3, 4, 2), dict(filters=2, kernel=3, stride=2, padding="valid"), (0, 0)),
])
def test_transposed_vs_loops(kind, inp, args, crop):
    layer, r = build(kind, inp, **args)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, *inp))
    y, w = run_layer(layer, x, rng=rng, result=r)
    ref = naive_conv_transpose(x, w["weight"], w["bias"], r.axes, r.output_shape[:-1], crop, layer.groups)
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)


def test_keras_same_transposed_shape_is_n_times_s():
    _, r = build("conv_transpose2d", (3, 4, 2), filters=2, kernel=3, stride=2, padding="same")
    assert r.output_shape == (3 * 2, 4 * 2, 2)


@pytest.mark.parametrize("kind, inp, args, expected", [
    # avg with padding: torch counts the padded cells (count_include_pad) unless told not to
    ("avgpool1d", (3, 1), dict(kernel=3, stride=1, padding=1), [(0 + 1 + 2) / 3, (1 + 2 + 3) / 3, (2 + 3 + 0) / 3]),
    ("avgpool1d", (3, 1), dict(kernel=3, stride=1, padding=1, count_include_pad=False), [(1 + 2) / 2, 2, (2 + 3) / 2]),
    # ceil_mode: the last window hangs past the input and averages only what it covers
    ("avgpool1d", (5, 1), dict(kernel=2, ceil_mode=True), [1.5, 3.5, 5 / 1]),
    ("maxpool1d", (5, 1), dict(kernel=2, ceil_mode=True), [2, 4, 5]),
    ("global_avgpool", (4, 1), {}, [2.5]),
    ("adaptive_avgpool1d", (5, 1), dict(output=3), [1.5, 3, 4.5]),  # bins [0,2) [1,4) [3,5)
])
def test_pool_values(kind, inp, args, expected):
    x = np.arange(1.0, inp[0] + 1).reshape(1, *inp)
    y, _ = run_layer(build(kind, inp, **args)[0], x)
    np.testing.assert_allclose(y.ravel(), expected)


def test_flatten_is_channels_last_row_major():
    x = np.arange(2 * 3 * 4.0).reshape(1, 2, 3, 4)
    y, _ = run_layer(build("flatten", (2, 3, 4))[0], x)
    assert y.tolist() == [list(range(24))]  # (H, W, C) order, Keras's


def test_dropout_is_identity_and_batchnorm_counts_4c():
    x = np.random.default_rng(0).standard_normal((2, 3, 5))
    assert run_layer(build("dropout", (3, 5), rate=0.5)[0], x)[0] is x
    _, w = run_layer(build("batchnorm", (3, 5))[0], x)
    assert sum(v.size for v in w.values()) == 4 * 5


def test_every_kind_has_a_forward_function():
    assert all(not getattr(cls.forward, "pending", False) for cls in KINDS.values())


# ---------------------------------------------------------------- the zoo

# Every zoo file at its real input size (VGG-19 at 224 is the largest: ~1-2 s on 2 cores).
@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(ZOO.glob("*.yaml")), ids=lambda p: p.name)
def test_zoo_verifies(path):
    v = verify(load_spec(str(path)))
    bad = [(c.result.layer.label, c.executed_shape, c.result.output_shape, c.weights, c.result.params, c.error)
           for c in v.checks if not c.agree]
    assert v.agree, bad


def test_verify_batch_and_multi_layer_spec():
    spec = parse_spec("input: [12, 10, 3]\nlayers:\n"
                      "  - conv2d: {filters: 4, kernel: 3, padding: same, activation: relu}\n"
                      "  - batchnorm\n  - maxpool2d: {kernel: 3, stride: 2, ceil_mode: true}\n"
                      "  - conv_transpose2d: {filters: 2, kernel: 3, stride: 2, output_padding: 1}\n"
                      "  - zeropad2d: [[1, 0], [0, 2]]\n  - lrn: 3\n  - global_maxpool\n"
                      "  - dense: {units: 5, activation: softmax}\n")
    v = verify(spec, batch=3, seed=1)
    assert v.agree
    assert [c.executed_shape for c in v.checks][-1] == (5,)


# ---------------------------------------------------------------- branch kinds (issue 7)
# Called straight through each kind's forward facet.

def _branch(kind, xs, out_shape, **fields):
    from types import SimpleNamespace
    layer = KINDS[kind](kind=kind, name=kind, index=1, **fields)
    return layer.forward(xs, {}, SimpleNamespace(output_shape=out_shape, axes=()))


def test_add_multiply_concat():
    a = np.arange(12.0).reshape(1, 2, 2, 3)
    b = np.full_like(a, 2.0)
    np.testing.assert_array_equal(_branch("add", (a, b, b), (2, 2, 3)), a + 4)
    np.testing.assert_array_equal(_branch("multiply", (a, b), (2, 2, 3)), a * 2)
    assert _branch("concat", (a, b), (2, 2, 6), axis=-1).shape == (1, 2, 2, 3 + 3)
    assert _branch("concat", (a, b), (4, 2, 3), axis=1).shape == (1, 2 + 2, 2, 3)  # Keras axis 1 = H
    assert a.tolist() == np.arange(12.0).reshape(1, 2, 2, 3).tolist()  # inputs untouched


def test_upsample_nearest_and_bilinear():
    x = np.array([1.0, 3.0]).reshape(1, 2, 1)
    assert _branch("upsample1d", x, (4, 1), mode="nearest").ravel().tolist() == [1, 1, 3, 3]
    # align_corners=False, factor 2: sources -0.25 -> 0, 0.25, 0.75, 1.25 -> 1 (clamped)
    assert _branch("upsample1d", x, (4, 1), mode="linear").ravel().tolist() == [1, 1.5, 2.5, 3]
    y = _branch("upsample2d", np.ones((1, 2, 3, 4)), (6, 9, 4), mode="bilinear")
    assert y.shape == (1, 6, 9, 4) and np.allclose(y, 1)


@pytest.mark.parametrize("text, last", [
    ("input: [20]\nlayers:\n  - embedding: {vocab: 50, dim: 8}\n  - conv1d: {filters: 4, kernel: 3, dilation: 2}\n"
     "  - global_avgpool\n  - dense: {units: 2, activation: log_softmax}\n", (2,)),
    ("input: [6, 8, 8, 2]\nlayers:\n  - conv3d: {filters: 4, kernel: 3, padding: same, activation: gelu}\n"
     "  - maxpool3d: {kernel: 2, ceil_mode: true}\n  - conv_transpose3d: {filters: 2, kernel: 2, stride: 2}\n"
     "  - adaptive_maxpool3d: {output: [2, 3, 3]}\n  - flatten\n  - dropout: 0.3\n", (2 * 3 * 3 * 2,)),
    ("input: [9, 9, 4]\nlayers:\n  - depthwise_conv2d: {kernel: 3, depth_multiplier: 3, stride: 2, padding: same}\n"
     "  - conv_transpose2d: {filters: 3, kernel: 3, stride: 2, padding: same}\n"
     "  - avgpool2d: {kernel: 3, stride: 2, padding: same}\n  - leaky_relu: {negative_slope: 0.2}\n", (5, 5, 3)),
    # `inputs` picks an earlier output by name or id, or the spec's input
    ("input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3, id: a, inputs: [input]}\n"
     "  - maxpool2d: {kernel: 2, inputs: [a], name: p}\n  - conv2d: {filters: 2, kernel: 3, inputs: [p]}\n", (1, 1, 2)),
])
def test_verify_other_kinds(text, last):
    v = verify(parse_spec(text), batch=2)
    assert v.agree, [(c.result.layer.label, c.error) for c in v.checks if not c.agree]
    assert v.checks[-1].executed_shape == last


@pytest.mark.parametrize("batch", [1, 2])
@pytest.mark.parametrize("c_out", [2, 300])  # (K, C) columns, and (C, K) when C_out >= positions
@pytest.mark.parametrize("dilation", [[1, 2], [2, 1], 1])  # last-axis taps copied one by one, or as one run
def test_chunked_im2col_equals_one_chunk(monkeypatch, batch, c_out, dilation):
    from cnncalc import ops as kernels
    layer, r = build("conv2d", (9, 7, 3), filters=c_out, kernel=3, stride=[2, 1], padding=[[1, 2], [0, 1]],
                     dilation=dilation)
    rng = np.random.default_rng(9)
    x = rng.standard_normal((batch, 9, 7, 3))
    whole, w = run_layer(layer, x, rng=rng, result=r)
    monkeypatch.setattr(kernels, "CHUNK_BYTES", 1)  # one output row per chunk
    rows, _ = run_layer(layer, x, w, result=r)
    np.testing.assert_allclose(rows, whole, rtol=1e-12, atol=1e-12)
    ref = naive_conv(x, w["weight"], w["bias"], r.axes, r.output_shape[:-1], 1)
    np.testing.assert_allclose(whole, ref, rtol=1e-12, atol=1e-12)


def test_verify_branching_spec_with_the_real_kinds():
    spec = parse_spec("input: [4, 4, 2]\nlayers:\n"
                      "  - conv2d: {filters: 2, kernel: 1, name: a}\n"
                      "  - upsample2d: {factor: 2, mode: bilinear, inputs: [a], name: up}\n"
                      "  - upsample2d: {factor: 2, inputs: [input], name: up_in}\n"
                      "  - add: {inputs: [up, up_in], name: s}\n"
                      "  - multiply: {inputs: [s, up_in], name: m}\n"
                      "  - concat: {inputs: [m, s], name: c}\n")
    v = verify(spec, batch=2)
    assert v.agree, [(c.result.layer.label, c.error) for c in v.checks if not c.agree]
    assert v.checks[-1].executed_shape == (4 * 2, 4 * 2, 2 + 2)


@pytest.mark.parametrize("path", zoo(["resnet50.yaml", "unet_small.yaml", "googlenet.yaml", "densenet121.yaml"]))
def test_cli_verify_branched_zoo(cli, path):
    import json
    d = json.loads(cli("verify", ZOO / path, "--format", "json").out)
    assert d["agree"] and d["weights"] == d["params"]
    assert any(row["kind"] in ("add", "concat") for row in d["layers"])


def test_unexecuted_upsample_mode_is_a_named_disagreement():
    v = verify(parse_spec("input: [4, 4, 2]\nlayers:\n  - upsample2d: {factor: 2, mode: bicubic}\n"))
    assert not v.agree and "upsampling mode `bicubic` is not executed" in v.checks[0].error


def test_layers_after_a_failure_are_not_run_even_on_another_branch():
    v = verify(parse_spec("input: [4, 4, 2]\nlayers:\n  - upsample2d: {factor: 2, mode: bicubic, name: up}\n"
                          "  - upsample2d: {factor: 2, inputs: [input], name: near}\n"
                          "  - concat: {inputs: [up, near]}\n"))
    assert [c.error is None for c in v.checks] == [False, False, False]
    assert [c.error for c in v.checks[1:]] == ["not run: an earlier layer failed"] * 2
    assert [(c.executed_shape, c.weights) for c in v.checks[1:]] == [(None, 0)] * 2
