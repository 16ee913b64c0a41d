"""Solvers, the size/layer calculators and the formula text (cnncalc.solve, cnncalc.explain).

Worked examples come from the course notes (/work/shared/seeds, digest in
notes/seeds_examples.md, ids A*/B*/C*/E* below); where the notes slip, the test asserts the
correct value and that the notes' value is NOT produced.
"""
from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given, settings, strategies as st

from cnncalc import formulas as F
from cnncalc import infer, load_spec, parse_spec
from cnncalc import solve as S
from cnncalc.solve import input_sizes
from cnncalc.render.solutions import progression
from cnncalc.errors import ArgumentError, ShapeError
from cnncalc.explain import layer_lines
from tests.conftest import ZOO


def size1(n, f, s=1, p=0, d=1, mode="floor", op=0):
    return S.size((n,), (f,), (s,), ((p, p),), (d,), mode, (op,)).axes[0]


# ---- size: the forward question ----------------------------------------------------------

# (n, f, p, s) -> out: the digest's compact test vectors, expected values as arithmetic.
SIZE_CASES = [
    (32, 5, 0, 2, (32 + 2*0 - 5)//2 + 1, 1),     # A1: 14 (the notes' ceiling bracket would give 15)
    (5, 3, 1, 2, (5 + 2*1 - 3)//2 + 1, 0),       # A4 Ex1a: 3, exact (4/2)
    (5, 3, 1, 3, (5 + 2*1 - 3)//3 + 1, 1),       # A5 Ex1b: 2, not exact (7/3)
    (288, 4, 0, 2, (288 - 4)//2 + 1, 0),         # A6: 143
    (288, 3, 0, 2, (288 - 3)//2 + 1, 1),         # A6: 143 too, one row dropped
    (288, 2, 0, 2, (288 - 2)//2 + 1, 0),         # A6: the notes' F=2 gives 144, not 143
    (143, 3, 0, 2, (143 - 3)//2 + 1, 0),         # A7: 71 (A8's (I - ps + 1)/s would be 70.5)
    (6, 3, 0, 1, 6 - 3 + 1, 0),                  # A12: 4
    (6, 3, 1, 1, 6 + 2 - 3 + 1, 0),              # A13: 6
    (6, 3, 3, 2, (6 + 6 - 3)//2 + 1, 1),         # A18: p=3 gives 5
    (6, 3, 4, 2, (6 + 8 - 3)//2 + 1, 1),         # A18: p=4 gives 6
    (224, 3, 1, 1, 224 + 2 - 3 + 1, 0),          # A3: 224
    (224, 2, 0, 2, (224 - 2)//2 + 1, 0),         # A3: 112
    (32, 5, 0, 1, 32 - 5 + 1, 0),                # A22: 28
    (28, 2, 0, 2, (28 - 2)//2 + 1, 0),           # A34: 14
    (10, 2, 0, 2, (10 - 2)//2 + 1, 0),
    (6, 3, 0, 3, (6 - 3)//3 + 1, 0),             # A28: 2
    (7, 3, 0, 1, 7 - 3 + 1, 0),                  # A25: 5
    (5, 3, 1, 1, 5 + 2 - 3 + 1, 0),              # A24/A25: 5 ("same")
    (8, 3, 0, 1, 8 - 3 + 1, 0),
    (3, 2, 0, 1, 3 - 2 + 1, 0),                  # A35: 2
    (8, 3, 0, 2, (8 - 3)//2 + 1, 1),             # D7: CWM rows 3 (x_7 never read)
    (7, 3, 0, 2, (7 - 3)//2 + 1, 0),             # A11: 3 (notes' (n-k+1)/s gives 2.5)
    (9, 3, 0, 2, (9 - 3)//2 + 1, 0),             # A11: 4 (notes' 3.5)
    (10, 3, 0, 3, (10 - 3)//3 + 1, 1),           # A11: 3 (notes' 2.67)
]


@pytest.mark.parametrize("n,f,p,s,out,dropped", SIZE_CASES)
def test_size_floor(n, f, p, s, out, dropped):
    a = size1(n, f, s, p)
    assert (a.output, a.dropped, a.exact) == (out, dropped, dropped == 0)
    assert a.working == f"floor(({n} + 2*{p} - {f})/{s}) + 1 = {out}"


def test_size_32_5_2_shows_the_floor_and_the_dropped_row():
    # A1 (000:L159): the notes write a ceiling bracket; the floor is right and drops row 31
    a = size1(32, 5, 2, 0)
    assert a.working == "floor((32 + 2*0 - 5)/2) + 1 = 14"
    assert "27/2 = 13.5 is not an integer" in a.note and "last input row" in a.note
    assert size1(32, 5, 2, 0, mode="ceil").output == -(-(32 - 5) // 2) + 1 == 15


@pytest.mark.parametrize("n,f,s,p,out", [
    (32, 5, 2, 0, 15),               # ceil(27/2) + 1
    (143, 3, 2, 0, 71),              # exact: ceil = floor
    (5, 2, 2, 1, 3),                 # ceil((5+2-2)/2)+1 = 4, the 4th window starts in the padding -> 3
    (6, 3, 2, 1, 4),                 # ceil(5/2)+1 = 4; (4-1)*2 = 6 < 6+1 keeps it
])
def test_size_ceil_mode_matches_pool_out(n, f, s, p, out):
    a = size1(n, f, s, p, mode="ceil")
    assert a.output == F.pool_out(n, f, s, (p, p), ceil_mode=True) == out


def test_size_ceil_mode_dropped_window_is_explained():
    a = size1(5, 2, 2, 1, mode="ceil")
    assert "- 1 = 3" in a.working and "padding" in a.working


@pytest.mark.parametrize("n,f,s,p,op,out", [
    (16, 3, 2, 1, 1, (16-1)*2 - 2*1 + (3-1) + 1 + 1),   # 32: the usual 2x upsampler
    (3, 2, 2, 0, 0, (3-1)*2 + (2-1) + 1),               # 6
    (7, 4, 1, 0, 0, (7-1)*1 + (4-1) + 1),               # 10
])
def test_size_transposed(n, f, s, p, op, out):
    a = size1(n, f, s, p, mode="transposed", op=op)
    assert a.output == out and a.exact and a.working.endswith(f"= {out}")


def test_size_dilation():
    # span d*(f-1)+1 = 5: floor((10 - 5)/1) + 1 = 6
    a = size1(10, 3, 1, 0, d=2)
    assert a.output == (10 - (2*(3-1) + 1))//1 + 1 == 6
    assert a.working == "floor((10 + 2*0 - (2*(3-1) + 1))/1) + 1 = 6"


def test_size_non_square_and_same():
    a = S.size((6, 8), (3,), (2,), ((1, 1),))
    assert a.output == ((6 + 2 - 3)//2 + 1, (8 + 2 - 3)//2 + 1) == (3, 4)
    assert [x.name for x in a.axes] == ["H", "W"]
    b = S.size((224, 225), (3,), (2,), "same")
    assert b.output == (-(-224 // 2), -(-225 // 2)) == (112, 113) and b.exact


def test_size_1d_axis_is_named_n():
    assert S.size((100,), (3,), (1,)).axes[0].name == "n"


def test_strict_message_states_the_division_and_the_true_output():
    # A5 (001:L213): the notes say the output would be 4/3; it is 4/3 + 1 = 7/3 (floor: 2)
    msg = S.strict_error(S.size((5,), (3,), (3,), ((1, 1),)))
    assert msg.startswith("5, f=3, p=1, s=3: (5 + 2*1 - 3)/3 = 4/3 = 1.33 is not an integer")
    assert "7/3" in msg and "gives 2" in msg
    assert S.strict_error(S.size((5,), (3,), (2,), ((1, 1),))) is None
    ceil = S.strict_error(S.size((32,), (5,), (2,), ((0, 0),), mode="ceil"))
    assert ceil.endswith(f"ceil_mode gives {-(-(32 - 5) // 2) + 1}")


@pytest.mark.parametrize("args,match", [
    (dict(ns=(0,), fs=(3,)), "positive"),
    (dict(ns=(5,), fs=(0,)), "positive"),
    (dict(ns=(5,), fs=(3,), ss=(-1,)), "positive"),
    (dict(ns=(5, 5), fs=(3, 3, 3)), "3 values but the input has 2 axes"),
    (dict(ns=(5,), fs=(3,), pads=((-1, -1),)), "0 or more"),
])
def test_size_bad_arguments(args, match):
    with pytest.raises(ArgumentError, match=match):
        S.size(**args)


def test_size_kernel_larger_than_input_is_a_shape_error():
    with pytest.raises(ShapeError, match="larger than the padded input"):
        S.size((5,), (7,))


# ---- padding ------------------------------------------------------------------------------

def test_padding_homework2_n6_f3_s2():
    # A18 (002:L339): p = (6*2 - 6 + 3 - 2)/2 = 3.5; p=4 reaches 6 (a padded row unread),
    # p=3 (the floor the notes' L334 formula takes) gives 5; (3, 4) is exact.
    a = S.padding(6, 3, 2)
    assert a.formula == "p = (n*s - n + f - s)/2 = (6*2 - 6 + 3 - 2)/2 = 7/2 = 3.5"
    got = {sol.value: (sol.output, sol.exact, sol.dropped) for sol in a.solutions}
    assert got == {(3, 4): (6, True, 0), 4: ((6 + 2*4 - 3)//2 + 1, False, 1)}
    assert 3 not in got and F.conv_out(6, 3, 2, (3, 3)) == 5
    assert any("p = 3" in n and "= 5, not 6" in n for n in a.notes)
    assert a.solutions[0].value == (3, 4)  # exact first
    # TensorFlow 'same' keeps ceil(6/2) = 3 rows with total padding (3-1)*2 + 3 - 6 = 1
    assert (a.tf_same.value, a.tf_same.output) == ((0, 1), -(-6 // 2))


@pytest.mark.parametrize("n,f,s,p", [
    (6, 3, 1, 1),      # A14: P = (f-1)/2 = 1
    (5, 3, 1, 1),      # A24: 1-D 5x1 with a size-3 filter "& padding"
    (224, 3, 1, 1),    # A3: VGG "padded to have same shape"
    (224, 7, 1, 3),
    (32, 5, 1, 2),
])
def test_padding_same_stride1_is_exact_symmetric(n, f, s, p):
    a = S.padding(n, f, s)
    assert a.solutions[0].value == p == (f - 1) // 2 and a.solutions[0].exact
    assert a.solutions[0].output == n and len(a.solutions) == 1


def test_padding_even_kernel_has_no_symmetric_exact_answer():
    # f=4, s=1: p = (4-1)/2 = 1.5: only the split (1, 2) is exact
    a = S.padding(8, 4, 1)
    assert [s.value for s in a.solutions] == [(1, 2)]
    assert any("no symmetric padding" in n for n in a.notes)


def test_padding_target_output():
    # floor((10 + 2p - 3)/2) + 1 = 3 -> 2p in [(3-1)*2 + 3 - 10, ... + 1] = [-3, -2]: none, so
    # no padding: the output is already 4 > 3
    a = S.padding(10, 3, 2, out=3)
    assert not a.solved and "more than 3" in a.reason
    b = S.padding(10, 3, 2, out=5)  # 2p in [(5-1)*2 + 3 - 10, +1] = [1, 2]: p = 1, total 1 -> (0, 1)
    assert {s.value for s in b.solutions} == {1, (0, 1)}
    assert all(s.output == 5 for s in b.solutions)


def test_padding_with_dilation():
    # span 2*(3-1)+1 = 5 acts like f=5: p = 2 keeps 10
    a = S.padding(10, 3, 1, d=2)
    assert a.solutions[0].value == 2 and a.solutions[0].exact
    assert "d*(f-1) + 1" in a.formula


# ---- kernel -------------------------------------------------------------------------------

def test_kernel_ex2_288_to_143():
    # A6 (001:L215-230): the notes' L221 says F=2 (gives 144); L230 boxes F=4 (exact);
    # under the floor F=3 also gives 143, dropping one row
    a = S.kernel(288, 143, 2, (0, 0))
    assert a.formula == "f = n + 2p - (out-1)*s = 288 + 2*0 - (143-1)*2 = 4"
    assert [(s.value, s.exact, s.dropped) for s in a.solutions] == [(4, True, 0), (3, False, 1)]
    assert 2 not in [s.value for s in a.solutions]


@pytest.mark.parametrize("n,out,s,p,expect", [
    (6, 4, 1, 0, [3]),                 # A12
    (32, 28, 1, 0, [5]),               # A22
    (32, 14, 2, 0, [6, 5]),            # A1 backwards: 6 exact, 5 drops a row
    (7, 3, 3, 0, [1]),                 # 7 - 2*3 = 1, r = 1, 2 -> spans 0, -1 impossible
])
def test_kernel_table(n, out, s, p, expect):
    a = S.kernel(n, out, s, (p, p))
    assert [sol.value for sol in a.solutions] == expect
    assert all(F.conv_out(n, sol.value, s, (p, p)) == out for sol in a.solutions)


def test_kernel_no_solution_says_why():
    a = S.kernel(10, 20, 1, (0, 0))
    assert not a.solved and "needs at least (20-1)*1 + 1 = 20 padded rows but there are 10" in a.reason


def test_kernel_dilation():
    # span d*(f-1)+1 must be 10 - (3-1)*2 - r = 6 - r: r = 1 gives span 5 = 2*(3-1)+1 -> f=3
    a = S.kernel(10, 3, 2, (0, 0), d=2)
    assert [(s.value, s.exact) for s in a.solutions] == [(3, False)]


# ---- stride -------------------------------------------------------------------------------

def test_stride_ex1_5x5_f3_p1():
    # A4/A5: s=2 gives 3 exactly; s=3 is "not possible" exactly -- floor gives 2
    a = S.stride(5, 3, 3, (1, 1))
    assert [(s.value, s.exact) for s in a.solutions] == [(2, True)]
    b = S.stride(5, 2, 3, (1, 1))
    assert [(s.value, s.exact, s.dropped) for s in b.solutions] == [(4, True, 0), (3, False, 1)]


@pytest.mark.parametrize("n,out,f,p,expect", [
    (32, 14, 5, 0, [2]),              # A1
    (224, 112, 2, 0, [2]),            # A3 pool
    (6, 2, 3, 0, [3, 2]),             # A28: 3 exact; 2 gives floor(3/2)+1 = 2 too
    (227, 55, 11, 0, [4]),            # AlexNet conv1
])
def test_stride_table(n, out, f, p, expect):
    a = S.stride(n, out, f, (p, p))
    assert [s.value for s in a.solutions] == expect
    assert all(F.conv_out(n, f, s.value, (p, p)) == out for s in a.solutions)


def test_stride_no_solution_names_the_neighbours():
    a = S.stride(10, 5, 3)
    assert not a.solved
    assert a.reason.startswith(f"stride 1 gives {10 - 3 + 1} and stride 2 gives {(10 - 3)//2 + 1}")


def test_stride_output_1_and_long_ranges():
    a = S.stride(7, 1, 3)
    assert a.solutions[0].value == 7 - 3 + 1 and "every stride from 5" in a.solutions[0].note
    b = S.stride(1000, 2, 3)  # s in (997/2, 997]: 499 strides, summarised
    assert len(b.solutions) == S.MAX_LISTED and b.solutions[0].value == 997 and b.solutions[0].exact
    assert any("every stride from 499 to 997" in n for n in b.notes)


def test_stride_kernel_too_big_is_an_error():
    with pytest.raises(ShapeError):
        S.stride(3, 1, 5)


# ---- properties: every listed solution is right, and none is missing -----------------------

small = st.integers(min_value=1, max_value=40)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(n=small, f=st.integers(1, 9), s=st.integers(1, 5), d=st.integers(1, 3), out=small)
def test_padding_solutions_are_complete(n, f, s, d, out):
    a = S.padding(n, f, s, d, out)
    span = F.effective_kernel(f, d)
    brute = {p for p in range(0, 150) if n + 2 * p >= span and F.conv_out(n, f, s, (p, p), d) == out}
    assert {sol.value for sol in a.solutions if isinstance(sol.value, int)} == brute
    for sol in a.solutions:
        pad = sol.value if isinstance(sol.value, tuple) else (sol.value, sol.value)
        assert F.conv_out(n, f, s, pad, d) == out == sol.output
        assert sol.exact == (F.dropped(n, f, s, pad, d) == 0)
    assert a.solved or a.reason


@settings(max_examples=150, derandomize=True, deadline=None)
@given(n=small, out=small, s=st.integers(1, 5), p=st.integers(0, 3), d=st.integers(1, 3))
def test_kernel_solutions_are_complete(n, out, s, p, d):
    a = S.kernel(n, out, s, (p, p), d)
    brute = {f for f in range(1, n + 2 * p + 1)
             if F.effective_kernel(f, d) <= n + 2 * p and F.conv_out(n, f, s, (p, p), d) == out}
    assert {sol.value for sol in a.solutions} == brute
    assert all(sol.exact == (F.dropped(n, sol.value, s, (p, p), d) == 0) for sol in a.solutions)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(n=small, out=st.integers(2, 40), f=st.integers(1, 7), p=st.integers(0, 3))
def test_stride_solutions_are_complete(n, out, f, p):
    if f > n + 2 * p:
        return
    a = S.stride(n, out, f, (p, p))
    brute = {s for s in range(1, n + 2 * p + 2) if F.conv_out(n, f, s, (p, p)) == out}
    assert {sol.value for sol in a.solutions} == brute


# ---- layer: shape, parameters and MACs ---------------------------------------------------

@pytest.mark.parametrize("inp,filters,f,s,p,groups,shape,params", [
    ((32, 32, 3), 10, 3, 1, 0, 1, (30, 30, 10), (3*3*3 + 1) * 10),                 # B13: 280
    ((1000, 1000, 3), 10, 3, 1, 0, 1, (998, 998, 10), 280),                        # B13: any image size
    ((224, 224, 3), 64, 3, 1, 1, 1, (224, 224, 64), 64*(3*3)*3 + 64),              # B1: 1,792
    ((224, 224, 64), 64, 3, 1, 1, 1, (224, 224, 64), 3*3*64*64 + 64),              # B2: 36,928
    ((112, 112, 64), 128, 3, 1, 1, 1, (112, 112, 128), 128*(3*3)*64 + 128),        # B3: 73,856
    ((112, 112, 128), 128, 3, 1, 1, 1, (112, 112, 128), 3*3*128*128 + 128),        # B4: 147,584
    ((227, 227, 3), 96, 11, 4, 0, 1, (55, 55, 96), 11*11*3*96 + 96),               # B10: 34,944 (notes: 34444)
    ((27, 27, 96), 256, 5, 1, 2, 1, (27, 27, 256), 5*5*96*256 + 256),              # B11: 614,656
    ((27, 27, 96), 256, 5, 1, 2, 2, (27, 27, 256), 5*5*48*256 + 256),              # B11 grouped: 307,456
    ((5, 5, 3), 2, 3, 2, 1, 1, (3, 3, 2), (3*3*3 + 1) * 2),                        # A4 Ex1a: 3x3x2
    ((5, 5, 3), 2, 3, 3, 1, 1, (2, 2, 2), 56),                                     # A5 Ex1b: floor gives 2x2x2
    ((6, 6, 3), 1, 3, 1, 0, 1, (4, 4, 1), 3*3*3 + 1),                              # A19
    ((6, 6, 3), 10, 3, 1, 0, 1, (4, 4, 10), 280),                                  # A20
    ((32, 32, 3), 6, 5, 1, 0, 1, (28, 28, 6), (5*5*3 + 1) * 6),                    # A22/B14: 456
    ((32, 32, 3), 8, 5, 1, 0, 1, (28, 28, 8), (5*5*3 + 1) * 8),                    # C: 608, not 208
    ((14, 14, 8), 16, 5, 1, 0, 1, (10, 10, 16), (5*5*8 + 1) * 16),                 # C: 3,216, not 416
    ((3, 3, 1), 1, 2, 1, 0, 1, (2, 2, 1), 2*2 + 1),                                # B22: 5
    ((10, 1), 1, 3, 1, 0, 1, (8, 1), 3 + 1),                                       # B19: 1-D, 4
    ((100, 1), 16, 3, 1, 0, 1, (98, 16), 3*1*16 + 16),                             # E1: 64
    ((49, 16), 32, 3, 1, 0, 1, (47, 32), 3*16*32 + 32),                            # E1: 1,568
])
def test_layer_conv(inp, filters, f, s, p, groups, shape, params):
    a = S.layer("conv", inp, filters=filters, kernel=f, stride=s, padding=p, groups=groups)
    assert (a.output_shape, a.params) == (shape, params)
    assert a.activation_size == F.product(shape)
    assert a.macs == F.product(shape) * f ** (len(inp) - 1) * (inp[-1] // groups)
    assert a.params_text.endswith(f"= {params:,}")


def test_layer_conv_280_text():
    a = S.layer("conv", (32, 32, 3), filters=10, kernel=3)
    assert a.params_text == "(3*3*3 + 1)*10 = 280"
    assert a.activation_text == "30*30*10 = 9,000"
    assert a.macs_text == "30*30*10 * (3*3*3) = 243,000"
    assert a.shape_lines == ("H and W: out = floor((32 + 2*0 - 3)/1) + 1 = 30",)


def test_layer_conv_73856_text():
    # B3 (000:L260): 128 x (3x3) x 64 + 128 = 73,856
    a = S.layer("conv", (112, 112, 64), filters=128, kernel=3, padding=1)
    assert a.params == 128 * (3*3) * 64 + 128 == 73_856
    assert a.params_text == "(3*3*64 + 1)*128 = 73,856"


def test_layer_conv_non_square_and_grouped_text():
    a = S.layer("conv", (32, 28, 3), filters=4, kernel=(5, 3), stride=(1, 2))
    assert a.output_shape == (32 - 5 + 1, (28 - 3)//2 + 1, 4) == (28, 13, 4)
    assert a.params == 5*3*3*4 + 4
    assert a.shape_lines[:2] == ("H: out = floor((32 + 2*0 - 5)/1) + 1 = 28",
                                 "W: out = floor((28 + 2*0 - 3)/2) + 1 = 13")
    g = S.layer("conv", (8, 8, 64), filters=128, kernel=3, groups=2)
    assert g.params == 3*3*(64//2)*128 + 128
    assert g.params_text == "3*3*(64/2)*128 + 128 = 36,992"


@pytest.mark.parametrize("inp,f,s,shape", [
    ((143, 143, 64), 3, 2, (71, 71, 64)),      # A7 Ex2b: 71x71xk
    ((224, 224, 64), 2, 2, (112, 112, 64)),    # A3
    ((6, 6, 1), 3, 1, (4, 4, 1)),              # A27
    ((6, 6, 1), 3, 3, (2, 2, 1)),              # A28
    ((4, 4, 1), 2, 2, (2, 2, 1)),              # D1
    ((28, 28, 8), 2, 2, (14, 14, 8)),          # C POOL1
    ((98, 16), 2, 2, (49, 16)),                # E1 MaxPool1D
])
def test_layer_pool(inp, f, s, shape):
    a = S.layer("maxpool", inp, kernel=f, stride=s)
    assert a.output_shape == shape and a.params == 0 and a.macs == 0   # B21: pools have no params


@pytest.mark.parametrize("inp,units,params", [
    ((7, 7, 512), 4096, 7*7*512*4096 + 4096),    # B5/B6: 102,764,544 (weights 102,760,448, not 102,768,448)
    ((4096,), 4096, 4096*4096 + 4096),           # B8: the real FC7, 16,781,312
    ((4096,), 1000, 4096*1000 + 1000),           # B7/B8: FC8 4,097,000 (not 25,088,000)
    ((5, 5, 16), 120, 400*120 + 120),            # C FC3: 48,120 (notes: 48,001)
    ((120,), 84, 120*84 + 84),                   # C FC4: 10,164 (notes: 10,081)
    ((84,), 10, 84*10 + 10),                     # C softmax: 850 (notes: 841)
    ((10,), 10, 10*10 + 10),                     # B20: 110
    ((32, 32, 3), 4704, 3072*4704 + 4704),       # B15: 14,455,392 (3,072 inputs, not 3037)
])
def test_layer_dense(inp, units, params):
    a = S.layer("dense", inp, units=units)
    assert a.params == params and a.macs == F.product(inp) * units
    assert a.params_text == f"{F.product(inp)}*{units} + {units} = {params:,}"


def test_layer_fc6_is_not_the_notes_figures():
    a = S.layer("dense", (7, 7, 512), units=4096)
    assert a.params - 4096 == 7*7*512*4096 == 102_760_448 != 102_768_448
    assert a.notes == ("the input (7, 7, 512) is flattened first: 7*7*512 = 25,088",)


@pytest.mark.parametrize("kind,args,match", [
    ("conv", dict(filters=2, kernel=7), "larger than the padded input"),
    ("conv", dict(filters=3, kernel=3, groups=2), "groups 2 does not divide"),
    ("maxpool", dict(kernel=3, padding=2), "more than half the kernel"),
])
def test_layer_refusals_are_the_summary_refusals(kind, args, match):
    with pytest.raises(ShapeError, match=match):
        S.layer(kind, (5, 5, 4), **args)


def test_layer_needs_channels():
    with pytest.raises(ArgumentError, match="no spatial axis"):
        S.layer("conv", (32,), filters=1, kernel=3)


# ---- input sizes of a network ------------------------------------------------------------

def test_input_sizes_vgg16():
    # five 2x2/2 pools: exact iff n is a multiple of 2^5 = 32; 32 is also the smallest accepted
    a = input_sizes(load_spec(str(ZOO / "vgg16.yaml")), max_size=300)
    assert a.exact_sizes == tuple(range(32, 301, 32)) and a.smallest == 32
    assert a.given == (224, 224, 3) and a.given_drops == ()
    assert progression(a.exact_sizes) == "32, 64, 96, ..., 288 (every multiple of 32)"


def test_input_sizes_vgg16_225_first_drop():
    a = input_sizes(load_spec(str(ZOO / "vgg16.yaml")), max_size=40, given=(225, 225, 3))
    first = a.given_drops[0]
    assert first.layer == "layer 3 (block1_pool, maxpool2d)" and first.dropped == (225 - 2) % 2
    assert first.working == f"floor((225 + 2*0 - 2)/2) + 1 = {(225 - 2)//2 + 1}"


def test_input_sizes_1d_signal():
    # E1: L -> L-2 -> /2 -> -2 -> /2: exact iff L-2 even and (L-2)/2 - 2 even: L = 10 + 4k;
    # smallest L accepted: 10 (pool2 sees 2)
    a = input_sizes(load_spec(str(ZOO / "signal1d.yaml")), max_size=60)
    assert a.exact_sizes == tuple(range(10, 61, 4)) and a.smallest == 10 and a.axis == "L"
    assert a.given_drops[0].layer.startswith("layer 4 (max_pooling1d_1")  # 100: 47 - 2 = 45 is odd


def test_input_sizes_non_square_scans_each_axis():
    spec = parse_spec("input: [20, 30, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: [3, 5], stride: [1, 2]}\n")
    a = input_sizes(spec, max_size=20)
    h, w = a.per_axis
    assert (h.axis, w.axis) == ("H", "W")
    assert h.exact_sizes == tuple(range(3, 21)) and h.smallest == 3
    assert w.exact_sizes == tuple(range(5, 21, 2)) and w.smallest == 5   # (n - 5) even
    assert a.solved


def test_input_sizes_no_exact_size_is_a_no():
    spec = parse_spec("input: [8, 8, 1]\nlayers:\n  - conv2d: {filters: 1, kernel: 3, stride: 2}\n"
                      "  - conv2d: {filters: 1, kernel: 2, stride: 2}\n")
    # n <= 4: conv1 gives (n-3)//2 + 1 <= 1 rows, too few for conv2's kernel 2: nothing accepted
    a = input_sizes(spec, max_size=4)
    assert not a.solved and a.exact_sizes == () and a.smallest is None
    # conv1 exact needs n - 3 even, conv2 needs m - 2 even with m = (n-3)/2 + 1: n = 5 + 4k
    b = input_sizes(spec, max_size=20)
    assert b.exact_sizes == (5, 9, 13, 17) and b.smallest == 5


def test_input_sizes_wrong_rank():
    with pytest.raises(ArgumentError, match="keep the channels"):
        input_sizes(load_spec(str(ZOO / "vgg16.yaml")), given=(224, 224))


# ---- summary --explain: the text evaluates to the numbers ---------------------------------

def _evaluate(expr: str) -> int:
    """Python value of a working line's left side: floor(a/b) -> a//b, ceil(a/b) -> -(-a//b)."""
    expr = expr.replace(",", "")
    expr = re.sub(r"ceil\((.*)/(\d+)\)", r"(-(-(\1)//\2))", expr)
    expr = expr.replace("floor(", "(").replace("/", "//")
    assert re.fullmatch(r"[\d\s()+\-*/]+", expr), expr
    return eval(expr)  # noqa: S307 -- digits and operators only, checked above


@pytest.mark.parametrize("name", ["vgg16", "vgg19", "lenet5", "lenet_homework", "signal1d",
                                  "alexnet", "alexnet_torchvision", "mobilenet_v1"])
def test_explain_lines_evaluate_to_the_summary(name):
    summary = infer(load_spec(str(ZOO / f"{name}.yaml")))
    for r in summary.layers:
        for line in layer_lines(r):
            if line.startswith("note:") or "max(" in line:
                continue
            line = re.sub(r" \(.*\)$", "", line)
            left, _, value = line.rpartition(" = ")
            left = left.split(": out = ")[-1].removeprefix("params = ").removeprefix("out = ")
            assert _evaluate(left) == int(value.replace(",", "")), (r.layer.label, line)
        params = [x for x in layer_lines(r) if x.startswith("params")]
        if r.params:
            assert params and f"= {r.params:,}" in params[0]


def test_explain_homework_table_catches_the_notes():
    # C (002:L504-510): the notes' 208, 416, 48,001, 10,081, 841 forget channels / bias per unit
    summary = infer(load_spec(str(ZOO / "lenet_homework.yaml")))
    text = [layer_lines(r) for r in summary.layers]
    assert "params = 5*5*3*8 + 8 = 608" in text[0]
    assert "params = 5*5*8*16 + 16 = 3,216" in text[2]
    assert "params = 400*120 + 120 = 48,120" in text[5]
    assert summary.totals.params == 608 + 3216 + 48120 + 10164 + 850 == 62_958


def test_explain_vgg_first_row():
    r = infer(load_spec(str(ZOO / "vgg16.yaml"))).layers[0]
    assert layer_lines(r) == ["H and W: out = floor((224 + 1 + 1 - 3)/1) + 1 = 224",
                              "params = 3*3*3*64 + 64 = 1,792"]


def test_explain_notes_a_dropping_layer():
    spec = parse_spec("input: [32, 32, 1]\nlayers:\n  - conv2d: {filters: 1, kernel: 5, stride: 2}\n")
    lines = layer_lines(infer(spec).layers[0])
    assert lines[1] == "note: 27/2 = 13.5 is not an integer: the floor leaves the last input row unread"


def test_explain_transposed_and_same_pool():
    spec = parse_spec("input: [16, 16, 4]\nlayers:\n"
                      "  - conv_transpose2d: {filters: 2, kernel: 3, stride: 2, padding: 1, output_padding: 1}\n"
                      "  - maxpool2d: {kernel: 2, padding: same}\n")
    t, p = (layer_lines(r) for r in infer(spec).layers)
    assert t[0] == "H and W: out = (16-1)*2 - 1 - 1 + 1*(3-1) + 1 + 1 = 32"
    assert t[1] == "params = 3*3*4*2 + 2 = 74"
    assert p == ["H and W: out = ceil(32/2) = 16"]


def test_solvers_are_frozen():
    a = S.padding(6, 3, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.question = "x"  # type: ignore[misc]


def test_explain_transposed_without_output_padding_and_keras_same():
    spec = parse_spec("input: [16, 16, 4]\nlayers:\n  - conv_transpose2d: {filters: 2, kernel: 3, stride: 2}\n"
                      "  - conv_transpose2d: {filters: 2, kernel: 3, stride: 2, padding: same}\n")
    a, b = (layer_lines(r) for r in infer(spec).layers)
    assert a[0] == f"H and W: out = (16-1)*2 - 0 - 0 + 1*(3-1) + 1 = {(16-1)*2 + (3-1) + 1}"
    assert b[0] == f"H and W: out = 33*2 = {33*2} (Keras 'same')"


# -- solve input asks each layer's geometry: every kind that floors its window --------------------
@pytest.mark.parametrize("layer, n, exact", [
    # (32 - 3) / 2 = 14.5: the separable conv drops a row at 32; odd n are exact
    ("separable_conv2d: {filters: 8, kernel: 3, stride: 2}", 32, False),
    ("separable_conv2d: {filters: 8, kernel: 3, stride: 2}", 33, True),
    ("depthwise_conv2d: {kernel: 3, stride: 2}", 32, False),
    ("conv2d: {filters: 4, kernel: 3, stride: 2}", 31, True),
    ("maxpool2d: {kernel: 3, stride: 2}", 32, False),
    ("conv_transpose2d: {filters: 4, kernel: 3, stride: 2}", 32, True),  # nothing to drop
])
def test_input_sizes_every_windowed_kind(layer, n, exact):
    spec = parse_spec(f"input: [{n}, {n}, 3]\nlayers:\n  - {layer}\n")
    answer = input_sizes(spec, max_size=64)
    assert (n in answer.exact_sizes) == exact
    assert (not answer.given_drops) == exact


def test_input_sizes_separable_exact_only_for_odd_sizes():
    spec = parse_spec("input: [32, 32, 3]\nlayers:\n  - separable_conv2d: {filters: 8, kernel: 3, stride: 2}\n")
    answer = input_sizes(spec, max_size=40)
    assert answer.exact_sizes == tuple(range(3, 41, 2))  # (n - 3) % 2 == 0


def test_a_scan_too_long_is_refused_before_it_starts():
    """A transposed conv first stops the per-axis walk (tests/solve/test_input_scan.py), so every one of
    65,536 sizes would run 5,001 layers for most of an hour: refused with its numbers (issue 14)."""
    import time
    from cnncalc.errors import ArgumentError
    from cnncalc.solve import MAX_SCAN_STEPS
    from cnncalc.spec import parse_spec
    spec = parse_spec("input: [64, 64, 8]\nlayers:\n  - conv2dtranspose: {filters: 8, kernel: 1}\n"
                      + "  - conv2d: {filters: 8, kernel: 3, padding: 1}\n" * 5000)
    start = time.perf_counter()
    with pytest.raises(ArgumentError) as e:
        input_sizes(spec, 65536)
    assert time.perf_counter() - start < 60  # refused up front, not after an hour of scanning
    assert f"{65536 * 5001:,} layer steps" in str(e.value) and f"--max {MAX_SCAN_STEPS // 5001:,} or less" in str(e.value)
