"""Convolution gradients (cnncalc/gradients/conv.py): the course notes' examples, recomputed by hand here
(the notes give the formulas with symbols only, and write the chain rule with `+` where it
multiplies: 004:L232-240), an independent scatter-loop reference, torch autograd over a
hypothesis sweep (skipped without torch) and the committed torch goldens.
"""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cnncalc.gradients.conv import conv_grad, conv_grad_channels, parse_at
from cnncalc.gradients.inputs import from_text, parse_channels
from cnncalc.gradients.jacobian import jacobian_shapes, weight_shapes
from cnncalc.formulas import product
from cnncalc.infer import infer
from cnncalc.spec import load_spec, parse_spec
from tests.conftest import FAST_ZOO, ZOO, one_line_error as bad, zoo

GOLDEN = Path(__file__).parent.parent / "golden" / "torch_grad.json"

# 004:L218-240: a 3x3 image x11..x33, a 2x2 kernel k11..k22 and a bias b; the notes stop at the
# symbols. Numbers here: X = 1..9 row by row, K = [[1, 2], [3, 4]], b = 1, and the upstream
# gradient dL/dZ = all ones (L = the sum of Z).
X = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
K = [[1, 2], [3, 4]]
ONES = [[1, 1], [1, 1]]


def test_notes_3x3_image_2x2_kernel_all_ones_upstream():
    r = conv_grad(X, K, ONES, bias=1)
    # Z_11 = x11 k11 + x12 k12 + x21 k21 + x22 k22 + b (004:L222), and so on
    assert r.Z == [[1*1 + 2*2 + 4*3 + 5*4 + 1, 2*1 + 3*2 + 5*3 + 6*4 + 1],
                   [4*1 + 5*2 + 7*3 + 8*4 + 1, 5*1 + 6*2 + 8*3 + 9*4 + 1]]
    # dL/dK_mn = sum_ij dL/dZ_ij * dZ_ij/dK_mn (a product: the notes' `+` is a slip), dZ_ij/dK_mn = x_(i+m)(j+n)
    assert r.dK == [[1 + 2 + 4 + 5, 2 + 3 + 5 + 6], [4 + 5 + 7 + 8, 5 + 6 + 8 + 9]]
    # dL/dX: every x gets the kernel cells that touched it (full convolution of G with K rotated)
    assert r.dX == [[1, 1 + 2, 2], [1 + 3, 1 + 2 + 3 + 4, 2 + 4], [3, 3 + 4, 4]]
    assert r.dL_db == 4
    assert r.working_at("dK", 0, 0) == ("dL/dK[0,0] = X[0,0]*G[0,0] + X[0,1]*G[0,1] + X[1,0]*G[1,0] + "
                                        "X[1,1]*G[1,1] = 1*1 + 2*1 + 4*1 + 5*1 = 12")
    assert r.working_at("dX", 1, 1) == ("dL/dX[1,1] = G[0,0]*K[1,1] + G[0,1]*K[1,0] + G[1,0]*K[0,1] + "
                                        "G[1,1]*K[0,0] = 1*4 + 1*3 + 1*2 + 1*1 = 10")
    assert r.working_at("Z", 0, 0) == ("Z[0,0] = X[0,0]*K[0,0] + X[0,1]*K[0,1] + X[1,0]*K[1,0] + "
                                       "X[1,1]*K[1,1] + b = 1*1 + 2*2 + 4*3 + 5*4 + 1 = 38")
    assert r.working_at("db") == "dL/db = G[0,0] + G[0,1] + G[1,0] + G[1,1] = 1 + 1 + 1 + 1 = 4"
    assert r.to_dict()["dL_dK"] == [[12, 16], [24, 28]]
    assert all(isinstance(v, int) for row in r.dX for v in row)  # exact


def test_notes_example_without_upstream_takes_all_ones():
    assert conv_grad(X, K).dK == conv_grad(X, K, ONES).dK


def test_text_shows_each_grid_with_its_formula():
    text = conv_grad(X, K, ONES, bias=1).text(at="dK:0,0")
    for line in ("output Z (2x2), stride 1, padding 0:", "dL/dK (2x2):", "dL/dX (3x3):", "dL/db = 4",
                 "dL/dK[m,n] = sum_i sum_j Xp[i*s+m, j*s+n] * G[i,j]", "full convolution",
                 "= 1*1 + 2*1 + 4*1 + 5*1 = 12"):
        assert line in text


# 003:L407-421: the 1-D network's conv, a 5x1 signal, a 3-tap filter and "appropriate padding" (1),
# no bias. X = [1, 3, 2, 0, 1], W1 = [1, -1, 2]; the upstream dL/dZ1 is the one the network gives
# (test_backprop.py::test_notes_tiny_1d_network): [4, -8, 12, 4, 0].
def test_notes_1d_conv_with_padding():
    r = conv_grad([1, 3, 2, 0, 1], [1, -1, 2], [4, -8, 12, 4, 0], padding=1)
    assert r.dims == 1
    # Z_i = w1 x_(i-1) + w2 x_i + w3 x_(i+1), x_0 = x_6 = 0 (the padding)
    assert r.Z == [1*0 - 1*1 + 2*3, 1*1 - 1*3 + 2*2, 1*3 - 1*2 + 2*0, 1*2 - 1*0 + 2*1, 1*0 - 1*1 + 2*0]
    # dL/dW_k = sum_i x_(i+k-1) dZ_i: the 3x5 matrix of 003:L421 (rows X0..X4, X1..X5, X2..X6) times dZ
    assert r.dK == [0*4 + 1*-8 + 3*12 + 2*4 + 0*0, 1*4 + 3*-8 + 2*12 + 0*4 + 1*0, 3*4 + 2*-8 + 0*12 + 1*4 + 0*0]
    assert r.dX == [4*-1 + -8*1, 4*2 + -8*-1 + 12*1, -8*2 + 12*-1 + 4*1, 12*2 + 4*-1 + 0*1, 4*2 + 0*-1]
    assert r.input_padded == [0, 1, 3, 2, 0, 1, 0]
    assert r.working_at("dK", 0) == ("dL/dK[0] = Xp[0]*G[0] + Xp[1]*G[1] + Xp[2]*G[2] + Xp[3]*G[3] + Xp[4]*G[4] "
                                     "= 0*4 + 1*(-8) + 3*12 + 2*4 + 0*0 = 36")


def test_stride_dilates_the_upstream_gradient():
    img = [[c + 5 * r for c in range(5)] for r in range(5)]  # 0..24
    r = conv_grad(img, [[1, 0], [0, -1]], [[1, 2], [3, 4]], stride=3)
    assert r.output_shape == ((5 - 2) // 3 + 1,) * 2
    assert r.upstream_dilated == [[1, 0, 0, 2], [0, 0, 0, 0], [0, 0, 0, 0], [3, 0, 0, 4]]
    # every input cell is read by at most one window (s = 3 > f = 2): row 2 and column 2 never
    assert r.dX == [[1, 0, 0, 2, 0], [0, -1, 0, 0, -2], [0, 0, 0, 0, 0], [3, 0, 0, 4, 0], [0, -3, 0, 0, -4]]
    assert r.dK == [[0*1 + 3*2 + 15*3 + 18*4, 1*1 + 4*2 + 16*3 + 19*4],
                    [5*1 + 8*2 + 20*3 + 23*4, 6*1 + 9*2 + 21*3 + 24*4]]
    assert "stride steps over it" in r.working_at("dX", 2, 2)
    assert "upstream_dilated" in r.to_dict()


def test_flip_is_the_rotated_kernel():
    img = [[3, 0, 1], [1, 5, 8], [2, 7, 2]]
    k = [[1, 2], [0, -1]]
    flipped = conv_grad(img, k, [[1, -1], [2, 0]], flip=True)
    plain = conv_grad(img, [[-1, 0], [2, 1]], [[1, -1], [2, 0]])
    assert flipped.Z == plain.Z and flipped.dX == plain.dX
    assert flipped.dK == [row[::-1] for row in plain.dK[::-1]]
    assert flipped.working_at("Z", 0, 0) == ("Z[0,0] = X[0,0]*K[1,1] + X[0,1]*K[1,0] + X[1,0]*K[0,1] + "
                                             "X[1,1]*K[0,0] = 3*(-1) + 0*0 + 1*2 + 5*1 = 4")


def test_fractions_stay_exact_and_floats_stay_floats():
    r = conv_grad([[Fraction(1, 3), 1], [2, 0]], [[1]], [[Fraction(1, 2), 0], [0, 3]])
    assert r.dK == [[Fraction(1, 3) * Fraction(1, 2) + 2 * 0 + 1 * 0 + 0 * 3]]
    assert r.dK[0][0] == Fraction(1, 6)
    assert "1/3*(1/2)" not in r.working_at("dK", 0, 0) and "(1/3)*(1/2)" in r.working_at("dK", 0, 0)
    f = conv_grad([[0.5, 1.5]], [[2.0]], [[1.0, 1.0]])
    assert f.dK == [2.0] and f.Z == [1, 3]  # whole floats read as ints


def _reference(images, kernels, ups, s, p, bias):
    """Scatter loops straight from the chain rule: each Z cell's gradient to every (x, k) pair it used."""
    c_in, c_out = len(images), len(kernels)
    h, w, fh, fw = len(images[0]), len(images[0][0]), len(kernels[0][0]), len(kernels[0][0][0])
    ho, wo = (h + 2 * p - fh) // s + 1, (w + 2 * p - fw) // s + 1
    z = [[[bias[o] if bias else 0 for _ in range(wo)] for _ in range(ho)] for o in range(c_out)]
    dk = [[[[0] * fw for _ in range(fh)] for _ in range(c_in)] for _ in range(c_out)]
    dx = [[[0] * w for _ in range(h)] for _ in range(c_in)]
    for o in range(c_out):
        for i in range(ho):
            for j in range(wo):
                for c in range(c_in):
                    for m in range(fh):
                        for n in range(fw):
                            a, b = i * s + m - p, j * s + n - p
                            if 0 <= a < h and 0 <= b < w:
                                z[o][i][j] += images[c][a][b] * kernels[o][c][m][n]
                                dk[o][c][m][n] += images[c][a][b] * ups[o][i][j]
                                dx[c][a][b] += ups[o][i][j] * kernels[o][c][m][n]
    return z, dk, dx, [sum(map(sum, g)) for g in ups]


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.data())
def test_multichannel_equals_the_scatter_reference(data):
    c_in, c_out = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    fh, fw = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    s, p = data.draw(st.integers(1, 3)), data.draw(st.integers(0, 2))
    h, w = data.draw(st.integers(max(1, fh - 2 * p), 6)), data.draw(st.integers(max(1, fw - 2 * p), 6))
    ints = st.integers(-4, 4)
    images = [[[data.draw(ints) for _ in range(w)] for _ in range(h)] for _ in range(c_in)]
    kernels = [[[[data.draw(ints) for _ in range(fw)] for _ in range(fh)] for _ in range(c_in)] for _ in range(c_out)]
    ho, wo = (h + 2 * p - fh) // s + 1, (w + 2 * p - fw) // s + 1
    ups = [[[data.draw(ints) for _ in range(wo)] for _ in range(ho)] for _ in range(c_out)]
    bias = [data.draw(ints) for _ in range(c_out)] if data.draw(st.booleans()) else None
    r = conv_grad_channels(images, kernels, ups, s, p, bias, dims=2)  # one row alone would be a 1-D signal
    z, dk, dx, db = _reference(images, kernels, ups, s, p, bias)
    assert (r.Z, r.dK, r.dX, r.dL_db) == (z, dk, dx, db)
    o, c = data.draw(st.integers(0, c_out - 1)), data.draw(st.integers(0, c_in - 1))
    assert r.working_at("dK", 0, 0, o=o, c=c).endswith(f"= {dk[o][c][0][0]}")
    assert r.working_at("dX", 0, 0, c=c).split(" (no output")[0].endswith(f"= {dx[c][0][0]}")


def test_one_row_is_a_signal():
    r = conv_grad([[1, 2, 3, 4]], [[1, -1]], [[1, 1, 1, 1, 1]], padding=1)
    assert r.dims == 1 and r.Z == [0 - 1, 1 - 2, 2 - 3, 3 - 4, 4 - 0]
    assert r.dK == [0 + 1 + 2 + 3 + 4, 1 + 2 + 3 + 4 + 0]
    assert conv_grad([[1, 2, 3, 4]], [[1, -1]], padding=1, dims=2).output_shape == (1 + 2*1 - 1 + 1, 4 + 2*1 - 2 + 1)


def test_command_line_text():
    r = from_text("1 2 3; 4 5 6; 7 8 9", "1 2; 3 4", "1 1; 1 1", bias="1")
    assert r.dK == [[12, 16], [24, 28]] and not r.multi
    m = from_text("1 2; 3 4 | 0 1; 1 0", ["1 0; 0 1 | 1 1; 1 1", "2 0; 0 0 | 0 0; 0 2"], "1 | 2", bias="0 1")
    assert m.multi and m.Z == [[[1 + 4 + 0 + 1 + 1 + 0]], [[2 + 0 + 2 * 0 + 1]]]
    assert parse_at("dK:1,0,0,0", m) == "dL/dK[1][0][0,0] = X[0][0,0]*G[1][0,0] = 1*2 = 2"
    assert parse_at("dX:1,0,0", m) == "dL/dX[1][0,0] = G[0][0,0]*K[0][1][0,0] + G[1][0,0]*K[1][1][0,0] = 1*1 + 2*0 = 1"
    assert parse_at("db:1", m) == "dL/db[1] = G[1][0,0] = 2"
    assert parse_at("dL/dX:1,0,0", m) == parse_at("dl_dx:1,0,0", m) == parse_at("dX:1,0,0", m)
    assert parse_at("dL/dK:0,0", r) == r.working_at("dK", 0, 0)
    assert parse_channels("[[[1, 2]], [[3, 4]]]") == [[[1, 2]], [[3, 4]]]
    assert parse_channels("sobel_x", "--kernel", kernel=True)[0][1] == [2, 0, -2]
    assert json.loads(json.dumps(m.to_dict()))["dL_db"] == [1, 2]




@pytest.mark.parametrize("call, words", [
    (lambda: conv_grad([[1, 2], [3]], K), ["--image row 2 has 1 value but row 1 has 2"]),
    (lambda: conv_grad([], K), ["--image is empty"]),
    (lambda: conv_grad([[1, "a"]], [[1]]), ["'a' is not a number"]),
    (lambda: conv_grad([[1, float("inf")]], [[1]]), ["not a finite number"]),
    (lambda: conv_grad(X, [[1, 2], [3, 4, 5]]), ["--kernel row 2 has 3 values but row 1 has 2"]),
    (lambda: conv_grad([[1, 2], [3, 4]], [[1] * 3] * 3), ["kernel 3x3 on the rows of --image 2x2",
                                                          "larger than the padded input 2+0+0 = 2"]),
    (lambda: conv_grad(X, K, [[1, 1, 1]] * 3), ["--upstream is 3x3 but the output Z is 2x2",
                                                "rows: floor((3 + 2*0 - 2) / 1) + 1 = 2",
                                                "one upstream value per output cell"]),
    (lambda: conv_grad([1, 2, 3], [1, 1], [1, 1, 1]), ["--upstream is length 3 but the output Z is length 2"]),
    (lambda: conv_grad(X, K, stride=0), ["stride 0 must be at least 1"]),
    (lambda: conv_grad(X, K, padding=-1), ["padding -1 must be at least 0"]),
    (lambda: conv_grad(X, K, stride=1.5), ["stride 1.5 must be a whole number"]),
    (lambda: conv_grad_channels([X, X], [[K]]), ["--kernel filter 0 has 1 grid but --image has 2 channels"]),
    (lambda: conv_grad_channels([X, [[1]]], [[K, K]]), ["--image channels differ in size: 3x3 and 1x1"]),
    (lambda: conv_grad_channels([X], [[K], [K]], [ONES]), ["--upstream has 1 channel but there are 2 filters"]),
    (lambda: conv_grad_channels([X], [[K], [K]], None, bias=[1]), ["--bias has 1 value but there are 2 filters"]),
    (lambda: conv_grad([[0] * 1001] * 1001, [[1]]), ["more than the 1,000,000"]),
    (lambda: conv_grad([[0] * 300] * 300, [[1] * 5] * 5), ["products", "more than the 1,000,000"]),
    (lambda: conv_grad(X, K).working_at("dK", 2, 0), ["--at dK 2,0: row 2 is outside the grid (0 to 1)"]),
    (lambda: conv_grad(X, K).working_at("dW", 0, 0), ["--at names `dW`; use Z, dK, dX or db"]),
    (lambda: conv_grad(X, K).working_at("dX", 0), ["--at dX needs two indices i,j"]),
    (lambda: parse_at("dK:a", conv_grad(X, K)), ["is not WHICH:i,j"]),
    (lambda: parse_at("0,0", conv_grad(X, K)), ["is not WHICH:i,j with WHICH one of Z, dK, dX, db"]),
    (lambda: parse_at("dK:0,0", conv_grad_channels([X], [[K], [K]])), ["give the channels o,c first"]),
    (lambda: parse_channels("1 2 | | 3 4"), ["empty channel"]),
    (lambda: parse_channels("[[[1, 2]"), ["not a JSON list of grids"]),
    (lambda: from_text("1 2; 3 4", "1; 2; 3", None), ["kernel 3x1 on the rows"]),
])
def test_bad_input_is_one_line(call, words):
    bad(call, *words)


# ---------------------------------------------------------------- Jacobian shapes

NOTES_NET = """
input: [5, 1]
layers:
  - conv1d: {filters: 1, kernel: 3, padding: 1, bias: false, name: z1}
  - relu: {name: a1}
  - flatten
  - dense: {units: 1, bias: false, name: a2}
"""


def test_notes_jacobian_shapes():
    """003:L416-417: dloss/dW1 (3x1) = dZ1/dW1 (3x5) . dA1/dZ1 (5x5) . dloss/dA1 (5x1), the notes'
    denominator layout; here (out, wrt), numerator layout: their transposes."""
    z1, a1, _, a2 = infer(parse_spec(NOTES_NET)).layers
    j = jacobian_shapes(z1)
    inp, weight = j.to_dict()["jacobians"]
    assert weight["wrt"] == "weight" and weight["shape"] == [5, 1, 1, 1, 3] and weight["matrix"] == [5, 3]
    assert inp["shape"] == [5, 1, 5, 1] and inp["elements"] == 5 * 5 and inp["bytes"] == 5 * 5 * 4
    assert jacobian_shapes(a1).to_dict()["jacobians"][0]["matrix"] == [5, 5]
    assert [e["matrix"] for e in jacobian_shapes(a2, 8).to_dict()["jacobians"]] == [[1, 5], [1, 5]]
    assert jacobian_shapes(a2, 8).to_dict()["jacobian_bytes"] == (5 + 5) * 8
    assert "d out / d weight: (5, 1, 1, 1, 3) = 5 x 3 = 15 numbers" in j.text()


def test_vgg_fc6_jacobian_is_why_we_never_form_it():
    fc6 = next(r for r in infer(load_spec(str(ZOO / "vgg16.yaml"))).layers if r.layer.kind == "dense")
    j = jacobian_shapes(fc6).to_dict()
    w = next(e for e in j["jacobians"] if e["wrt"] == "weight")
    assert w["shape"] == [4096, 4096, 25088] and w["elements"] == 4096 * 4096 * 25088
    assert w["gradient_elements"] == 4096 * 25088
    assert "backprop never forms" in j["why"]


@pytest.mark.parametrize("path", sorted(ZOO.glob("*.yaml")), ids=lambda p: p.stem)
def test_weight_shapes_count_every_trainable_parameter(path):
    for r in infer(load_spec(str(path))).layers:
        shapes = weight_shapes(r)
        assert sum(product(s) for s in shapes.values()) == r.trainable_params, r.layer.label
        assert "params" not in shapes, f"{r.layer.label}: its kind's weight_shapes does not add up"


def test_jacobian_refuses_a_bad_dtype_size():
    r = infer(parse_spec(NOTES_NET)).layers[0]
    bad(lambda: jacobian_shapes(r, 0), "dtype_bytes 0 must be a whole number of bytes")


# ---------------------------------------------------------------- torch

def _torch_case(torch, images, kernels, ups, s, p, bias, flip, dims):
    t = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)  # noqa: E731
    x, k = t([images]), t(kernels)
    b = t(bias) if bias is not None else None
    conv = torch.nn.functional.conv1d if dims == 1 else torch.nn.functional.conv2d
    kk = torch.flip(k, dims=list(range(2, k.dim()))) if flip else k
    z = conv(x, kk, b, stride=s, padding=p)
    z.backward(torch.tensor([ups], dtype=torch.float64))
    return (z[0].tolist(), k.grad.tolist(), x.grad[0].tolist(), None if b is None else b.grad.tolist())


def _close(a, b):
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for u, v in zip(a, b):
            _close(u, v)
    else:
        assert abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b))), (a, b)


SWEEP = settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SWEEP
@given(st.data())
def test_against_torch_autograd(data):
    torch = pytest.importorskip("torch")
    dims = data.draw(st.sampled_from([1, 2]))
    c_in, c_out = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    f = [data.draw(st.integers(1, 4)) for _ in range(dims)]
    s, p = data.draw(st.integers(1, 3)), data.draw(st.integers(0, 2))
    n = [data.draw(st.integers(max(1, fi - 2 * p), 8)) for fi in f]
    num = st.integers(-5, 5) if data.draw(st.booleans()) else st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 3))

    def g(shape):
        return [data.draw(num) for _ in range(shape[0])] if len(shape) == 1 else [g(shape[1:]) for _ in range(shape[0])]
    images = [g(n) for _ in range(c_in)]
    kernels = [[g(f) for _ in range(c_in)] for _ in range(c_out)]
    out = [(ni + 2 * p - fi) // s + 1 for ni, fi in zip(n, f)]
    ups = [g(out) for _ in range(c_out)]
    bias = [data.draw(num) for _ in range(c_out)] if data.draw(st.booleans()) else None
    flip = data.draw(st.booleans())
    r = conv_grad_channels(images, kernels, ups, s, p, bias, flip, dims)
    z, dk, dx, db = _torch_case(torch, images, kernels, ups, s, p, bias, flip, dims)
    _close(r.Z, z), _close(r.dK, dk), _close(r.dX, dx)
    if bias is not None:
        _close(r.dL_db, db)


def test_torch_goldens():
    """The committed cases (tests/golden/make_grad.py, torch 2.13.0), checked without torch."""
    data = json.loads(GOLDEN.read_text())
    assert data["source"].startswith("PyTorch 2.13.0")
    assert len(data["conv"]) >= 20
    for case in data["conv"]:
        r = conv_grad_channels(case["image"], case["kernel"], case["upstream"], case["stride"], case["padding"],
                               case["bias"], case["flip"], case["dims"])
        _close(r.Z, case["Z"]), _close(r.dK, case["dL_dK"]), _close(r.dX, case["dL_dX"])
        if case["bias"] is not None:
            _close(r.dL_db, case["dL_db"])


# every kind that learns, for the weight layouts (PyTorch's, the executor's, and Keras')
LEARNING = """
input: [8, 8, 4]
layers:
  - conv2d: {filters: 6, kernel: [3, 2], groups: 2}
  - depthwise_conv2d: {kernel: 3, depth_multiplier: 2, padding: same}
  - separable_conv2d: {filters: 5, kernel: 3, depth_multiplier: 2}
  - conv_transpose2d: {filters: 4, kernel: 3, stride: 2}
  - batchnorm
  - layernorm
  - groupnorm: {groups: 2}
  - prelu: {shared_axes: [1, 2]}
  - layer_scale
  - flatten
  - dense: {units: 3}
"""


@pytest.mark.parametrize("net", ["learning", *zoo(sorted(p.stem for p in ZOO.glob("*.yaml")),
                                                 fast=set(FAST_ZOO) - {"vgg16", "alexnet"})])
def test_weight_shapes_are_the_arrays_make_weights_draws(net):
    import numpy as np
    text = LEARNING if net == "learning" else (ZOO / f"{net}.yaml").read_text()
    rng = np.random.default_rng(0)
    for r in infer(parse_spec(text)).layers:
        drawn = r.layer.make_weights(r, rng, np.dtype(np.float32))
        assert {k: v.shape for k, v in drawn.items()} == r.layer.weight_shapes(r, "torch"), r.layer.label
        keras = r.layer.weight_shapes(r, "keras")
        assert list(keras) == list(drawn) and all(product(s) == v.size for s, v in zip(keras.values(), drawn.values()))


def test_keras_order_is_keras_own():
    """Each Keras layer, built on the input cnncalc gives it, holds arrays of the shapes
    weight_shapes(r, "keras") says (as multisets: Keras names and orders them its own way)."""
    pytest.importorskip("torch")
    keras = pytest.importorskip("keras")
    L = keras.layers
    made = {"conv2d": lambda r: L.Conv2D(6, (3, 2), groups=2), "depthwise_conv2d": lambda r: L.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
            "separable_conv2d": lambda r: L.SeparableConv2D(5, 3, depth_multiplier=2),
            "conv_transpose2d": lambda r: L.Conv2DTranspose(4, 3, strides=2), "batchnorm": lambda r: L.BatchNormalization(),
            "layernorm": lambda r: L.LayerNormalization(), "dense": lambda r: L.Dense(3)}
    for r in infer(parse_spec(LEARNING)).layers:
        if r.layer.kind not in made:
            continue
        layer = made[r.layer.kind](r)
        layer.build((1, *r.input_shape))
        assert sorted(tuple(w.shape) for w in layer.weights) == sorted(r.layer.weight_shapes(r, "keras").values()), \
            r.layer.label


def test_weight_order_is_torch_or_keras():
    r = infer(parse_spec("input: [5]\nlayers:\n  - dense: 3\n")).layers[0]
    assert r.layer.weight_shapes(r) == {"weight": (3, 5), "bias": (3,)}
    assert r.layer.weight_shapes(r, "keras") == {"weight": (5, 3), "bias": (3,)}
    bad(lambda: r.layer.weight_shapes(r, "onnx"), "weight order `onnx` is neither torch nor keras")
